package org.deeprelax.core;

/** The elementwise binary operations a backend broadcasts. */
public enum BinaryOp {
    /** a + b */
    ADD,
    /** a − b */
    SUB,
    /** a · b */
    MUL,
    /** a / b */
    DIV
}
