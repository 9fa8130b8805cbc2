package org.deeprelax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Stream;

import org.deeprelax.core.Backends;
import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One table of optimizers drives every test: each fused optimizer against its plain per-tensor float64
 * reference ({@link Float64Optimizers}) on several seeds and sizes, with parameter groups, exact
 * resumption from saved state, the evaluation indices its closure sees, and divergence detection.
 */
class OptimizerTableTest {

    /** Biases (group {@code no_decay}) at half the learning rate and without weight decay, in every row. */
    static final GroupOptions BIASES = new GroupOptions(0.5f, 0f);

    /**
     * A row: the settings (their noise seed, where they have one, from the arena) and the reference.
     *
     * @param name the row's name
     * @param settings the settings under test
     * @param reference the plain reference with the same settings
     */
    record Entry(String name, OptimizerSettings settings,
                 BiFunction<ParameterArena, OptimizerSettings, Float64Optimizers.Reference> reference) {
        @Override
        public String toString() {
            return name;
        }
    }

    static EntropySgd.Builder esgd() {
        return EntropySgd.printed().lr(0.5f).innerSteps(3).scoping(new Scoping(0.03f, 0.1f)).noise(1e-3f)
                .group(TinyMlp.NO_DECAY, BIASES);
    }

    static Stream<Entry> table() {
        return Stream.of(
                new Entry("sgd nesterov", Sgd.defaults().lr(0.1f).momentum(Momentum.nesterov(0.9f)).weightDecay(1e-3f)
                        .group(TinyMlp.NO_DECAY, BIASES).build(), (p, s) -> Float64Optimizers.sgd(p, (Sgd.Settings) s)),
                new Entry("sgd plain", Sgd.defaults().lr(0.1f).build(), (p, s) -> Float64Optimizers.sgd(p, (Sgd.Settings) s)),
                new Entry("entropy-sgd printed", esgd().build(),
                        (p, s) -> Float64Optimizers.entropySgd(p, (EntropySgd.Settings) s)),
                new Entry("entropy-sgd ucla", esgd().noiseConvention(EntropySgd.Noise.CODE).alpha(0.25f)
                        .innerMomentum(Momentum.nesterov(0.9f)).outerMomentum(Momentum.nesterov(0.9f))
                        .weightDecay(1e-3f).outerWeightDecay(1e-3f).build(),
                        (p, s) -> Float64Optimizers.entropySgd(p, (EntropySgd.Settings) s)),
                new Entry("entropy-sgd hamilton-jacobi", esgd().noiseConvention(EntropySgd.Noise.CODE).alpha(0.25f)
                        .innerMomentum(Momentum.nesterov(0.9f)).momentumPlacement(MomentumPlacement.ALL)
                        .resetInnerMomentum(false).outerMomentum(Momentum.nesterov(0.9f)).weightDecay(5e-4f).build(),
                        (p, s) -> Float64Optimizers.entropySgd(p, (EntropySgd.Settings) s)),
                new Entry("hj fp", hj(Hj.Form.FP), (p, s) -> Float64Optimizers.hjFixedPoint(p, (Hj.Settings) s)),
                new Entry("hj hjb", hj(Hj.Form.HJB),
                        (p, s) -> Float64Optimizers.entropySgd(p, ((Hj.Settings) s).asEntropySgd())),
                new Entry("adam", Adam.defaults().lr(0.01f).weightDecay(1e-2f).group(TinyMlp.NO_DECAY, BIASES).build(),
                        (p, s) -> Float64Optimizers.adam(p, (Adam.Settings) s)),
                new Entry("adamw", Adam.adamW().lr(0.01f).weightDecay(0.1f).group(TinyMlp.NO_DECAY, BIASES).build(),
                        (p, s) -> Float64Optimizers.adam(p, (Adam.Settings) s)),
                new Entry("sam", Sam.defaults().lr(0.1f).rho(0.1f).momentum(Momentum.nesterov(0.9f)).weightDecay(1e-3f)
                        .group(TinyMlp.NO_DECAY, BIASES).build(), (p, s) -> Float64Optimizers.sam(p, (Sam.Settings) s)),
                new Entry("asam", Sam.adaptive().lr(0.1f).momentum(Momentum.heavyBall(0.9f)).weightDecay(1e-3f)
                        .group(TinyMlp.NO_DECAY, BIASES).build(), (p, s) -> Float64Optimizers.sam(p, (Sam.Settings) s)));
    }

    static Hj.Settings hj(Hj.Form form) {
        return Hj.defaults(form).lr(0.1f).innerSteps(3).scoping(new Scoping(0.5f, 0.1f)).weightDecay(1e-3f)
                .group(TinyMlp.NO_DECAY, BIASES).build();
    }

    static Stream<Arguments> tableBySize() {
        return table().flatMap(e -> Stream.of(Arguments.of(e, 5, 7, 1L), Arguments.of(e, 33, 65, 2L),
                Arguments.of(e, 17, 129, 3L)));
    }

    @ParameterizedTest(name = "{0}, input {1}, hidden {2}, seed {3}")
    @MethodSource("tableBySize")
    void fusedMatchesThePlainPerTensorFloat64Reference(Entry e, int in, int hidden, long seed) {
        ParameterArena fused = TinyMlp.arena(in, hidden, seed);
        ParameterArena plain = TinyMlp.arena(in, hidden, seed);
        Optimizer opt = e.settings().create(fused);
        Float64Optimizers.Reference ref = e.reference().apply(plain, e.settings());
        Closure cf = TinyMlp.closure(fused, in, seed);
        Closure cp = TinyMlp.closure(plain, in, seed);
        for (int step = 0; step < 4; step++) {
            opt.step(cf);
            ref.step(cp);
        }
        float[] a = fused.values().toArray();
        float[] b = plain.values().toArray();
        double scale = 0;
        for (float v : b) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < a.length; i++) {
            assertEquals(b[i], a[i], 2e-5 * Math.max(1, scale), e + ": parameter " + i);
        }
        assertFalse(Arrays.equals(a, TinyMlp.arena(in, hidden, seed).values().toArray()), "the optimizer moved the parameters");
        assertEquals(4L * e.settings().evaluationsPerStep(), opt.evaluations());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void resumingFromSavedStateIsExact(Entry e) {
        ParameterArena a = TinyMlp.arena(6, 10, 4);
        Optimizer oa = e.settings().create(a);
        Closure ca = TinyMlp.closure(a, 6, 4);
        for (int i = 0; i < 3; i++) {
            oa.step(ca);
        }
        StateFile state = new StateFile();
        a.saveState(state, "params");
        oa.saveState(state);
        ParameterArena b = TinyMlp.arena(6, 10, 4);
        b.backend().fill(b.values(), 0.5f);
        Optimizer ob = e.settings().create(b);
        b.loadState(state, "params");
        ob.loadState(state);
        assertEquals(oa.steps(), ob.steps());
        assertEquals(oa.evaluations(), ob.evaluations());
        Closure cb = TinyMlp.closure(b, 6, 4);
        for (int i = 0; i < 3; i++) {
            oa.step(ca);
            ob.step(cb);
        }
        assertArrayEquals(a.values().toArray(), b.values().toArray(), e.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void theClosureSeesEveryEvaluationIndexOnceAcrossSteps(Entry e) {
        ParameterArena p = TinyMlp.arena(6, 10, 4);
        Optimizer opt = e.settings().create(p);
        Closure c = TinyMlp.closure(p, 6, 4);
        List<Long> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            opt.step(evaluation -> {
                seen.add(evaluation);
                return c.evaluate(evaluation);
            });
        }
        int per = opt.evaluationsPerStep();
        assertEquals(e.settings().evaluationsPerStep(), per);
        assertEquals(java.util.stream.LongStream.range(0, 3L * per).boxed().toList(), seen);
        boolean relaxation = opt instanceof EntropySgd || opt instanceof Hj;
        assertEquals(relaxation, opt.freshMinibatchEachEvaluation(), e.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void aNonFiniteLossIsReportedWithTheStep(Entry e) {
        ParameterArena p = TinyMlp.arena(6, 10, 4);
        Optimizer opt = e.settings().create(p);
        Closure good = TinyMlp.closure(p, 6, 4);
        opt.step(good);
        DivergenceException d = assertThrows(DivergenceException.class, () -> opt.step(evaluation -> {
            good.evaluate(evaluation);
            return Tensor.scalar(evaluation == opt.evaluationsPerStep() ? Float.POSITIVE_INFINITY : 1f);
        }));
        assertEquals(1, d.step());
        assertEquals(0, d.innerStep());
        assertTrue(d.getMessage().contains("the loss became Infinity at optimizer step 1, inner step 0"), d.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void aStepGivesBackTheClosuresTensorsAndKeepsItsOwnState(Entry e) {
        ParameterArena p = TinyMlp.arena(6, 10, 4);
        Optimizer opt = e.settings().create(p);
        Closure c = TinyMlp.closure(p, 6, 4);
        List<Tensor> losses = new ArrayList<>();
        List<Tensor> intermediates = new ArrayList<>();
        float reported = opt.step(evaluation -> {
            for (Tensor earlier : intermediates) {
                assertThrows(IllegalStateException.class, earlier::item, "an earlier evaluation's tensor");
            }
            for (Tensor earlier : losses) {
                assertTrue(Float.isFinite(earlier.item()), "an earlier evaluation's loss lives to the step's end");
            }
            intermediates.add(Tensor.zeros(p.backend(), Shape.of(1)));
            Tensor loss = c.evaluate(evaluation);
            losses.add(loss);
            return loss;
        });
        assertTrue(Float.isFinite(reported));
        assertEquals(opt.evaluationsPerStep(), losses.size());
        for (Tensor loss : losses) {
            IllegalStateException used = assertThrows(IllegalStateException.class, loss::item);
            assertTrue(used.getMessage().contains("TensorScope"), used.getMessage());
        }
        StateFile state = new StateFile();
        p.saveState(state, "params");
        opt.saveState(state);
        p.grads().toArray();
        opt.step(c);
    }

    /**
     * The rule of {@link Optimizer}: a loss more than 10⁴ times the first one is divergence, like a NaN; a
     * thousandfold growth is not; and a resumed optimizer keeps the reference.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void aLossGrowingByOrdersOfMagnitudeIsReportedLikeANaN(Entry e) {
        ParameterArena p = TinyMlp.arena(6, 10, 4);
        Optimizer opt = e.settings().create(p);
        Closure good = TinyMlp.closure(p, 6, 4);
        float[] factor = {1f};
        Closure scaled = evaluation -> Tensor.scalar(2f * factor[0] + 0 * good.evaluate(evaluation).item());
        opt.step(scaled);
        factor[0] = 1e3f;
        opt.step(scaled);
        StateFile state = new StateFile();
        opt.saveState(state);
        Optimizer resumed = e.settings().create(p);
        resumed.loadState(state);
        factor[0] = 1.01e4f;
        for (Optimizer o : List.of(opt, resumed)) {
            DivergenceException d = assertThrows(DivergenceException.class, () -> o.step(scaled));
            assertEquals(2, d.step());
            assertTrue(d.getMessage().startsWith("the loss grew to 20200.0, more than 10000 times the first loss (2.0)"),
                    d.getMessage());
        }
    }

    @Test
    void nanInTheParametersIsDetectedAfterTheStep() {
        ParameterArena p = TinyMlp.arena(6, 10, 4);
        EntropySgd opt = esgd().build().create(p);
        Closure good = TinyMlp.closure(p, 6, 4);
        DivergenceException d = assertThrows(DivergenceException.class, () -> opt.step(evaluation -> {
            Tensor loss = good.evaluate(evaluation);
            if (evaluation == 2) {
                p.grads().set(Float.NaN, 0);
            }
            return loss;
        }));
        assertEquals("the parameters hold a NaN or an infinity at optimizer step 0, inner step 2", d.getMessage());
    }

    @Test
    void invalidHyperParametersNameTheParameterValueAndRange() {
        List<Runnable> bad = List.of(
                () -> EntropySgd.printed().innerSteps(0).build(),
                () -> EntropySgd.printed().innerLr(-0.1f).build(),
                () -> EntropySgd.printed().alpha(0f).build(),
                () -> EntropySgd.printed().alpha(1.5f).build(),
                () -> new Scoping(0f, 0f),
                () -> new Scoping(1e-4f, -1f),
                () -> EntropySgd.printed().noise(-1e-4f).build(),
                () -> Hj.defaults(Hj.Form.FP).innerSteps(0).build(),
                () -> Hj.defaults(Hj.Form.FP).damping(0f).build(),
                () -> Momentum.heavyBall(1.5f),
                () -> new Momentum(0f, true),
                () -> Adam.defaults().betas(0.9f, 1f).build(),
                () -> Adam.defaults().eps(0f).build(),
                () -> Sam.defaults().rho(-1f).build(),
                () -> Sgd.defaults().lr(-1f).build(),
                () -> new GroupOptions(1f, -1f));
        List<String> expected = List.of(
                "L = 0 is not allowed; it must be an integer ≥ 1",
                "inner learning rate η' = -0.1 is not allowed; it must be a finite number > 0",
                "α = 0.0 is not allowed; it must be in (0, 1]",
                "α = 1.5 is not allowed; it must be in (0, 1]",
                "γ = 0.0 is not allowed; it must be a finite number > 0",
                "scoping γ1 = -1.0 is not allowed; it must be a finite number ≥ 0",
                "noise ε = -1.0E-4 is not allowed; it must be a finite number ≥ 0",
                "L = 0 is not allowed; it must be an integer ≥ 1",
                "damping = 0.0 is not allowed; it must be in (0, 1]",
                "momentum = 1.5 is not allowed; it must be in [0.0, 1.0]",
                "nesterov = true needs momentum > 0, got momentum = 0",
                "β2 = 1.0 is not allowed; it must be in [0.0, 1.0)",
                "ε = 0.0 is not allowed; it must be a finite number > 0",
                "ρ = -1.0 is not allowed; it must be a finite number ≥ 0",
                "learning rate = -1.0 is not allowed; it must be a finite number ≥ 0",
                "weight-decay scale = -1.0 is not allowed; it must be a finite number ≥ 0");
        for (int i = 0; i < bad.size(); i++) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, bad.get(i)::run);
            assertEquals(expected.get(i), ex.getMessage());
        }
        ParameterArena p = TinyMlp.arena(2, 2, 0);
        IllegalArgumentException group = assertThrows(IllegalArgumentException.class,
                () -> Sgd.defaults().group("biases", GroupOptions.noWeightDecay()).build().create(p));
        assertEquals("the settings name parameter group 'biases', which these parameters do not have; their groups are"
                + " [decay, no_decay]", group.getMessage());
    }

    /** γ0(1 + γ1)^t in double: rounding 1 + γ1 to float first is off by 8.6e-6 (relative) after 186 steps. */
    @Test
    void scopingIsComputedInDouble() {
        Scoping s = new Scoping(1e-4f, 1e-3f);
        double exact = 1e-4 * Math.pow(1.001, 186);
        assertEquals(exact, s.gamma(186), 1e-7 * exact);
        double floatBase = 1e-4f * Math.pow(1 + 1e-3f, 186);
        assertTrue(Math.abs(floatBase - exact) > 8e-6 * exact, "the float-rounded base is measurably off: " + floatBase);
        ParameterArena p = TinyMlp.arena(6, 10, 4);
        EntropySgd opt = esgd().build().create(p);
        Closure c = TinyMlp.closure(p, 6, 4);
        assertEquals(0.03f, opt.gamma(), 1e-9);
        opt.step(c);
        opt.step(c);
        assertEquals(0.03 * 1.1 * 1.1, opt.gamma(), 1e-7);
    }

    /** Entropy-SGD draws its noise from the arena's seed (the model's) unless its settings name one. */
    @Test
    void theNoiseSeedFollowsTheArenaUnlessSet() {
        Function<ParameterArena, float[]> twoSteps = p -> {
            EntropySgd opt = esgd().build().create(p);
            opt.step(TinyMlp.closure(p, 6, 4));
            opt.step(TinyMlp.closure(p, 6, 4));
            return p.values().toArray();
        };
        ParameterArena seven = TinyMlp.arena(6, 10, 4);
        ParameterArena eight = sameValuesOtherSeed(seven, 8);
        assertEquals(4, esgd().build().create(seven).noiseSeed());
        assertFalse(Arrays.equals(twoSteps.apply(seven), twoSteps.apply(eight)), "another seed draws other noise");
        ParameterArena a = TinyMlp.arena(6, 10, 4);
        ParameterArena b = sameValuesOtherSeed(a, 8);
        for (ParameterArena p : List.of(a, b)) {
            EntropySgd opt = esgd().seed(99).build().create(p);
            assertEquals(99, opt.noiseSeed());
            opt.step(TinyMlp.closure(p, 6, 4));
        }
        assertArrayEquals(a.values().toArray(), b.values().toArray(), "a set seed draws the same noise");
    }

    private static ParameterArena sameValuesOtherSeed(ParameterArena p, long seed) {
        ParameterArena.Builder b = ParameterArena.builder(Backends.cpu(), seed);
        for (ParameterArena.Slice s : p.slices()) {
            b.group(s.group()).add(s.name(), Tensor.of(s.value().toArray(), s.shape().dims()));
        }
        return b.build();
    }

    /** The library defaults of HJ train: γ0 = 1 as the authors' code; γ0 = 1e-4 diverges in one step. */
    @Test
    void hjDefaultsTrainAndATinyCouplingIsReportedAsDivergence() {
        for (Hj.Form form : Hj.Form.values()) {
            ParameterArena p = TinyMlp.arena(6, 10, 4);
            Closure c = TinyMlp.closure(p, 6, 4);
            Optimizer hj = Hj.defaults(form).build().create(p);
            float first = hj.step(c);
            float last = first;
            for (int i = 0; i < 9; i++) {
                last = hj.step(c);
            }
            assertTrue(last < 0.9 * first, form + ": loss " + first + " → " + last);
        }
        ParameterArena p = TinyMlp.arena(6, 10, 4);
        Optimizer tiny = Hj.defaults(Hj.Form.FP).scoping(new Scoping(1e-4f, 1e-3f)).build().create(p);
        Closure c = TinyMlp.closure(p, 6, 4);
        assertThrows(DivergenceException.class, () -> {
            for (int i = 0; i < 10; i++) {
                tiny.step(c);
            }
        });
    }

    @Test
    void oneSettingsMakesIndependentOptimizersForManyArenas() {
        EntropySgd.Settings s = esgd().build();
        List<ParameterArena> replicas = List.of(TinyMlp.arena(6, 10, 1), TinyMlp.arena(6, 10, 2));
        List<EntropySgd> opts = replicas.stream().map(s::create).toList();
        StateFile state = new StateFile();
        for (int r = 0; r < 2; r++) {
            opts.get(r).step(TinyMlp.closure(replicas.get(r), 6, 4));
            opts.get(r).saveState(state, "replica" + r);
        }
        Optimizer back = s.create(TinyMlp.arena(6, 10, 2));
        back.loadState(state, "replica1");
        assertEquals(1, back.steps());
        assertTrue(state.has("replica0.anchor") && state.has("replica1.anchor"));
        assertFalse(Arrays.equals(state.getFloats("replica0.anchor"), state.getFloats("replica1.anchor")));
    }

    @Test
    void stateOfAnotherLayoutIsRefused() {
        ParameterArena p = TinyMlp.arena(6, 10, 4);
        Optimizer opt = Sgd.defaults().build().create(p);
        StateFile state = new StateFile();
        opt.saveState(state);
        Optimizer other = Sgd.defaults().build().create(ParameterArena.builder(Backends.cpu(), 4).add("w", Shape.of(5)).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.loadState(state));
        assertTrue(e.getMessage().contains("laid out as decay: w1[10, 6], w2[3, 10]; no_decay: b1[10], b2[3], not default: w[5]"),
                e.getMessage());
    }
}
