package org.deeprelax.optim.landscape;

/**
 * The local entropy by quadrature:
 * f_γ(x) = −(1/β)·log((G_{γ/β} * e^{−βf})(x)), where G_s(z) = e^{−z²/(2s)}/√(2πs) is the heat kernel of
 * variance s. Its gradient is ∇f_γ(x) = (x − ⟨y⟩)/γ, with ⟨y⟩ the mean of the Gibbs density
 * ρ(y) ∝ exp(−βf(y) − β(x − y)²/(2γ)) (differentiate the log of the integral under the integral sign).
 *
 * <p>Because G is normalised, f_γ → f as γ → 0; and by Cole-Hopf (v = e^{−βu} turns
 * u_t = −½u_x² + (1/(2β))u_xx into the heat equation v_t = (1/(2β))v_xx) f_γ is the solution at time γ
 * of that viscous Hamilton-Jacobi equation started from f, which {@link LocalEntropyPde} computes the
 * other way.
 *
 * <p>How the integral is done, and why it is accurate:
 * <ul>
 *   <li><b>Log-sum-exp.</b> The exponent E(y) = −βf(y) − β(x − y)²/(2γ) is shifted by its maximum on the
 *   grid before exponentiating, so no term underflows to 0 for large β (e^{−βf} alone underflows for
 *   β·f above ~745) and the largest term is exactly 1.</li>
 *   <li><b>Range.</b> Points y with β(x − y)²/(2γ) > β(f(x) − inf f) + {@value #TAIL} have
 *   E(y) &lt; E(x) − {@value #TAIL} ≤ max E − {@value #TAIL}, so the integrand there is below e^{−50} of its
 *   peak and Gaussian-small in total. The grid is therefore y ∈ x ± √(2γ(f(x) − lowerBound) + 2γ·50/β):
 *   a proven truncation instead of a fixed window (the reference values used [−8, 8], which is too narrow
 *   for small β, where e^{−βf} decays slowly). It is centred on x, so y − x is exact on the grid.</li>
 *   <li><b>Step.</b> The narrowest feature of the integrand is a peak of width
 *   σ = 1/√(β(sup|f''| + 1/γ)); the step is min(σ/8, 1/64). The trapezoid rule (not Simpson) is used on
 *   purpose: for a smooth integrand that has decayed to nothing at both ends it converges faster than any
 *   power of h (Euler-Maclaurin: all end corrections vanish), with error ~e^{−2π²σ²/h²} ≈ e^{−1260}
 *   for a Gaussian peak resolved by 8 points per σ. Simpson's rule is (4T(h) − T(2h))/3, so it would
 *   carry the error of the coarser sum T(2h).</li>
 * </ul>
 */
public final class LocalEntropy {

    /** How far below its peak, in units of the exponent, the integrand is cut off. */
    static final double TAIL = 50;
    /** The coarsest quadrature step: resolves sin(2πx) and the random term's ≤ 4.5 cycles per unit. */
    static final double MAX_STEP = 1.0 / 64;
    /** Quadrature points per width of the narrowest peak. */
    static final double POINTS_PER_SIGMA = 8;

    /**
     * One evaluation: f_γ(x), ⟨y⟩ and ∇f_γ(x).
     *
     * @param value f_γ(x)
     * @param mean ⟨y⟩, the mean of ρ
     * @param gradient ∇f_γ(x) = (x − ⟨y⟩)/γ
     */
    public record Point(double value, double mean, double gradient) {
    }

    private final Objective1D f;
    private final double gamma;
    private final double beta;
    private final double step;

    /**
     * The local entropy of a landscape at time γ and inverse temperature β.
     *
     * @param f the landscape
     * @param gamma the time γ, {@code > 0}
     * @param beta the inverse temperature β, {@code > 0}
     * @throws IllegalArgumentException if γ or β is not a finite positive number
     */
    public LocalEntropy(Objective1D f, double gamma, double beta) {
        this.f = f;
        this.gamma = Check.positive("gamma", gamma);
        this.beta = Check.positive("beta", beta);
        double sigma = 1 / Math.sqrt(beta * (f.curvatureBound() + 1 / gamma));
        this.step = Math.min(sigma / POINTS_PER_SIGMA, MAX_STEP);
    }

    /**
     * The work of one {@link #evaluate}: how many points of the integrand it takes at {@code x}, about
     * 2·radius/step. It grows as √β once the Gibbs peak is narrower than the coarsest step, and so does the
     * time: check it before asking for large β, γ or |x|.
     *
     * @param x the point
     * @return the number of integrand evaluations, as a double since it may exceed any int
     */
    public double evaluationsAt(double x) {
        return 2 * Math.ceil(radius(x) / step) + 1;
    }

    /** Half the width of the quadrature grid at x: the proven truncation of the class comment. */
    private double radius(double x) {
        return Math.sqrt(2 * gamma * Math.max(f.value(x) - f.lowerBound(), 0) + 2 * gamma * TAIL / beta);
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
     * Returns β.
     *
     * @return β
     */
    public double beta() {
        return beta;
    }

    /**
     * The local entropy at a point.
     *
     * @param x the point
     * @return f_γ(x)
     */
    public double value(double x) {
        return evaluate(x).value();
    }

    /**
     * The local entropy's gradient at a point.
     *
     * @param x the point
     * @return ∇f_γ(x) = (x − ⟨y⟩)/γ
     */
    public double gradient(double x) {
        return evaluate(x).gradient();
    }

    /**
     * f_γ(x), ⟨y⟩ and ∇f_γ(x) from one pass over the quadrature grid.
     *
     * @param x the point, finite
     * @return the three numbers
     */
    public Point evaluate(double x) {
        Check.finite("x", x);
        double radius = radius(x);
        int m = (int) Math.ceil(radius / step);
        double h = radius / m;
        double[] e = new double[2 * m + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = -m; j <= m; j++) {
            double d = j * h;
            double v = -beta * f.value(x + d) - beta * d * d / (2 * gamma);
            e[j + m] = v;
            max = Math.max(max, v);
        }
        // Σ w and Σ w·(y − x) with w = e^{E − max}: the mean offset ⟨y − x⟩ rather than ⟨y⟩ itself, so the
        // gradient −⟨y − x⟩/γ does not lose digits to x − ⟨y⟩ cancelling when γ is small.
        double sw = 0;
        double swd = 0;
        for (int j = -m; j <= m; j++) {
            double w = Math.exp(e[j + m] - max);
            if (j == -m || j == m) {
                w *= 0.5;
            }
            sw += w;
            swd += w * (j * h);
        }
        double logIntegral = max + Math.log(sw * h);
        // log of the heat kernel's normalisation 1/√(2π·γ/β).
        double logNorm = -0.5 * Math.log(2 * Math.PI * gamma / beta);
        double value = -(logIntegral + logNorm) / beta;
        double offset = swd / sw;
        return new Point(value, x + offset, -offset / gamma);
    }
}
