package org.deeprelax.cuda;

/**
 * The size classes of the caching allocator: a request is rounded up to a power of two of at least
 * {@link #MIN_BYTES}, and above {@link #LARGE_BYTES} to a multiple of {@link #LARGE_STEP} instead, so a
 * 300 MiB arena wastes at most 2 MiB rather than 212 MiB. Rounding makes blocks of neighbouring sizes
 * interchangeable, which is what lets a training step that allocates the same shapes every iteration
 * reach a steady state with no {@code cuMemAlloc} at all.
 */
public final class SizeClasses {

    /** Smallest block: 256 bytes, also the alignment cuBLAS and cuDNN like. */
    public static final long MIN_BYTES = 256;
    /** Above this, classes are multiples of {@link #LARGE_STEP} rather than powers of two. */
    public static final long LARGE_BYTES = 64L << 20;
    /** Step of the large classes: 2 MiB, the driver's own allocation granularity for big blocks. */
    public static final long LARGE_STEP = 2L << 20;

    private SizeClasses() {
    }

    /**
     * The size class that serves a request.
     *
     * @param bytes requested size, {@code >= 0}
     * @return the size of the block that serves it
     */
    public static long classOf(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation size " + bytes);
        }
        if (bytes <= MIN_BYTES) {
            return MIN_BYTES;
        }
        if (bytes > LARGE_BYTES) {
            return (bytes + LARGE_STEP - 1) / LARGE_STEP * LARGE_STEP;
        }
        return Long.highestOneBit(bytes - 1) << 1;
    }
}
