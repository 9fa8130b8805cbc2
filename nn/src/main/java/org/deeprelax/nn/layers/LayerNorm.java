package org.deeprelax.nn.layers;

import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Init;
import org.deeprelax.nn.Module;
import org.deeprelax.nn.Parameter;

/**
 * Layer normalisation over the trailing axes, with PyTorch's defaults: a learned elementwise scale
 * {@code weight} (ones) and shift {@code bias} (zeros) of the normalised shape, ε = 1e-5. The same in
 * training and evaluation.
 */
public final class LayerNorm extends Module {

    private static final float EPS = 1e-5f;

    private final Shape normalized;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Normalises over trailing axes of the given sizes.
     *
     * @param normalizedShape the sizes of the trailing axes normalised over, such as {@code 512} for
     *     {@code [batch, 512]} input or {@code 16, 16} for {@code [batch, c, 16, 16]}
     */
    public LayerNorm(int... normalizedShape) {
        this.normalized = Shape.of(normalizedShape);
        this.weight = parameter("weight", normalized, Init.constant(1f));
        this.bias = parameter("bias", normalized, Init.constant(0f));
    }

    @Override
    public Tensor forward(Tensor x) {
        return org.deeprelax.core.LayerNorm.layerNorm(x, weight.value(), bias.value(), EPS);
    }

    @Override
    public String toString() {
        return "LayerNorm(" + normalized + ")";
    }
}
