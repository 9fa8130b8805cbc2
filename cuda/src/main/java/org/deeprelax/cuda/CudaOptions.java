package org.deeprelax.cuda;

import java.nio.file.Path;

/**
 * How a {@link CudaBackend} computes.
 *
 * @param tf32 allow TF32 tensor cores in GEMM and convolution (off by default: plain fp32, as the contract
 *     tests' tolerances assume and as the benchmarks against PyTorch state)
 * @param checkLabelsSynchronously check cross-entropy labels right after the forward, waiting for the
 *     device (4 bytes copied back), so a bad label throws {@link IllegalArgumentException} from the call as
 *     on the CPU; when false, the check is deferred to the next call that reads data back (read, sum, dot,
 *     norm2), which keeps a training step free of host synchronisation (needed for CUDA graph capture)
 * @param kernelCache directory of compiled kernels, or null for no disk cache
 */
public record CudaOptions(boolean tf32, boolean checkLabelsSynchronously, Path kernelCache) {

    /** @return plain fp32, synchronous label checks, cache under {@code ~/.cache/deeprelax/kernels} */
    public static CudaOptions defaults() {
        return new CudaOptions(false, true, Path.of(System.getProperty("user.home"), ".cache", "deeprelax", "kernels"));
    }

    /** @param on whether TF32 is allowed @return a copy with that setting */
    public CudaOptions withTf32(boolean on) {
        return new CudaOptions(on, checkLabelsSynchronously, kernelCache);
    }

    /** @param on whether labels are checked synchronously @return a copy with that setting */
    public CudaOptions withSynchronousLabelCheck(boolean on) {
        return new CudaOptions(tf32, on, kernelCache);
    }
}
