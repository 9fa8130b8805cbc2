package org.deeprelax.cli;

import org.deeprelax.core.Autograd;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.data.Batch;
import org.deeprelax.nn.data.BatchLoader;

/** Loss and error of a model over a whole split, in evaluation mode and without recording a graph. */
final class Evaluation {

    /**
     * @param loss mean cross-entropy
     * @param error error in percent
     */
    record Result(double loss, double error) {
    }

    private Evaluation() {
    }

    static Result run(Model model, BatchLoader loader) {
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long wrong = 0;
        long count = 0;
        try (var scope = Autograd.noGrad()) {
            for (Batch b : loader.inOrder()) {
                Tensor logits = model.forward(b.images());
                lossSum += Softmax.crossEntropy(logits, b.labels()).item() * (double) b.size();
                wrong += misclassified(logits, b.labels());
                count += b.size();
            }
        } finally {
            if (wasTraining) {
                model.train();
            }
        }
        return new Result(lossSum / count, 100.0 * wrong / count);
    }

    /** @return how many rows of {@code logits} have their maximum elsewhere than at the label */
    static int misclassified(Tensor logits, Tensor labels) {
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
