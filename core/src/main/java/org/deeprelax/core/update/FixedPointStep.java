package org.deeprelax.core.update;

/**
 * The scalars of one damped fixed-point iteration of HJ in its FP form, handed to
 * {@link FusedUpdates#fixedPoint}. With w the probe point, g the gradient there, x the anchor and p
 * the estimate of ∇f(x − p/γ):
 *
 * <pre>
 *   p ← (1 − a)·p + a·(g + λ·w)
 *   w ← x − p·(1/γ)                       (1/γ rounded to float once)
 * </pre>
 *
 * @param damping a, the weight of the new gradient (0.25 in the authors' code; 1 for the first iteration)
 * @param gamma γ
 * @param weightDecay λ
 */
public record FixedPointStep(float damping, float gamma, float weightDecay) {
}
