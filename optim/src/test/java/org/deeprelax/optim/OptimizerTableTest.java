package org.deeprelax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import org.deeprelax.core.Backends;
import org.deeprelax.core.LangevinStep.MomentumPlacement;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Softmax;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.nn.layers.Linear;
import org.deeprelax.nn.layers.ReLU;
import org.deeprelax.nn.layers.Sequential;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table of optimizers drives every test: each fused optimizer against its plain per-parameter
 * reference ({@link PlainOptimizers}) on several seeds and sizes, exact resumption from saved state,
 * and divergence detection.
 */
class OptimizerTableTest {

    /** A row: the fused optimizer and its plain reference, both built on a model. */
    record Entry(String name, BiFunction<Model, Long, Optimizer> fused, BiFunction<Model, Long, PlainOptimizers.Plain> plain) {
        @Override
        public String toString() {
            return name;
        }
    }

    static EntropySgd.Options esgd(long seed) {
        return EntropySgd.Options.printed().withInnerSteps(3).withGamma(0.03f, 0.1f).withNoise(1e-3f,
                EntropySgd.Noise.PRINTED).withSeed(seed);
    }

    static EntropySgd.Options esgdUcla(long seed) {
        return esgd(seed).withNoise(1e-3f, EntropySgd.Noise.CODE).withAlpha(0.25f)
                .withInnerMomentum(0.9f, true, MomentumPlacement.GRADIENT, true).withOuterMomentum(0.9f, true)
                .withWeightDecay(1e-3f, 1e-3f);
    }

    static EntropySgd.Options esgdHamiltonJacobi(long seed) {
        return esgd(seed).withNoise(1e-3f, EntropySgd.Noise.CODE).withAlpha(0.25f)
                .withInnerMomentum(0.9f, true, MomentumPlacement.ALL, false).withOuterMomentum(0.9f, true)
                .withWeightDecay(5e-4f, 0f);
    }

    static final Hj.Options FP = new Hj.Options(Hj.Form.FP, 3, 0.5f, 0.1f, 0.25f, 0.25f, 0.9f, true, 1e-3f);
    static final Hj.Options HJB = new Hj.Options(Hj.Form.HJB, 3, 0.5f, 0.1f, 0.25f, 0.25f, 0.9f, true, 1e-3f);

    static Stream<Entry> table() {
        return Stream.of(
                new Entry("sgd nesterov", (m, s) -> new Sgd(m, 0.1f, 0.9f, 1e-3f, true),
                        (m, s) -> PlainOptimizers.sgd(m, 0.1f, 0.9f, 1e-3f, true)),
                new Entry("entropy-sgd printed", (m, s) -> new EntropySgd(m, 0.5f, esgd(s)),
                        (m, s) -> PlainOptimizers.entropySgd(m, 0.5f, esgd(s))),
                new Entry("entropy-sgd ucla", (m, s) -> new EntropySgd(m, 0.5f, esgdUcla(s)),
                        (m, s) -> PlainOptimizers.entropySgd(m, 0.5f, esgdUcla(s))),
                new Entry("entropy-sgd hamilton-jacobi", (m, s) -> new EntropySgd(m, 0.5f, esgdHamiltonJacobi(s)),
                        (m, s) -> PlainOptimizers.entropySgd(m, 0.5f, esgdHamiltonJacobi(s))),
                new Entry("hj fp", (m, s) -> Hj.create(m, 0.1f, FP), (m, s) -> PlainOptimizers.hjFixedPoint(m, 0.1f, FP)),
                new Entry("hj hjb", (m, s) -> Hj.create(m, 0.1f, HJB), (m, s) -> PlainOptimizers.entropySgd(m, 0.1f,
                        Hj.hjb(Model.build("probe", mlp(2, 2), Backends.cpu(), 0), 0.1f, HJB).options())));
    }

    static Stream<Arguments> tableBySize() {
        return table().flatMap(e -> Stream.of(Arguments.of(e, 5, 7, 1L), Arguments.of(e, 33, 65, 2L),
                Arguments.of(e, 17, 129, 3L)));
    }

    static Sequential mlp(int in, int hidden) {
        return new Sequential(new Linear(in, hidden), new ReLU(), new Linear(hidden, 3));
    }

    /** A closure over fixed data: cross-entropy of the MLP on 16 examples. */
    static Closure closure(Model model, int in, long seed) {
        Tensor x = Tensor.normal(Backends.cpu(), Shape.of(16, in), 0, 1, seed, 9);
        float[] labels = new float[16];
        for (int i = 0; i < 16; i++) {
            labels[i] = i % 3;
        }
        Tensor y = Tensor.of(labels, 16);
        return () -> {
            Tensor loss = Softmax.crossEntropy(model.forward(x), y);
            loss.backward();
            return loss.item();
        };
    }

    @ParameterizedTest(name = "{0}, input {1}, hidden {2}, seed {3}")
    @MethodSource("tableBySize")
    void fusedMatchesThePlainPerParameterReference(Entry e, int in, int hidden, long seed) {
        Model fused = Model.build("mlp", mlp(in, hidden), Backends.cpu(), seed);
        Model plain = Model.build("mlp", mlp(in, hidden), Backends.cpu(), seed);
        Optimizer opt = e.fused().apply(fused, seed);
        PlainOptimizers.Plain ref = e.plain().apply(plain, seed);
        Closure cf = closure(fused, in, seed);
        Closure cp = closure(plain, in, seed);
        for (int step = 0; step < 4; step++) {
            opt.step(cf);
            ref.step(cp);
        }
        float[] a = fused.parameters().toArray();
        float[] b = plain.parameters().toArray();
        double scale = 0;
        for (float v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 2e-5 * Math.max(1, scale), e + ": parameter " + i);
        }
        assertTrue(!java.util.Arrays.equals(a, Model.build("mlp", mlp(in, hidden), Backends.cpu(), seed)
                .parameters().toArray()), "the optimizer moved the parameters");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void resumingFromSavedStateIsExact(Entry e) {
        Model a = Model.build("mlp", mlp(6, 10), Backends.cpu(), 4);
        Optimizer oa = e.fused().apply(a, 4L);
        Closure ca = closure(a, 6, 4);
        for (int i = 0; i < 3; i++) {
            oa.step(ca);
        }
        StateFile state = new StateFile();
        a.saveState(state);
        oa.saveState(state);
        Model b = Model.build("mlp", mlp(6, 10), Backends.cpu(), 99);
        Optimizer ob = e.fused().apply(b, 4L);
        b.loadState(state);
        ob.loadState(state);
        Closure cb = closure(b, 6, 4);
        for (int i = 0; i < 3; i++) {
            oa.step(ca);
            ob.step(cb);
        }
        assertArrayEquals(a.parameters().toArray(), b.parameters().toArray(), e.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void divergenceIsReportedWithTheStep(Entry e) {
        Model m = Model.build("mlp", mlp(6, 10), Backends.cpu(), 4);
        Optimizer opt = e.fused().apply(m, 4L);
        Closure good = closure(m, 6, 4);
        opt.step(good);
        int[] calls = {0};
        DivergenceException d = assertThrows(DivergenceException.class, () -> opt.step(() -> {
            float loss = good.evaluate();
            return calls[0]++ == 0 ? Float.POSITIVE_INFINITY : loss;
        }));
        assertEquals(1, d.step());
        assertTrue(d.getMessage().contains("step 1"), d.getMessage());
    }

    @org.junit.jupiter.api.Test
    void nanInTheArenaIsDetectedAfterTheOuterStep() {
        Model m = Model.build("mlp", mlp(6, 10), Backends.cpu(), 4);
        EntropySgd opt = new EntropySgd(m, 0.5f, esgd(1));
        Closure good = closure(m, 6, 4);
        int[] calls = {0};
        DivergenceException d = assertThrows(DivergenceException.class, () -> opt.step(() -> {
            float loss = good.evaluate();
            if (++calls[0] == 3) {
                m.gradients().set(Float.NaN, 0);
            }
            return loss;
        }));
        assertTrue(d.getMessage().contains("NaN or an infinity") && d.getMessage().contains("step 0"), d.getMessage());
    }

    @org.junit.jupiter.api.Test
    void invalidHyperParametersNameTheParameterValueAndRange() {
        List<Runnable> bad = List.of(
                () -> EntropySgd.Options.printed().withInnerSteps(0),
                () -> EntropySgd.Options.printed().withInnerLr(-0.1f),
                () -> EntropySgd.Options.printed().withAlpha(0f),
                () -> EntropySgd.Options.printed().withAlpha(1.5f),
                () -> EntropySgd.Options.printed().withGamma(0f, 0f),
                () -> EntropySgd.Options.printed().withGamma(-1f, 0f),
                () -> EntropySgd.Options.printed().withNoise(-1e-4f, EntropySgd.Noise.PRINTED),
                () -> new Hj.Options(Hj.Form.FP, 0, 1f, 0f, 0.25f, 0.25f, 0.9f, true, 0f),
                () -> new Hj.Options(Hj.Form.FP, 5, 0f, 0f, 0.25f, 0.25f, 0.9f, true, 0f));
        List<String> expected = List.of(
                "L = 0 is not allowed; it must be an integer ≥ 1",
                "inner learning rate η' = -0.1 is not allowed; it must be a finite number > 0",
                "α = 0.0 is not allowed; it must be in (0, 1]",
                "α = 1.5 is not allowed; it must be in (0, 1]",
                "γ = 0.0 is not allowed; it must be a finite number > 0",
                "γ = -1.0 is not allowed; it must be a finite number > 0",
                "noise ε = -1.0E-4 is not allowed; it must be a finite number ≥ 0",
                "L = 0 is not allowed; it must be an integer ≥ 1",
                "γ = 0.0 is not allowed; it must be a finite number > 0");
        for (int i = 0; i < bad.size(); i++) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, bad.get(i)::run);
            assertEquals(expected.get(i), ex.getMessage());
        }
        Model m = Model.build("mlp", mlp(2, 2), Backends.cpu(), 0);
        assertEquals("learning rate = -1.0 is not allowed; it must be a finite number ≥ 0",
                assertThrows(IllegalArgumentException.class, () -> new EntropySgd(m, -1f, esgd(0))).getMessage());
    }

    @org.junit.jupiter.api.Test
    void scopingCountsOuterSteps() {
        Model m = Model.build("mlp", mlp(6, 10), Backends.cpu(), 4);
        EntropySgd opt = new EntropySgd(m, 0.5f, esgd(1));
        Closure c = closure(m, 6, 4);
        assertEquals(0.03f, opt.gamma(), 1e-9);
        opt.step(c);
        opt.step(c);
        assertEquals(0.03 * 1.1 * 1.1, opt.gamma(), 1e-7);
        assertEquals(3, opt.evaluationsPerStep());
        assertEquals(4, Hj.create(m, 0.1f, FP).evaluationsPerStep());
    }
}
