package org.deeprelax.core.cpu;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Storage;

/**
 * CPU storage: a Java float array. {@link #close()} gives the array to the backend's
 * {@link CpuArrayCache} for the next storage of its length; the storage refuses use from then on.
 */
final class CpuStorage implements Storage {

    private final CpuArrayCache cache;
    private final int size;
    private float[] data;

    CpuStorage(CpuArrayCache cache, int size) {
        this.cache = cache;
        this.size = size;
        this.data = cache.take(size);
    }

    /**
     * The array.
     *
     * @throws IllegalStateException once closed
     */
    float[] data() {
        float[] d = data;
        if (d == null) {
            throw new IllegalStateException("cpu: a storage of " + size + " floats was used after it was closed"
                    + " (a tensor made inside a TensorScope is used after the scope closed? keep it with"
                    + " scope.keep(tensor))");
        }
        return d;
    }

    @Override
    public Backend backend() {
        return CpuBackend.INSTANCE;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void close() {
        float[] d = data;
        if (d != null) {
            data = null;
            cache.give(d);
        }
    }
}
