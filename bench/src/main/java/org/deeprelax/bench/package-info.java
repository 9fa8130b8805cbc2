/**
 * DeepRelax's benchmarks and reference measurements.
 *
 * <p>This module holds the JMH benchmarks of the engine's kernels ({@link org.deeprelax.bench.SgemmBenchmark}
 * for the CPU matrix multiply, with {@link org.deeprelax.bench.SgemmReport} printing GFLOP/s), packaged
 * by {@code mvn -pl bench -am package} as the runnable {@code bench/target/benchmarks.jar}. Beside the
 * Java code, {@code bench/python/} holds reference scripts timing the same operations in other
 * libraries (numpy's OpenBLAS now; PyTorch reference scripts are to come), and {@code bench/*.sh}
 * scripts run both sides in one sitting and compare them. A check script for the GPU machine is to
 * come as well.
 */
package org.deeprelax.bench;
