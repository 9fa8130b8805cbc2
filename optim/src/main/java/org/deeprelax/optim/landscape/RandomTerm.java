package org.deeprelax.optim.landscape;

import org.deeprelax.core.random.PhiloxStream;

/**
 * "The paper's small random term": a fixed, smooth, seeded perturbation
 * r(x) = Σₖ aₖ·sin(2π·νₖ·x + φₖ), k = 1..{@value #TERMS}.
 *
 * <p>What we chose, since the paper does not say: {@value #TERMS} sinusoids with amplitudes aₖ uniform
 * in [0, {@value #MAX_AMPLITUDE}), frequencies νₖ uniform in [{@value #MIN_CYCLES}, {@value #MAX_CYCLES})
 * cycles per unit of x (faster than the landscape's own sin(2πx), so it roughens the curve with small
 * extra wells rather than moving the big ones) and phases uniform in [0, 2π). A sum of sinusoids rather
 * than sampled noise, so that r is smooth (the PDE scheme and the quadrature need a continuous f) and has
 * exact derivative and bounds: |r| ≤ Σ aₖ and |r''| ≤ Σ aₖ(2πνₖ)². The draws come, in the order
 * a₁, ν₁, φ₁, a₂, …, from {@link PhiloxStream}(seed, {@value #STREAM}), so a seed names one perturbation
 * on every machine.
 */
public final class RandomTerm {

    /** Number of sinusoids. */
    public static final int TERMS = 6;
    /** Amplitudes are drawn uniformly in [0, this). */
    public static final double MAX_AMPLITUDE = 0.05;
    /** Lowest frequency, in cycles per unit of x. */
    public static final double MIN_CYCLES = 1.5;
    /** Highest frequency (exclusive), in cycles per unit of x. */
    public static final double MAX_CYCLES = 4.5;
    /** The Philox stream number: fixed, so the seed alone names the perturbation. */
    public static final long STREAM = 0x4C414E44L; // "LAND"

    private final long seed;
    private final double[] amplitude = new double[TERMS];
    private final double[] omega = new double[TERMS];
    private final double[] phase = new double[TERMS];

    /**
     * A random term drawn from a seed.
     *
     * @param seed the seed of the draws
     */
    public RandomTerm(long seed) {
        this.seed = seed;
        PhiloxStream s = new PhiloxStream(seed, STREAM);
        for (int k = 0; k < TERMS; k++) {
            amplitude[k] = MAX_AMPLITUDE * s.nextFloat();
            omega[k] = 2 * Math.PI * (MIN_CYCLES + (MAX_CYCLES - MIN_CYCLES) * s.nextFloat());
            phase[k] = 2 * Math.PI * s.nextFloat();
        }
    }

    /**
     * Returns the seed.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * The term at a point.
     *
     * @param x the point
     * @return r(x)
     */
    public double value(double x) {
        double sum = 0;
        for (int k = 0; k < TERMS; k++) {
            sum += amplitude[k] * Math.sin(omega[k] * x + phase[k]);
        }
        return sum;
    }

    /**
     * The term's derivative at a point.
     *
     * @param x the point
     * @return r'(x)
     */
    public double derivative(double x) {
        double sum = 0;
        for (int k = 0; k < TERMS; k++) {
            sum += amplitude[k] * omega[k] * Math.cos(omega[k] * x + phase[k]);
        }
        return sum;
    }

    /**
     * Returns Σ aₖ, a bound on |r|.
     *
     * @return Σ aₖ, a bound on |r|
     */
    public double amplitudeBound() {
        double sum = 0;
        for (double a : amplitude) {
            sum += a;
        }
        return sum;
    }

    /**
     * Returns Σ aₖ(2πνₖ)², a bound on |r''|.
     *
     * @return Σ aₖ(2πνₖ)², a bound on |r''|
     */
    public double curvatureBound() {
        double sum = 0;
        for (int k = 0; k < TERMS; k++) {
            sum += amplitude[k] * omega[k] * omega[k];
        }
        return sum;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("r(x) =");
        for (int k = 0; k < TERMS; k++) {
            sb.append(String.format(java.util.Locale.ROOT, "%s %.4f·sin(%.4f·x + %.4f)", k == 0 ? "" : " +",
                    amplitude[k], omega[k], phase[k]));
        }
        return sb.toString();
    }
}
