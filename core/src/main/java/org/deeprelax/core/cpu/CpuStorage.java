package org.deeprelax.core.cpu;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Storage;

/** CPU storage: a Java float array. Closing it is a no-op; the garbage collector owns host memory. */
final class CpuStorage implements Storage {

    final float[] data;

    CpuStorage(int size) {
        this.data = new float[size];
    }

    @Override
    public Backend backend() {
        return CpuBackend.INSTANCE;
    }

    @Override
    public int size() {
        return data.length;
    }

    @Override
    public void close() {
        // Host arrays are reclaimed by the garbage collector; nothing to release eagerly.
    }
}
