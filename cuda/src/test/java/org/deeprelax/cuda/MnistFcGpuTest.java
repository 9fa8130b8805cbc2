package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Backends;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.data.Batch;
import org.deeprelax.nn.data.BatchLoader;
import org.deeprelax.nn.data.Datasets;
import org.deeprelax.nn.data.Split;
import org.deeprelax.nn.models.Models;
import org.deeprelax.optim.Momentum;
import org.deeprelax.optim.Sgd;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * mnistfc trained one epoch on MNIST-10k with the same seed on the GPU and on the CPU: the losses agree to
 * 1e-3 at every step (dropout masks and shuffles come from Philox, so both runs see the same numbers; only
 * summation orders differ). Skipped without a GPU.
 */
class MnistFcGpuTest {

    static Path mnistDir() {
        for (Path p : List.of(Path.of("data/mnist-10k"), Path.of("../data/mnist-10k"))) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        return null;
    }

    static List<Float> epoch(Backend backend, Split data) {
        long seed = 20260101;
        Model model = Model.build("mnistfc", Models.mnistfc(0.2f), backend, seed);
        Sgd sgd = Sgd.defaults().lr(0.1f).momentum(Momentum.nesterov(0.9f)).weightDecay(1e-3f).build()
                .create(model.parameters());
        BatchLoader loader = new BatchLoader(data.train(), backend, 128, seed, BatchLoader.LastBatch.DROP);
        List<Float> losses = new ArrayList<>();
        for (Batch b : loader.epoch(0)) {
            losses.add(sgd.step(evaluation -> {
                Tensor loss = Softmax.crossEntropy(model.forward(b.images()), b.labels());
                loss.backward();
                return loss;
            }));
        }
        return losses;
    }

    @Test
    void oneEpochOnGpuAndCpuGivesTheSameLosses() throws Exception {
        CudaBackend gpu = Gpu.backend();
        Path dir = mnistDir();
        Assumptions.assumeTrue(dir != null, "data/mnist-10k not found from " + Path.of("").toAbsolutePath());
        Split data = Datasets.mnist(dir);
        List<Float> cpu = epoch(Backends.cpu(), data);
        List<Float> dev = epoch(gpu, data);
        assertEquals(cpu.size(), dev.size());
        double worst = 0;
        for (int i = 0; i < cpu.size(); i++) {
            double diff = Math.abs(cpu.get(i) - dev.get(i));
            worst = Math.max(worst, diff);
            assertEquals(cpu.get(i), dev.get(i), 1e-3, "loss at step " + i);
        }
        System.out.println("mnistfc one epoch, " + cpu.size() + " steps: final loss CPU " + cpu.getLast() + ", GPU "
                + dev.getLast() + ", worst step difference " + worst);
    }
}
