package org.deeprelax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.comm.Communicator;
import org.deeprelax.core.comm.InProcessJob;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parle and Elastic-SGD: n fused replicas, one per thread of an in-process job, against the plain float64
 * loop over replicas ({@link Float64Parle}) in each convention of the two reference codes; the special
 * cases against the existing optimizers; exact resumption; and divergence that stops every replica.
 */
class ParleTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int IN = 6;
    private static final int HIDDEN = 10;

    /** A table row: a name and the settings under test. */
    record Row(String name, Parle.Settings settings) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Row> table() {
        return Stream.of(
                new Row("distributed-ensembles", Parle.defaults().lr(0.05f).innerSteps(3).growth(0.3f)
                        .gamma(new Parle.Coupling(0.2f, 0.5f)).rho(new Parle.Coupling(0.4f, 1f)).weightDecay(1e-3f)
                        .group(TinyMlp.NO_DECAY, OptimizerTableTest.BIASES).build()),
                new Row("parle_mpi.py", Parle.parleMpi().lr(0.05f).innerSteps(3).growth(0.3f)
                        .gamma(new Parle.Coupling(0.2f, 1f)).rho(new Parle.Coupling(0.05f, 10f)).weightDecay(1e-3f)
                        .group(TinyMlp.NO_DECAY, OptimizerTableTest.BIASES).build()),
                new Row("heavy-ball momentum, its own η'", Parle.defaults().lr(0.05f).innerSteps(2).innerLr(0.2f)
                        .innerMomentum(Momentum.heavyBall(0.5f)).outerMomentum(Momentum.NONE).average(0.5f, true)
                        .build()),
                new Row("elastic-sgd", Parle.elasticSgd().lr(0.05f).growth(0.3f).rho(new Parle.Coupling(0.5f, 2f))
                        .weightDecay(1e-3f).group(TinyMlp.NO_DECAY, OptimizerTableTest.BIASES).build()));
    }

    static Stream<Arguments> tableByReplicas() {
        return table().flatMap(r -> Stream.of(Arguments.of(r, 1), Arguments.of(r, 3)));
    }

    static ParameterArena replicaArena(int a) {
        return TinyMlp.arena(IN, HIDDEN, 11 + a);
    }

    static Closure replicaClosure(ParameterArena p, int a) {
        return TinyMlp.closure(p, IN, 40 + a);
    }

    /** Runs {@code steps} Parle steps on n replicas, one per member of an in-process job; returns their values. */
    static List<float[]> fused(Parle.Settings s, int n, int steps) {
        return InProcessJob.run(n, TIMEOUT, job -> {
            ParameterArena p = replicaArena(job.rank());
            Parle parle = s.create(p, job);
            Closure c = replicaClosure(p, job.rank());
            for (int i = 0; i < steps; i++) {
                parle.step(c);
            }
            return p.values().toArray();
        });
    }

    @ParameterizedTest(name = "{0}, {1} replicas")
    @MethodSource("tableByReplicas")
    void fusedReplicasMatchThePlainPerReplicaFloat64Reference(Row row, int n) {
        List<float[]> got = fused(row.settings(), n, 4);
        List<ParameterArena> plain = new ArrayList<>();
        List<Closure> closures = new ArrayList<>();
        for (int a = 0; a < n; a++) {
            plain.add(replicaArena(a));
            closures.add(replicaClosure(plain.get(a), a));
        }
        Float64Parle ref = new Float64Parle(plain, row.settings());
        for (int i = 0; i < 4; i++) {
            ref.step(closures);
        }
        for (int a = 0; a < n; a++) {
            float[] expected = plain.get(a).values().toArray();
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got.get(a)[i], 2e-5 * Math.max(1, Math.abs(expected[i])),
                        row + ": replica " + a + ", parameter " + i);
            }
            assertFalse(Arrays.equals(got.get(a), replicaArena(a).values().toArray()), "replica " + a + " moved");
        }
        if (n > 1) {
            assertFalse(Arrays.equals(got.get(0), got.get(1)), "the replicas differ: their data and starts differ");
        }
    }

    /** The pull towards the mean is real: with ρ large the replicas end closer together than uncoupled ones. */
    @Test
    void theElasticCouplingBringsTheReplicasTogether() {
        Parle.Builder b = Parle.defaults().lr(0.05f).innerSteps(2);
        double coupled = spread(fused(b.rho(new Parle.Coupling(5f, 5f)).build(), 3, 6));
        double uncoupled = spread(fused(b.rho(new Parle.Coupling(0f, 0f)).build(), 3, 6));
        assertTrue(coupled < 0.5 * uncoupled, "spread " + coupled + " coupled, " + uncoupled + " uncoupled");
    }

    private static double spread(List<float[]> replicas) {
        double s = 0;
        for (int i = 0; i < replicas.get(0).length; i++) {
            double mean = (replicas.get(0)[i] + replicas.get(1)[i] + replicas.get(2)[i]) / 3.0;
            for (float[] r : replicas) {
                s += (r[i] - mean) * (r[i] - mean);
            }
        }
        return s;
    }

    /**
     * One replica with ρ = 0 is Entropy-SGD without noise, in the hamilton-jacobi code's form (momentum on
     * gradient and coupling together, kept across outer steps) with α = 1 − β; to the bit.
     */
    @Test
    void oneReplicaWithoutElasticCouplingIsNoiseFreeEntropySgd() {
        Parle.Settings parle = Parle.defaults().lr(0.5f).innerSteps(3).innerLr(0.1f).gamma(new Parle.Coupling(0.03f, 1f))
                .rho(new Parle.Coupling(0f, 0f)).average(0.25f, true).weightDecay(1e-3f).build();
        EntropySgd.Settings esgd = EntropySgd.printed().lr(0.5f).innerSteps(3).innerLr(0.1f)
                .scoping(Scoping.fixed(0.03f)).noise(0f).alpha(0.75f).innerMomentum(Momentum.nesterov(0.9f))
                .momentumPlacement(MomentumPlacement.ALL).resetInnerMomentum(false)
                .outerMomentum(Momentum.nesterov(0.9f)).weightDecay(1e-3f).build();
        assertArrayEquals(run(esgd::create, 5), run(parle::create, 5));
    }

    /** One Elastic-SGD replica with ρ = 0 is SGD with Nesterov momentum and weight decay; to the bit. */
    @Test
    void oneElasticSgdReplicaWithoutCouplingIsSgd() {
        Parle.Settings elastic = Parle.elasticSgd().lr(0.1f).rho(new Parle.Coupling(0f, 0f)).weightDecay(1e-3f)
                .group(TinyMlp.NO_DECAY, OptimizerTableTest.BIASES).build();
        Sgd.Settings sgd = Sgd.defaults().lr(0.1f).momentum(Momentum.nesterov(0.9f)).weightDecay(1e-3f)
                .group(TinyMlp.NO_DECAY, OptimizerTableTest.BIASES).build();
        assertArrayEquals(run(sgd::create, 5), run(elastic::create, 5));
        assertFalse(elastic.create(replicaArena(0)).freshMinibatchEachEvaluation(), "Elastic-SGD takes the step's batch");
        assertTrue(Parle.defaults().build().create(replicaArena(0)).freshMinibatchEachEvaluation());
    }

    private static float[] run(Function<ParameterArena, Optimizer> make, int steps) {
        ParameterArena p = replicaArena(0);
        Optimizer opt = make.apply(p);
        Closure c = replicaClosure(p, 0);
        for (int i = 0; i < steps; i++) {
            opt.step(c);
        }
        return p.values().toArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("table")
    void threeReplicasResumedFromTheirSavedStateContinueExactly(Row row) {
        Parle.Settings s = row.settings();
        List<float[]> straight = fused(s, 3, 4);
        StateFile state = new StateFile();
        InProcessJob.run(3, TIMEOUT, job -> {
            ParameterArena p = replicaArena(job.rank());
            Parle parle = s.create(p, job);
            Closure c = replicaClosure(p, job.rank());
            parle.step(c);
            parle.step(c);
            synchronized (state) {
                p.saveState(state, "params" + job.rank());
                parle.saveState(state, "replica" + job.rank());
            }
            return null;
        });
        List<float[]> resumed = InProcessJob.run(3, TIMEOUT, job -> {
            ParameterArena p = replicaArena(job.rank());
            p.backend().fill(p.values(), 0.25f);
            Parle parle = s.create(p, job);
            p.loadState(state, "params" + job.rank());
            parle.loadState(state, "replica" + job.rank());
            assertEquals(2, parle.steps());
            Closure c = replicaClosure(p, job.rank());
            parle.step(c);
            parle.step(c);
            return p.values().toArray();
        });
        for (int a = 0; a < 3; a++) {
            assertArrayEquals(straight.get(a), resumed.get(a), row + ": replica " + a);
        }
    }

    /** Each replica counts its own evaluations: replica a's closure sees 0, 1, 2, … whatever the others do. */
    @Test
    void eachReplicaSeesItsOwnEvaluationIndices() {
        Parle.Settings s = Parle.defaults().innerSteps(3).build();
        List<List<Long>> seen = InProcessJob.run(2, TIMEOUT, job -> {
            ParameterArena p = replicaArena(job.rank());
            Parle parle = s.create(p, job);
            Closure c = replicaClosure(p, job.rank());
            List<Long> mine = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                parle.step(e -> {
                    mine.add(e);
                    return c.evaluate(e);
                });
            }
            assertEquals(2, parle.replicas());
            assertEquals(job.rank(), parle.replica());
            return mine;
        });
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), seen.get(0));
        assertEquals(seen.get(0), seen.get(1));
    }

    /** A replica whose loss becomes NaN stops every replica at the same step, each naming it. */
    @Test
    void aDivergingReplicaStopsEveryReplicaWithTheSameMessage() {
        Parle.Settings s = Parle.defaults().innerSteps(2).build();
        List<String> messages = InProcessJob.run(3, TIMEOUT, job -> {
            ParameterArena p = replicaArena(job.rank());
            Parle parle = s.create(p, job);
            Closure c = replicaClosure(p, job.rank());
            parle.step(c);
            DivergenceException e = assertThrows(DivergenceException.class, () -> parle.step(ev -> {
                Tensor loss = c.evaluate(ev);
                return job.rank() == 1 && ev == 3 ? Tensor.scalar(Float.NaN) : loss;
            }));
            assertEquals(1, e.step());
            return e.getMessage();
        });
        for (String m : messages) {
            assertEquals("replica 1 of 3: the loss became NaN at optimizer step 1, inner step 1", m);
        }
    }

    @Test
    void theCouplingsFollowTheirScheduleAndCaps() {
        Parle.Settings de = Parle.defaults().growth(0.5f).build();
        assertEquals(0.01 * 1.5, de.gammaAt(0), 1e-7, "distributed-ensembles counts the step before using it");
        assertEquals(0.01 * Math.pow(1.5, 3), de.gammaAt(2), 1e-7);
        assertEquals(1f, de.gammaAt(20), "γ is capped at 1");
        assertEquals(1.5, de.rhoAt(0, 3), 1e-6);
        assertEquals(10f, de.rhoAt(10, 3), "ρ is capped at 10");
        Parle.Settings mpi = Parle.parleMpi().growth(0.5f).build();
        assertEquals(0.01, mpi.gammaAt(0), 1e-9, "parle_mpi.py's first outer step has no growth factor");
        assertEquals(0.01 * 25 * 3 * 1.5, mpi.rhoAt(0, 3), 1e-6, "ρ0·L·n");
        assertEquals(25, Parle.defaults().build().evaluationsPerStep());
        assertEquals(1, Parle.elasticSgd().build().evaluationsPerStep());
    }

    @Test
    void invalidSettingsNameTheValueAndRange() {
        List<Runnable> bad = List.of(
                () -> Parle.defaults().innerSteps(-1).build(),
                () -> Parle.defaults().innerLr(0f).build(),
                () -> Parle.defaults().average(1f, true).build(),
                () -> Parle.defaults().growth(-0.1f).build(),
                () -> new Parle.Coupling(-1f, 1f),
                () -> Parle.parleMpi().outerMomentum(Momentum.heavyBall(0.9f)).build());
        List<String> expected = List.of(
                "L = -1 is not allowed; it must be an integer ≥ 0 (0 is Elastic-SGD)",
                "inner learning rate η' = 0.0 is not allowed; it must be a finite number > 0",
                "averaging β = 1.0 is not allowed; it must be in [0.0, 1.0)",
                "coupling growth = -0.1 is not allowed; it must be a finite number ≥ 0",
                "coupling = -1.0 is not allowed; it must be a finite number ≥ 0",
                "the whole-buffer look-ahead (d + c) is a form of Nesterov's momentum; it needs Nesterov momentum in"
                        + " both loops");
        for (int i = 0; i < bad.size(); i++) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, bad.get(i)::run);
            assertEquals(expected.get(i), e.getMessage());
        }
    }

    /** The reference model: every replica gets the mean of the current weights. */
    @Test
    void theReplicasAverageTheirWeightsIntoTheReferenceModel() {
        List<float[]> refs = InProcessJob.run(3, TIMEOUT, (Communicator job) -> {
            ParameterArena p = replicaArena(job.rank());
            Parle parle = Parle.defaults().innerSteps(1).build().create(p, job);
            float[] out = new float[p.size()];
            parle.averageWeights(out);
            return out;
        });
        float[] a = replicaArena(0).values().toArray(), b = replicaArena(1).values().toArray();
        float[] c = replicaArena(2).values().toArray();
        for (int i = 0; i < a.length; i++) {
            assertEquals((float) (((double) a[i] + b[i] + c[i]) / 3), refs.get(0)[i]);
        }
        assertArrayEquals(refs.get(0), refs.get(2));
    }
}
