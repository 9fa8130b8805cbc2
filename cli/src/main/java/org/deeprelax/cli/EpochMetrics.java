package org.deeprelax.cli;

/**
 * One row of {@code metrics.csv}: what one epoch of training measured.
 *
 * @param epoch the epoch, 1-based
 * @param effectiveEpoch epochs × the number of gradient evaluations per step (L for Entropy-SGD, 1 for SGD)
 * @param trainLoss mean training loss over the epoch's minibatches (training mode)
 * @param trainError training error in percent over the same minibatches
 * @param validationLoss mean loss on the held-out split (evaluation mode)
 * @param validationError validation error in percent
 * @param seconds wall-clock seconds of training so far
 */
public record EpochMetrics(int epoch, double effectiveEpoch, double trainLoss, double trainError,
                           double validationLoss, double validationError, double seconds) {

    /** The CSV header. */
    public static final String HEADER =
            "epoch,effective_epoch,train_loss,train_error,validation_loss,validation_error,seconds";

    /** @return this row as CSV */
    public String csv() {
        return String.format(java.util.Locale.ROOT, "%d,%s,%.6f,%.4f,%.6f,%.4f,%.2f", epoch, trim(effectiveEpoch),
                trainLoss, trainError, validationLoss, validationError, seconds);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** The number of values of a row. */
    public static final int FIELDS = 7;

    /**
     * What is wrong with a row read back from a checkpoint.
     *
     * @param v the values, as {@link #toArray} gave them
     * @param epoch the epoch the row must be
     * @return the problem, or null if the row is a possible one
     */
    static String problem(double[] v, int epoch) {
        for (int i = 0; i < FIELDS; i++) {
            if (!Double.isFinite(v[i])) {
                return "value " + i + " is " + v[i];
            }
        }
        if (v[0] != epoch) {
            return "it is of epoch " + v[0] + ", not " + epoch;
        }
        if (!(v[1] > 0 && v[2] >= 0 && v[4] >= 0 && v[6] >= 0)) {
            return "an effective epoch, loss or time is negative: " + java.util.Arrays.toString(v);
        }
        if (!(v[3] >= 0 && v[3] <= 100 && v[5] >= 0 && v[5] <= 100)) {
            return "an error is outside [0, 100] %: " + java.util.Arrays.toString(v);
        }
        return null;
    }

    /** @return the values as doubles, for the checkpoint */
    public double[] toArray() {
        return new double[] {epoch, effectiveEpoch, trainLoss, trainError, validationLoss, validationError, seconds};
    }

    /** @param v what {@link #toArray} gave @return the row */
    public static EpochMetrics fromArray(double[] v) {
        return new EpochMetrics((int) v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
    }
}
