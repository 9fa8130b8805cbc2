package org.deeprelax.optim;

import org.deeprelax.core.Backends;
import org.deeprelax.core.MatMul;
import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;

/**
 * A two-layer perceptron written as a user of the library would, over a parameter arena of its own:
 * weights in group {@code decay}, biases in group {@code no_decay}; and a closure of cross-entropy on 16
 * fixed examples.
 */
final class TinyMlp {

    static final String DECAY = "decay";
    static final String NO_DECAY = "no_decay";

    private TinyMlp() {
    }

    /**
     * The parameters: w1 [hidden, in], w2 [3, hidden] in {@code decay}, b1, b2 in {@code no_decay}.
     *
     * @param in input features
     * @param hidden hidden units
     * @param seed the arena's seed, also that of the initial values
     * @return the arena
     */
    static ParameterArena arena(int in, int hidden, long seed) {
        var cpu = Backends.cpu();
        float b1 = (float) (1 / Math.sqrt(in));
        float b2 = (float) (1 / Math.sqrt(hidden));
        return ParameterArena.builder(cpu, seed)
                .group(DECAY).add("w1", Tensor.uniform(cpu, Shape.of(hidden, in), -b1, b1, seed, 0))
                .group(NO_DECAY).add("b1", Tensor.uniform(cpu, Shape.of(hidden), -b1, b1, seed, 1))
                .group(DECAY).add("w2", Tensor.uniform(cpu, Shape.of(3, hidden), -b2, b2, seed, 2))
                .group(NO_DECAY).add("b2", Tensor.uniform(cpu, Shape.of(3), -b2, b2, seed, 3))
                .build();
    }

    /**
     * The logits of a batch.
     *
     * @param p the parameters
     * @param x {@code [n, in]}
     * @return {@code [n, 3]}
     */
    static Tensor forward(ParameterArena p, Tensor x) {
        Tensor h = MatMul.matmul(x, p.value("w1"), false, true).add(p.value("b1")).relu();
        return MatMul.matmul(h, p.value("w2"), false, true).add(p.value("b2"));
    }

    /**
     * Cross-entropy of the perceptron on 16 fixed examples: every evaluation sees the same data.
     *
     * @param p the parameters
     * @param in input features
     * @param seed the data's seed
     * @return the closure
     */
    static Closure closure(ParameterArena p, int in, long seed) {
        Tensor x = Tensor.normal(Backends.cpu(), Shape.of(16, in), 0, 1, seed, 9);
        float[] labels = new float[16];
        for (int i = 0; i < 16; i++) {
            labels[i] = i % 3;
        }
        Tensor y = Tensor.of(labels, 16);
        return evaluation -> {
            Tensor loss = Softmax.crossEntropy(forward(p, x), y);
            loss.backward();
            return loss;
        };
    }
}
