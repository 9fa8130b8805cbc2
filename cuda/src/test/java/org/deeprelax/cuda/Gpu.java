package org.deeprelax.cuda;

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
                System.out.println("GPU tests run on " + backend.name() + ": " + backend.deviceName());
            } catch (RuntimeException | LinkageError e) {
                missing = "no usable GPU: " + e.getMessage();
                System.out.println("GPU tests skipped: " + missing);
            }
        }
        Assumptions.assumeTrue(backend != null, () -> missing);
        return backend;
    }
}
