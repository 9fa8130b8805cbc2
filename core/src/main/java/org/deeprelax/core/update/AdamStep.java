package org.deeprelax.core.update;

/**
 * The scalars of one Adam or AdamW step as {@code torch.optim.Adam} and {@code torch.optim.AdamW}
 * compute it (Kingma and Ba, Algorithm 1, with the bias corrections folded into the step size), handed to
 * {@link FusedUpdates#adam}. With x the parameters, g the gradient, m and v the first and second moments
 * and t the 1-based step:
 *
 * <pre>
 *   decoupled (AdamW, Loshchilov and Hutter):  x ← x·(1 − η·λ)       else (Adam, L2):  g ← g + λ·x
 *   m ← β₁·m + (1 − β₁)·g
 *   v ← β₂·v + (1 − β₂)·g·g
 *   x ← x − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * </pre>
 *
 * @param lr η
 * @param beta1 β₁
 * @param beta2 β₂
 * @param eps ε
 * @param weightDecay λ
 * @param decoupled whether the decay is AdamW's decoupled shrink rather than an L2 term in the gradient
 * @param step t, the number of this step (1 for the first)
 */
public record AdamStep(float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                       long step) {

    /**
     * The step size with the first bias correction folded in.
     *
     * @return η / (1 − β₁ᵗ), computed in double and rounded once
     */
    public float stepSize() {
        return (float) (lr / (1 - Math.pow(beta1, step)));
    }

    /**
     * The second bias correction's square root.
     *
     * @return √(1 − β₂ᵗ), computed in double and rounded once
     */
    public float biasCorrection2Sqrt() {
        return (float) Math.sqrt(1 - Math.pow(beta2, step));
    }

    /**
     * AdamW's shrink factor of the parameters.
     *
     * @return 1 − η·λ, computed in double and rounded once (1 for Adam)
     */
    public float decay() {
        return decoupled ? (float) (1 - (double) lr * weightDecay) : 1f;
    }
}
