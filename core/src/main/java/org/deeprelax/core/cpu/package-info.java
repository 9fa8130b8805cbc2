/**
 * The pure-Java CPU backend: kernel families over plain float arrays (elementwise and strided copies,
 * reductions, integer indexing, GEMM, convolution, pooling, softmax, batch-norm, layer-norm, the fused
 * optimizer updates), vectorised with the Vector API and spread over the machine's cores.
 */
package org.deeprelax.core.cpu;
