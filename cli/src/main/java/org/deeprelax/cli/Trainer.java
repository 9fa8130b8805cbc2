package org.deeprelax.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.nn.Evaluation;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.data.Batch;
import org.deeprelax.nn.data.BatchLoader;
import org.deeprelax.nn.data.Split;
import org.deeprelax.nn.models.Models;
import org.deeprelax.optim.DivergenceException;
import org.deeprelax.optim.LearningRateSchedule;
import org.deeprelax.optim.Optimizer;

/**
 * The training loop behind {@code deeprelax train}: epochs of optimizer steps, a validation pass after
 * each, and after each epoch the metrics, summary, plots and an atomic checkpoint. An epoch is N/B steps.
 * Optimizers that use one minibatch a step (SGD, Adam, SAM, whose two evaluations share it) walk a
 * shuffled permutation; those that want a fresh minibatch for every evaluation (Entropy-SGD, HJ) draw each
 * with replacement by its evaluation index. Effective epochs are epochs × evaluations per step.
 *
 * <p>Everything random is addressed by (seed, epoch, step): the shuffle by (seed, epoch), the sampled
 * minibatches by the evaluation index, the Langevin noise by the evaluation index too, dropout by the
 * model's count of training forward passes (validation and batch-norm re-estimation draw nothing). A checkpoint holds the parameters, batch-norm buffers, forward count, optimizer
 * buffers and the metrics so far, so resuming after epoch k ends with exactly the numbers of the
 * uninterrupted run.
 */
final class Trainer {

    /** Raised when training cannot go on; the message says why and what was kept. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final TrainConfig config;
    private final Split data;
    private final Backend backend;
    private final RunFiles files;
    private final PrintStream out;
    private final Progress progress;

    Trainer(TrainConfig config, Split data, Backend backend, RunFiles files, PrintStream out, boolean terminal) {
        this.config = config;
        this.data = data;
        this.backend = backend;
        this.files = files;
        this.out = out;
        this.progress = new Progress(out, terminal);
    }

    /**
     * Trains from scratch, or from the checkpoint in the output directory.
     *
     * @param resume whether to continue from the checkpoint
     * @return the metrics of every epoch
     */
    List<EpochMetrics> run(boolean resume) {
        Model model = Model.build(config.model(), Models.create(config.model()), backend, config.seed());
        LearningRateSchedule schedule = LearningRateSchedule.parse(config.lrSchedule());
        Optimizer optimizer = config.settings().create(model.parameters());
        BatchLoader train = new BatchLoader(data.train(), backend, config.batchSize(), config.seed(),
                BatchLoader.LastBatch.DROP);
        BatchLoader validation = new BatchLoader(data.test(), backend, config.batchSize(), config.seed(),
                BatchLoader.LastBatch.PARTIAL);
        List<EpochMetrics> history = new ArrayList<>();
        int first = 1;
        if (resume) {
            first = restore(model, optimizer, history) + 1;
        }
        double secondsBefore = history.isEmpty() ? 0 : history.get(history.size() - 1).seconds();
        long start = System.nanoTime();
        for (int epoch = first; epoch <= config.epochs(); epoch++) {
            optimizer.setLearningRate(schedule.at(epoch));
            model.train();
            EpochTotals totals = new EpochTotals();
            progress.startEpoch(epoch, config.epochs(), train.batchesPerEpoch());
            Iterator<Batch> batches = train.epoch(epoch).iterator();
            for (int step = 0; step < train.batchesPerEpoch(); step++) {
                Batch next = optimizer.freshMinibatchEachEvaluation() ? null : batches.next();
                try {
                    optimizer.step(evaluation -> {
                        Batch b = next != null ? next : train.sample(evaluation);
                        Tensor logits = model.forward(b.images());
                        Tensor loss = Softmax.crossEntropy(logits, b.labels());
                        loss.backward();
                        totals.add(loss.item(), Evaluation.misclassified(logits, b.labels()), b.size());
                        return loss;
                    });
                } catch (DivergenceException e) {
                    throw diverged(epoch, step, e, history);
                }
                progress.batch(step + 1, totals.meanLoss());
            }
            if (config.reestimateBatchNorm()) {
                model.reestimateBatchNorm(train.inOrder());
            }
            Evaluation.Result v = Evaluation.classification(model, validation.inOrder());
            double seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
            EpochMetrics m = new EpochMetrics(epoch, (double) epoch * optimizer.evaluationsPerStep(), totals.meanLoss(),
                    totals.error(), v.loss(), v.error(), seconds);
            history.add(m);
            progress.endEpoch(m);
            checkpoint(model, optimizer, epoch, history);
            files.writeMetrics(history);
            files.writeSummary(config, history, epoch == config.epochs() ? "finished" : "running");
            files.writePlots(history, config.model() + " / " + config.optimizer());
        }
        return history;
    }

    /** Loss and error summed over an epoch's gradient evaluations. */
    private static final class EpochTotals {
        private double lossSum;
        private long wrong;
        private long seen;

        void add(float loss, int misclassified, int size) {
            lossSum += loss * (double) size;
            wrong += misclassified;
            seen += size;
        }

        double meanLoss() {
            return lossSum / Math.max(1, seen);
        }

        double error() {
            return 100.0 * wrong / Math.max(1, seen);
        }
    }

    private Stopped diverged(int epoch, int step, DivergenceException e, List<EpochMetrics> history) {
        files.writeSummary(config, history, "diverged");
        String kept = history.isEmpty() ? "no checkpoint was written (it diverged in the first epoch)"
                : "the last good checkpoint, after epoch " + history.get(history.size() - 1).epoch() + ", is kept in "
                + files.checkpoint();
        return new Stopped("training stopped: it diverged at epoch " + epoch + ", step " + (step + 1)
                + " (" + e.getMessage() + "); " + kept, e);
    }

    private void checkpoint(Model model, Optimizer optimizer, int epoch, List<EpochMetrics> history) {
        StateFile state = new StateFile();
        state.putString("train.config", config.toJson());
        state.putLongs("train.epoch", new long[] {epoch});
        long[] metrics = new long[history.size() * 7];
        for (int i = 0; i < history.size(); i++) {
            double[] row = history.get(i).toArray();
            for (int j = 0; j < 7; j++) {
                metrics[i * 7 + j] = Double.doubleToRawLongBits(row[j]);
            }
        }
        state.putLongs("train.metrics", metrics);
        model.saveState(state);
        optimizer.saveState(state);
        state.write(files.checkpoint());
    }

    private int restore(Model model, Optimizer optimizer, List<EpochMetrics> history) {
        if (!Files.isRegularFile(files.checkpoint())) {
            throw new IllegalArgumentException("--resume " + files.dir() + ": there is no checkpoint.state to resume from");
        }
        StateFile state = StateFile.read(files.checkpoint());
        model.loadState(state);
        optimizer.loadState(state);
        long[] metrics = state.getLongs("train.metrics");
        for (int i = 0; i < metrics.length / 7; i++) {
            double[] row = new double[7];
            for (int j = 0; j < 7; j++) {
                row[j] = Double.longBitsToDouble(metrics[i * 7 + j]);
            }
            history.add(EpochMetrics.fromArray(row));
        }
        int epoch = (int) state.getLongs("train.epoch")[0];
        out.println("resuming " + files.dir() + " after epoch " + epoch + " of " + config.epochs());
        return epoch;
    }

    /** @param dir a run directory @return the settings saved in its checkpoint */
    static TrainConfig savedConfig(RunFiles dir) {
        if (!Files.isRegularFile(dir.checkpoint())) {
            throw new IllegalArgumentException("--resume " + dir.dir() + ": there is no checkpoint.state to resume from");
        }
        return TrainConfig.fromJson(StateFile.read(dir.checkpoint()).getString("train.config"));
    }
}
