package org.deeprelax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import java.util.List;
import java.util.Map;

import org.deeprelax.core.Backends;
import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.nn.data.BatchLoader;
import org.deeprelax.nn.data.Dataset;
import org.deeprelax.nn.layers.BatchNorm2d;
import org.deeprelax.nn.layers.Dropout;
import org.deeprelax.nn.layers.Linear;
import org.deeprelax.nn.layers.Sequential;
import org.deeprelax.nn.models.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flat arenas, initialisation, dropout's random addressing, and saving and loading state. */
class ModelTest {

    @Test
    void parametersAreContiguousViewsOfOneArenaAndGradientsOfAnother() {
        Model m = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 7);
        ParameterArena arena = m.parameters();
        int expectedOffset = 0;
        for (Map.Entry<String, Parameter> e : m.namedParameters().entrySet()) {
            Parameter p = e.getValue();
            if (!p.trainable()) {
                continue;
            }
            assertEquals(expectedOffset, p.offset());
            assertSame(arena.value(e.getKey()), p.value());
            assertSame(arena.values().storage(), p.value().storage());
            assertSame(arena.grads().storage(), p.value().grad().storage());
            assertEquals(p.value().offset(), p.value().grad().offset());
            expectedOffset += p.shape().size();
        }
        assertEquals(arena.size(), expectedOffset);
        assertEquals(7, arena.seed());

        Tensor x = Tensor.uniform(Backends.cpu(), Shape.of(4, 1, 28, 28), 0, 1, 1, 0);
        Tensor y = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        Softmax.crossEntropy(m.forward(x), y).backward();
        assertTrue(m.backend().norm2(arena.grads()) > 0, "gradients land in the gradient arena");
        arena.zeroGrad();
        assertEquals(0, m.backend().norm2(arena.grads()));
    }

    @Test
    void aGroupingLaysTheArenaOutByGroupWithoutChangingAnyInitialValue() {
        Model plain = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 7);
        Model grouped = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 7, Grouping.byDecay());
        List<ParameterArena.Group> groups = grouped.parameters().groups();
        assertEquals(List.of(Grouping.DECAY, Grouping.NO_DECAY), groups.stream().map(ParameterArena.Group::name).toList());
        for (ParameterArena.Slice s : groups.get(0).slices()) {
            assertTrue(s.shape().rank() >= 2, s.name());
        }
        for (ParameterArena.Slice s : groups.get(1).slices()) {
            assertEquals(1, s.shape().rank(), s.name());
        }
        assertTrue(groups.get(1).slices().stream().anyMatch(s -> s.name().equals("features.conv1.bias")));
        for (ParameterArena.Slice s : plain.parameters().slices()) {
            assertArrayEquals(s.value().toArray(), grouped.parameters().value(s.name()).toArray(), s.name());
        }
        assertEquals(plain.parameters().size(), grouped.parameters().size());
        StateFile state = new StateFile();
        plain.saveState(state);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> grouped.loadState(state));
        assertTrue(e.getMessage().contains("different model"), e.getMessage());
    }

    @Test
    void initialisationFollowsPyTorchDefaultsAndTheSeed() {
        Model a = Model.build("mnistfc", Models.create("mnistfc"), Backends.cpu(), 11);
        Model b = Model.build("mnistfc", Models.create("mnistfc"), Backends.cpu(), 11);
        Model c = Model.build("mnistfc", Models.create("mnistfc"), Backends.cpu(), 12);
        assertArrayEquals(a.parameters().values().toArray(), b.parameters().values().toArray());
        assertFalse(Arrays.equals(a.parameters().values().toArray(), c.parameters().values().toArray()));
        float[] w = a.namedParameters().get("fc1.weight").value().toArray();
        double bound = 1 / Math.sqrt(784);
        double sumSq = 0;
        for (float v : w) {
            assertTrue(Math.abs(v) <= bound);
            sumSq += v * v;
        }
        assertEquals(bound * bound / 3, sumSq / w.length, 0.02 * bound * bound);
        for (float v : a.namedParameters().get("bn1.weight").value().toArray()) {
            assertEquals(1f, v);
        }
        for (float v : a.namedParameters().get("bn1.running_var").value().toArray()) {
            assertEquals(1f, v);
        }
    }

    @Test
    void dropoutMasksDependOnSeedLayerAndForwardCount() {
        Model m = Model.build("drop", new Sequential(new Dropout(0.5f)), Backends.cpu(), 3);
        Tensor x = Tensor.ones(Backends.cpu(), Shape.of(64));
        float[] first = m.forward(x).toArray();
        float[] second = m.forward(x).toArray();
        assertFalse(Arrays.equals(first, second), "each forward draws a fresh mask");
        Model replay = Model.build("drop", new Sequential(new Dropout(0.5f)), Backends.cpu(), 3);
        assertArrayEquals(first, replay.forward(x).toArray());
        m.eval();
        assertArrayEquals(x.toArray(), m.forward(x).toArray());
        assertEquals(2, m.forwardCount(), "evaluation forwards do not advance the count");
        m.reestimateBatchNorm(loader(new float[64], 1, 8, 8).inOrder());
        assertEquals(2, m.forwardCount(), "nor does the batch-norm re-estimation");
        assertFalse(m.isTraining(), "which leaves the mode as it was");
        m.train();
        replay.forward(x);
        assertArrayEquals(replay.forward(x).toArray(), m.forward(x).toArray(), "training goes on with the third mask");
    }

    @Test
    void theBatchNormReestimationRunsInTrainingModeWithoutDropout() {
        Model m = Model.build("bn", new Sequential(new Dropout(0.5f), new BatchNorm2d(3)), Backends.cpu(), 3);
        m.reestimateBatchNorm(loader(new float[] {1, 2, 3, 3, 6, 9}, 3, 1, 1).inOrder());
        float[] mean = m.namedParameters().get("1.running_mean").value().toArray();
        assertArrayEquals(new float[] {0.2f, 0.4f, 0.6f}, mean, 1e-6f, "momentum 0.1 × the batch mean of the undropped input");
    }

    /** One batch of the given images (labels 0), as a loader delivers it. */
    static BatchLoader loader(float[] images, int channels, int height, int width) {
        int n = images.length / (channels * height * width);
        Dataset d = new Dataset("fixed", images, new int[n], channels, height, width, 10);
        return new BatchLoader(d, Backends.cpu(), n, 0, BatchLoader.LastBatch.PARTIAL);
    }

    @Test
    void stateRoundTripsThroughAFile(@TempDir Path dir) {
        Model a = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 1);
        Tensor x = Tensor.uniform(Backends.cpu(), Shape.of(3, 1, 28, 28), 0, 1, 1, 0);
        a.forward(x);
        StateFile out = new StateFile();
        a.saveState(out);
        Path file = dir.resolve("model.state");
        out.write(file);
        Model b = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 1);
        b.backend().fill(b.parameters().values(), 0.5f);
        b.loadState(StateFile.read(file));
        assertArrayEquals(a.parameters().values().toArray(), b.parameters().values().toArray());
        assertArrayEquals(a.buffers().toArray(), b.buffers().toArray());
        assertEquals(a.forwardCount(), b.forwardCount());
    }

    @Test
    void loadingAnotherModelsStateIsRefused(@TempDir Path dir) throws Exception {
        StateFile out = new StateFile();
        Model.build("lenet", Models.create("lenet"), Backends.cpu(), 1).saveState(out);
        Path file = dir.resolve("lenet.state");
        out.write(file);
        Model other = Model.build("mnistfc", Models.create("mnistfc"), Backends.cpu(), 1);
        float[] before = other.parameters().values().toArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.loadState(StateFile.read(file)));
        assertTrue(e.getMessage().contains("different model") && e.getMessage().contains("lenet")
                && e.getMessage().contains("mnistfc"), e.getMessage());
        assertArrayEquals(before, other.parameters().values().toArray());

        Model otherSeed = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 2);
        float[] mine = otherSeed.parameters().values().toArray();
        IllegalArgumentException seed = assertThrows(IllegalArgumentException.class,
                () -> otherSeed.loadState(StateFile.read(file)));
        assertTrue(seed.getMessage().contains("seed 1") && seed.getMessage().contains("built with seed 2"), seed.getMessage());
        assertArrayEquals(mine, otherSeed.parameters().values().toArray(), "a refused load changes nothing");

        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.state");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 10));
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> StateFile.read(cut));
        assertTrue(t.getMessage().contains("truncated") && t.getMessage().contains("byte offset"), t.getMessage());
    }

    @Test
    void linearRejectsWrongInputWidth() {
        Model m = Model.build("lin", new Sequential(new Linear(3, 2)), Backends.cpu(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.forward(Tensor.zeros(4, 5)));
        assertEquals("Linear(3 → 2): input has shape [4, 5], expected [batch, 3]", e.getMessage());
    }
}
