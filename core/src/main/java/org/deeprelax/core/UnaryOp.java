package org.deeprelax.core;

/** The elementwise unary operations of a backend. */
public enum UnaryOp {
    /** e^x */
    EXP,
    /** ln x */
    LOG,
    /** max(x, 0) */
    RELU
}
