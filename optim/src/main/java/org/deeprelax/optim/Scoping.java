package org.deeprelax.optim;

/**
 * Scoping, the schedule of the coupling γ of Entropy-SGD and HJ: {@code γ = γ0·(1 + γ1)^t} with t the
 * number of outer steps taken, computed in double and rounded to float once, so that it stays exact to
 * float precision however many steps have run.
 *
 * @param gamma0 γ0 &gt; 0, the coupling of the first step
 * @param gamma1 γ1 ≥ 0, its growth per step (0 keeps γ fixed)
 */
public record Scoping(float gamma0, float gamma1) {

    /**
     * Checks both values.
     *
     * @param gamma0 γ0
     * @param gamma1 γ1
     */
    public Scoping {
        Validate.positive("γ", gamma0);
        Validate.nonNegative("scoping γ1", gamma1);
    }

    /**
     * A coupling that does not grow.
     *
     * @param gamma γ
     * @return the scoping γ0 = γ, γ1 = 0
     */
    public static Scoping fixed(float gamma) {
        return new Scoping(gamma, 0f);
    }

    /**
     * The coupling of step t.
     *
     * @param t the outer steps taken before it
     * @return γ0·(1 + γ1)^t
     */
    public float gamma(long t) {
        return (float) (gamma0 * Math.pow(1.0 + gamma1, t));
    }
}
