package org.deeprelax.nn.layers;

import org.deeprelax.core.Pool;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Module;

/** Average pooling over square windows (padding counted in the divisor). */
public final class AvgPool2d extends Module {

    private final int kernel;
    private final int stride;
    private final int padding;

    /**
     * Average pooling over square windows.
     *
     * @param kernel window size
     * @param stride stride
     * @param padding implicit zero padding
     */
    public AvgPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pool.avgPool2d(x, kernel, stride, padding);
    }

    @Override
    public String toString() {
        return "AvgPool2d(" + kernel + ", stride " + stride + ")";
    }
}
