package org.deeprelax.cuda;

import org.deeprelax.core.Backend;
import org.deeprelax.core.FusedUpdatesContractTest;
import org.junit.jupiter.api.BeforeEach;

/** The core's fused-update contract, unchanged, on the GPU; skipped with the reason where there is none. */
class CudaFusedUpdatesTest extends FusedUpdatesContractTest {

    @BeforeEach
    void needsGpu() {
        Gpu.backend();
    }

    @Override
    protected Backend backend() {
        return Gpu.backend();
    }
}
