package org.deeprelax.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.deeprelax.core.Autograd;
import org.deeprelax.core.Backends;
import org.deeprelax.core.Losses;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.layers.Dropout;
import org.deeprelax.nn.layers.LayerNorm;
import org.deeprelax.nn.layers.Linear;
import org.deeprelax.nn.layers.ReLU;
import org.deeprelax.nn.layers.Sequential;
import org.deeprelax.nn.models.Models;
import org.junit.jupiter.api.Test;

/**
 * Module trees as a library user builds them: named children and their paths, traversal, a module of
 * one's own with a custom operation, and the refusal to bind one tree to two models.
 */
class ModuleTreeTest {

    /** softsign(x) = x/(1 + |x|), a custom operation written outside the core package. */
    static Tensor softsign(Tensor x) {
        Tensor denom;
        Tensor y;
        try (var scope = Autograd.noGrad()) {
            denom = x.abs().add(1f);
            y = x.div(denom);
        }
        return Autograd.record("softsign", y, g -> new Tensor[] {g.div(denom.mul(denom))}, x);
    }

    /** Linear → LayerNorm → softsign → Linear → tanh. */
    static final class Block extends Module {
        private final Linear in = child("in", new Linear(4, 6));
        private final LayerNorm norm = child("norm", new LayerNorm(6));
        private final Linear out = child("out", new Linear(6, 3));

        @Override
        public Tensor forward(Tensor x) {
            return out.forward(softsign(norm.forward(in.forward(x)))).tanh();
        }
    }

    @Test
    void aModuleOfOnesOwnHasGradientsThatMatchFiniteDifferences() {
        Model m = Model.build("block", new Block(), Backends.cpu(), 5);
        assertEquals(List.of("in.weight", "in.bias", "norm.weight", "norm.bias", "out.weight", "out.bias"),
                new ArrayList<>(m.namedParameters().keySet()));
        // LayerNorm's scale and shift start at 1 and 0; move them so that their gradients are general.
        m.backend().fillUniform(m.namedParameters().get("norm.weight").value(), 0.5f, 1.5f, 9, 0, 0);
        m.backend().fillUniform(m.namedParameters().get("norm.bias").value(), -0.5f, 0.5f, 9, 1, 0);
        Tensor x = Tensor.uniform(Backends.cpu(), Shape.of(5, 4), -2, 2, 3, 0);
        Tensor target = Tensor.uniform(Backends.cpu(), Shape.of(5, 3), -1, 1, 3, 1);
        m.parameters().zeroGrad();
        Losses.mse(m.forward(x), target).backward();
        float[] analytic = m.parameters().grads().toArray();
        float[] w = m.parameters().values().toArray();
        double h = 1e-2;
        for (int i = 0; i < w.length; i++) {
            float orig = w[i];
            m.parameters().values().set((float) (orig + h), i);
            double plus = loss(m, x, target);
            m.parameters().values().set((float) (orig - h), i);
            double minus = loss(m, x, target);
            m.parameters().values().set(orig, i);
            double numeric = (plus - minus) / (2 * h);
            assertEquals(numeric, analytic[i], 2e-3 * Math.max(1, Math.abs(numeric)), "parameter element " + i);
        }
    }

    private static double loss(Model m, Tensor x, Tensor target) {
        try (var scope = Autograd.noGrad()) {
            return Losses.mse(m.forward(x), target).item();
        }
    }

    @Test
    void parametersAreNamedByTheirPathThroughNamedChildren() {
        Model lenet = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 1);
        assertTrue(lenet.namedParameters().containsKey("features.conv1.weight"), lenet.namedParameters().keySet()::toString);
        assertTrue(lenet.namedParameters().containsKey("features.bn2.running_var"));
        assertTrue(lenet.namedParameters().containsKey("classifier.fc2.bias"));
        Model allcnn = Model.build("allcnn", Models.create("allcnn"), Backends.cpu(), 1);
        assertTrue(allcnn.namedParameters().containsKey("block1.conv.weight"));
        assertTrue(allcnn.namedParameters().containsKey("block9.bn.running_mean"));
        Model positional = Model.build("seq", new Sequential(new Linear(2, 2), new ReLU(), new Linear(2, 1)),
                Backends.cpu(), 1);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"),
                new ArrayList<>(positional.namedParameters().keySet()));
    }

    @Test
    void traversalVisitsEveryModuleOnceEachBeforeItsChildren() {
        Module lenet = Models.create("lenet");
        List<String> paths = new ArrayList<>(lenet.namedModules().keySet());
        assertEquals("", paths.get(0));
        assertEquals("features", paths.get(1));
        assertEquals("features.conv1", paths.get(2));
        assertTrue(paths.indexOf("classifier") < paths.indexOf("classifier.fc1"));
        assertEquals(paths.size(), lenet.modules().size());
        assertSame(lenet, lenet.modules().get(0));
        int[] dropouts = {0};
        lenet.apply(m -> {
            if (m instanceof Dropout) {
                dropouts[0]++;
                m.train(false);
            }
        });
        assertEquals(3, dropouts[0]);
        lenet.apply(m -> assertEquals(!(m instanceof Dropout), m.isTraining(), m.toString()));
    }

    @Test
    void aModuleTreeServesOneModel() {
        Module tree = Models.create("mnistfc");
        Model first = Model.build("first", tree, Backends.cpu(), 1);
        float[] before = first.parameters().values().toArray();
        IllegalStateException again = assertThrows(IllegalStateException.class,
                () -> Model.build("second", tree, Backends.cpu(), 2));
        assertTrue(again.getMessage().contains("already belongs to model 'first'")
                && again.getMessage().contains("(root)"), again.getMessage());

        // A subtree taken from the first model is refused too, and names where it sits.
        Module borrowed = tree.children().get(2);
        IllegalStateException part = assertThrows(IllegalStateException.class,
                () -> Model.build("third", new Sequential(new ReLU(), borrowed), Backends.cpu(), 3));
        assertTrue(part.getMessage().contains("at '1'") && part.getMessage().contains("'first'"), part.getMessage());

        // The refusals changed nothing: the first model still owns its tree and its values.
        assertSame(first, tree.model());
        assertArrayEquals(before, first.parameters().values().toArray());
        assertSame(first.parameters().values().storage(),
                first.namedParameters().get("fc1.weight").value().storage());
    }

    @Test
    void aModuleAppearingTwiceInOneTreeIsRefused() {
        Linear shared = new Linear(3, 3);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Model.build("twice", new Sequential(shared, new ReLU(), shared), Backends.cpu(), 1));
        assertTrue(e.getMessage().contains("appears twice") && e.getMessage().contains("'0'")
                && e.getMessage().contains("'2'"), e.getMessage());
        assertEquals(null, shared.model());
    }

    @Test
    void badNamesAreRefused() {
        IllegalArgumentException dot = assertThrows(IllegalArgumentException.class,
                () -> new Sequential().add("a.b", new ReLU()));
        assertTrue(dot.getMessage().contains("'a.b'") && dot.getMessage().contains("dots"), dot.getMessage());
        IllegalArgumentException taken = assertThrows(IllegalArgumentException.class,
                () -> new Sequential().add("relu", new ReLU()).add("relu", new ReLU()));
        assertTrue(taken.getMessage().contains("'relu'") && taken.getMessage().contains("exists"), taken.getMessage());
    }
}
