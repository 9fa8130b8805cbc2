package org.deeprelax.core;

/**
 * Loss functions other than cross-entropy (which is fused with the softmax, in {@link Softmax}).
 */
public final class Losses {

    private Losses() {
    }

    /**
     * Mean squared error, {@code mean((prediction − target)²)}. Written as a custom operation: its forward
     * composes existing operations with recording off, and its backward is the closed form
     * {@code 2·(prediction − target)/n}, from the saved difference.
     *
     * @param prediction the values predicted
     * @param target the values wanted, of the same shape
     * @return the mean, a scalar
     * @throws IllegalArgumentException if the shapes differ
     */
    public static Tensor mse(Tensor prediction, Tensor target) {
        if (!prediction.shape().equals(target.shape())) {
            throw new IllegalArgumentException("mse: prediction " + prediction.shape() + " and target "
                    + target.shape() + " differ in shape");
        }
        Checks.sameBackend("mse", prediction, target);
        Tensor diff;
        Tensor loss;
        try (var scope = Autograd.noGrad()) {
            diff = prediction.sub(target);
            loss = diff.mul(diff).mean();
        }
        float scale = 2f / prediction.size();
        return Autograd.record("mse", loss, g -> {
            Tensor d = diff.mul(g).mul(scale);
            return new Tensor[] {d, Autograd.needsGrad(target) ? d.neg() : null};
        }, prediction, target);
    }
}
