package org.deeprelax.core;

/**
 * Inverted dropout: in training, each element is zeroed with probability p and the survivors scaled by
 * 1/(1 − p), so evaluation needs no rescaling. The mask comes from Philox at (seed, stream, first + i),
 * so it is the same on every backend and reproducible from the step counter alone.
 */
public final class Dropout {

    private Dropout() {
    }

    /**
     * Zeroes each element with probability p in training and scales the survivors by 1/(1 − p).
     *
     * @param x input
     * @param p drop probability in [0, 1)
     * @param training whether to drop; in evaluation this returns x unchanged
     * @param seed Philox key
     * @param stream Philox stream
     * @param first index of element 0's draw
     * @return the result
     */
    public static Tensor dropout(Tensor x, float p, boolean training, long seed, long stream, long first) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: probability " + p + " is outside [0, 1)");
        }
        if (!training || p == 0) {
            return x;
        }
        Backend be = x.backend();
        Tensor mask = Tensor.zeros(be, x.shape());
        be.dropoutMask(mask, p, seed, stream, first);
        Tensor y = Tensor.zeros(be, x.shape());
        be.binary(BinaryOp.MUL, x, mask, y);
        return Autograd.record("dropout", y, dy -> new Tensor[] {Elementwise.apply(BinaryOp.MUL, dy, mask)}, x);
    }
}
