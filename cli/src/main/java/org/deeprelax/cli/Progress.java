package org.deeprelax.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * Reports training progress: on a terminal, a bar per epoch redrawn in place (batches per second, loss,
 * time left); elsewhere (a log file, CI), a plain line every tenth of an epoch.
 */
final class Progress {

    private final PrintStream out;
    private final boolean terminal;
    private int epoch;
    private int total;
    private long start;
    private int lastLogged;

    Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** @return whether standard output is an interactive terminal */
    static boolean stdoutIsTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    void startEpoch(int epoch, int epochs, int batches) {
        this.epoch = epoch;
        this.total = batches;
        this.start = System.nanoTime();
        this.lastLogged = 0;
        if (!terminal) {
            out.printf(Locale.ROOT, "epoch %d/%d: %d batches%n", epoch, epochs, batches);
        }
    }

    void batch(int done, double meanLoss) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double rate = done / Math.max(elapsed, 1e-9);
        double left = (total - done) / Math.max(rate, 1e-9);
        if (terminal) {
            int width = 30;
            int filled = (int) ((long) width * done / Math.max(1, total));
            out.printf(Locale.ROOT, "\repoch %3d [%s%s] %d/%d  %.1f batch/s  loss %.4f  %s left ", epoch,
                    "=".repeat(filled), " ".repeat(width - filled), done, total, rate, meanLoss, duration(left));
            out.flush();
        } else if (done * 10L / Math.max(1, total) > lastLogged * 10L / Math.max(1, total) || done == total) {
            out.printf(Locale.ROOT, "  batch %d/%d  %.1f batch/s  loss %.4f  %s left%n", done, total, rate, meanLoss,
                    duration(left));
            lastLogged = done;
        }
    }

    void endEpoch(EpochMetrics m) {
        if (terminal) {
            out.print("\r" + " ".repeat(100) + "\r");
        }
        out.printf(Locale.ROOT, "epoch %d (effective %s): train loss %.4f, error %.2f%% | validation loss %.4f, error %.2f%% | %.1fs%n",
                m.epoch(), EpochMetricsFormat.number(m.effectiveEpoch()), m.trainLoss(), m.trainError(),
                m.validationLoss(), m.validationError(), m.seconds());
    }

    /**
     * Ends an epoch of a replicated run: the reference model's line, then each replica's validation error.
     *
     * @param m the reference model's metrics (train numbers pooled over the replicas)
     * @param replicas each replica's metrics of the epoch
     */
    void endEpoch(EpochMetrics m, List<ReplicaMetrics> replicas) {
        endEpoch(m);
        StringBuilder sb = new StringBuilder("  replicas' validation error:");
        for (ReplicaMetrics r : replicas) {
            sb.append(String.format(Locale.ROOT, " %d: %.2f%%", r.replica(), r.validationError()));
        }
        out.println(sb.append(" (the line above: train over all replicas, validation of their mean)"));
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}
