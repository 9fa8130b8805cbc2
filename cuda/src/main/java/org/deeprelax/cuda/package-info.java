/**
 * The CUDA backend: {@link org.deeprelax.cuda.CudaBackend} runs every {@link org.deeprelax.core.Backend}
 * primitive on one GPU through hand-written Foreign Function &amp; Memory bindings
 * ({@link org.deeprelax.cuda.bindings}) to the CUDA driver, cuBLAS, cuDNN and NVRTC, a caching device
 * allocator, and our own kernels ({@code kernels/*.cu} resources) compiled at run time, among them the fused
 * Langevin update of Entropy-SGD. It is found at run time through a service loader
 * ({@link org.deeprelax.cuda.CudaBackendProvider}), so no other module needs it to compile.
 */
package org.deeprelax.cuda;
