package org.deeprelax.cuda;

import org.deeprelax.core.Backend;
import org.deeprelax.core.BackendContractTest;
import org.junit.jupiter.api.BeforeEach;

/** The core's backend contract, unchanged, on the GPU; skipped with the reason where there is none. */
class CudaBackendTest extends BackendContractTest {

    @BeforeEach
    void needsGpu() {
        Gpu.backend();
    }

    @Override
    protected Backend backend() {
        return Gpu.backend();
    }

    /** cuBLAS and cuDNN sum in other orders than the float64 reference; fp32 (TF32 off) stays within 1e-4. */
    @Override
    protected double forwardTolerance() {
        return 1e-4;
    }
}
