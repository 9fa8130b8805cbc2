package org.deeprelax.core.update;

/**
 * The scalars of one inner step of a Parle replica, handed to {@link FusedUpdates#parleInner}: gradient
 * descent on f(y) + (γ/2)|y − x|² from the replica's anchor x, without noise. With y the replica's weights,
 * g = ∇f_mb(y), c the inner momentum buffer and μ the running average that is sent to the other replicas:
 *
 * <pre>
 *   d = g + λ·y + γ·(y − x)               weight decay and coupling inside the momentum
 *   c = ρ·c + d                           (skipped when ρ = 0)
 *   d = nesterov ? d + ν·c : c            (d unchanged when ρ = 0)
 *   y ← y − η'·d
 *   μ ← β·μ + (1 − β)·y
 * </pre>
 *
 * The look-ahead ν is ρ for Nesterov's form (the distributed-ensembles code) and 1 for
 * {@code parle_mpi.py}'s {@code grad += u}, which adds the whole buffer. β = 0 makes μ the last iterate
 * (distributed-ensembles); {@code parle_mpi.py} uses 0.75.
 *
 * @param innerLr η', the inner step size
 * @param gamma γ, the coupling to the anchor
 * @param momentum ρ, the inner momentum (0 for none)
 * @param nesterov whether the step adds ν·c to d rather than taking c
 * @param lookahead ν
 * @param weightDecay λ
 * @param averaging β, the weight of the old average
 */
public record ParleInnerStep(float innerLr, float gamma, float momentum, boolean nesterov, float lookahead,
                             float weightDecay, float averaging) {
}
