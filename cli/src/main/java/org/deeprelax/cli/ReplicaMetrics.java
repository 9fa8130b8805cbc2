package org.deeprelax.cli;

import java.util.Locale;

/**
 * One row of {@code replicas.csv}: what one replica of a Parle or Elastic-SGD run measured in one epoch (its
 * own training minibatches, and its own weights on the validation split; {@code metrics.csv} has the
 * reference model, the replicas' mean).
 *
 * @param epoch the epoch, 1-based
 * @param replica the replica, from 0
 * @param trainLoss mean training loss over the replica's minibatches of the epoch
 * @param trainError training error in percent over the same minibatches
 * @param validationLoss the replica's mean loss on the held-out split
 * @param validationError its validation error in percent
 * @param communicationSeconds the seconds the replica has spent so far in the exchanges with the others
 *     (waiting for the slowest included)
 */
record ReplicaMetrics(int epoch, int replica, double trainLoss, double trainError, double validationLoss,
                      double validationError, double communicationSeconds) {

    /** The CSV header. */
    static final String HEADER = "epoch,replica,train_loss,train_error,validation_loss,validation_error,"
            + "communication_seconds";

    /** The number of values of a row. */
    static final int FIELDS = 7;

    /**
     * Formats the row.
     *
     * @return this row as CSV
     */
    String csv() {
        return String.format(Locale.ROOT, "%d,%d,%.6f,%.4f,%.6f,%.4f,%.3f", epoch, replica, trainLoss, trainError,
                validationLoss, validationError, communicationSeconds);
    }

    /**
     * The values, for the checkpoint.
     *
     * @return the values as doubles
     */
    double[] toArray() {
        return new double[] {epoch, replica, trainLoss, trainError, validationLoss, validationError, communicationSeconds};
    }

    /**
     * Reads a row back.
     *
     * @param v what {@link #toArray} gave
     * @return the row
     */
    static ReplicaMetrics fromArray(double[] v) {
        return new ReplicaMetrics((int) v[0], (int) v[1], v[2], v[3], v[4], v[5], v[6]);
    }
}
