package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Backends;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.data.Batch;
import org.deeprelax.nn.data.BatchLoader;
import org.deeprelax.nn.data.Dataset;
import org.deeprelax.nn.data.Datasets;
import org.deeprelax.nn.data.Split;
import org.deeprelax.nn.models.Models;
import org.deeprelax.optim.Momentum;
import org.deeprelax.optim.Sgd;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * mnistfc on MNIST-10k, the GPU against the CPU, with the reference recipe's SGD (learning rate 0.1,
 * Nesterov momentum 0.9) and the same seed: both draw the same initial weights, shuffles and dropout masks
 * from Philox, so they differ only in how their kernels round. That difference does not stay small along a
 * trajectory: two correct backends diverge chaotically, about tenfold every step or two once it starts.
 * So the claims are the ones that hold (GPU only; the bounds were measured on the CPU with a rounding-level
 * perturbation of the weights, 2 ulp, standing in for the GPU's other summation orders):
 *
 * <ol>
 *   <li>the first five steps agree tightly: loss within 1e-5 relative at step 0 (identical weights: only
 *       summation order differs) and 1e-4 over steps 0-4 (the stand-in stayed below 8e-7 for 8 steps and
 *       reached 2e-5 to 1.5e-3 at step 9 or 10);</li>
 *   <li>every step's gradient from identical parameters (the CPU's, copied to the GPU before each step)
 *       agrees: loss to 1e-5 relative; gradient to 1e-4 relative (2-norm) at nine steps in ten and to
 *       1e-3 at every step. The stand-in gave 5e-7 to 1e-6 typically, but up to 5.2e-4 at one or two steps
 *       of 62: a hidden unit whose pre-activation lies within rounding of zero switches its ReLU, and moves
 *       that unit's weight gradient for one example; 1e-4 at every step is not a property of two correct
 *       backends;</li>
 *   <li>after one epoch (62 steps) run independently, the validation errors on the 2,000 test digits are
 *       within 3 percentage points of each other and both below 12 % (the stand-in's pairs differed by up
 *       to 1.05 points, around 8 %).</li>
 * </ol>
 */
class MnistFcGpuTest {

    private static final long SEED = 20260101;
    private static final int BATCH = 128;

    private Split data;

    @BeforeEach
    void needsGpuAndData() throws IOException {
        Gpu.backend();
        // From the repository root (the GPU check) or from the module directory (Maven).
        Path dir = Files.isDirectory(Path.of("data/mnist-10k")) ? Path.of("data/mnist-10k") : Path.of("../data/mnist-10k");
        Assumptions.assumeTrue(Files.isDirectory(dir), "data/mnist-10k not found from " + Path.of("").toAbsolutePath());
        data = Datasets.mnist(dir);
    }

    /** One network, its optimizer and its batches, on one backend. */
    private record Run(Model model, Sgd sgd, Iterator<Batch> batches) {
        static Run on(Backend backend, Dataset train) {
            Model m = Model.build("mnistfc", Models.mnistfc(0.2f), backend, SEED);
            BatchLoader loader = new BatchLoader(train, backend, BATCH, SEED, BatchLoader.LastBatch.DROP);
            Sgd sgd = Sgd.defaults().lr(0.1f).momentum(Momentum.nesterov(0.9f)).weightDecay(1e-3f).build()
                    .create(m.parameters());
            return new Run(m, sgd, loader.epoch(0).iterator());
        }

        Tensor loss(Batch b) {
            Tensor loss = Softmax.crossEntropy(model.forward(b.images()), b.labels());
            loss.backward();
            return loss;
        }

        /** One SGD step on the next batch; the gradient arena keeps the gradient it stepped with. */
        float step() {
            Batch b = batches.next();
            return sgd.step(evaluation -> loss(b));
        }
    }

    private static double relative(float[] value, float[] reference) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < value.length; i++) {
            double d = (double) value[i] - reference[i];
            num += d * d;
            den += (double) reference[i] * reference[i];
        }
        return Math.sqrt(num / den);
    }

    private static double validationErrorPercent(Model model, Dataset test) {
        model.eval();
        BatchLoader loader = new BatchLoader(test, model.backend(), 500, SEED, BatchLoader.LastBatch.PARTIAL);
        int wrong = 0;
        for (Batch b : loader.inOrder()) {
            float[] logits = model.forward(b.images()).toArray();
            float[] labels = b.labels().toArray();
            int classes = logits.length / b.size();
            for (int i = 0; i < b.size(); i++) {
                int best = 0;
                for (int k = 1; k < classes; k++) {
                    best = logits[i * classes + k] > logits[i * classes + best] ? k : best;
                }
                wrong += best == (int) labels[i] ? 0 : 1;
            }
        }
        model.train();
        return 100.0 * wrong / test.size();
    }

    @Test
    void theFirstFiveStepsAgreeTightly() {
        Run cpu = Run.on(Backends.cpu(), data.train());
        Run gpu = Run.on(Gpu.backend(), data.train());
        assertArrayEquals(cpu.model().parameters().values().toArray(), gpu.model().parameters().values().toArray(),
                "initial weights: the same Philox draws, bit for bit");
        List<String> seen = new ArrayList<>();
        for (int step = 0; step < 5; step++) {
            float c = cpu.step();
            float g = gpu.step();
            double rel = Math.abs(g - c) / Math.abs(c);
            seen.add(String.format("%.1e", rel));
            assertTrue(rel <= (step == 0 ? 1e-5 : 1e-4), "loss at step " + step + ": CPU " + c + ", GPU " + g
                    + " (relative differences so far " + seen + ")");
        }
        System.out.println("mnistfc, first five steps, relative loss difference GPU vs CPU: " + seen);
    }

    @Test
    void everyStepsGradientFromIdenticalParametersAgrees() {
        Run cpu = Run.on(Backends.cpu(), data.train());
        Run gpu = Run.on(Gpu.backend(), data.train());
        Backend device = gpu.model().backend();
        int steps = 0;
        int within1e4 = 0;
        double worst = 0;
        while (cpu.batches().hasNext()) {
            // The GPU takes the CPU's weights and batch-norm averages; both are at the same forward count,
            // so their dropout masks agree too.
            device.write(cpu.model().parameters().values().toArray(), 0, gpu.model().parameters().values());
            device.write(cpu.model().buffers().toArray(), 0, gpu.model().buffers());
            Batch b = gpu.batches().next();
            gpu.model().parameters().zeroGrad();
            float g = gpu.loss(b).item();
            float c = cpu.step();
            assertEquals(c, g, 1e-5 * Math.abs(c), "loss from identical parameters at step " + steps);
            double rel = relative(gpu.model().parameters().grads().toArray(),
                    cpu.model().parameters().grads().toArray());
            assertTrue(rel <= 1e-3, "gradient from identical parameters at step " + steps + ": relative " + rel);
            within1e4 += rel <= 1e-4 ? 1 : 0;
            worst = Math.max(worst, rel);
            steps++;
        }
        System.out.printf("mnistfc gradients from identical parameters, %d steps: %d within 1e-4, worst %.2e%n",
                steps, within1e4, worst);
        assertTrue(within1e4 >= 0.9 * steps, within1e4 + " of " + steps + " steps within 1e-4 (worst " + worst + ")");
    }

    @Test
    void afterOneEpochBothReachValidationErrorsWithinABand() {
        Run cpu = Run.on(Backends.cpu(), data.train());
        Run gpu = Run.on(Gpu.backend(), data.train());
        while (cpu.batches().hasNext()) {
            cpu.step();
            gpu.step();
        }
        double c = validationErrorPercent(cpu.model(), data.test());
        double g = validationErrorPercent(gpu.model(), data.test());
        System.out.printf("mnistfc after one epoch: validation error CPU %.2f %%, GPU %.2f %%%n", c, g);
        assertTrue(c < 12 && g < 12, "both train: CPU " + c + " %, GPU " + g + " %");
        assertEquals(c, g, 3.0, "validation errors (percent) of CPU and GPU");
    }
}
