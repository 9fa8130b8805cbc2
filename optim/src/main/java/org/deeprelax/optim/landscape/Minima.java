package org.deeprelax.optim.landscape;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/** Local minima of a function of one variable: a scan on a uniform grid, then golden-section refinement. */
public final class Minima {

    /** Golden-section iterations: shrink the bracket by 0.618^80 ≈ 2e-17, to the limit of doubles. */
    private static final int ITERATIONS = 80;
    private static final double INV_PHI = (Math.sqrt(5) - 1) / 2;

    /**
     * A minimum.
     *
     * @param x where
     * @param value the function's value there
     */
    public record Minimum(double x, double value) {
    }

    private Minima() {
    }

    /**
     * The interior local minima of g on [a, b]: every sample lower than both its neighbours, refined by
     * golden section in the bracket of those neighbours. Minima closer together than (b − a)/samples may
     * merge; minima at the ends of [a, b] are not reported (they are not stationary points).
     *
     * @param g the function
     * @param a the left end
     * @param b the right end
     * @param samples the number of grid intervals, ≥ 2
     * @return the minima, in increasing x
     */
    public static List<Minimum> local(DoubleUnaryOperator g, double a, double b, int samples) {
        Check.interval("interval", a, b);
        if (samples < 2) {
            throw new IllegalArgumentException("samples = " + samples + " is not allowed; it must be ≥ 2");
        }
        double h = (b - a) / samples;
        double[] v = new double[samples + 1];
        for (int i = 0; i <= samples; i++) {
            v[i] = g.applyAsDouble(grid(a, b, samples, i));
        }
        List<Minimum> out = new ArrayList<>();
        for (int i = 1; i < samples; i++) {
            // ≤ on the left, < on the right: a flat pair of equal samples yields one minimum, not two.
            if (v[i] <= v[i - 1] && v[i] < v[i + 1]) {
                out.add(golden(g, grid(a, b, samples, i - 1), grid(a, b, samples, i + 1)));
            }
        }
        return out;
    }

    /**
     * The lowest of the {@link #local} minima, or the lower end point if there are none.
     *
     * @param g the function
     * @param a the left end
     * @param b the right end
     * @param samples the number of grid intervals
     * @return the global minimum on [a, b]
     */
    public static Minimum global(DoubleUnaryOperator g, double a, double b, int samples) {
        return lowest(local(g, a, b, samples), g, a, b);
    }

    /**
     * The lowest of already found local minima and the two end points.
     *
     * @param local the local minima of g on [a, b]
     * @param g the function
     * @param a the left end
     * @param b the right end
     * @return the global minimum on [a, b]
     */
    public static Minimum lowest(List<Minimum> local, DoubleUnaryOperator g, double a, double b) {
        Minimum best = null;
        for (Minimum m : local) {
            if (best == null || m.value() < best.value()) {
                best = m;
            }
        }
        for (double end : new double[] {a, b}) {
            double v = g.applyAsDouble(end);
            if (best == null || v < best.value()) {
                best = new Minimum(end, v);
            }
        }
        return best;
    }

    /**
     * Golden-section search for a minimum of g in [lo, hi], assuming g is unimodal there. Golden section
     * rather than Newton because it needs no derivative and cannot leave the bracket.
     *
     * @param g the function
     * @param lo the left end of the bracket
     * @param hi the right end
     * @return the minimum found
     */
    public static Minimum golden(DoubleUnaryOperator g, double lo, double hi) {
        double c = hi - INV_PHI * (hi - lo);
        double d = lo + INV_PHI * (hi - lo);
        double fc = g.applyAsDouble(c);
        double fd = g.applyAsDouble(d);
        for (int k = 0; k < ITERATIONS && hi - lo > 0; k++) {
            if (fc <= fd) {
                hi = d;
                d = c;
                fd = fc;
                c = hi - INV_PHI * (hi - lo);
                fc = g.applyAsDouble(c);
            } else {
                lo = c;
                c = d;
                fc = fd;
                d = lo + INV_PHI * (hi - lo);
                fd = g.applyAsDouble(d);
            }
        }
        return fc <= fd ? new Minimum(c, fc) : new Minimum(d, fd);
    }

    /** The i-th of samples + 1 evenly spaced points, computed so that a and b are hit exactly. */
    static double grid(double a, double b, int samples, int i) {
        return i == samples ? b : (a * (samples - i) + b * i) / samples;
    }
}
