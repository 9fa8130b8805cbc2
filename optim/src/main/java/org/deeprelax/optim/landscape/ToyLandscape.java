package org.deeprelax.optim.landscape;

/**
 * The toy landscape of the paper's 1-D figure, f(x) = x² + 1.5·sin(2πx), optionally plus a seeded
 * {@link RandomTerm}. Without the random term its local minima on [−3, 3] are near −2.1737, −1.2087,
 * −0.2418 (the global one, f = −1.4395), 0.7254, 1.6916 and 2.6548.
 */
public final class ToyLandscape implements Objective1D {

    private static final double A = 1.5;
    private static final double W = 2 * Math.PI;

    private final RandomTerm random;

    private ToyLandscape(RandomTerm random) {
        this.random = random;
    }

    /**
     * Returns f(x) = x² + 1.5·sin(2πx).
     *
     * @return f(x) = x² + 1.5·sin(2πx)
     */
    public static ToyLandscape plain() {
        return new ToyLandscape(null);
    }

    /**
     * The toy landscape with the small random term the paper's figure adds.
     *
     * @param seed the seed of the perturbation
     * @return f(x) = x² + 1.5·sin(2πx) + r(x), with r the {@link RandomTerm} of this seed
     */
    public static ToyLandscape withRandomTerm(long seed) {
        return new ToyLandscape(new RandomTerm(seed));
    }

    /**
     * Returns the random term, or {@code null} for the plain landscape.
     *
     * @return the random term, or {@code null} for the plain landscape
     */
    public RandomTerm randomTerm() {
        return random;
    }

    @Override
    public double value(double x) {
        double v = x * x + A * Math.sin(W * x);
        return random == null ? v : v + random.value(x);
    }

    @Override
    public double derivative(double x) {
        double d = 2 * x + A * W * Math.cos(W * x);
        return random == null ? d : d + random.derivative(x);
    }

    /** x² ≥ 0 and sin ≥ −1, so f ≥ −1.5 − Σ aₖ. */
    @Override
    public double lowerBound() {
        return -A - (random == null ? 0 : random.amplitudeBound());
    }

    /** |f''| = |2 − 1.5(2π)²·sin(2πx) + r''| ≤ 2 + 1.5(2π)² + Σ aₖ(2πνₖ)². */
    @Override
    public double curvatureBound() {
        return 2 + A * W * W + (random == null ? 0 : random.curvatureBound());
    }

    @Override
    public String toString() {
        return random == null ? "f(x) = x² + 1.5·sin(2πx)"
                : "f(x) = x² + 1.5·sin(2πx) + r(x), random term seed " + random.seed();
    }
}
