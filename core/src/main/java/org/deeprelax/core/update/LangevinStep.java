package org.deeprelax.core.update;

/**
 * The scalars of one Entropy-SGD inner (Langevin) step, laid out once per outer step and handed to
 * {@link FusedUpdates#langevin}. With y the inner iterate, x the anchor, g = ∇f_mb(y), m the inner
 * momentum buffer, μ the running average and ξ a standard normal draw:
 *
 * <pre>
 *   gᵢ = g + λ·y                         weight decay
 *   c  = γ·(y − x)                       coupling to the anchor
 *   n  = noiseScale·ξ                    Langevin noise
 *   d  = gᵢ + c + n                                        (momentum 0)
 *   d  = [nesterov ? gᵢ + ρm' : m'] + c + n, m' = ρm + gᵢ  (momentum on the gradient, GRADIENT)
 *   d  = nesterov ? h + ρm' : m',  m' = ρm + h, h = gᵢ + c + n  (momentum on everything, ALL)
 *   y ← y − η'·d
 *   μ ← (1 − α)·μ + α·y
 * </pre>
 *
 * @param innerLr η', the Langevin step size
 * @param gamma γ, the coupling strength
 * @param noiseScale multiplies ξ inside d, so the noise added to y is η'·noiseScale·ξ
 * @param alpha α, the weight of the new iterate in the running average
 * @param momentum ρ, inner momentum (0 for none)
 * @param nesterov Nesterov's form of the inner momentum
 * @param weightDecay λ
 * @param placement where the inner momentum sits
 */
public record LangevinStep(float innerLr, float gamma, float noiseScale, float alpha, float momentum,
                           boolean nesterov, float weightDecay, MomentumPlacement placement) {

    /** Where the inner loop's momentum buffer sits relative to the coupling and the noise. */
    public enum MomentumPlacement {
        /** On the gradient (with weight decay) only; coupling and noise added after (ucla-vision and Lua code). */
        GRADIENT,
        /** On gradient, coupling and noise together (pratikac/hamilton-jacobi code). */
        ALL
    }
}
