package org.deeprelax.bench;

import java.util.concurrent.TimeUnit;

import org.deeprelax.core.Backends;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.models.Models;
import org.deeprelax.optim.EntropySgd;
import org.deeprelax.optim.Momentum;
import org.deeprelax.optim.Optimizer;
import org.deeprelax.optim.Scoping;
import org.deeprelax.optim.Sgd;
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
 * One training step of each network at batch 128 on the CPU, in training mode with dropout and
 * batch-norm on: an SGD step (forward, backward, fused Nesterov update) and an Entropy-SGD step of
 * {@link #innerSteps} inner steps (each a forward, a backward and the fused Langevin update) plus its
 * outer update. Seconds per epoch = time per SGD step × steps per epoch: 62 for MNIST-10k's 8,000
 * digits, 468 for MNIST or Fashion-MNIST's 60,000, 390 for CIFAR-10's 50,000.
 *
 * <p>{@code bench/cpu-vs-pytorch.py} runs this beside PyTorch; the thread count is the system property
 * {@code deeprelax.threads} (default: every core).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector"})
public class TrainStepBenchmark {

    /** The network. */
    @Param({"mnistfc", "lenet", "allcnn"})
    public String model;

    /** L of {@link #entropySgdStep}: its score divided by L is the time of one inner step. */
    @Param({"20"})
    public int innerSteps;

    private Model net;
    private Sgd sgd;
    private EntropySgd entropySgd;
    private Tensor images;
    private Tensor labels;

    /** Builds the model and a batch of random images and labels. */
    @Setup
    public void setup() {
        net = Model.build(model, Models.create(model), Backends.cpu(), 1);
        sgd = Sgd.defaults().lr(0.01f).momentum(Momentum.nesterov(0.9f)).build().create(net.parameters());
        // The reference code's inner loop (Nesterov momentum on the raw gradient, then coupling and noise),
        // as the Entropy-SGD recipe of deeprelax train runs it.
        entropySgd = EntropySgd.printed().lr(0.01f).innerSteps(innerSteps).innerLr(0.1f)
                .scoping(new Scoping(1e-4f, 1e-3f)).noise(1e-4f).noiseConvention(EntropySgd.Noise.CODE).alpha(0.25f)
                .innerMomentum(Momentum.nesterov(0.9f)).momentumPlacement(MomentumPlacement.GRADIENT)
                .resetInnerMomentum(true).build().create(net.parameters());
        int[] in = Models.inputShape(model);
        images = Tensor.normal(Backends.cpu(), Shape.of(128, in[0], in[1], in[2]), 0, 1, 2, 0);
        float[] y = new float[128];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 10;
        }
        labels = Tensor.of(y, 128);
    }

    /** @return the loss, so the step is not optimised away */
    @Benchmark
    public float step() {
        return step(sgd);
    }

    /** @return the loss of the last inner step; the score covers all {@link #innerSteps} of them */
    @Benchmark
    public float entropySgdStep() {
        return step(entropySgd);
    }

    private float step(Optimizer optimizer) {
        return optimizer.step(evaluation -> {
            Tensor loss = Softmax.crossEntropy(net.forward(images), labels);
            loss.backward();
            return loss;
        });
    }
}
