package org.deeprelax.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Host-memory scalars that cuBLAS and cuDNN read through pointers (alpha = 1, beta = 0), allocated once. */
final class Constants {

    /** A host float 1. */
    static final MemorySegment ONE = Arena.global().allocateFrom(JAVA_FLOAT, 1f);
    /** A host float 0. */
    static final MemorySegment ZERO = Arena.global().allocateFrom(JAVA_FLOAT, 0f);

    private Constants() {
    }
}
