package org.deeprelax.bench;

import java.util.concurrent.TimeUnit;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Backends;
import org.deeprelax.core.update.LangevinStep;
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
 * The fused Entropy-SGD inner step on the CPU against its memory floor. The step reads g, x, y, m, μ
 * and writes y, m, μ: 32 bytes a parameter. The floor moves the same 32 bytes a parameter as four
 * parallel copies (4 reads + 4 writes of 4 bytes), so the ratio of the two times is how far the fused
 * pass (with its Philox noise drawn in the pass) is from pure memory traffic.
 *
 * <p>Sizes: 0.26 M, 1.4 M and 1.9 M parameters (about LeNet ×2, the Langevin update measured on the GPU,
 * and mnistfc). Parameters per second = size / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class LangevinBenchmark {

    /** Parameters in the arena. */
    @Param({"262144", "1400000", "1900000"})
    public int size;

    private final Backend cpu = Backends.cpu();
    private Tensor y, g, x, m, mu;
    private Tensor[] src, dst;
    private LangevinStep step;
    private long counter;

    /** Allocates and fills the arenas. */
    @Setup
    public void setup() {
        Shape s = Shape.of(size);
        y = Tensor.normal(cpu, s, 0, 1, 1, 0);
        g = Tensor.normal(cpu, s, 0, 1, 1, 1);
        x = Tensor.normal(cpu, s, 0, 1, 1, 2);
        m = Tensor.normal(cpu, s, 0, 1, 1, 3);
        mu = Tensor.normal(cpu, s, 0, 1, 1, 4);
        src = new Tensor[] {Tensor.zeros(cpu, s), Tensor.zeros(cpu, s), Tensor.zeros(cpu, s), Tensor.zeros(cpu, s)};
        dst = new Tensor[] {Tensor.zeros(cpu, s), Tensor.zeros(cpu, s), Tensor.zeros(cpu, s), Tensor.zeros(cpu, s)};
        step = new LangevinStep(0.1f, 1e-4f, 1e-3f / (float) Math.sqrt(0.05), 0.25f, 0.9f, true, 0f,
                LangevinStep.MomentumPlacement.GRADIENT);
    }

    /** One fused inner step with Nesterov momentum and noise, as the Entropy-SGD recipe runs it. */
    @Benchmark
    public void fusedInnerStep() {
        cpu.updates().langevin(step, y, g, x, m, mu, 7, 11, counter);
        counter += size;
    }

    /** The memory floor: 32 bytes a parameter moved by parallel copies. */
    @Benchmark
    public void copySameBytes() {
        for (int i = 0; i < 4; i++) {
            cpu.copy(src[i], dst[i]);
        }
    }
}
