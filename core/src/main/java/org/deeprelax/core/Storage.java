package org.deeprelax.core;

/**
 * A block of float32 elements owned by one backend: a Java array for the CPU, device memory for CUDA.
 * Tensors are views (offset, shape) into a storage, so many tensors may share one: a model's parameters
 * all live in a single storage, the flat arena.
 */
public interface Storage extends AutoCloseable {

    /**
     * Returns the backend that owns this storage and runs every operation on it.
     *
     * @return the backend that owns this storage and runs every operation on it
     */
    Backend backend();

    /**
     * Returns the number of float32 elements.
     *
     * @return the number of float32 elements
     */
    int size();

    /**
     * Gives the memory back to the backend now, for later allocations to reuse. Tensors viewing it must
     * not be used afterwards; the backends refuse them with a clear error. Closing twice does nothing.
     * {@link TensorScope} calls this for the storages made inside it.
     */
    @Override
    void close();
}
