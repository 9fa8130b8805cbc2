package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The caching allocator's bookkeeping, against a fake device (no GPU needed). */
class AllocatorTest {

    /** Hands out fake addresses and records what is live. */
    static final class FakeDevice implements DeviceMemory {
        final java.util.Map<Long, Long> live = new java.util.HashMap<>();
        long next = 1L << 20;
        long failAbove = Long.MAX_VALUE;
        long used;

        @Override
        public long allocate(long bytes) {
            if (used + bytes > failAbove) {
                throw new IllegalStateException("out of memory");
            }
            long p = next;
            next += bytes;
            used += bytes;
            live.put(p, bytes);
            return p;
        }

        @Override
        public void free(long ptr) {
            Long bytes = live.remove(ptr);
            if (bytes == null) {
                throw new AssertionError("double free of " + ptr);
            }
            used -= bytes;
        }
    }

    @Test
    void sizeClassesArePowersOfTwoFrom256ThenTwoMebibyteSteps() {
        assertEquals(256, SizeClasses.classOf(0));
        assertEquals(256, SizeClasses.classOf(1));
        assertEquals(256, SizeClasses.classOf(256));
        assertEquals(512, SizeClasses.classOf(257));
        assertEquals(1 << 20, SizeClasses.classOf((1 << 20) - 5));
        assertEquals(1 << 20, SizeClasses.classOf(1 << 20));
        assertEquals(64L << 20, SizeClasses.classOf(64L << 20));
        assertEquals((64L << 20) + (2L << 20), SizeClasses.classOf((64L << 20) + 1));
        assertEquals(300L << 20, SizeClasses.classOf((300L << 20) - 100));
        assertThrows(IllegalArgumentException.class, () -> SizeClasses.classOf(-1));
    }

    @Test
    void releasedBlocksServeLaterRequestsOfTheSameClass() {
        FakeDevice dev = new FakeDevice();
        try (CachingAllocator a = new CachingAllocator(dev)) {
            CachingAllocator.Block b1 = a.allocate(1000);
            CachingAllocator.Block b2 = a.allocate(1000);
            assertNotEquals(b1.ptr(), b2.ptr());
            assertEquals(1024, b1.bytes());
            assertEquals(2048, a.stats().bytesInUse());
            a.release(b1);
            a.release(b1);   // a second release is ignored
            assertEquals(1024, a.stats().bytesInUse());
            assertEquals(1024, a.stats().bytesCached());
            CachingAllocator.Block b3 = a.allocate(700);   // same class, 1024
            assertEquals(b1.ptr(), b3.ptr());
            assertEquals(2, a.stats().deviceAllocations());
            assertEquals(1, a.stats().reuses());
            assertEquals(2048, a.stats().peakBytesInUse());
        }
        assertEquals(0, dev.live.size(), "close frees everything");
    }

    @Test
    void aTrainingLoopReachesAStateWithNoDeviceAllocation() {
        FakeDevice dev = new FakeDevice();
        try (CachingAllocator a = new CachingAllocator(dev)) {
            long[] sizes = {4 * 128 * 784, 4 * 1024, 4 * 128 * 1024, 4 * 128 * 10, 4};
            for (int step = 0; step < 5; step++) {
                CachingAllocator.Block[] blocks = new CachingAllocator.Block[sizes.length];
                for (int i = 0; i < sizes.length; i++) {
                    blocks[i] = a.allocate(sizes[i]);
                }
                for (CachingAllocator.Block b : blocks) {
                    a.release(b);
                }
                if (step == 0) {
                    assertEquals(sizes.length, a.stats().deviceAllocations());
                }
            }
            assertEquals(sizes.length, a.stats().deviceAllocations(), "steady state allocates nothing");
            assertEquals(0, a.stats().bytesInUse());
        }
    }

    @Test
    void outOfMemoryEmptiesTheCacheAndRetriesOnce() {
        FakeDevice dev = new FakeDevice();
        dev.failAbove = 4096;
        try (CachingAllocator a = new CachingAllocator(dev)) {
            CachingAllocator.Block small = a.allocate(2048);
            a.release(small);
            CachingAllocator.Block big = a.allocate(4096);   // fails, frees the cached 2048, succeeds
            assertEquals(4096, big.bytes());
            assertEquals(1, a.stats().deviceFrees());
            assertEquals(0, a.stats().bytesCached());
        }
    }

    @Test
    void broadcastLayoutMergesContiguousAxes() {
        // same shape [2, 3, 4]: one axis of 24
        int[] s = BroadcastLayout.of(new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {12, 4, 1});
        assertEquals(1, s[0]);
        assertEquals(24, s[1]);
        assertEquals(1, s[1 + 8]);
        assertEquals(1, s[1 + 16]);
        // bias [4] over [2, 3, 4]: a is [24] contiguous, b repeats: axes (6, 4) with b strides (0, 1)
        s = BroadcastLayout.of(new int[] {2, 3, 4}, new int[] {12, 4, 1}, new int[] {0, 0, 1});
        assertEquals(2, s[0]);
        assertEquals(6, s[1]);
        assertEquals(4, s[2]);
        assertEquals(4, s[1 + 8]);
        assertEquals(1, s[2 + 8]);
        assertEquals(0, s[1 + 16]);
        assertEquals(1, s[2 + 16]);
        // reduce [3, 4, 5] over axes 0 and 2
        int[] r = BroadcastLayout.reduce(new int[] {3, 4, 5}, new int[] {1, 4, 1});
        assertEquals(3, r[0]);
        assertEquals(20, r[1 + 8]);
        assertEquals(3, r[1 + 16]);
        assertEquals(1, r[2 + 16]);
        assertEquals(5, r[3 + 16]);
        assertEquals(15, r[1 + 24]);
    }
}
