package org.deeprelax.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.TensorScope;
import org.deeprelax.core.comm.Communicator;
import org.deeprelax.core.comm.Communicators;
import org.deeprelax.core.io.AtomicFiles;
import org.deeprelax.core.io.IoErrors;
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
import org.deeprelax.optim.Parle;

/**
 * The training loop behind {@code deeprelax train}: epochs of optimizer steps, a validation pass after
 * each, and after each epoch the metrics, summary, plots and an atomic checkpoint. An epoch is N/B steps.
 * Optimizers that use one minibatch a step (SGD, Adam, SAM, whose two evaluations share it, Elastic-SGD)
 * walk a shuffled permutation; those that want a fresh minibatch for every evaluation (Entropy-SGD, HJ,
 * Parle) draw each with replacement by its evaluation index. Effective epochs are gradient evaluations per
 * training example: epochs × evaluations per step (× the data fraction, for replicas on a share of it).
 *
 * <p>Everything random is addressed by (seed, epoch, step): the shuffle by (seed, epoch), the sampled
 * minibatches by the evaluation index, the Langevin noise by the evaluation index too, dropout by the
 * model's count of training forward passes (validation and batch-norm re-estimation draw nothing). A
 * checkpoint holds the parameters, batch-norm buffers, forward count, optimizer buffers and the metrics
 * so far, so resuming after epoch k ends with exactly the numbers of the uninterrupted run.
 *
 * <p><b>Replicas.</b> A Parle or Elastic-SGD run trains n replicas, one per member of a {@link Communicator}
 * (a thread of an {@code InProcessJob}, or a process under {@code mpirun}), each with this class. Replica r
 * has its own seed ({@link #replicaSeed}), so its own initial weights, dropout masks and minibatches, and,
 * with a data fraction below 1, its own window of the training set ({@link ReplicaData}). After each epoch
 * every replica validates its own weights; replica 0, the lead, also validates the reference model, the
 * replicas' mean, with batch-norm statistics re-estimated on the whole training set, as the authors' code
 * does. The lead owns the run directory and writes {@code metrics.csv} (the reference model's numbers),
 * {@code replicas.csv} and {@code checkpoint.state}; each replica writes its own state to
 * {@code replica-R-epoch-K.state}, before the lead writes the checkpoint that names epoch K, so that a
 * crash between the two leaves the previous epoch's complete set.
 */
final class Trainer {

    /** Raised when training cannot go on; the message says why and what was kept. */
    static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** Whether every replica of the job stopped at the same point, so the job can end in order. */
        private final boolean everyReplica;

        Stopped(String message, Throwable cause, boolean everyReplica) {
            super(message, cause);
            this.everyReplica = everyReplica;
        }

        /** @return whether every replica of the job stopped here too (a divergence they agreed on) */
        boolean everyReplica() {
            return everyReplica;
        }
    }

    private final TrainConfig config;
    private final Split data;
    private final Backend backend;
    private final RunFiles files;
    private final Path dir;
    private final PrintStream out;
    private final Progress progress;
    private final Communicator job;
    private final boolean lead;

    /**
     * A trainer of one model, alone.
     *
     * @param config the settings
     * @param data the data
     * @param backend where to train
     * @param files the run directory
     * @param out where progress goes
     * @param terminal whether {@code out} is a terminal
     */
    Trainer(TrainConfig config, Split data, Backend backend, RunFiles files, PrintStream out, boolean terminal) {
        this(config, data, backend, files, files.dir(), out, terminal, Communicators.single());
    }

    /**
     * A trainer of replica {@code job.rank()} of a replicated run.
     *
     * @param config the settings, the same for every replica
     * @param data the data
     * @param backend where to train
     * @param files the run directory if this member owns it (the lead), else null
     * @param dir the run directory
     * @param out where progress goes (the lead's; the others print nothing)
     * @param terminal whether {@code out} is a terminal
     * @param job the replicas, one per member
     */
    Trainer(TrainConfig config, Split data, Backend backend, RunFiles files, Path dir, PrintStream out,
            boolean terminal, Communicator job) {
        this.config = config;
        this.data = data;
        this.backend = backend;
        this.files = files;
        this.dir = dir;
        this.job = job;
        this.lead = job.rank() == 0;
        this.out = lead ? out : new PrintStream(PrintStream.nullOutputStream());
        this.progress = new Progress(this.out, terminal);
    }

    /**
     * The seed of replica {@code r}: the run's seed for replica 0 (so one replica is the run it would be
     * alone), then far apart along the golden-ratio sequence.
     *
     * @param seed the run's seed
     * @param r the replica
     * @return its seed
     */
    static long replicaSeed(long seed, int r) {
        return seed + r * 0x9E37_79B9_7F4A_7C15L;
    }

    private boolean replicated() {
        return config.replicas() > 1 || config.settings() instanceof Parle.Settings;
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
        int r = job.rank();
        long seed = replicaSeed(config.seed(), r);
        Model model = Model.build(config.model(), Models.create(config.model()), backend, seed);
        LearningRateSchedule schedule = LearningRateSchedule.parse(config.lrSchedule());
        Optimizer optimizer = config.settings() instanceof Parle.Settings p ? p.create(model.parameters(), job)
                : config.settings().create(model.parameters());
        BatchLoader train = new BatchLoader(ReplicaData.share(data.train(), config, r), backend, config.batchSize(),
                seed, BatchLoader.LastBatch.DROP);
        BatchLoader validation = new BatchLoader(data.test(), backend, Math.min(config.batchSize(), data.test().size()),
                config.seed(), BatchLoader.LastBatch.PARTIAL);
        List<EpochMetrics> history = new ArrayList<>();
        List<ReplicaMetrics> replicaHistory = new ArrayList<>();
        Reference reference = replicated() ? new Reference() : null;
        int first = 1;
        if (resumeFrom != null) {
            first = restore(resumeFrom, model, optimizer, reference, history, replicaHistory, train.batchesPerEpoch()) + 1;
        }
        if (files != null) {
            files.started(config, history);
        }
        Thread onSignal = new Thread(() -> files.stop("interrupted", last -> "stopped by a signal (SIGTERM or Ctrl-C) "
                + "during epoch " + (last + 1) + "; " + kept(last), true), "deeprelax-train-stop");
        if (files != null) {
            Runtime.getRuntime().addShutdownHook(onSignal);
        }
        try {
            return epochs(first, model, optimizer, reference, schedule, train, validation, history, replicaHistory);
        } catch (OutOfMemoryError e) {
            throw stop("failed", "training ran out of memory: the Java heap holds at most "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB, and a batch of " + config.batchSize() + " "
                    + config.model() + " examples needs more; lower --batch-size, or give Java more memory "
                    + "(DEEPRELAX_JAVA_OPTS=-Xmx16g)", e, history.size(), false);
        } finally {
            if (files != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(onSignal);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running or has run: it wrote the summary.
                }
            }
        }
    }

    private List<EpochMetrics> epochs(int first, Model model, Optimizer optimizer, Reference reference,
                                      LearningRateSchedule schedule, BatchLoader train, BatchLoader validation,
                                      List<EpochMetrics> history, List<ReplicaMetrics> replicaHistory) {
        double secondsBefore = history.isEmpty() ? 0 : history.get(history.size() - 1).seconds();
        // A resumed run carries on the communication time its replicas had spent.
        double communicationBefore = replicaHistory.isEmpty() ? 0
                : replicaHistory.get(replicaHistory.size() - config.replicas() + job.rank()).communicationSeconds();
        long start = System.nanoTime();
        // Gradient evaluations per example of the whole training set: the shares of a data fraction count less.
        double effectivePerEpoch = (double) optimizer.evaluationsPerStep() * train.batchesPerEpoch()
                / Math.max(1, data.train().size() / config.batchSize());
        for (int epoch = first; epoch <= config.epochs(); epoch++) {
            optimizer.setLearningRate(schedule.at(epoch));
            model.train();
            EpochTotals totals = new EpochTotals();
            progress.startEpoch(epoch, config.epochs(), train.batchesPerEpoch());
            Iterator<Batch> batches = train.epoch(epoch).iterator();
            for (int step = 0; step < train.batchesPerEpoch(); step++) {
                // The step's own batch ends with the step, as what the closure makes does inside it.
                try (var stepBatch = TensorScope.open()) {
                    Batch next = optimizer.freshMinibatchEachEvaluation() ? null : batches.next();
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
                            + " (" + e.getMessage() + ")", e, history.size(), replicated());
                }
                progress.batch(step + 1, totals.meanLoss());
            }
            if (config.reestimateBatchNorm()) {
                model.reestimateBatchNorm(train.inOrder());
            }
            Evaluation.Result v = Evaluation.classification(model, validation.inOrder());
            double seconds = secondsBefore + (System.nanoTime() - start) / 1e9;
            double effective = epoch * effectivePerEpoch;
            EpochMetrics m;
            List<ReplicaMetrics> rows = List.of();
            if (reference == null) {
                m = new EpochMetrics(epoch, effective, totals.meanLoss(), totals.error(), v.loss(), v.error(), seconds);
            } else {
                Parle parle = (Parle) optimizer;
                Evaluation.Result ref = reference.evaluate(parle, validation);
                int k = 6;
                double[] all = new double[k * job.size()];
                job.allgather(new double[] {totals.lossSum, totals.wrong, totals.seen, v.loss(), v.error(),
                    communicationBefore + parle.communicationSeconds()}, all);
                EpochTotals pooled = new EpochTotals();
                rows = new ArrayList<>();
                for (int q = 0; q < job.size(); q++) {
                    EpochTotals t = new EpochTotals(all[k * q], (long) all[k * q + 1], (long) all[k * q + 2]);
                    pooled.add(t);
                    rows.add(new ReplicaMetrics(epoch, q, t.meanLoss(), t.error(), all[k * q + 3], all[k * q + 4],
                            all[k * q + 5]));
                }
                m = new EpochMetrics(epoch, effective, pooled.meanLoss(), pooled.error(), lead ? ref.loss() : 0,
                        lead ? ref.error() : 0, seconds);
            }
            history.add(m);
            replicaHistory.addAll(rows);
            if (reference == null) {
                progress.endEpoch(m);
            } else {
                progress.endEpoch(m, rows);
            }
            save(model, optimizer, reference, epoch, history, replicaHistory);
        }
        return history;
    }

    /**
     * The reference model, the replicas' mean: the lead's copy of the network that it validates, and that the
     * checkpoint keeps (so {@code deeprelax eval} of a replicated run evaluates it). Its batch-norm statistics
     * are re-estimated every epoch from where the last estimate left them, as the authors' dry feed does, so
     * they are part of the run's state.
     */
    private final class Reference {
        private final Model model;
        private final float[] mean;
        private final BatchLoader wholeTrainingSet;

        Reference() {
            this.model = lead ? Model.build(config.model(), Models.create(config.model()), backend, config.seed()) : null;
            this.mean = new float[lead ? model.parameters().size() : 0];
            this.wholeTrainingSet = lead ? new BatchLoader(data.train(), backend, config.batchSize(), config.seed(),
                    BatchLoader.LastBatch.PARTIAL) : null;
        }

        /** Every replica averages its weights; the lead validates the mean. */
        Evaluation.Result evaluate(Parle parle, BatchLoader validation) {
            float[] values = lead ? mean : new float[parle.parameters().size()];
            parle.averageWeights(values);
            if (!lead) {
                return null;
            }
            backend.write(values, 0, model.parameters().values());
            model.reestimateBatchNorm(wholeTrainingSet.inOrder());
            return Evaluation.classification(model, validation.inOrder());
        }
    }

    /**
     * Saves the end of an epoch: a run of one model writes its checkpoint and files at once; the replicas of a
     * job each write their state, then the lead writes the checkpoint naming the epoch and the files, then
     * each removes its state of the epoch before.
     */
    private void save(Model model, Optimizer optimizer, Reference reference, int epoch, List<EpochMetrics> history,
                      List<ReplicaMetrics> replicaHistory) {
        try {
            if (!replicated()) {
                files.saveEpoch(checkpoint(model, optimizer, epoch, history, List.of()), config, history, List.of(),
                        epoch == config.epochs());
                return;
            }
            StateFile own = new StateFile();
            own.putLongs("replica.index", new long[] {job.rank(), epoch});
            model.saveState(own);
            optimizer.saveState(own);
            AtomicFiles.write(dir.resolve(RunFiles.replicaFile(job.rank(), epoch)), own.toBytes());
        } catch (UncheckedIOException e) {
            throw stop("failed", "training stopped: epoch " + epoch + " could not be saved: " + e.getMessage(), e,
                    history.size() - 1, false);
        }
        job.barrier();
        if (lead) {
            try {
                files.saveEpoch(checkpoint(reference.model, null, epoch, history, replicaHistory), config, history,
                        replicaHistory, epoch == config.epochs());
            } catch (UncheckedIOException e) {
                throw stop("failed", "training stopped: epoch " + epoch + " could not be saved: " + e.getMessage(), e,
                        history.size() - 1, false);
            }
        }
        job.barrier();
        try {
            Files.deleteIfExists(dir.resolve(RunFiles.replicaFile(job.rank(), epoch - 1)));
        } catch (IOException e) {
            out.println("note: " + RunFiles.replicaFile(job.rank(), epoch - 1) + " could not be removed ("
                    + IoErrors.describe(e) + "); it is no longer needed");
        }
    }

    /** What a stopped run keeps, given the last epoch saved. */
    private String kept(int lastSaved) {
        return lastSaved == 0 ? "no checkpoint was written (no epoch was completed and saved)"
                : "the checkpoint after epoch " + lastSaved + " is kept in " + dir.resolve("checkpoint.state")
                + "; continue with --resume " + dir;
    }

    /**
     * Writes the summary of a stopped run (the lead's task) and returns the exception that tells the user.
     *
     * @param lastSaved the epochs saved so far, for the message of a member that does not own the directory
     * @param everyReplica whether every replica stops here too
     */
    private Stopped stop(String status, String what, Throwable cause, int lastSaved, boolean everyReplica) {
        if (files == null) {
            return new Stopped(what + "; " + kept(lastSaved), cause, everyReplica);
        }
        int[] saved = {0};
        String summaryFailure = files.stop(status, last -> {
            saved[0] = last;
            return what + "; " + kept(last);
        }, false);
        return new Stopped(what + "; " + kept(saved[0])
                + (summaryFailure == null ? "" : "; summary.json could not be updated either: " + summaryFailure), cause,
                everyReplica);
    }

    /** Loss and error summed over an epoch's gradient evaluations. */
    private static final class EpochTotals {
        private double lossSum;
        private long wrong;
        private long seen;

        EpochTotals() {
        }

        EpochTotals(double lossSum, long wrong, long seen) {
            this.lossSum = lossSum;
            this.wrong = wrong;
            this.seen = seen;
        }

        void add(float loss, int misclassified, int size) {
            lossSum += loss * (double) size;
            wrong += misclassified;
            seen += size;
        }

        void add(EpochTotals other) {
            lossSum += other.lossSum;
            wrong += other.wrong;
            seen += other.seen;
        }

        double meanLoss() {
            return lossSum / Math.max(1, seen);
        }

        double error() {
            return 100.0 * wrong / Math.max(1, seen);
        }
    }

    /**
     * The checkpoint's bytes: the settings, the epoch and the metrics, with the model and optimizer of a run of
     * one model; a replicated run keeps each replica's in its own file, and here the reference model and the
     * replicas' rows.
     */
    private byte[] checkpoint(Model model, Optimizer optimizer, int epoch, List<EpochMetrics> history,
                              List<ReplicaMetrics> replicaHistory) {
        StateFile state = new StateFile();
        state.putString("train.config", config.toJson());
        state.putLongs("train.epoch", new long[] {epoch});
        state.putLongs("train.metrics", bits(history.stream().map(EpochMetrics::toArray).toList()));
        model.saveState(state);
        if (optimizer != null) {
            optimizer.saveState(state);
        } else {
            state.putLongs("train.replicaMetrics", bits(replicaHistory.stream().map(ReplicaMetrics::toArray).toList()));
        }
        return state.toBytes();
    }

    private static long[] bits(List<double[]> rows) {
        int width = rows.isEmpty() ? 0 : rows.get(0).length;
        long[] out = new long[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            for (int j = 0; j < width; j++) {
                out[i * width + j] = Double.doubleToRawLongBits(rows.get(i)[j]);
            }
        }
        return out;
    }

    /**
     * Restores the model, the optimizer and the metrics, checking each against this run: the epoch
     * against the saved settings, the metrics row by row, the step count against the epochs done; a
     * replica's state comes from its own file of that epoch.
     *
     * @return the last epoch done
     */
    private int restore(StateFile state, Model model, Optimizer optimizer, Reference reference,
                        List<EpochMetrics> history, List<ReplicaMetrics> replicaHistory, int stepsPerEpoch) {
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
        StateFile own = state;
        if (replicated()) {
            long[] rows = state.getLongs("train.replicaMetrics");
            int n = config.replicas();
            if (rows.length != epoch * n * ReplicaMetrics.FIELDS) {
                throw state.invalid("train.replicaMetrics", -1, "it holds " + rows.length + " values, but " + epoch
                        + " epochs of " + n + " replicas of " + ReplicaMetrics.FIELDS + " were expected");
            }
            for (int i = 0; i < epoch * n; i++) {
                double[] row = new double[ReplicaMetrics.FIELDS];
                for (int j = 0; j < ReplicaMetrics.FIELDS; j++) {
                    row[j] = Double.longBitsToDouble(rows[i * ReplicaMetrics.FIELDS + j]);
                }
                replicaHistory.add(ReplicaMetrics.fromArray(row));
            }
            if (lead) {
                reference.model.loadState(state);
            }
            Path file = dir.resolve(RunFiles.replicaFile(job.rank(), epoch));
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--resume " + dir + ": " + file.getFileName() + ", the state of replica "
                        + job.rank() + " after epoch " + epoch + ", is missing (each replica's process writes its own"
                        + " file into the run directory; under mpirun across hosts, --out must be a directory every"
                        + " host sees)");
            }
            own = StateFile.read(file);
            long[] index = own.getLongs("replica.index");
            if (index.length != 2 || index[0] != job.rank() || index[1] != epoch) {
                throw own.invalid("replica.index", 0, "it names replica " + (index.length > 0 ? index[0] : "?")
                        + " after epoch " + (index.length > 1 ? index[1] : "?") + ", not replica " + job.rank()
                        + " after epoch " + epoch);
            }
        }
        model.loadState(own);
        optimizer.loadState(own);
        if (optimizer.steps() != (long) epoch * stepsPerEpoch) {
            throw own.invalid("optimizer.counts", 0, "it holds " + optimizer.steps() + " steps, but " + epoch
                    + " epochs of " + stepsPerEpoch + " steps make " + (long) epoch * stepsPerEpoch);
        }
        out.println("resuming " + dir + " after epoch " + epoch + " of " + config.epochs());
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
