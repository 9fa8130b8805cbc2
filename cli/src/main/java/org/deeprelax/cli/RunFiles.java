package org.deeprelax.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.deeprelax.core.io.AtomicFiles;
import org.deeprelax.core.io.IoErrors;

/**
 * The output directory of one training run, owned by one process: {@code checkpoint.state},
 * {@code metrics.csv}, {@code summary.json} and the plots, and for a Parle or Elastic-SGD run
 * {@code replicas.csv} and each replica's {@code replica-R-epoch-K.state} (under {@code mpirun}, the process
 * of replica 0 owns the directory and each process writes its replica's file into it). Every file is
 * written to a temporary name, synced and renamed, so a reader (or a crash) never sees half a file.
 *
 * <p>Ownership is an exclusive lock on {@value #LOCK} ({@link FileChannel#lock}), taken by {@link #claim}
 * and held until {@link #close} or the process ends (the system releases it even after a SIGKILL). The
 * file holds the owner's process id, so a second run can say who is using the directory. The lock file
 * is never deleted: deleting it would let two processes lock two different files of the same name.
 *
 * <p>What is on disk is always one consistent run: {@link #saveEpoch} writes the checkpoint first, then
 * the metrics, summary and plots of the same epochs; {@link #stop} rewrites the summary of the last
 * saved epoch with what ended the run. Both hold this object's monitor, so a shutdown hook that stops the
 * run waits for an epoch being saved instead of cutting it.
 */
final class RunFiles implements AutoCloseable {

    /** The lock file's name. */
    static final String LOCK = "run.lock";
    /** The files a run writes; a directory holding one of them holds a run. */
    static final List<String> RUN_FILES = List.of("checkpoint.state", "metrics.csv", "replicas.csv", "summary.json",
            "loss.png", "error.png");

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How a run takes a directory. */
    enum Claim {
        /** A new run: the directory must not hold another run. */
        FRESH,
        /** A new run that replaces the run the directory holds, removing its files first. */
        OVERWRITE,
        /** Continuing the run the directory holds: it must have a checkpoint. */
        RESUME
    }

    /** The directory cannot be used; the message says why and what to do (a usage error: exit 2). */
    static final class Unusable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean occupied;

        Unusable(String message) {
            this(message, false);
        }

        Unusable(String message, boolean occupied) {
            super(message);
            this.occupied = occupied;
        }

        /** @return whether another run holds or uses the directory (rather than it being unusable) */
        boolean occupied() {
            return occupied;
        }
    }

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private TrainConfig savedConfig;
    private List<EpochMetrics> savedRows = List.of();
    private List<ReplicaMetrics> lastReplicaRows = List.of();
    private String status = "running";
    /** Set when a shutdown hook has written the final summary: nothing more may be written. */
    private boolean stopped;

    private RunFiles(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Checks the path, creates the directory if needed, locks it, removes temporary files a killed run
     * left, and checks what it holds against {@code how}.
     *
     * @param dir the run directory
     * @param flag the flag that named it, for messages ({@code --out} or {@code --resume})
     * @param how what the run means to do there
     * @return the claimed directory; close it to release the lock
     * @throws Unusable saying why the directory cannot be used
     */
    static RunFiles claim(Path dir, String flag, Claim how) {
        String given = flag + " " + dir;
        if (dir.toString().isEmpty()) {
            throw new Unusable(flag + " is empty: give a directory");
        }
        if (Files.isRegularFile(dir)) {
            throw new Unusable(given + " is a file, not a directory");
        }
        if (how == Claim.RESUME && !Files.isDirectory(dir)) {
            throw new Unusable(given + ": no such directory, so there is no run to resume");
        }
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new Unusable(given + " cannot be used: " + p + " is a file, not a directory");
                }
                break;
            }
        }
        FileChannel channel;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new Unusable(given + " cannot be used: " + IoErrors.describe(e));
        }
        RunFiles files;
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new Unusable(given + " is in use by another training run in this process ("
                        + ProcessHandle.current().pid() + ")", true);
            }
            if (lock == null) {
                throw new Unusable(given + " is in use by another training run (process " + holder(channel)
                        + "); wait for it to end, or choose another directory", true);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
            files = new RunFiles(dir, channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new Unusable(given + " cannot be locked: " + IoErrors.describe(e));
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
        try {
            AtomicFiles.removeStale(dir);
            files.check(flag, how);
        } catch (RuntimeException e) {
            files.close();
            throw e instanceof UncheckedIOException u ? new Unusable(u.getMessage()) : e;
        }
        return files;
    }

    private void check(String flag, Claim how) {
        List<String> held = new java.util.ArrayList<>(RUN_FILES.stream().filter(f -> Files.exists(dir.resolve(f))).toList());
        try (var listing = Files.newDirectoryStream(dir, "replica-*-epoch-*.state")) {
            listing.forEach(p -> held.add(p.getFileName().toString()));
        } catch (IOException e) {
            throw new Unusable(flag + " " + dir + " cannot be listed: " + IoErrors.describe(e));
        }
        switch (how) {
            case FRESH -> {
                if (!held.isEmpty()) {
                    throw new Unusable(flag + " " + dir + " holds another run (" + String.join(", ", held)
                            + "): continue it with --resume " + dir + ", replace it with --overwrite, or choose another directory",
                            true);
                }
            }
            case OVERWRITE -> {
                for (String f : held) {
                    try {
                        Files.delete(dir.resolve(f));
                    } catch (IOException e) {
                        throw new Unusable("--overwrite: could not remove " + dir.resolve(f) + " (" + IoErrors.describe(e) + ")");
                    }
                }
            }
            case RESUME -> {
                if (!Files.isRegularFile(checkpoint())) {
                    throw new Unusable(flag + " " + dir + ": there is no checkpoint.state to resume from");
                }
            }
            default -> throw new IllegalStateException(how.toString());
        }
    }

    /** The process id the lock file names, or "unknown" if it names none. */
    private static String holder(FileChannel channel) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        channel.read(b, 0);
        String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
        return pid.matches("\\d+") ? pid : "unknown";
    }

    Path dir() {
        return dir;
    }

    Path checkpoint() {
        return dir.resolve("checkpoint.state");
    }

    /**
     * The file in which a replica of a Parle or Elastic-SGD run keeps its state after an epoch.
     *
     * @param replica the replica
     * @param epoch the epoch
     * @return its name in the run directory
     */
    static String replicaFile(int replica, int epoch) {
        return "replica-" + replica + "-epoch-" + epoch + ".state";
    }

    /**
     * Saves the end of an epoch: the checkpoint, then the metrics, summary and plots of the same epochs.
     * After a failure the files on disk still describe the last epoch saved whole (or none).
     *
     * @param checkpoint the checkpoint's bytes
     * @param config the run's settings
     * @param rows the metrics of every epoch so far
     * @param replicaRows the metrics of every replica and epoch so far, for {@code replicas.csv}; none for a run of
     *     one model
     * @param finished whether this was the last epoch
     * @throws UncheckedIOException naming the file that could not be written and why
     */
    synchronized void saveEpoch(byte[] checkpoint, TrainConfig config, List<EpochMetrics> rows,
                                List<ReplicaMetrics> replicaRows, boolean finished) {
        if (stopped) {
            return;
        }
        AtomicFiles.write(checkpoint(), checkpoint);
        savedConfig = config;
        savedRows = List.copyOf(rows);
        StringBuilder csv = new StringBuilder(EpochMetrics.HEADER).append('\n');
        for (EpochMetrics r : rows) {
            csv.append(r.csv()).append('\n');
        }
        AtomicFiles.write(dir.resolve("metrics.csv"), csv.toString().getBytes(StandardCharsets.UTF_8));
        if (!replicaRows.isEmpty()) {
            StringBuilder replicas = new StringBuilder(ReplicaMetrics.HEADER).append('\n');
            for (ReplicaMetrics r : replicaRows) {
                replicas.append(r.csv()).append('\n');
            }
            AtomicFiles.write(dir.resolve("replicas.csv"), replicas.toString().getBytes(StandardCharsets.UTF_8));
            lastReplicaRows = replicaRows.subList(replicaRows.size() - config.replicas(), replicaRows.size());
        }
        status = finished ? "finished" : "running";
        writeSummary(null);
        Plots.write(dir, rows, config.model() + " / " + config.optimizer());
    }

    /**
     * Records that the run started (or resumed) with these settings and these epochs already saved, so
     * that a stop before the first new epoch is saved still writes a true summary.
     *
     * @param config the settings
     * @param rows the epochs already in the checkpoint
     */
    synchronized void started(TrainConfig config, List<EpochMetrics> rows) {
        savedConfig = config;
        savedRows = List.copyOf(rows);
    }

    /**
     * Rewrites the summary of the last saved epoch with what ended the run. Best effort: if even the
     * summary cannot be written (a full disk), the failure is attached to nothing and the caller's
     * message is what the user sees.
     *
     * @param why {@code diverged}, {@code failed} or {@code interrupted}
     * @param message what happened and what was kept, given the last epoch saved (0 for none)
     * @param last whether nothing may be written after this (a shutdown hook's stop)
     * @return null if the summary was written or the run had already finished, else why it was not written
     */
    synchronized String stop(String why, IntFunction<String> message, boolean last) {
        if (stopped || "finished".equals(status) || savedConfig == null) {
            return null;
        }
        status = why;
        stopped = last;
        try {
            writeSummary(message.apply(savedRows.size()));
            return null;
        } catch (UncheckedIOException e) {
            return e.getMessage();
        }
    }

    private void writeSummary(String message) {
        Map<String, Object> summary = new LinkedHashMap<>();
        List<EpochMetrics> rows = savedRows;
        EpochMetrics last = rows.isEmpty() ? null : rows.get(rows.size() - 1);
        EpochMetrics best = rows.stream().min((a, b) -> Double.compare(a.validationError(), b.validationError()))
                .orElse(null);
        summary.put("status", status);
        if (message != null) {
            summary.put("message", message);
        }
        summary.put("final_validation_error", last == null ? null : last.validationError());
        summary.put("best_validation_error", best == null ? null : best.validationError());
        summary.put("best_epoch", best == null ? null : best.epoch());
        summary.put("final_validation_loss", last == null ? null : last.validationLoss());
        summary.put("final_train_loss", last == null ? null : last.trainLoss());
        summary.put("epochs", last == null ? 0 : last.epoch());
        summary.put("effective_epochs", last == null ? 0 : last.effectiveEpoch());
        summary.put("seconds", last == null ? 0 : last.seconds());
        if (!lastReplicaRows.isEmpty()) {
            summary.put("replicas", lastReplicaRows.size());
            summary.put("final_replica_validation_errors", lastReplicaRows.stream().map(ReplicaMetrics::validationError)
                    .toList());
        }
        summary.put("hyperparameters", savedConfig.asMap());
        try {
            AtomicFiles.write(dir.resolve("summary.json"), JSON.writeValueAsBytes(summary));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Releases the lock; the files stay. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // Closing the channel below releases it as well.
        }
        closeQuietly(lockChannel);
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // Nothing was written through it that closing could lose.
        }
    }
}
