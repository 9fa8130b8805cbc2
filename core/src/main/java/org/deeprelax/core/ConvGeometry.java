package org.deeprelax.core;

/**
 * The sizes of one 2-D convolution, NCHW: input {@code [n, c, h, w]}, filters {@code [k, c, r, s]},
 * output {@code [n, k, p, q]}. Backends receive this instead of re-deriving sizes from tensors, so the
 * CUDA backend can key its per-shape algorithm cache on it.
 *
 * @param n batch size
 * @param c input channels
 * @param h input height
 * @param w input width
 * @param k output channels (filters)
 * @param r filter height
 * @param s filter width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padH zero padding above and below
 * @param padW zero padding left and right
 */
public record ConvGeometry(int n, int c, int h, int w, int k, int r, int s,
                           int strideH, int strideW, int padH, int padW) {

    /** Checks that every size is positive and the output is not empty. */
    public ConvGeometry {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || k <= 0 || r <= 0 || s <= 0) {
            throw new IllegalArgumentException("conv2d: sizes must be positive, got input [" + n + ", " + c + ", "
                    + h + ", " + w + "] and filters [" + k + ", " + c + ", " + r + ", " + s + "]");
        }
        if (strideH <= 0 || strideW <= 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: stride must be positive and padding non-negative, got stride ("
                    + strideH + ", " + strideW + ") padding (" + padH + ", " + padW + ")");
        }
        if (h + 2 * padH < r || w + 2 * padW < s) {
            throw new IllegalArgumentException("conv2d: output would be empty: input [" + n + ", " + c + ", " + h
                    + ", " + w + "] with padding (" + padH + ", " + padW + ") is smaller than the filter " + r + "x" + s);
        }
    }

    /**
     * Returns output height.
     *
     * @return output height
     */
    public int p() {
        return (h + 2 * padH - r) / strideH + 1;
    }

    /**
     * Returns output width.
     *
     * @return output width
     */
    public int q() {
        return (w + 2 * padW - s) / strideW + 1;
    }

    /**
     * Returns the input shape {@code [n, c, h, w]}.
     *
     * @return the input shape {@code [n, c, h, w]}
     */
    public Shape inputShape() {
        return Shape.of(n, c, h, w);
    }

    /**
     * Returns the filter shape {@code [k, c, r, s]}.
     *
     * @return the filter shape {@code [k, c, r, s]}
     */
    public Shape filterShape() {
        return Shape.of(k, c, r, s);
    }

    /**
     * Returns the output shape {@code [n, k, p, q]}.
     *
     * @return the output shape {@code [n, k, p, q]}
     */
    public Shape outputShape() {
        return Shape.of(n, k, p(), q());
    }
}
