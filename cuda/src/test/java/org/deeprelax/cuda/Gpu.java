package org.deeprelax.cuda;

import org.deeprelax.cuda.bindings.Cublas;
import org.deeprelax.cuda.bindings.Cudnn;
import org.deeprelax.cuda.bindings.Driver;
import org.deeprelax.cuda.bindings.Nvrtc;
import org.junit.jupiter.api.Assumptions;

/**
 * The one CUDA backend the GPU tests share, opened on first use. Where no GPU, driver or library is found,
 * {@link #backend()} skips the calling test with the reason (which library, where it looked), printed once.
 */
final class Gpu {

    private static CudaBackend backend;
    private static String missing;

    private Gpu() {
    }

    /** @return the shared backend; skips the test (JUnit assumption) when there is none */
    static synchronized CudaBackend backend() {
        if (backend == null && missing == null) {
            try {
                backend = new CudaBackend(0);
                // bench/gpu-check.sh looks for this line: the backend opened.
                System.out.println("GPU tests run on " + backend.name() + ": " + backend.deviceName());
                System.out.println("  driver " + Driver.get().libraryPath() + ", CUDA " + Driver.get().driverVersion());
                System.out.println("  cuBLAS " + Cublas.get().libraryPath());
                System.out.println("  cuDNN " + Cudnn.get().libraryPath() + ", version " + Cudnn.get().version());
                int[] v = Nvrtc.get().version();
                System.out.println("  NVRTC " + Nvrtc.get().libraryPath() + ", version " + v[0] + "." + v[1]);
            } catch (RuntimeException | LinkageError e) {
                missing = "no usable GPU: " + e.getMessage();
                // bench/gpu-check.sh looks for this line: the backend did not open, and why.
                System.out.println("GPU tests skipped: " + missing);
            }
        }
        Assumptions.assumeTrue(backend != null, () -> missing);
        return backend;
    }
}
