package org.deeprelax.core;

/**
 * The sizes of one 2-D pooling window, NCHW: input {@code [n, c, h, w]}, output {@code [n, c, p, q]}.
 * Padding is implicit: padded cells never win a max, and average pooling divides by the whole window
 * including padding (PyTorch's {@code count_include_pad=True}, cuDNN's
 * {@code CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING}).
 *
 * @param n batch size
 * @param c channels
 * @param h input height
 * @param w input width
 * @param kernelH window height
 * @param kernelW window width
 * @param strideH vertical stride
 * @param strideW horizontal stride
 * @param padH padding above and below
 * @param padW padding left and right
 */
public record PoolGeometry(int n, int c, int h, int w, int kernelH, int kernelW,
                           int strideH, int strideW, int padH, int padW) {

    /** Checks that every size is positive, padding is at most half the window, and the output is not empty. */
    public PoolGeometry {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || kernelH <= 0 || kernelW <= 0 || strideH <= 0 || strideW <= 0) {
            throw new IllegalArgumentException("pool2d: sizes must be positive, got input [" + n + ", " + c + ", " + h
                    + ", " + w + "], kernel " + kernelH + "x" + kernelW + ", stride (" + strideH + ", " + strideW + ")");
        }
        if (padH < 0 || padW < 0 || 2 * padH > kernelH || 2 * padW > kernelW) {
            throw new IllegalArgumentException("pool2d: padding (" + padH + ", " + padW
                    + ") must be between 0 and half the kernel " + kernelH + "x" + kernelW);
        }
        if (h + 2 * padH < kernelH || w + 2 * padW < kernelW) {
            throw new IllegalArgumentException("pool2d: output would be empty: input [" + n + ", " + c + ", " + h
                    + ", " + w + "] with padding (" + padH + ", " + padW + ") is smaller than the kernel "
                    + kernelH + "x" + kernelW);
        }
    }

    /**
     * Returns output height.
     *
     * @return output height
     */
    public int p() {
        return (h + 2 * padH - kernelH) / strideH + 1;
    }

    /**
     * Returns output width.
     *
     * @return output width
     */
    public int q() {
        return (w + 2 * padW - kernelW) / strideW + 1;
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
     * Returns the output shape {@code [n, c, p, q]}.
     *
     * @return the output shape {@code [n, c, p, q]}
     */
    public Shape outputShape() {
        return Shape.of(n, c, p(), q());
    }
}
