package org.deeprelax.optim;

/**
 * A momentum setting: the coefficient ρ of the buffer {@code M = ρM + d} and whether the step uses
 * Nesterov's look-ahead form {@code d + ρM} rather than {@code M} (as {@code torch.optim.SGD}, no
 * dampening).
 *
 * @param rho ρ ∈ [0, 1]; 0 is no momentum
 * @param nesterov Nesterov's form (needs ρ &gt; 0)
 */
public record Momentum(float rho, boolean nesterov) {

    /** No momentum. */
    public static final Momentum NONE = new Momentum(0f, false);

    /**
     * Checks the coefficient and the form.
     *
     * @param rho ρ
     * @param nesterov Nesterov's form
     */
    public Momentum {
        Validate.inRange("momentum", rho, 0, 1);
        if (nesterov && rho == 0) {
            throw new IllegalArgumentException("nesterov = true needs momentum > 0, got momentum = 0");
        }
    }

    /**
     * Heavy-ball momentum.
     *
     * @param rho ρ
     * @return the setting
     */
    public static Momentum heavyBall(float rho) {
        return new Momentum(rho, false);
    }

    /**
     * Nesterov momentum.
     *
     * @param rho ρ &gt; 0
     * @return the setting
     */
    public static Momentum nesterov(float rho) {
        return new Momentum(rho, true);
    }
}
