package org.deeprelax.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.deeprelax.core.ConvGeometry;
import org.deeprelax.core.cpu.CpuConv;
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
 * The CPU convolution kernels on layers of the paper's two image networks, batch 128: LeNet conv1
 * ({@code lenet}: {@code [128,1,28,28]}, 20 filters 5×5, stride 1, no padding), All-CNN-BN's first
 * layer ({@code allcnn}: {@code [128,3,32,32]}, 96 filters 3×3, stride 1, padding 1), its second
 * ({@code allcnn2}: 96 → 96 channels at 32×32) and its fifth ({@code allcnn5}: 192 → 192 at 16×16).
 * Forward, backward-data and backward-filter are timed separately, plus the forward algorithms on their
 * own ({@code forwardAlgo} with {@code algo} = {@code im2col}, {@code direct} or {@code winograd}, each
 * where it applies) to check {@link CpuConv#useDirect}'s and Winograd's choice whenever the GEMM
 * changes. Average time per call, milliseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class ConvBenchmark {

    /** Which first layer. */
    @Param({"lenet", "allcnn", "allcnn2", "allcnn5"})
    public String layer;

    private ConvGeometry g;
    private float[] x;
    private float[] w;
    private float[] y;
    private float[] dy;
    private float[] dx;
    private float[] dw;

    /** Builds the geometry and fills input, filters and output gradient with uniform noise. */
    @Setup
    public void setup() {
        g = switch (layer) {
            case "lenet" -> new ConvGeometry(128, 1, 28, 28, 20, 5, 5, 1, 1, 0, 0);
            case "allcnn" -> new ConvGeometry(128, 3, 32, 32, 96, 3, 3, 1, 1, 1, 1);
            case "allcnn2" -> new ConvGeometry(128, 96, 32, 32, 96, 3, 3, 1, 1, 1, 1);
            case "allcnn5" -> new ConvGeometry(128, 192, 16, 16, 192, 3, 3, 1, 1, 1, 1);
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        };
        SplittableRandom rnd = new SplittableRandom(42);
        x = noise(rnd, g.n() * g.c() * g.h() * g.w());
        w = noise(rnd, g.k() * g.c() * g.r() * g.s());
        dy = noise(rnd, g.n() * g.k() * g.p() * g.q());
        y = new float[dy.length];
        dx = new float[x.length];
        dw = new float[w.length];
    }

    private static float[] noise(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** {@link CpuConv#forward}, with its own choice of algorithm.
     * @return the output, so the call is not dead code */
    @Benchmark
    public float[] forward() {
        CpuConv.forward(g, x, 0, w, 0, y, 0);
        return y;
    }

    /** The forward algorithm {@link #forwardAlgo} times; a state of its own, so only that benchmark runs twice. */
    @State(Scope.Benchmark)
    public static class Algorithm {
        /** {@code im2col}, {@code direct} or {@code winograd}. */
        @Param({"im2col", "direct", "winograd"})
        public String algo;
    }

    /** The forward pass by the algorithm {@code algo} names; an algorithm that does not apply to the layer
     * (direct with stride 2, Winograd off 3×3 or with few channels) throws, and JMH reports that pair as failed.
     * @param a the algorithm
     * @return the output */
    @Benchmark
    public float[] forwardAlgo(Algorithm a) {
        switch (a.algo) {
            case "direct" -> CpuConv.forwardDirect(g, x, 0, w, 0, y, 0);
            case "winograd" -> CpuConv.forwardWinograd(g, x, 0, w, 0, y, 0);
            default -> CpuConv.forwardIm2col(g, x, 0, w, 0, y, 0);
        }
        return y;
    }

    /** {@link CpuConv#backwardData}.
     * @return the input gradient */
    @Benchmark
    public float[] backwardData() {
        CpuConv.backwardData(g, dy, 0, w, 0, dx, 0);
        return dx;
    }

    /** {@link CpuConv#backwardFilter}.
     * @return the filter gradient */
    @Benchmark
    public float[] backwardFilter() {
        CpuConv.backwardFilter(g, x, 0, dy, 0, dw, 0);
        return dw;
    }
}
