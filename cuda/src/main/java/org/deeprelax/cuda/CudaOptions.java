package org.deeprelax.cuda;

import java.nio.file.Path;

/**
 * How a {@link CudaBackend} computes.
 *
 * @param tf32 allow TF32 tensor cores in GEMM and convolution (off by default: plain fp32, as the contract
 *     tests' tolerances assume and as the benchmarks against PyTorch state)
 * @param deterministicConvolution use only the cuDNN convolution algorithms that cuDNN reports as
 *     deterministic (on by default, so two runs of a step give the same bits); when off, the fastest
 *     algorithm of any kind is taken
 * @param checkLabelsSynchronously check cross-entropy labels right after the forward, waiting for the
 *     device (4 bytes copied back), so a bad label throws {@link IllegalArgumentException} from the call as
 *     on the CPU; when false, the check is deferred to the next call that reads data back (read, sum, dot,
 *     norm2), which keeps a training step free of host synchronisation (needed for CUDA graph capture)
 * @param kernelCache directory of compiled kernels, or null for no disk cache
 */
public record CudaOptions(boolean tf32, boolean deterministicConvolution, boolean checkLabelsSynchronously,
                          Path kernelCache) {

    /**
     * The default options.
     *
     * @return plain fp32, deterministic convolutions, synchronous label checks, kernels cached under
     *     {@code ~/.cache/deeprelax/kernels}
     */
    public static CudaOptions defaults() {
        return new CudaOptions(false, true, true,
                Path.of(System.getProperty("user.home"), ".cache", "deeprelax", "kernels"));
    }

    /**
     * A copy with TF32 allowed or not.
     *
     * @param on whether TF32 is allowed
     * @return a copy with that setting
     */
    public CudaOptions withTf32(boolean on) {
        return new CudaOptions(on, deterministicConvolution, checkLabelsSynchronously, kernelCache);
    }

    /**
     * A copy that restricts convolutions to deterministic algorithms or not.
     *
     * @param on whether only deterministic convolution algorithms may be chosen
     * @return a copy with that setting
     */
    public CudaOptions withDeterministicConvolution(boolean on) {
        return new CudaOptions(tf32, on, checkLabelsSynchronously, kernelCache);
    }

    /**
     * A copy that checks labels synchronously or not.
     *
     * @param on whether labels are checked synchronously
     * @return a copy with that setting
     */
    public CudaOptions withSynchronousLabelCheck(boolean on) {
        return new CudaOptions(tf32, deterministicConvolution, on, kernelCache);
    }
}
