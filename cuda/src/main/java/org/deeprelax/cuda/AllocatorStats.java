package org.deeprelax.cuda;

/**
 * A snapshot of the caching allocator's counters.
 *
 * @param bytesInUse bytes of blocks handed out and not yet released (class sizes, not requests)
 * @param peakBytesInUse the largest {@code bytesInUse} seen
 * @param bytesCached bytes of free blocks kept for reuse
 * @param deviceAllocations number of calls to the device allocator ({@code cuMemAlloc})
 * @param deviceFrees number of calls to the device free ({@code cuMemFree})
 * @param reuses allocations served from the cache
 */
public record AllocatorStats(long bytesInUse, long peakBytesInUse, long bytesCached, long deviceAllocations,
                             long deviceFrees, long reuses) {
}
