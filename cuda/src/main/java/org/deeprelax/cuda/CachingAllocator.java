package org.deeprelax.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A caching device allocator: released blocks go to a free list per {@link SizeClasses size class} and
 * serve later requests of the same class, so device memory is allocated once and a training loop's
 * steady state calls {@code cuMemAlloc} zero times (counted in {@link #stats()}).
 *
 * <p>Safety without synchronisation: every kernel and copy of a backend runs on its single stream, so a
 * block released on the host while work that uses it is still queued can be handed out at once: whatever
 * the next owner queues runs after that work, in stream order (PyTorch's caching allocator rests on the
 * same argument). When a device allocation fails for lack of memory, the cache is emptied and the
 * allocation retried once.
 *
 * <p>Not thread-safe: a backend is used from one thread at a time.
 */
public final class CachingAllocator implements AutoCloseable {

    /**
     * A device block.
     *
     * @param ptr its device address
     * @param bytes its size: the size class that served the request
     */
    public record Block(long ptr, long bytes) {
    }

    private final DeviceMemory memory;
    private final TreeMap<Long, ArrayDeque<Block>> free = new TreeMap<>();
    private final Map<Block, Boolean> live = new IdentityHashMap<>();
    private final Map<Long, Long> allocated = new HashMap<>();
    private long inUse, peak, cached, allocs, frees, reuses;
    private boolean closed;

    /**
     * A caching allocator over a raw device allocator.
     *
     * @param memory the raw device allocator
     */
    public CachingAllocator(DeviceMemory memory) {
        this.memory = memory;
    }

    /**
     * Hands out a block, from the cache when one of its size class is free.
     *
     * @param bytes requested size
     * @return a block of at least that size (its contents are undefined)
     */
    public Block allocate(long bytes) {
        if (closed) {
            throw new IllegalStateException("the device allocator is closed (its backend was closed)");
        }
        long size = SizeClasses.classOf(bytes);
        ArrayDeque<Block> list = free.get(size);
        Block b;
        if (list != null && !list.isEmpty()) {
            b = list.pop();
            cached -= size;
            reuses++;
        } else {
            long ptr;
            try {
                ptr = memory.allocate(size);
            } catch (RuntimeException e) {
                if (cached == 0) {
                    throw e;
                }
                emptyCache();
                ptr = memory.allocate(size);
            }
            allocs++;
            allocated.put(ptr, size);
            b = new Block(ptr, size);
        }
        live.put(b, Boolean.TRUE);
        inUse += size;
        peak = Math.max(peak, inUse);
        return b;
    }

    /**
     * Returns a block to its free list. Releasing the same block twice is a no-op.
     *
     * @param b a block from {@link #allocate}
     */
    public void release(Block b) {
        if (closed || live.remove(b) == null) {
            return;
        }
        inUse -= b.bytes();
        cached += b.bytes();
        free.computeIfAbsent(b.bytes(), k -> new ArrayDeque<>()).push(b);
    }

    /** Frees every cached block back to the device. */
    public void emptyCache() {
        for (ArrayDeque<Block> list : free.values()) {
            for (Block b : list) {
                memory.free(b.ptr());
                allocated.remove(b.ptr());
                frees++;
            }
        }
        free.clear();
        cached = 0;
    }

    /**
     * Returns the counters now.
     *
     * @return the counters now
     */
    public AllocatorStats stats() {
        return new AllocatorStats(inUse, peak, cached, allocs, frees, reuses);
    }

    /** Frees every block, cached or still handed out; later releases are ignored. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        for (long ptr : allocated.keySet()) {
            memory.free(ptr);
            frees++;
        }
        allocated.clear();
        free.clear();
        live.clear();
        cached = 0;
        inUse = 0;
        closed = true;
    }
}
