package org.deeprelax.nn.layers;

/** Batch normalisation of the channels of {@code [n, c, h, w]}. */
public final class BatchNorm2d extends BatchNorm {

    /**
     * Batch normalisation of c channels.
     *
     * @param channels the number of channels c
     */
    public BatchNorm2d(int channels) {
        super(channels, 4);
    }
}
