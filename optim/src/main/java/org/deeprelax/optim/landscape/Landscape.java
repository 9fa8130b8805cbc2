package org.deeprelax.optim.landscape;

/**
 * The facade behind {@code deeprelax landscape}: for N evenly spaced points on [A, B], the rows
 * x, f(x), f_γ(x) by quadrature, f_γ(x) by the PDE, and the Moreau envelope u(x, γ).
 */
public final class Landscape {

    /** The CSV header of a {@link Table}, in column order. */
    public static final String HEADER = "x,f,local_entropy,local_entropy_pde,moreau";

    /**
     * The table. Arrays are indexed by row.
     *
     * @param objective the landscape
     * @param gamma γ
     * @param beta β
     * @param x the points
     * @param f f(x)
     * @param localEntropy f_γ(x) by quadrature
     * @param localEntropyPde f_γ(x) by the viscous HJ PDE
     * @param moreau the Moreau envelope u(x, γ)
     * @param pdeDx the PDE grid spacing used
     * @param pdeSteps the PDE time steps taken
     */
    public record Table(Objective1D objective, double gamma, double beta, double[] x, double[] f,
                        double[] localEntropy, double[] localEntropyPde, double[] moreau,
                        double pdeDx, int pdeSteps) {

        /**
         * Returns the number of rows.
         *
         * @return the number of rows
         */
        public int size() {
            return x.length;
        }
    }

    private Landscape() {
    }

    /**
     * About how many integrand evaluations {@code calls} evaluations of the local entropy by quadrature
     * take on [a, b]: the most one takes anywhere on the interval (sampled), times the calls.
     *
     * @param f the landscape
     * @param gamma γ, {@code > 0}
     * @param beta β, {@code > 0}
     * @param a the left end
     * @param b the right end, {@code > a}
     * @param calls the evaluations of f_γ planned
     * @return the work, infinite where f is
     */
    public static double quadratureWork(Objective1D f, double gamma, double beta, double a, double b, long calls) {
        Check.interval("range", a, b);
        LocalEntropy entropy = new LocalEntropy(f, gamma, beta);
        int samples = 2000;
        double worst = 0;
        for (int i = 0; i <= samples; i++) {
            worst = Math.max(worst, entropy.evaluationsAt(a + (b - a) * i / samples));
        }
        return worst * calls;
    }

    /**
     * The table, with the PDE on the finest spacing (from {@link LocalEntropyPde#DEFAULT_DX}, doubled as
     * needed) that fits {@link LocalEntropyPde#WORK_BUDGET}.
     *
     * @param f the landscape
     * @param gamma γ, {@code > 0}
     * @param beta β, {@code > 0}
     * @param a the first point
     * @param b the last point, {@code > a}
     * @param points the number of points, ≥ 2
     * @return the table
     */
    public static Table compute(Objective1D f, double gamma, double beta, double a, double b, int points) {
        Check.positive("gamma", gamma);
        Check.positive("beta", beta);
        Check.interval("range", a, b);
        double dx = LocalEntropyPde.chooseDx(f, gamma, beta, a, b, LocalEntropyPde.DEFAULT_DX, LocalEntropyPde.WORK_BUDGET);
        return compute(f, gamma, beta, a, b, points, dx);
    }

    /**
     * The table, with the PDE on grid spacing {@code pdeDx}.
     *
     * @param f the landscape
     * @param gamma γ, {@code > 0}
     * @param beta β, {@code > 0}
     * @param a the first point
     * @param b the last point, {@code > a}
     * @param points the number of points, ≥ 2
     * @param pdeDx the PDE grid spacing, {@code > 0}
     * @return the table
     */
    public static Table compute(Objective1D f, double gamma, double beta, double a, double b, int points, double pdeDx) {
        Check.positive("gamma", gamma);
        Check.positive("beta", beta);
        Check.interval("range", a, b);
        if (points < 2) {
            throw new IllegalArgumentException("points = " + points + " is not allowed; it must be ≥ 2");
        }
        double[] x = new double[points];
        double[] fx = new double[points];
        double[] quad = new double[points];
        double[] env = new double[points];
        LocalEntropy entropy = new LocalEntropy(f, gamma, beta);
        MoreauEnvelope moreau = new MoreauEnvelope(f, gamma);
        for (int i = 0; i < points; i++) {
            x[i] = Minima.grid(a, b, points - 1, i);
            fx[i] = f.value(x[i]);
            quad[i] = entropy.value(x[i]);
            env[i] = moreau.value(x[i]);
        }
        LocalEntropyPde.Result pde = LocalEntropyPde.compute(f, gamma, beta, x, pdeDx);
        return new Table(f, gamma, beta, x, fx, quad, pde.values(), env, pde.dx(), pde.solution().steps());
    }
}
