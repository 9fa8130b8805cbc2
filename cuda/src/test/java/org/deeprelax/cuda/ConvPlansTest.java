package org.deeprelax.cuda;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import org.deeprelax.cuda.bindings.Cudnn;
import org.junit.jupiter.api.Test;

/**
 * Which of cuDNN's algorithm-search results a convolution uses, on perf structs laid out as
 * {@code cudnnConvolutionFwdAlgoPerf_t} is: {@code {int algo; int status; float time; size_t memory;
 * int determinism; int mathType; int reserved[3];}}.
 */
class ConvPlansTest {

    private static final int OK = 0;
    private static final int NOT_SUPPORTED = 9;
    private static final int NONDETERMINISTIC = 0;

    /** Writes one perf struct; fields in the order of the C struct. */
    private static void perf(MemorySegment r, int i, int algo, int status, float ms, int determinism, int math) {
        long base = Cudnn.PERF_SIZE * i;
        r.set(JAVA_INT, base, algo);
        r.set(JAVA_INT, base + 4, status);
        r.set(JAVA_FLOAT, base + 8, ms);
        r.set(JAVA_LONG, base + 16, 1024L * i);
        r.set(JAVA_INT, base + 24, determinism);
        r.set(JAVA_INT, base + 28, math);
    }

    @Test
    void theFastestDeterministicFullPrecisionSuccessWins() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = a.allocate(Cudnn.PERF_SIZE * 5, 8);
            perf(r, 0, 7, OK, 0.1f, NONDETERMINISTIC, Cudnn.FMA_MATH);             // fastest, nondeterministic
            perf(r, 1, 6, OK, 0.2f, Cudnn.DETERMINISTIC, Cudnn.TENSOR_OP_MATH);    // TF32 tensor cores
            perf(r, 2, 5, NOT_SUPPORTED, 0.3f, Cudnn.DETERMINISTIC, Cudnn.FMA_MATH);
            perf(r, 3, 1, OK, 0.4f, Cudnn.DETERMINISTIC, Cudnn.DEFAULT_MATH);
            perf(r, 4, 0, OK, 0.5f, Cudnn.DETERMINISTIC, Cudnn.FMA_MATH);
            assertEquals(List.of(3, 4), ConvPlans.usable(r, 5, false, true), "fp32, deterministic only");
            assertEquals(List.of(0, 3, 4), ConvPlans.usable(r, 5, false, false), "fp32, any determinism");
            assertEquals(List.of(1, 3, 4), ConvPlans.usable(r, 5, true, true), "TF32 allowed, deterministic");
            assertEquals(List.of(0, 1, 3, 4), ConvPlans.usable(r, 5, true, false), "TF32, any determinism");
            assertEquals(List.of(), ConvPlans.usable(r, 3, false, true), "only the first three returned");
            assertEquals(5, Cudnn.perfAlgo(r, 2));
            assertEquals(Cudnn.DETERMINISTIC, Cudnn.perfDeterminism(r, 3));
            assertEquals(Cudnn.DEFAULT_MATH, Cudnn.perfMathType(r, 3));
            assertEquals(4096L, Cudnn.perfMemory(r, 4));
        }
    }
}
