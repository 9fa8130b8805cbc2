/**
 * The pure-Java CPU backend: kernel families over plain float arrays (elementwise, reductions, GEMM,
 * convolution, pooling, softmax, batch-norm), vectorised with the Vector API and spread over the
 * machine's cores.
 */
package org.deeprelax.core.cpu;
