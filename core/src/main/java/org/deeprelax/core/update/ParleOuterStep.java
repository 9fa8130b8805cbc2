package org.deeprelax.core.update;

/**
 * The scalars of a Parle replica's outer step, handed to {@link FusedUpdates#parleOuter}: the replica moves
 * along its own local-entropy direction and is pulled elastically towards r, the mean over all replicas.
 * With x the replica's anchor, y its weights (the inner iterate), μ its running average, g its gradient
 * and M its outer momentum buffer:
 *
 * <pre>
 *   a = x − μ                  (Parle: the inner loop's estimate of ∇f_γ, times γ)
 *   a = g + λ·x                (Elastic-SGD, no inner loop: the gradient at the anchor)
 *   d = a + ρₑ·(x − r)         the elastic pull towards the reference
 *   M = ρ·M + d                (skipped when ρ = 0)
 *   d = nesterov ? d + ν·M : M (d unchanged when ρ = 0)
 *   w = b − η·d,  b = x, or y when the step starts from the inner iterate (parle_mpi.py)
 *   x, y ← w;  μ ← w when the average restarts each outer step
 * </pre>
 *
 * @param lr η
 * @param coupling ρₑ, the elastic coupling to the reference
 * @param momentum ρ, the outer momentum (0 for none)
 * @param nesterov whether the step adds ν·M to d rather than taking M
 * @param lookahead ν: ρ for Nesterov's form, 1 for parle_mpi.py's whole buffer
 * @param weightDecay λ, on the gradient direction only
 * @param fromGradient whether the direction is the gradient (Elastic-SGD) rather than x − μ
 * @param fromIterate whether the step starts from y rather than from x
 * @param resetAverage whether μ restarts at the new anchor
 */
public record ParleOuterStep(float lr, float coupling, float momentum, boolean nesterov, float lookahead,
                             float weightDecay, boolean fromGradient, boolean fromIterate, boolean resetAverage) {
}
