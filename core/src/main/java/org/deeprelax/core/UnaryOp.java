package org.deeprelax.core;

/**
 * The elementwise unary operations of a backend, each with the derivative its backward uses. Three take
 * scalars {@code a} and {@code b} (see {@link Backend#unary}); the others ignore them.
 */
public enum UnaryOp {
    /** e^x; derivative e^x, read from the output. */
    EXP,
    /** ln x; derivative 1/x. */
    LOG,
    /** max(x, 0); derivative 1 where x &gt; 0, else 0. */
    RELU,
    /** tanh x, accurate over the whole float range; derivative 1 − y², read from the output y. */
    TANH,
    /**
     * 1/(1 + e^−x), computed as e^x/(1 + e^x) for negative x so that no exponential overflows;
     * derivative y·(1 − y), read from the output y.
     */
    SIGMOID,
    /** √x; derivative 1/(2y), read from the output y. */
    SQRT,
    /** |x|; derivative sign(x), 0 at 0. */
    ABS,
    /** x^a; derivative a·x^(a−1), and 0 when a = 0. */
    POW,
    /** min(max(x, a), b); derivative 1 where a ≤ x ≤ b, else 0. */
    CLAMP,
    /** a·x + b, rounded twice as written; derivative a. */
    AFFINE
}
