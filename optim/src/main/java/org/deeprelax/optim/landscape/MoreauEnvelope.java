package org.deeprelax.optim.landscape;

/**
 * The Moreau envelope, i.e. the Hopf-Lax solution of the non-viscous equation u_t = −½u_x² at t = γ:
 * <pre>
 *   u(x, γ) = min_y f(y) + (x − y)²/(2γ),   prox_{γf}(x) = the minimiser,   ∇u = (x − prox)/γ.
 * </pre>
 * It is the β → ∞ limit of the local entropy (Laplace's method on the quadrature integral), and what the
 * "HJ" optimizer's inner loop approximates. Taking y = x shows u ≤ f everywhere.
 *
 * <p>The minimisation is brute force, because the objective φ(y) = f(y) + (x − y)²/(2γ) has several
 * wells when γ·sup f'' > 1: φ is sampled on a uniform grid of y, every sample lower than its neighbours
 * is refined by {@link Minima#golden golden section} in its bracket, and the lowest refined value wins.
 * The grid covers the only place a minimiser can be: φ(y) ≤ φ(x) = f(x) forces
 * (x − y)²/(2γ) ≤ f(x) − inf f, so |x − y| ≤ √(2γ(f(x) − lowerBound)). The step is 1/256, below the
 * width of any well of the toy landscape and its random term, so no well is skipped.
 */
public final class MoreauEnvelope {

    /** The grid step in y: the random term's fastest sinusoid has a period above 0.2, i.e. 50 steps. */
    static final double STEP = 1.0 / 256;

    private final Objective1D f;
    private final double gamma;

    /**
     * The Moreau envelope of {@code f} at time {@code gamma}.
     *
     * @param f the landscape
     * @param gamma the time γ, {@code > 0}
     */
    public MoreauEnvelope(Objective1D f, double gamma) {
        this.f = f;
        this.gamma = Check.positive("gamma", gamma);
    }

    /**
     * Returns γ.
     *
     * @return γ
     */
    public double gamma() {
        return gamma;
    }

    /**
     * The envelope at a point.
     *
     * @param x the point
     * @return u(x, γ) = min_y f(y) + (x − y)²/(2γ)
     */
    public double value(double x) {
        return solve(x).value();
    }

    /**
     * The proximal point of {@code x}.
     *
     * @param x the point
     * @return prox_{γf}(x), the minimiser (when there are several, the one found lowest)
     */
    public double prox(double x) {
        return solve(x).x();
    }

    /**
     * The envelope's gradient at a point.
     *
     * @param x the point
     * @return ∇u(x, γ) = (x − prox_{γf}(x))/γ, where the minimiser is unique
     */
    public double gradient(double x) {
        return (x - prox(x)) / gamma;
    }

    /**
     * Solves the proximal problem at {@code x}.
     *
     * @param x the point, finite
     * @return the minimiser and the minimum of f(y) + (x − y)²/(2γ)
     */
    public Minima.Minimum solve(double x) {
        Check.finite("x", x);
        double radius = Math.sqrt(2 * gamma * Math.max(f.value(x) - f.lowerBound(), 0));
        int m = Math.max(2, (int) Math.ceil(radius / STEP));
        double h = Math.max(radius, 2 * STEP) / m;
        double[] v = new double[2 * m + 1];
        for (int j = -m; j <= m; j++) {
            v[j + m] = phi(x, x + j * h);
        }
        // y = x is always a candidate, so the result is never above f(x) even if refinement misbehaves.
        Minima.Minimum best = new Minima.Minimum(x, v[m]);
        for (int j = -m; j <= m; j++) {
            boolean leftOk = j == -m || v[j + m] <= v[j + m - 1];
            boolean rightOk = j == m || v[j + m] <= v[j + m + 1];
            if (leftOk && rightOk) {
                Minima.Minimum r = Minima.golden(y -> phi(x, y), x + (j - 1) * h, x + (j + 1) * h);
                if (r.value() < best.value()) {
                    best = r;
                }
            }
        }
        return best;
    }

    private double phi(double x, double y) {
        double d = x - y;
        return f.value(y) + d * d / (2 * gamma);
    }
}
