package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.deeprelax.core.Backends;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.nn.Evaluation;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.data.Batch;
import org.deeprelax.nn.data.BatchLoader;
import org.deeprelax.nn.data.Dataset;
import org.deeprelax.nn.data.Datasets;
import org.deeprelax.nn.data.Split;
import org.deeprelax.nn.models.Models;
import org.deeprelax.optim.EntropySgd;
import org.deeprelax.optim.LearningRateSchedule;
import org.deeprelax.optim.Momentum;
import org.deeprelax.optim.Recipe;
import org.deeprelax.optim.Sgd;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop on a slice of MNIST-10k: exact resume, divergence handling, and what it writes. */
class TrainerTest {

    private static Split small;

    /** @return 512 training and 256 test digits of MNIST-10k, loaded once */
    static synchronized Split small() throws Exception {
        if (small == null) {
            Split all = Datasets.mnist(DataSource.mnist10kDir());
            small = new Split(slice(all.train(), 512), slice(all.test(), 256));
        }
        return small;
    }

    static Dataset slice(Dataset d, int n) {
        int size = d.exampleSize();
        return new Dataset(d.name() + "[:" + n + "]", Arrays.copyOf(d.images(), n * size),
                Arrays.copyOf(d.labels(), n), d.channels(), d.height(), d.width(), d.numClasses());
    }

    static TrainConfig config(String model, int epochs, String schedule) {
        return new TrainConfig(model, "mnist-10k", "sgd", epochs, 64, schedule, 5, "cpu", false,
                Sgd.defaults().lr(LearningRateSchedule.parse(schedule).at(1)).momentum(Momentum.nesterov(0.9f)).build(), 1, 1);
    }

    /** Entropy-SGD with the recipe's conventions but L = 3, so a test epoch stays short. */
    static TrainConfig entropySgd(int epochs) {
        EntropySgd.Settings r = (EntropySgd.Settings) Recipe.of("lenet", "entropy-sgd").settings();
        return new TrainConfig("lenet", "mnist-10k", "entropy-sgd", epochs, 64, "1:1,2:0.1", 5, "cpu", true,
                r.toBuilder().innerSteps(3).build(), 1, 1);
    }

    /** An optimizer's recipe on mnistfc, with a short schedule. */
    static TrainConfig recipe(String optimizer, int epochs) {
        Recipe r = Recipe.of("mnistfc", optimizer);
        return new TrainConfig("mnistfc", "mnist-10k", optimizer, epochs, 64, r.schedule().toString(), 5, "cpu",
                r.reestimateBatchNorm(), r.settings(), 1, 1);
    }

    static List<EpochMetrics> train(TrainConfig c, Path dir, boolean resume) throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        try (RunFiles files = RunFiles.claim(dir, "--out", resume ? RunFiles.Claim.RESUME : RunFiles.Claim.FRESH)) {
            return new Trainer(c, small(), Backends.cpu(), files, quiet, false)
                    .run(resume ? StateFile.read(files.checkpoint()) : null);
        }
    }

    static void assertSameNumbers(EpochMetrics a, EpochMetrics b) {
        assertEquals(a.epoch(), b.epoch());
        assertEquals(a.trainLoss(), b.trainLoss(), 0.0, "train loss, epoch " + a.epoch());
        assertEquals(a.trainError(), b.trainError(), 0.0);
        assertEquals(a.validationLoss(), b.validationLoss(), 0.0);
        assertEquals(a.validationError(), b.validationError(), 0.0);
    }

    @Test
    @Tag("reliability")
    void resumedRunEndsWithExactlyTheNumbersOfTheUninterruptedOne(@TempDir Path tmp) throws Exception {
        String schedule = "1:0.1,3:0.01";
        List<EpochMetrics> whole = train(config("lenet", 3, schedule), tmp.resolve("whole"), false);
        train(config("lenet", 2, schedule), tmp.resolve("split"), false);
        List<EpochMetrics> resumed = train(config("lenet", 3, schedule), tmp.resolve("split"), true);
        assertEquals(3, resumed.size());
        for (int i = 0; i < 3; i++) {
            assertSameNumbers(whole.get(i), resumed.get(i));
        }
        float[] a = StateFile.read(tmp.resolve("whole/checkpoint.state")).getFloats("model.parameters.values");
        float[] b = StateFile.read(tmp.resolve("split/checkpoint.state")).getFloats("model.parameters.values");
        assertArrayEquals(a, b);
    }

    @Test
    void samAndAdamwResumeExactlyAndCountTheirEvaluations(@TempDir Path tmp) throws Exception {
        for (String opt : new String[] {"sam", "adamw"}) {
            Path whole = tmp.resolve(opt + "-whole");
            Path split = tmp.resolve(opt + "-split");
            List<EpochMetrics> full = train(recipe(opt, 2), whole, false);
            train(recipe(opt, 1), split, false);
            List<EpochMetrics> resumed = train(recipe(opt, 2), split, true);
            for (int i = 0; i < 2; i++) {
                assertSameNumbers(full.get(i), resumed.get(i));
            }
            assertArrayEquals(StateFile.read(whole.resolve("checkpoint.state")).getFloats("model.parameters.values"),
                    StateFile.read(split.resolve("checkpoint.state")).getFloats("model.parameters.values"), opt);
            int per = Recipe.of("mnistfc", opt).settings().evaluationsPerStep();
            assertEquals(2.0 * per, full.get(1).effectiveEpoch(), opt);
            assertTrue(full.get(1).validationError() < 50, opt + " learns: " + full);
        }
    }

    /**
     * Validation between steps changes nothing of the training that follows: evaluation forwards and the
     * batch-norm re-estimation draw no dropout mask and leave the forward count alone.
     */
    @Test
    void aValidationPassBetweenStepsLeavesTheTrainingUnchanged() throws Exception {
        Split data = small();
        float[][] ends = new float[2][];
        for (int run = 0; run < 2; run++) {
            Model model = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 3);
            Sgd sgd = Sgd.defaults().lr(0.05f).momentum(Momentum.nesterov(0.9f)).build().create(model.parameters());
            BatchLoader train = new BatchLoader(data.train(), Backends.cpu(), 64, 3, BatchLoader.LastBatch.DROP);
            BatchLoader test = new BatchLoader(data.test(), Backends.cpu(), 64, 3, BatchLoader.LastBatch.PARTIAL);
            int step = 0;
            for (Batch b : train.epoch(1)) {
                sgd.step(evaluation -> {
                    Tensor loss = Softmax.crossEntropy(model.forward(b.images()), b.labels());
                    loss.backward();
                    return loss;
                });
                if (run == 1 && ++step == 3) {
                    model.reestimateBatchNorm(train.inOrder());
                    assertTrue(Evaluation.classification(model, test.inOrder()).error() < 100);
                    assertTrue(model.isTraining(), "the mode is restored");
                }
            }
            ends[run] = model.parameters().values().toArray();
        }
        assertArrayEquals(ends[0], ends[1]);
    }

    @Test
    void entropySgdResumesExactlyAndCountsEffectiveEpochs(@TempDir Path tmp) throws Exception {
        List<EpochMetrics> whole = train(entropySgd(2), tmp.resolve("whole"), false);
        train(entropySgd(1), tmp.resolve("split"), false);
        List<EpochMetrics> resumed = train(entropySgd(2), tmp.resolve("split"), true);
        for (int i = 0; i < 2; i++) {
            assertSameNumbers(whole.get(i), resumed.get(i));
        }
        assertEquals(3.0, whole.get(0).effectiveEpoch());
        assertEquals(6.0, whole.get(1).effectiveEpoch());
        assertTrue(whole.get(1).validationError() < 50, "learns: " + whole);
    }

    @Test
    void writesMetricsSummaryPlotsAndCheckpoint(@TempDir Path tmp) throws Exception {
        List<EpochMetrics> h = train(config("mnistfc", 2, "1:0.1"), tmp, false);
        List<String> csv = Files.readAllLines(tmp.resolve("metrics.csv"));
        assertEquals(EpochMetrics.HEADER, csv.get(0));
        assertEquals(3, csv.size());
        assertTrue(csv.get(2).startsWith("2,2,"));
        String summary = Files.readString(tmp.resolve("summary.json"));
        assertTrue(summary.contains("\"final_validation_error\" : " + h.get(1).validationError()), summary);
        assertTrue(summary.contains("\"effective_epochs\" : 2.0") && summary.contains("\"lr_schedule\" : \"1:0.1\""), summary);
        for (String png : new String[] {"loss.png", "error.png"}) {
            byte[] bytes = Files.readAllBytes(tmp.resolve(png));
            assertTrue(bytes.length > 1000 && bytes[1] == 'P' && bytes[2] == 'N' && bytes[3] == 'G', png);
        }
        assertTrue(h.get(1).validationError() < 30, "learns something in two epochs on 512 digits: " + h);
        try (var files = Files.list(tmp)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary files left behind");
        }
    }

    @Test
    @Tag("reliability")
    void divergenceStopsNamingEpochAndStepAndKeepsTheLastGoodCheckpoint(@TempDir Path tmp) throws Exception {
        TrainConfig c = config("mnistfc", 3, "1:0.01,2:1e30");
        Trainer.Stopped e = assertThrows(Trainer.Stopped.class, () -> train(c, tmp, false));
        assertTrue(e.getMessage().contains("epoch 2, step") && e.getMessage().contains("after epoch 1"), e.getMessage());
        StateFile kept = StateFile.read(tmp.resolve("checkpoint.state"));
        assertEquals(1, kept.getLongs("train.epoch")[0]);
        for (float v : kept.getFloats("model.parameters.values")) {
            assertTrue(Float.isFinite(v));
        }
        assertTrue(Files.readString(tmp.resolve("summary.json")).contains("\"status\" : \"diverged\""));
    }
}
