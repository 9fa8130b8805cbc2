package org.deeprelax.core.update;

/**
 * The scalars of HJ's outer step in its FP form, SGD with momentum along the fixed point p, handed to
 * {@link FusedUpdates#fixedPointOuter}:
 *
 * <pre>
 *   M = ρ·M + p                           (skipped when ρ = 0)
 *   d = nesterov ? p + ρ·M : M            (d = p when ρ = 0)
 *   x ← x − η·d;  w ← x
 * </pre>
 *
 * @param lr η
 * @param momentum ρ
 * @param nesterov Nesterov's form
 */
public record FixedPointOuterStep(float lr, float momentum, boolean nesterov) {
}
