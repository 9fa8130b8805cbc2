package org.deeprelax.core.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
    void threadsSharingTheCacheNeverHoldTheSameArrayAtOnce() throws Exception {
        CpuArrayCache cache = new CpuArrayCache(1 << 20);
        int threads = 4;
        try (var pool = Executors.newFixedThreadPool(threads)) {
            var owners = new ArrayList<Future<Integer>>();
            for (int t = 1; t <= threads; t++) {
                float mark = t;
                owners.add(pool.submit(() -> {
                    int clashes = 0;
                    for (int i = 0; i < 20_000; i++) {
                        float[] a = cache.take(64);
                        Arrays.fill(a, mark);
                        Thread.onSpinWait();
                        for (float v : a) {
                            clashes += v == mark ? 0 : 1;
                        }
                        cache.give(a);
                    }
                    return clashes;
                }));
            }
            for (var owner : owners) {
                assertEquals(0, owner.get(), "another thread wrote into an array this one held");
            }
        }
        assertTrue(cache.freshArrays() <= threads, "at most one fresh array per thread: " + cache.freshArrays());
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
