package org.deeprelax.core.update;

/**
 * The scalars of one SGD step as {@code torch.optim.SGD} defines it (no dampening), handed to
 * {@link FusedUpdates#sgd}. With x₀ the point the step starts from, g the gradient and v the momentum
 * buffer:
 *
 * <pre>
 *   g' = g + λ·x₀
 *   v  = μ·v + g'                         (skipped when μ = 0)
 *   d  = nesterov ? g' + μ·v : v          (d = g' when μ = 0)
 *   x  = x₀ − η·d
 * </pre>
 *
 * @param lr η
 * @param momentum μ
 * @param nesterov Nesterov's look-ahead form
 * @param weightDecay λ
 */
public record SgdStep(float lr, float momentum, boolean nesterov, float weightDecay) {
}
