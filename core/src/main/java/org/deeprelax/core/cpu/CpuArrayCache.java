package org.deeprelax.core.cpu;

import java.lang.ref.SoftReference;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CPU backend's buffer cache: arrays of closed storages, by exact length, handed out again (zeroed)
 * to the next storage of that length. A training step allocates the same lengths every time, so from
 * the second step on it allocates no fresh arrays and the garbage collector has nothing to do; exact
 * lengths rather than size classes, because the repetition is exact and a rounded-up array would
 * change nothing but the memory held.
 *
 * <p>Two bounds keep the cache from costing memory it should not: it holds at most {@link #capacity}
 * floats (beyond that a returned array is left to the collector), and it holds them through soft
 * references, so that the collector clears them before it would throw an {@code OutOfMemoryError}.
 * Thread-safe: replicas on several threads share the backend. Each length's arrays are a plain stack
 * under its own lock rather than a lock-free deque: the lock is almost never contended, and the
 * lock-free deque's search for its first live node was 4 % of a one-thread LeNet step (JFR).
 */
final class CpuArrayCache {

    private final Map<Integer, ArrayDeque<SoftReference<float[]>>> free = new ConcurrentHashMap<>();
    private final AtomicLong cachedFloats = new AtomicLong();
    private final AtomicLong freshArrays = new AtomicLong();
    private final long capacity;

    /**
     * A cache of at most {@code capacity} floats.
     *
     * @param capacity the most floats held, {@code >= 0}
     */
    CpuArrayCache(long capacity) {
        this.capacity = capacity;
    }

    /** A cache of a quarter of the heap's maximum size, the default of the CPU backend. */
    static CpuArrayCache quarterOfHeap() {
        return new CpuArrayCache(Runtime.getRuntime().maxMemory() / 4 / Float.BYTES);
    }

    /**
     * A zeroed array of the length asked for: a cached one when there is one, else a fresh one.
     *
     * @param length its length
     * @return the array, all zeros
     */
    float[] take(int length) {
        ArrayDeque<SoftReference<float[]>> stack = free.get(length);
        if (stack != null) {
            SoftReference<float[]> ref;
            while ((ref = pop(stack)) != null) {
                cachedFloats.addAndGet(-length);
                float[] a = ref.get();
                if (a != null) {
                    Arrays.fill(a, 0f);
                    return a;
                }
            }
        }
        freshArrays.incrementAndGet();
        return new float[length];
    }

    /**
     * Keeps an array no storage uses any more for a later {@link #take}, if there is room.
     *
     * @param a the array
     */
    void give(float[] a) {
        if (cachedFloats.addAndGet(a.length) > capacity) {
            cachedFloats.addAndGet(-a.length);
            return;
        }
        ArrayDeque<SoftReference<float[]>> stack = free.computeIfAbsent(a.length, k -> new ArrayDeque<>());
        synchronized (stack) {
            stack.push(new SoftReference<>(a));
        }
    }

    private static SoftReference<float[]> pop(ArrayDeque<SoftReference<float[]>> stack) {
        synchronized (stack) {
            return stack.poll();
        }
    }

    /**
     * The number of arrays {@link #take} had to allocate so far (it served the other calls from the cache).
     *
     * @return the fresh allocations
     */
    long freshArrays() {
        return freshArrays.get();
    }
}
