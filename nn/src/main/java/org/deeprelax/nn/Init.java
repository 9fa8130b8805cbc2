package org.deeprelax.nn;

import org.deeprelax.core.Tensor;

/**
 * How a parameter or buffer is first filled. Random initialisers draw from Philox at
 * (model seed, the tensor's own stream), so each tensor's values depend only on the seed and its
 * position in the model, never on the order in which anything else was drawn.
 */
@FunctionalInterface
public interface Init {

    /**
     * Fills {@code t}.
     *
     * @param t the tensor, a view into an arena
     * @param seed the model's seed
     * @param stream this tensor's Philox stream
     */
    void fill(Tensor t, long seed, long stream);

    /**
     * PyTorch's default for Linear and Conv2d weights and biases: {@code kaiming_uniform_(a=√5)}, which
     * works out to U(−1/√fanIn, 1/√fanIn).
     *
     * @param fanIn inputs per output unit (in features, or in channels × kernel area)
     * @return the initialiser
     */
    static Init kaimingUniform(int fanIn) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        return (t, seed, stream) -> t.backend().fillUniform(t, -bound, bound, seed, stream, 0);
    }

    /**
     * Returns an initialiser filling with {@code value}.
     *
     * @param value the value
     * @return an initialiser filling with {@code value}
     */
    static Init constant(float value) {
        return (t, seed, stream) -> t.backend().fill(t, value);
    }
}
