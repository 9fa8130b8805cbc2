package org.deeprelax.cuda;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Storage;

/**
 * Device memory holding float32 elements: one block of the backend's {@link CachingAllocator}.
 * {@link #close()} returns the block to the allocator at once (it never waits for the garbage collector);
 * work already queued on the backend's stream still completes first, in stream order.
 */
public final class CudaStorage implements Storage {

    private final CudaBackend backend;
    private final CachingAllocator.Block block;
    private final int size;
    private boolean closed;

    CudaStorage(CudaBackend backend, CachingAllocator.Block block, int size) {
        this.backend = backend;
        this.block = block;
        this.size = size;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * Where the storage starts on the device.
     *
     * @return the device address of element 0
     * @throws IllegalStateException once closed
     */
    public long pointer() {
        if (closed) {
            throw new IllegalStateException("a CUDA storage of " + size + " floats was used after it was closed"
                    + " (a tensor made inside a TensorScope is used after the scope closed? keep it with"
                    + " scope.keep(tensor))");
        }
        return block.ptr();
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            backend.release(block);
        }
    }
}
