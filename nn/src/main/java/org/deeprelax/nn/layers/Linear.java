package org.deeprelax.nn.layers;

import org.deeprelax.core.MatMul;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Init;
import org.deeprelax.nn.Module;
import org.deeprelax.nn.Parameter;

/** {@code y = x·Wᵀ + b}, with W stored {@code [out, in]} as PyTorch stores it. */
public final class Linear extends Module {

    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * A linear layer, with a bias or without one.
     *
     * @param in input features
     * @param out output features
     * @param bias whether to add a bias
     */
    public Linear(int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = parameter("weight", Shape.of(out, in), Init.kaimingUniform(in));
        this.bias = bias ? parameter("bias", Shape.of(out), Init.kaimingUniform(in)) : null;
    }

    /**
     * A linear layer with a bias.
     *
     * @param in input features
     * @param out output features
     */
    public Linear(int in, int out) {
        this(in, out, true);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 2 || x.dim(1) != in) {
            throw new IllegalArgumentException(this + ": input has shape " + x.shape() + ", expected [batch, " + in + "]");
        }
        Tensor y = MatMul.matmul(x, weight.value(), false, true);
        return bias == null ? y : y.add(bias.value());
    }

    @Override
    public String toString() {
        return "Linear(" + in + " → " + out + ")";
    }
}
