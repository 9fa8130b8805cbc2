package org.deeprelax.nn.layers;

import org.deeprelax.core.Pool;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Module;

/** Max pooling over square windows. */
public final class MaxPool2d extends Module {

    private final int kernel;
    private final int stride;
    private final int padding;

    /**
     * Max pooling over square windows.
     *
     * @param kernel window size
     * @param stride stride
     * @param padding implicit padding
     */
    public MaxPool2d(int kernel, int stride, int padding) {
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Pool.maxPool2d(x, kernel, stride, padding);
    }

    @Override
    public String toString() {
        return "MaxPool2d(" + kernel + ", stride " + stride + ")";
    }
}
