/**
 * DeepRelax's benchmarks and reference measurements.
 *
 * <p>This module holds the JMH benchmarks of the engine's kernels and training step (SGEMM with
 * {@link org.deeprelax.bench.SgemmReport} printing GFLOP/s, convolution, pooling, elementwise, the fused
 * Langevin step, a whole training step), packaged by {@code mvn -pl bench -am package} as the runnable
 * {@code bench/target/benchmarks.jar}. Beside the Java code, {@code bench/python/} holds the reference
 * scripts that time the same work in numpy (OpenBLAS) and PyTorch, {@code bench/*.sh} the scripts that
 * run both sides in one sitting and the GPU machine's check script, and {@code bench/experiments/} the
 * script behind {@code docs/results.md}.
 */
package org.deeprelax.bench;
