package org.deeprelax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.deeprelax.core.Backends;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.io.StateFile;
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
        int expectedOffset = 0;
        for (Parameter p : m.namedParameters().values()) {
            if (!p.trainable()) {
                continue;
            }
            assertEquals(expectedOffset, p.offset());
            assertSame(m.parameters().storage(), p.value().storage());
            assertSame(m.gradients().storage(), p.value().grad().storage());
            assertEquals(p.value().offset(), p.value().grad().offset());
            expectedOffset += p.shape().size();
        }
        assertEquals(m.parameterCount(), expectedOffset);

        Tensor x = Tensor.uniform(Backends.cpu(), Shape.of(4, 1, 28, 28), 0, 1, 1, 0);
        Tensor y = Tensor.of(new float[] {1, 2, 3, 4}, 4);
        Softmax.crossEntropy(m.forward(x), y).backward();
        assertTrue(m.backend().norm2(m.gradients()) > 0, "gradients land in the gradient arena");
        m.zeroGrad();
        assertEquals(0, m.backend().norm2(m.gradients()));
    }

    @Test
    void initialisationFollowsPyTorchDefaultsAndTheSeed() {
        Model a = Model.build("mnistfc", Models.create("mnistfc"), Backends.cpu(), 11);
        Model b = Model.build("mnistfc", Models.create("mnistfc"), Backends.cpu(), 11);
        Model c = Model.build("mnistfc", Models.create("mnistfc"), Backends.cpu(), 12);
        assertArrayEquals(a.parameters().toArray(), b.parameters().toArray());
        assertFalse(Arrays.equals(a.parameters().toArray(), c.parameters().toArray()));
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
        Model b = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 99);
        assertNotEquals(a.parameters().get(0), b.parameters().get(0));
        b.loadState(StateFile.read(file));
        assertArrayEquals(a.parameters().toArray(), b.parameters().toArray());
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
        float[] before = other.parameters().toArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> other.loadState(StateFile.read(file)));
        assertTrue(e.getMessage().contains("different model") && e.getMessage().contains("lenet")
                && e.getMessage().contains("mnistfc"), e.getMessage());
        assertArrayEquals(before, other.parameters().toArray());

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
