package org.deeprelax.cuda;

import org.deeprelax.core.Backend;
import org.deeprelax.core.BackendProvider;

/** Registers the CUDA backend with {@link org.deeprelax.core.Backends} under the name {@code cuda}. */
public final class CudaBackendProvider implements BackendProvider {

    /** Creates the provider (ServiceLoader needs a public no-argument constructor). */
    public CudaBackendProvider() {
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Backend create(int device) {
        return new CudaBackend(device);
    }
}
