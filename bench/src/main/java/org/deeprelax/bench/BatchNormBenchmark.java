package org.deeprelax.bench;

import java.util.concurrent.TimeUnit;
import org.deeprelax.core.Backend;
import org.deeprelax.core.Backends;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
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
 * Training-mode batch-norm on the CPU at batch 128, forward and backward, on one layer of each network:
 * {@code allcnn} = All-CNN-BN's first, {@code [128,96,32,32]}; {@code lenet} = LeNet's first,
 * {@code [128,20,8,8]}; {@code mnistfc} = mnistfc's, {@code [128,1024]} (one value a channel per image).
 * Average time per call, milliseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class BatchNormBenchmark {

    /** Which layer. */
    @Param({"allcnn", "lenet", "mnistfc"})
    public String layer;

    private final Backend cpu = Backends.cpu();
    private Tensor x;
    private Tensor dy;
    private Tensor y;
    private Tensor dx;
    private Tensor gamma;
    private Tensor beta;
    private Tensor runningMean;
    private Tensor runningVar;
    private Tensor saveMean;
    private Tensor saveInvStd;
    private Tensor dgamma;
    private Tensor dbeta;

    /** Fills input, output gradient and the affine parameters with noise, and runs the forward pass once. */
    @Setup
    public void setup() {
        Shape s = switch (layer) {
            case "allcnn" -> Shape.of(128, 96, 32, 32);
            case "lenet" -> Shape.of(128, 20, 8, 8);
            case "mnistfc" -> Shape.of(128, 1024);
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        };
        Shape channels = Shape.of(s.dim(1));
        x = Tensor.normal(cpu, s, 0.5f, 2, 1, 0);
        dy = Tensor.normal(cpu, s, 0, 1, 1, 1);
        y = Tensor.zeros(cpu, s);
        dx = Tensor.zeros(cpu, s);
        gamma = Tensor.normal(cpu, channels, 1, 0.1f, 1, 2);
        beta = Tensor.normal(cpu, channels, 0, 0.1f, 1, 3);
        runningMean = Tensor.zeros(cpu, channels);
        runningVar = Tensor.zeros(cpu, channels);
        saveMean = Tensor.zeros(cpu, channels);
        saveInvStd = Tensor.zeros(cpu, channels);
        dgamma = Tensor.zeros(cpu, channels);
        dbeta = Tensor.zeros(cpu, channels);
        forward();                      // the batch statistics that backward reads
    }

    /** @return the output */
    @Benchmark
    public Tensor forward() {
        cpu.batchNormForwardTraining(x, gamma, beta, 1e-5f, 0.1f, runningMean, runningVar, y, saveMean, saveInvStd);
        return y;
    }

    /** @return the input gradient */
    @Benchmark
    public Tensor backward() {
        cpu.batchNormBackward(x, dy, gamma, saveMean, saveInvStd, 1e-5f, dx, dgamma, dbeta);
        return dx;
    }
}
