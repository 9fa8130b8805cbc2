package org.deeprelax.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.deeprelax.core.PoolGeometry;
import org.deeprelax.core.cpu.CpuPool;
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
 * CPU max pooling on LeNet's two pooling layers at batch 128: {@code pool1}, 3×3 stride 3 over
 * {@code [128,20,24,24]}, and {@code pool2}, 2×2 stride 2 over {@code [128,50,8,8]} (windows that tile
 * the input, the vectorised path), beside {@code overlap}, 3×3 stride 2 over {@code [128,20,24,24]}
 * (the general path). Forward and backward, average time per call, milliseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class PoolBenchmark {

    /** Which layer. */
    @Param({"pool1", "pool2", "overlap"})
    public String layer;

    private PoolGeometry g;
    private float[] x;
    private float[] y;
    private float[] dy;
    private float[] dx;

    /** Builds the geometry, fills the input with noise and runs the forward pass once for y. */
    @Setup
    public void setup() {
        g = switch (layer) {
            case "pool1" -> new PoolGeometry(128, 20, 24, 24, 3, 3, 3, 3, 0, 0);
            case "pool2" -> new PoolGeometry(128, 50, 8, 8, 2, 2, 2, 2, 0, 0);
            case "overlap" -> new PoolGeometry(128, 20, 24, 24, 3, 3, 2, 2, 0, 0);
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        };
        SplittableRandom rnd = new SplittableRandom(7);
        x = new float[g.n() * g.c() * g.h() * g.w()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        y = new float[g.n() * g.c() * g.p() * g.q()];
        dy = new float[y.length];
        for (int i = 0; i < dy.length; i++) {
            dy[i] = (float) rnd.nextGaussian();
        }
        dx = new float[x.length];
        CpuPool.maxForward(g, x, 0, y, 0);
    }

    /** Max pooling forward. */
    @Benchmark
    public float[] forward() {
        CpuPool.maxForward(g, x, 0, y, 0);
        return y;
    }

    /** Max pooling backward (the window's first max cell found again from x and y). */
    @Benchmark
    public float[] backward() {
        CpuPool.maxBackward(g, x, 0, y, 0, dy, 0, dx, 0);
        return dx;
    }
}
