package org.deeprelax.cuda;

/**
 * Where the caching allocator gets and returns raw blocks: {@code cuMemAlloc_v2}/{@code cuMemFree_v2} on a
 * GPU, a counter in the tests, which is what lets the allocator's bookkeeping be tested without a device.
 */
public interface DeviceMemory {

    /**
     * Returns a device pointer.
     *
     * @param bytes size
     * @return a device pointer
     */
    long allocate(long bytes);

    /**
     * Frees what {@link #allocate} returned.
     *
     * @param ptr a pointer from {@link #allocate}
     */
    void free(long ptr);
}
