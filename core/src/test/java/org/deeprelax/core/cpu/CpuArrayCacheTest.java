package org.deeprelax.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.Arrays;

import org.deeprelax.core.Shape;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.TensorScope;
import org.junit.jupiter.api.Test;

class CpuArrayCacheTest {

    @Test
    void aGivenArrayServesTheNextTakeOfItsLengthZeroed() {
        CpuArrayCache cache = new CpuArrayCache(1000);
        float[] a = cache.take(10);
        Arrays.fill(a, 7f);
        cache.give(a);
        assertNotSame(a, cache.take(11), "another length gets another array");
        float[] again = cache.take(10);
        assertSame(a, again);
        assertArrayEquals(new float[10], again);
        assertEquals(2, cache.freshArrays());
    }

    @Test
    void theCacheHoldsNoMoreThanItsCapacity() {
        CpuArrayCache cache = new CpuArrayCache(15);
        float[] a = cache.take(10);
        float[] b = cache.take(10);
        cache.give(a);
        cache.give(b);
        assertSame(a, cache.take(10));
        assertNotSame(b, cache.take(10), "b did not fit beside a and was left to the collector");
    }

    @Test
    void aTrainingLoopInScopesAllocatesNoFreshArraysAfterItsFirstStep() {
        CpuArrayCache cache = CpuBackend.INSTANCE.arrayCache();
        Tensor w = Tensor.of(CpuBackend.INSTANCE, new float[12 * 5], Shape.of(12, 5)).requiresGrad(true);
        Tensor x = Tensor.ones(CpuBackend.INSTANCE, Shape.of(8, 12));
        Tensor labels = Tensor.of(CpuBackend.INSTANCE, new float[] {0, 1, 2, 3, 4, 0, 1, 2}, Shape.of(8));
        long afterFirst = 0;
        for (int step = 0; step < 5; step++) {
            try (var scope = TensorScope.open()) {
                Softmax.crossEntropy(x.matmul(w).relu(), labels).backward();
            }
            if (step == 0) {
                afterFirst = cache.freshArrays();
            }
        }
        assertEquals(afterFirst, cache.freshArrays(), "steps 2 to 5 reuse the first step's arrays");
        assertEquals(12 * 5, w.grad().size(), "the gradient made in the first scope belongs to its leaf, not the scope");
    }
}
