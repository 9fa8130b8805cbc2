package org.deeprelax.optim.landscape;

/**
 * A smooth function of one variable together with the two bounds the numerical methods of this package
 * need to size their grids without guessing.
 *
 * <p>{@link #lowerBound()} bounds the region that can matter: the minimiser y of
 * f(y) + (x − y)²/(2γ) satisfies (x − y)²/(2γ) ≤ f(x) − inf f, so |x − y| ≤ √(2γ(f(x) − lowerBound)).
 * {@link #curvatureBound()} bounds how narrow a peak of e^{−βf} can be, which sets quadrature steps.
 */
public interface Objective1D {

    /**
     * The objective at a point.
     *
     * @param x the point
     * @return f(x)
     */
    double value(double x);

    /**
     * The objective's derivative at a point.
     *
     * @param x the point
     * @return f'(x)
     */
    double derivative(double x);

    /**
     * Returns a number ≤ f(x) for every real x (f must be bounded below).
     *
     * @return a number ≤ f(x) for every real x (f must be bounded below)
     */
    double lowerBound();

    /**
     * Returns a number ≥ |f''(x)| for every real x.
     *
     * @return a number ≥ |f''(x)| for every real x
     */
    double curvatureBound();
}
