package org.deeprelax.nn;

import org.deeprelax.core.Autograd;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.TensorScope;
import org.deeprelax.nn.data.Batch;

/**
 * The loss and error of a classifier over a data set, in evaluation mode (running batch-norm averages,
 * no dropout) and without recording a graph. It draws no random number and leaves the model's forward
 * count and mode as they were, so evaluating between training steps never changes the training.
 */
public final class Evaluation {

    /**
     * What an evaluation measured.
     *
     * @param loss the mean cross-entropy per example
     * @param error the share of misclassified examples, in percent
     * @param examples how many examples were seen
     */
    public record Result(double loss, double error, long examples) {
    }

    private Evaluation() {
    }

    /**
     * Evaluates {@code model} on every batch of {@code batches}.
     *
     * @param model the classifier, whose output is logits {@code [n, classes]}
     * @param batches the data, typically {@code BatchLoader.inOrder()} of a held-out split
     * @return the mean loss and the error over all examples
     * @throws IllegalArgumentException if {@code batches} is empty
     */
    public static Result classification(Model model, Iterable<Batch> batches) {
        boolean wasTraining = model.isTraining();
        model.eval();
        Totals totals = new Totals();
        try (var scope = Autograd.noGrad()) {
            TensorScope.forEach(batches, b -> {
                Tensor logits = model.forward(b.images());
                totals.lossSum += Softmax.crossEntropy(logits, b.labels()).item() * (double) b.size();
                totals.wrong += misclassified(logits, b.labels());
                totals.count += b.size();
            });
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        if (totals.count == 0) {
            throw new IllegalArgumentException("evaluation: the data has no batches");
        }
        return new Result(totals.lossSum / totals.count, 100.0 * totals.wrong / totals.count, totals.count);
    }

    /** The sums an evaluation accumulates batch by batch. */
    private static final class Totals {
        double lossSum;
        long wrong;
        long count;
    }

    /**
     * Counts the rows of {@code logits} whose maximum is elsewhere than at the label (ties go to the
     * first maximum).
     *
     * @param logits {@code [n, classes]}
     * @param labels {@code [n]}, class indices held as floats
     * @return the number of misclassified rows
     */
    public static int misclassified(Tensor logits, Tensor labels) {
        float[] l = logits.toArray();
        float[] y = labels.toArray();
        int classes = logits.dim(1);
        int wrong = 0;
        for (int r = 0; r < y.length; r++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (l[r * classes + c] > l[r * classes + best]) {
                    best = c;
                }
            }
            wrong += best == (int) y[r] ? 0 : 1;
        }
        return wrong;
    }
}
