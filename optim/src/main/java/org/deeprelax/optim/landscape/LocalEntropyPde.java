package org.deeprelax.optim.landscape;

/**
 * The local entropy f_γ computed the PDE way: {@link ViscousHamiltonJacobi} integrates
 * u_t = −½u_x² + (1/(2β))u_xx from u(·, 0) = f to t = γ on an interval wider than the one asked for,
 * and the values at the requested points are interpolated from its grid.
 *
 * <p><b>Why wider, and by how much.</b> The replicated-edge boundary is wrong for a landscape that keeps
 * rising, and its error spreads inwards. By Cole-Hopf, u(x, γ) only depends, up to a relative e^{−50}, on
 * f(y) for |x − y| ≤ √(2γ(f(x) − inf f) + 2γ·50/β) (the same bound as the quadrature's range; see
 * {@link LocalEntropy}): the first term is how far the Hopf-Lax minimiser can be, the second ten standard
 * deviations of the heat kernel. The grid extends that far beyond the requested interval, plus one unit
 * for the scheme's own numerical diffusion. The characteristics of ½u_x² run outwards where f rises
 * towards the edges, so the boundary cannot reach the interior by transport, only by diffusion.
 *
 * <p><b>The tolerance it earns.</b> The scheme is monotone and therefore first order: the error against
 * the quadrature is C·dx + o(dx). Measured for the toy landscape with β = 1 on [−2.5, 2.5]
 * ({@code LocalEntropyPdeTest}, {@code docs/landscape.md}): C = 2.56, 2.70, 2.79, 2.84 for γ = 0.1 and
 * dx = 0.02, 0.01, 0.005, 0.0025, and C = 2.14 to 2.31 for γ = 0.5; the error halves with dx. We claim
 * and test |PDE − quadrature| ≤ {@value #ERROR_CONSTANT}·dx there, about 0.018 at the default
 * dx = {@value #DEFAULT_DX}. The constant is not universal: the upwind differences are off by
 * (dx/2)·u_xx, an extra viscosity of about (dx/2)·|u_x|, so C grows where the solution is steep and
 * curved: C ≈ 3.3 on [−3, 3] (γ = 0.1) and 4.5 to 5.4 on [−2.5, 2.5] for β = 10 or 50, where the
 * physical viscosity 1/(2β) no longer smooths the wells.
 */
public final class LocalEntropyPde {

    /** The grid spacing used unless the work budget forces a coarser one. */
    public static final double DEFAULT_DX = 0.005;
    /** At most this many grid-point updates (points × time steps), about a second of work. */
    public static final long WORK_BUDGET = 400_000_000L;
    /** The error constant C in |PDE − quadrature| ≤ C·dx that we claim for β = 1, γ ≤ 0.5 on [−2.5, 2.5]. */
    public static final double ERROR_CONSTANT = 3.5;

    /**
     * The PDE column at the requested points.
     *
     * @param values u(xᵢ, γ) at the requested points
     * @param dx the grid spacing used
     * @param solution the whole solution on its (wider) grid
     */
    public record Result(double[] values, double dx, ViscousHamiltonJacobi.Solution solution) {
    }

    private LocalEntropyPde() {
    }

    /**
     * How far beyond [a, b] the grid must reach.
     *
     * @param f the landscape
     * @param gamma γ
     * @param beta β
     * @param a the left end of the requested interval
     * @param b the right end
     * @return the margin
     */
    public static double margin(Objective1D f, double gamma, double beta, double a, double b) {
        double fmax = Double.NEGATIVE_INFINITY;
        int samples = 2000;
        for (int i = 0; i <= samples; i++) {
            fmax = Math.max(fmax, f.value(a + (b - a) * i / samples));
        }
        return Math.sqrt(2 * gamma * (fmax - f.lowerBound()) + 2 * gamma * LocalEntropy.TAIL / beta) + 1;
    }

    /**
     * The finest spacing, starting from {@code finest} and doubling, whose solve stays within
     * {@code budget} grid-point updates.
     *
     * @param f the landscape
     * @param gamma γ
     * @param beta β
     * @param a the left end of the requested interval
     * @param b the right end
     * @param finest the spacing wanted
     * @param budget the most grid-point updates allowed
     * @return the spacing to use
     */
    public static double chooseDx(Objective1D f, double gamma, double beta, double a, double b, double finest, long budget) {
        double m = margin(f, gamma, beta, a, b);
        double lo = a - m;
        double hi = b + m;
        double lip = 0;
        int samples = 20_000;
        for (int i = 0; i <= samples; i++) {
            lip = Math.max(lip, Math.abs(f.derivative(lo + (hi - lo) * i / samples)));
        }
        double dx = finest;
        while (true) {
            double work = (double) ViscousHamiltonJacobi.steps(lip, gamma, beta, dx) * ((hi - lo) / dx + 1);
            if (work <= budget || dx >= (hi - lo) / 16) {
                return dx;
            }
            dx *= 2;
        }
    }

    /**
     * f_γ at the points {@code xs} by the PDE, with grid spacing {@code dx}.
     *
     * @param f the landscape
     * @param gamma γ, {@code > 0}
     * @param beta β, {@code > 0}
     * @param xs the points, finite, at least one
     * @param dx the grid spacing, {@code > 0}
     * @return the values and the solution
     */
    public static Result compute(Objective1D f, double gamma, double beta, double[] xs, double dx) {
        Check.positive("gamma", gamma);
        Check.positive("beta", beta);
        Check.positive("dx", dx);
        if (xs.length == 0) {
            throw new IllegalArgumentException("no points to evaluate");
        }
        double a = Double.POSITIVE_INFINITY;
        double b = Double.NEGATIVE_INFINITY;
        for (double x : xs) {
            Check.finite("x", x);
            a = Math.min(a, x);
            b = Math.max(b, x);
        }
        if (a == b) {
            // One point (or all equal): any interval around it will do.
            a -= dx;
            b += dx;
        }
        double m = margin(f, gamma, beta, a, b);
        ViscousHamiltonJacobi.Solution s = ViscousHamiltonJacobi.solve(f, gamma, beta, a - m, b + m, dx);
        double[] out = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = s.at(xs[i]);
        }
        return new Result(out, dx, s);
    }
}
