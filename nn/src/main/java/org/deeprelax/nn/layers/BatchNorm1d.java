package org.deeprelax.nn.layers;

/** Batch normalisation of the features of {@code [n, c]}. */
public final class BatchNorm1d extends BatchNorm {

    /**
     * Batch normalisation of c features.
     *
     * @param features the number of features c
     */
    public BatchNorm1d(int features) {
        super(features, 2);
    }
}
