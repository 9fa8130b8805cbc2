package org.deeprelax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeprelax.core.Backends;
import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.io.StateFile;
import org.junit.jupiter.api.Test;

/** SGD against the torch.optim.SGD update written out step by step in float64, and its checks. */
class SgdTest {

    static final float[] A = {1f, 3f, 0.5f, 2f, 1.5f};
    static final float[] C = {0.3f, -1f, 2f, 0f, 0.7f};

    /** One parameter vector x of five values drawn from the seed. */
    static ParameterArena point(long seed) {
        return ParameterArena.builder(Backends.cpu(), seed)
                .add("x", Tensor.uniform(Backends.cpu(), Shape.of(5), -2, 2, seed, 0)).build();
    }

    /** The objective ½·Σ aᵢ(xᵢ − cᵢ)², whose gradient is a·(x − c). */
    static Closure quadratic(ParameterArena p) {
        Tensor a = Tensor.of(A, A.length);
        Tensor c = Tensor.of(C, C.length);
        return evaluation -> {
            Tensor d = p.value("x").sub(c);
            Tensor loss = d.mul(d).mul(a).sum().mul(Tensor.scalar(0.5f));
            loss.backward();
            return loss;
        };
    }

    @Test
    void matchesTheReferenceUpdateStepByStep() {
        for (boolean nesterov : new boolean[] {false, true}) {
            ParameterArena p = point(4);
            double[] x = Float64Optimizers.toDouble(p.values().toArray());
            double[] v = new double[5];
            float lr = 0.1f, mu = 0.9f, wd = 1e-2f;
            Sgd sgd = Sgd.defaults().lr(lr).momentum(new Momentum(mu, nesterov)).weightDecay(wd).build().create(p);
            Closure closure = quadratic(p);
            for (int step = 0; step < 20; step++) {
                sgd.step(closure);
                for (int i = 0; i < 5; i++) {
                    double g = A[i] * (x[i] - C[i]) + wd * x[i];
                    v[i] = mu * v[i] + g;
                    x[i] -= lr * (nesterov ? g + mu * v[i] : v[i]);
                }
            }
            float[] got = p.values().toArray();
            for (int i = 0; i < 5; i++) {
                assertEquals(x[i], got[i], 1e-5, "nesterov " + nesterov + " element " + i);
            }
        }
    }

    @Test
    void convergesToTheMinimum() {
        ParameterArena p = point(4);
        Sgd sgd = Sgd.defaults().lr(0.1f).momentum(Momentum.nesterov(0.9f)).build().create(p);
        Closure closure = quadratic(p);
        for (int i = 0; i < 300; i++) {
            sgd.step(closure);
        }
        float[] got = p.values().toArray();
        for (int i = 0; i < 5; i++) {
            assertEquals(C[i], got[i], 1e-4);
        }
        assertEquals(300, sgd.steps());
    }

    @Test
    void resumedStateContinuesExactly() {
        Sgd.Settings s = Sgd.defaults().lr(0.05f).momentum(Momentum.nesterov(0.9f)).build();
        ParameterArena a = point(4);
        Sgd sa = s.create(a);
        Closure ca = quadratic(a);
        for (int i = 0; i < 5; i++) {
            sa.step(ca);
        }
        StateFile state = new StateFile();
        a.saveState(state, "x");
        sa.saveState(state);
        ParameterArena b = point(4);
        Sgd sb = s.create(b);
        b.loadState(state, "x");
        sb.loadState(state);
        Closure cb = quadratic(b);
        for (int i = 0; i < 5; i++) {
            sa.step(ca);
            sb.step(cb);
        }
        assertArrayEquals(a.values().toArray(), b.values().toArray());
    }

    @Test
    void divergenceNamesTheStep() {
        ParameterArena p = point(4);
        Sgd sgd = Sgd.defaults().lr(0.1f).build().create(p);
        DivergenceException e = assertThrows(DivergenceException.class, () -> {
            for (int i = 0; i < 10; i++) {
                sgd.step(evaluation -> Tensor.scalar(evaluation < 3 ? 1f : Float.NaN));
            }
        });
        assertEquals(3, e.step());
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("step 3"), e.getMessage());
    }

    @Test
    void aClosureThatReturnsNoScalarIsNamed() {
        ParameterArena p = point(4);
        Sgd sgd = Sgd.defaults().build().create(p);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sgd.step(evaluation -> p.value("x")));
        assertEquals("the closure must return the loss, a one-element tensor; it returned a tensor of shape [5]",
                e.getMessage());
    }

    @Test
    void learningRateSchedules() {
        LearningRateSchedule s = LearningRateSchedule.parse("1:0.1,3:0.01,8:0.001");
        assertEquals(0.1f, s.at(1));
        assertEquals(0.1f, s.at(2));
        assertEquals(0.01f, s.at(3));
        assertEquals(0.01f, s.at(7));
        assertEquals(0.001f, s.at(20));
        LearningRateSchedule d = LearningRateSchedule.stepDecay(1f, 4, 0.2f);
        assertEquals(1f, d.at(4));
        assertEquals(0.2f, d.at(5), 1e-7);
        assertEquals(0.04f, d.at(9), 1e-7);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LearningRateSchedule.parse("1:0.1,three:0.01"));
        assertTrue(e.getMessage().contains("'three:0.01'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("2:0.1"));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.parse("1:-0.1"));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> LearningRateSchedule.parse("1:0.1,3:0.01,3:0.001"));
        assertTrue(twice.getMessage().contains("epoch 3 appears twice"), twice.getMessage());
    }
}
