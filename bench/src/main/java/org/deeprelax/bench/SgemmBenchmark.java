package org.deeprelax.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.deeprelax.core.cpu.Sgemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time of one square single-precision matrix multiply {@code C = A·B} (n×n, row-major, no transposes,
 * beta = 0) with {@link Sgemm}, which uses every core. The rate is {@code 2n³ / time}: at n = 1024 a
 * score of 10 ms/op is 215 GFLOP/s. {@link SgemmReport} runs this benchmark and prints that rate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class SgemmBenchmark {

    /** The side of the square matrices. */
    @Param({"256", "512", "1024", "2048"})
    public int n;

    private float[] a;
    private float[] b;
    private float[] c;

    /** Fills A and B with uniform values in [-1, 1). */
    @Setup
    public void setUp() {
        SplittableRandom rnd = new SplittableRandom(42);
        a = new float[n * n];
        b = new float[n * n];
        c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
            b[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
    }

    /**
     * One multiply.
     *
     * @return C, so the work cannot be discarded
     */
    @Benchmark
    public float[] sgemm() {
        Sgemm.sgemm(false, false, n, n, n, 1f, a, 0, n, b, 0, n, 0f, c, 0, n);
        return c;
    }
}
