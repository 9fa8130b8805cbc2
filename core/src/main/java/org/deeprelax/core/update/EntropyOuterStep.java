package org.deeprelax.core.update;

/**
 * The scalars of Entropy-SGD's outer step (and of HJ's in its HJB form), handed to
 * {@link FusedUpdates#entropyOuter}. With x the anchor, μ the running average of the inner loop and M
 * the outer momentum buffer:
 *
 * <pre>
 *   d  = x − μ + λ·x
 *   M  = ρ·M + d                          (skipped when ρ = 0)
 *   d' = nesterov ? d + ρ·M : M           (d' = d when ρ = 0)
 *   x  ← x − η·d'
 *   y, μ ← x;  m ← 0 if resetInnerMomentum   (the next inner loop's start)
 * </pre>
 *
 * @param lr η
 * @param momentum ρ
 * @param nesterov Nesterov's form
 * @param weightDecay λ on the anchor
 * @param resetInnerMomentum whether the inner momentum buffer m restarts at zero
 */
public record EntropyOuterStep(float lr, float momentum, boolean nesterov, float weightDecay,
                               boolean resetInnerMomentum) {
}
