/**
 * The CUDA backend (to come): hand-written Foreign Function &amp; Memory bindings to the CUDA driver,
 * cuBLAS, cuDNN and NVRTC, a caching device allocator, and our own kernels compiled at run time, among
 * them the fused Langevin update of Entropy-SGD. It is found at run time through a service loader, so
 * no other module needs it to compile.
 */
package org.deeprelax.cuda;
