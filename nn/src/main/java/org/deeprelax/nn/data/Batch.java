package org.deeprelax.nn.data;

import org.deeprelax.core.Tensor;

/**
 * One mini-batch as filled by a {@link BatchLoader}: images {@code [B, C, H, W]} and labels {@code [B]}
 * (class indices stored as floats, the convention of the core cross-entropy) on the loader's backend.
 *
 * <p>The loader owns two of these, one of the full batch size and one of the remainder size, and
 * refills them for every batch: the tensors are the same objects from batch to batch, so a batch is
 * valid only until the loader fills the next one.
 */
public final class Batch {

    private final Tensor images;
    private final Tensor labels;
    private final int[] indices;
    private int number;

    Batch(Tensor images, Tensor labels) {
        this.images = images;
        this.labels = labels;
        this.indices = new int[labels.size()];
    }

    /**
     * Returns the images, {@code [size(), C, H, W]}.
     *
     * @return the images, {@code [size(), C, H, W]}
     */
    public Tensor images() {
        return images;
    }

    /**
     * Returns the labels, {@code [size()]}, class indices as floats.
     *
     * @return the labels, {@code [size()]}, class indices as floats
     */
    public Tensor labels() {
        return labels;
    }

    /**
     * Returns B, the number of valid examples in this batch (the tensors' first dimension).
     *
     * @return B, the number of valid examples in this batch (the tensors' first dimension)
     */
    public int size() {
        return indices.length;
    }

    /**
     * Where an example of the batch comes from.
     *
     * @param k a position in the batch, {@code [0, size())}
     * @return the dataset index of the example at that position
     */
    public int index(int k) {
        return indices[k];
    }

    /**
     * Returns the batch's position in its pass (0 for the first batch of an epoch; the step for a sample).
     *
     * @return the batch's position in its pass (0 for the first batch of an epoch; the step for a sample)
     */
    public int number() {
        return number;
    }

    /** The loader's handle on the index buffer, written before the tensors are filled. */
    int[] indexBuffer() {
        return indices;
    }

    void setNumber(int number) {
        this.number = number;
    }
}
