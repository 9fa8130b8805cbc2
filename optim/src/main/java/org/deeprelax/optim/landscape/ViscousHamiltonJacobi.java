package org.deeprelax.optim.landscape;

/**
 * An explicit finite-difference solver for the viscous Hamilton-Jacobi equation
 * <pre>
 *   u_t = −½·u_x² + (1/(2β))·u_xx,   u(x, 0) = f(x),
 * </pre>
 * on a uniform grid of a bounded interval, up to a time t. By Cole-Hopf its solution at t = γ is the
 * local entropy f_γ; see {@link LocalEntropy}.
 *
 * <p>The scheme, written as u_t + H(u_x) = ε·u_xx with H(p) = ½p² and ε = 1/(2β) (so the Hamiltonian
 * enters with a minus sign on the right-hand side):
 * <pre>
 *   D⁻ᵢ = (uᵢ − uᵢ₋₁)/dx,  D⁺ᵢ = (uᵢ₊₁ − uᵢ)/dx
 *   Ĥᵢ  = ½·max(max(D⁻ᵢ, 0)², min(D⁺ᵢ, 0)²)                 Godunov's numerical Hamiltonian for ½p²
 *   uᵢⁿ⁺¹ = uᵢⁿ − dt·Ĥᵢ + dt·ε·(uᵢ₊₁ − 2uᵢ + uᵢ₋₁)/dx²      forward Euler, central Laplacian
 * </pre>
 * Godunov's flux is the upwind choice for a convex H with its minimum at p = 0: information travels
 * with speed H'(p) = p, so where the slope is positive it comes from the left (D⁻) and where it is
 * negative from the right (D⁺); at a local maximum of u (D⁻ > 0 > D⁺) both sides feed in and the
 * larger wins, at a local minimum (D⁻ &lt; 0 &lt; D⁺) neither does and Ĥ = 0, which is what keeps minima
 * from being lifted. Boundaries replicate the edge value (a zero-flux, Neumann ghost cell); they are
 * wrong for a landscape that keeps rising, which is why {@link LocalEntropyPde} solves on a wider
 * interval than it reports.
 *
 * <p>Time step: the update is monotone (each uᵢⁿ⁺¹ a non-decreasing function of uᵢ₋₁, uᵢ, uᵢ₊₁) when
 * dt·(L/dx + 2ε/dx²) ≤ 1, with L a bound on |u_x|: the coefficient of uᵢ is then 1 − dt·(|∂Ĥ/∂D|/dx +
 * 2ε/dx²) ≥ 0, and only one of the two terms of Ĥ is active at a time. We take L as the largest
 * one-sided slope of the initial data: a monotone, translation-invariant scheme cannot increase the
 * largest difference between neighbours, so L stays a bound for all later steps (checked as we go), and
 * dt = t/⌈t/dt_max⌉ with dt_max = {@value #CFL}/(L/dx + 1/(β·dx²)) so the last step lands on t exactly.
 * This is the CFL condition of both terms: dt ≤ dx/L for the transport, dt ≤ β·dx² for the diffusion.
 *
 * <p>Accuracy: a monotone scheme is first order. The one-sided differences are off by (dx/2)·u_xx,
 * which acts like an extra viscosity of about (dx/2)·|u_x|, and forward Euler adds O(dt) with
 * dt ∝ dx or dx², so the error is O(dx); {@link LocalEntropyPde} states the constant we measured.
 */
public final class ViscousHamiltonJacobi {

    /** The fraction of the stability limit used as the time step. */
    public static final double CFL = 0.9;

    /**
     * The solution on its grid: uᵢ at x = lo + i·dx.
     *
     * @param lo the first grid point
     * @param dx the grid spacing
     * @param u the values
     * @param dt the time step used
     * @param steps the number of time steps
     */
    public record Solution(double lo, double dx, double[] u, double dt, int steps) {

        /**
         * Returns the last grid point.
         *
         * @return the last grid point
         */
        public double hi() {
            return lo + (u.length - 1) * dx;
        }

        /**
         * Linear interpolation between grid points. Its error, dx²·|u_xx|/8, is second order and so
         * below the scheme's own first-order error.
         *
         * @param x a point in [lo, hi]
         * @return u(x)
         * @throws IllegalArgumentException if x is outside the grid
         */
        public double at(double x) {
            double s = (x - lo) / dx;
            if (!(s >= -1e-9 && s <= u.length - 1 + 1e-9)) {
                throw new IllegalArgumentException("x = " + x + " is outside the grid [" + lo + ", " + hi() + "]");
            }
            int i = (int) Math.min(Math.max(Math.floor(s), 0), u.length - 2);
            double w = s - i;
            return (1 - w) * u[i] + w * u[i + 1];
        }
    }

    private ViscousHamiltonJacobi() {
    }

    /**
     * The number of time steps {@link #solve} will take, without taking them: lets a caller size dx to a
     * work budget.
     *
     * @param lipschitz a bound on |u_x| over the grid
     * @param t the final time
     * @param beta β
     * @param dx the grid spacing
     * @return the number of steps
     */
    public static long steps(double lipschitz, double t, double beta, double dx) {
        double dtMax = CFL / (lipschitz / dx + 1 / (beta * dx * dx));
        return Math.max(1, (long) Math.ceil(t / dtMax));
    }

    /**
     * Solves u_t = −½u_x² + (1/(2β))u_xx from u(x, 0) = f(x) up to time t on [lo, hi].
     *
     * @param f the initial data
     * @param t the final time, {@code > 0}
     * @param beta β, {@code > 0}
     * @param lo the left end of the grid
     * @param hi the right end (the grid extends to the first point ≥ hi)
     * @param dx the grid spacing, {@code > 0}
     * @return u(·, t) on the grid
     * @throws IllegalArgumentException if an argument is out of range or the problem would take more
     *         than {@link Integer#MAX_VALUE} steps
     */
    public static Solution solve(Objective1D f, double t, double beta, double lo, double hi, double dx) {
        Check.positive("t", t);
        Check.positive("beta", beta);
        Check.positive("dx", dx);
        Check.interval("grid", lo, hi);
        long count = (long) Math.ceil((hi - lo) / dx - 1e-9) + 1;
        if (count < 3 || count > 100_000_000) {
            throw new IllegalArgumentException("grid [" + lo + ", " + hi + "] with dx = " + dx + " has " + count
                    + " points; it must have between 3 and 100000000");
        }
        int n = (int) count;
        double[] u = new double[n];
        for (int i = 0; i < n; i++) {
            u[i] = f.value(lo + i * dx);
        }
        double lip = 0;
        for (int i = 1; i < n; i++) {
            lip = Math.max(lip, Math.abs(u[i] - u[i - 1]) / dx);
        }
        long s = steps(lip, t, beta, dx);
        if (s > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("t = " + t + ", beta = " + beta + ", dx = " + dx + " needs " + s
                    + " time steps; use a coarser dx");
        }
        int steps = (int) s;
        double dt = t / steps;
        double eps = 1 / (2 * beta);
        // The loop works with neighbour differences dx·D; these turn them into dt·Ĥ and dt·ε·Δu.
        double h = dt * 0.5 / (dx * dx);
        double c = dt * eps / (dx * dx);
        // The monotonicity bound on neighbour differences, with room for rounding.
        double limit = lip * dx * (1 + 1e-9) + 1e-12 * (1 + maxAbs(u));
        double[] next = new double[n];
        for (int k = 0; k < steps; k++) {
            // Replicate (Neumann) boundaries: the ghost cell equals the edge cell, so D⁻ = 0 at the left
            // end and D⁺ = 0 at the right end.
            next[0] = u[0] + update(0, u[1] - u[0], h, c);
            next[n - 1] = u[n - 1] + update(u[n - 1] - u[n - 2], 0, h, c);
            // The interior loop is kept free of branches and calls other than the update so the JIT can
            // unroll it; it is where all the time goes.
            for (int i = 1; i < n - 1; i++) {
                double ui = u[i];
                next[i] = ui + update(ui - u[i - 1], u[i + 1] - ui, h, c);
            }
            if ((k & 63) == 63 || k == steps - 1) {
                // Every 64 steps (a cheap pass compared with 64 updates): a monotone scheme cannot let a
                // neighbour difference grow past the initial bound; if one does, the CFL bound is wrong.
                double maxDiff = maxDifference(next);
                if (maxDiff > limit) {
                    throw new IllegalStateException("neighbour difference " + maxDiff + " exceeded its bound " + limit
                            + " at step " + k + ": the time step is not stable");
                }
            }
            double[] swap = u;
            u = next;
            next = swap;
        }
        return new Solution(lo, dx, u, dt, steps);
    }

    /**
     * dt·(−Ĥ + ε·u_xx) for one point, from its neighbour differences dm = dx·D⁻ and dp = dx·D⁺.
     *
     * @param dm dx·D⁻
     * @param dp dx·D⁺
     * @param h dt/(2dx²), turning (dx·D)² into dt·½D²
     * @param c dt·ε/dx², turning dp − dm into dt·ε·u_xx
     * @return the increment uᵢⁿ⁺¹ − uᵢⁿ
     */
    private static double update(double dm, double dp, double h, double c) {
        double pm = dm > 0 ? dm : 0;    // dx·max(D⁻, 0)
        double pp = dp < 0 ? dp : 0;    // dx·min(D⁺, 0)
        double a = pm * pm;
        double b = pp * pp;
        return -h * (a > b ? a : b) + c * (dp - dm);
    }

    private static double maxDifference(double[] v) {
        double m = 0;
        for (int i = 1; i < v.length; i++) {
            m = Math.max(m, Math.abs(v[i] - v[i - 1]));
        }
        return m;
    }

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
