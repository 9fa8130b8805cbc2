package org.deeprelax.cli;

import java.io.PrintStream;
import java.io.UncheckedIOException;
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
 * model's count of training forward passes (validation and batch-norm re-estimation draw nothing). A
 * checkpoint holds the parameters, batch-norm buffers, forward count, optimizer buffers and the metrics
 * so far, so resuming after epoch k ends with exactly the numbers of the uninterrupted run.
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
     * Trains from scratch, or on from a checkpoint of this run. A SIGTERM (or Ctrl-C) while it runs leaves
     * a summary saying so; a failed write, a divergence or running out of memory stop it with a
     * {@link Stopped} that says what was kept, and the summary says the same.
     *
     * @param resumeFrom the run's checkpoint to continue from, or null to start afresh
     * @return the metrics of every epoch
     * @throws Stopped if training could not go on
     * @throws IllegalArgumentException if the checkpoint does not fit this run, naming the file, section and byte offset
     */
    List<EpochMetrics> run(StateFile resumeFrom) {
        Model model = Model.build(config.model(), Models.create(config.model()), backend, config.seed());
        LearningRateSchedule schedule = LearningRateSchedule.parse(config.lrSchedule());
        Optimizer optimizer = config.settings().create(model.parameters());
        BatchLoader train = new BatchLoader(data.train(), backend, config.batchSize(), config.seed(),
                BatchLoader.LastBatch.DROP);
        BatchLoader validation = new BatchLoader(data.test(), backend, Math.min(config.batchSize(), data.test().size()),
                config.seed(), BatchLoader.LastBatch.PARTIAL);
        List<EpochMetrics> history = new ArrayList<>();
        int first = 1;
        if (resumeFrom != null) {
            first = restore(resumeFrom, model, optimizer, history, train.batchesPerEpoch()) + 1;
        }
        files.started(config, history);
        Thread onSignal = new Thread(() -> files.stop("interrupted", last -> "stopped by a signal (SIGTERM or Ctrl-C) "
                + "during epoch " + (last + 1) + "; " + kept(last), true), "deeprelax-train-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            return epochs(first, model, optimizer, schedule, train, validation, history);
        } catch (OutOfMemoryError e) {
            throw stop("failed", "training ran out of memory: the Java heap holds at most "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB, and a batch of " + config.batchSize() + " "
                    + config.model() + " examples needs more; lower --batch-size, or give Java more memory "
                    + "(DEEPRELAX_JAVA_OPTS=-Xmx16g)", e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(onSignal);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or has run: it wrote the summary.
            }
        }
    }

    private List<EpochMetrics> epochs(int first, Model model, Optimizer optimizer, LearningRateSchedule schedule,
                                      BatchLoader train, BatchLoader validation, List<EpochMetrics> history) {
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
                    throw stop("diverged", "training stopped: it diverged at epoch " + epoch + ", step " + (step + 1)
                            + " (" + e.getMessage() + ")", e);
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
            byte[] checkpoint = checkpoint(model, optimizer, epoch, history);
            try {
                files.saveEpoch(checkpoint, config, history, epoch == config.epochs());
            } catch (UncheckedIOException e) {
                throw stop("failed", "training stopped: epoch " + epoch + " could not be saved: " + e.getMessage(), e);
            }
        }
        return history;
    }

    /** What a stopped run keeps, given the last epoch saved. */
    private String kept(int lastSaved) {
        return lastSaved == 0 ? "no checkpoint was written (no epoch was completed and saved)"
                : "the checkpoint after epoch " + lastSaved + " is kept in " + files.checkpoint()
                + "; continue with --resume " + files.dir();
    }

    /** Writes the summary of a stopped run and returns the exception that tells the user. */
    private Stopped stop(String status, String what, Throwable cause) {
        int[] lastSaved = {0};
        String summaryFailure = files.stop(status, last -> {
            lastSaved[0] = last;
            return what + "; " + kept(last);
        }, false);
        return new Stopped(what + "; " + kept(lastSaved[0])
                + (summaryFailure == null ? "" : "; summary.json could not be updated either: " + summaryFailure), cause);
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

    private byte[] checkpoint(Model model, Optimizer optimizer, int epoch, List<EpochMetrics> history) {
        StateFile state = new StateFile();
        state.putString("train.config", config.toJson());
        state.putLongs("train.epoch", new long[] {epoch});
        long[] metrics = new long[history.size() * EpochMetrics.FIELDS];
        for (int i = 0; i < history.size(); i++) {
            double[] row = history.get(i).toArray();
            for (int j = 0; j < EpochMetrics.FIELDS; j++) {
                metrics[i * EpochMetrics.FIELDS + j] = Double.doubleToRawLongBits(row[j]);
            }
        }
        state.putLongs("train.metrics", metrics);
        model.saveState(state);
        optimizer.saveState(state);
        return state.toBytes();
    }

    /**
     * Restores the model, the optimizer and the metrics, checking each against this run: the epoch
     * against the saved settings, the metrics row by row, the step count against the epochs done.
     *
     * @return the last epoch done
     */
    private int restore(StateFile state, Model model, Optimizer optimizer, List<EpochMetrics> history, int stepsPerEpoch) {
        int epoch = (int) state.getLong("train.epoch", 1, savedConfig(state).epochs());
        long[] metrics = state.getLongs("train.metrics");
        if (metrics.length != epoch * EpochMetrics.FIELDS) {
            throw state.invalid("train.metrics", -1, "it holds " + metrics.length + " values, but " + epoch
                    + " epochs of " + EpochMetrics.FIELDS + " were expected");
        }
        for (int i = 0; i < epoch; i++) {
            double[] row = new double[EpochMetrics.FIELDS];
            for (int j = 0; j < EpochMetrics.FIELDS; j++) {
                row[j] = Double.longBitsToDouble(metrics[i * EpochMetrics.FIELDS + j]);
            }
            String problem = EpochMetrics.problem(row, i + 1);
            if (problem != null) {
                throw state.invalid("train.metrics", 8L * i * EpochMetrics.FIELDS, "row " + (i + 1) + ": " + problem);
            }
            history.add(EpochMetrics.fromArray(row));
        }
        model.loadState(state);
        optimizer.loadState(state);
        if (optimizer.steps() != (long) epoch * stepsPerEpoch) {
            throw state.invalid("optimizer.counts", 0, "it holds " + optimizer.steps() + " steps, but " + epoch
                    + " epochs of " + stepsPerEpoch + " steps make " + (long) epoch * stepsPerEpoch);
        }
        out.println("resuming " + files.dir() + " after epoch " + epoch + " of " + config.epochs());
        return epoch;
    }

    /**
     * @param state a checkpoint
     * @return the settings saved in it
     * @throws IllegalArgumentException naming the file, the section and the byte offset if they are unreadable
     */
    static TrainConfig savedConfig(StateFile state) {
        String json = state.getString("train.config");
        try {
            return TrainConfig.fromJson(json);
        } catch (IllegalArgumentException e) {
            throw state.invalid("train.config", -1, e.getMessage());
        }
    }
}
