package org.deeprelax.nn.layers;

import org.deeprelax.core.Conv;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Init;
import org.deeprelax.nn.Module;
import org.deeprelax.nn.Parameter;

/** 2-D convolution with square kernels, NCHW. */
public final class Conv2d extends Module {

    private final int in;
    private final int out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * A convolution with square kernels.
     *
     * @param in input channels
     * @param out output channels
     * @param kernel kernel size
     * @param stride stride
     * @param padding zero padding on every side
     * @param bias whether to add a per-channel bias (redundant before batch-norm)
     */
    public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        int fanIn = in * kernel * kernel;
        this.weight = parameter("weight", Shape.of(out, in, kernel, kernel), Init.kaimingUniform(fanIn));
        this.bias = bias ? parameter("bias", Shape.of(out), Init.kaimingUniform(fanIn)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return Conv.conv2d(x, weight.value(), bias == null ? null : bias.value(), stride, padding);
    }

    @Override
    public String toString() {
        return "Conv2d(" + in + " → " + out + ", " + kernel + "×" + kernel + ", stride " + stride + ", pad " + padding + ")";
    }
}
