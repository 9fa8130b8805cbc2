package org.deeprelax.bench;

import java.util.concurrent.TimeUnit;
import org.deeprelax.core.Backend;
import org.deeprelax.core.Backends;
import org.deeprelax.core.BinaryOp;
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
 * A broadcast binary operation on the CPU and its gradient's reduction: a per-channel bias
 * {@code [1, C, 1, 1]} added to LeNet's convolution outputs at batch 128, and those outputs summed back
 * to the bias's shape (its gradient), {@code conv1} = {@code [128,20,24,24]} and {@code conv2} =
 * {@code [128,50,8,8]}, whose rows (24 and 8 floats) are shorter than a vector unless the backend merges
 * the axes the operands step through alike. Average time per call, milliseconds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 8, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class ElementwiseBenchmark {

    /** Which output. */
    @Param({"conv1", "conv2"})
    public String layer;

    private final Backend cpu = Backends.cpu();
    private Tensor x;
    private Tensor bias;
    private Tensor out;

    /** Fills the activations and the bias with noise. */
    @Setup
    public void setup() {
        Shape s = switch (layer) {
            case "conv1" -> Shape.of(128, 20, 24, 24);
            case "conv2" -> Shape.of(128, 50, 8, 8);
            default -> throw new IllegalArgumentException("unknown layer " + layer);
        };
        x = Tensor.normal(cpu, s, 0, 1, 1, 0);
        bias = Tensor.normal(cpu, Shape.of(1, s.dim(1), 1, 1), 0, 1, 1, 1);
        out = Tensor.zeros(cpu, s);
    }

    /** out = x + bias, the bias broadcast over batch and space. */
    @Benchmark
    public Tensor addBias() {
        cpu.binary(BinaryOp.ADD, x, bias, out);
        return out;
    }

    /** bias gradient = x summed over batch and space, as the convolution's backward pass takes it.
     * @return the sums */
    @Benchmark
    public Tensor biasGradient() {
        cpu.reduceSum(x, bias);
        return bias;
    }
}
