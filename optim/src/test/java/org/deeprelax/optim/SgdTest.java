package org.deeprelax.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeprelax.core.Backends;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Init;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.Module;
import org.deeprelax.nn.Parameter;
import org.deeprelax.core.io.StateFile;
import org.junit.jupiter.api.Test;

/** SGD against the torch.optim.SGD update written out step by step in float64, and its checks. */
class SgdTest {

    /** One parameter vector; the objective is ½·Σ aᵢ(xᵢ − cᵢ)², so the gradient is a·(x − c). */
    static final class Quadratic extends Module {
        final Parameter x;

        Quadratic(int n) {
            x = parameter("x", Shape.of(n), (t, seed, stream) -> t.backend().fillUniform(t, -2, 2, seed, stream, 0));
        }

        @Override
        public Tensor forward(Tensor unused) {
            return x.value();
        }
    }

    static final float[] A = {1f, 3f, 0.5f, 2f, 1.5f};
    static final float[] C = {0.3f, -1f, 2f, 0f, 0.7f};

    static Closure quadratic(Model m) {
        Tensor a = Tensor.of(A, A.length);
        Tensor c = Tensor.of(C, C.length);
        return () -> {
            Tensor x = m.forward(null);
            Tensor d = x.sub(c);
            Tensor loss = d.mul(d).mul(a).sum().mul(Tensor.scalar(0.5f));
            loss.backward();
            return loss.item();
        };
    }

    @Test
    void matchesTheReferenceUpdateStepByStep() {
        for (boolean nesterov : new boolean[] {false, true}) {
            Model m = Model.build("q", new Quadratic(5), Backends.cpu(), 4);
            double[] x = new double[5];
            double[] v = new double[5];
            float[] x0 = m.parameters().toArray();
            for (int i = 0; i < 5; i++) {
                x[i] = x0[i];
            }
            float lr = 0.1f, mu = 0.9f, wd = 1e-2f;
            Sgd sgd = new Sgd(m, lr, mu, wd, nesterov);
            Closure closure = quadratic(m);
            for (int step = 0; step < 20; step++) {
                sgd.step(closure);
                for (int i = 0; i < 5; i++) {
                    double g = A[i] * (x[i] - C[i]) + wd * x[i];
                    v[i] = mu * v[i] + g;
                    x[i] -= lr * (nesterov ? g + mu * v[i] : v[i]);
                }
            }
            float[] got = m.parameters().toArray();
            for (int i = 0; i < 5; i++) {
                assertEquals(x[i], got[i], 1e-5, "nesterov " + nesterov + " element " + i);
            }
        }
    }

    @Test
    void convergesToTheMinimum() {
        Model m = Model.build("q", new Quadratic(5), Backends.cpu(), 4);
        Sgd sgd = new Sgd(m, 0.1f, 0.9f, 0f, true);
        Closure closure = quadratic(m);
        for (int i = 0; i < 300; i++) {
            sgd.step(closure);
        }
        float[] got = m.parameters().toArray();
        for (int i = 0; i < 5; i++) {
            assertEquals(C[i], got[i], 1e-4);
        }
        assertEquals(300, sgd.steps());
    }

    @Test
    void resumedStateContinuesExactly() {
        Model a = Model.build("q", new Quadratic(5), Backends.cpu(), 4);
        Sgd sa = new Sgd(a, 0.05f, 0.9f, 0f, true);
        Closure ca = quadratic(a);
        for (int i = 0; i < 5; i++) {
            sa.step(ca);
        }
        StateFile state = new StateFile();
        a.saveState(state);
        sa.saveState(state);
        Model b = Model.build("q", new Quadratic(5), Backends.cpu(), 99);
        Sgd sb = new Sgd(b, 0.05f, 0.9f, 0f, true);
        b.loadState(state);
        sb.loadState(state);
        Closure cb = quadratic(b);
        for (int i = 0; i < 5; i++) {
            sa.step(ca);
            sb.step(cb);
        }
        assertArrayEquals(a.parameters().toArray(), b.parameters().toArray());
    }

    @Test
    void divergenceNamesTheStep() {
        Model m = Model.build("q", new Quadratic(5), Backends.cpu(), 4);
        Sgd sgd = new Sgd(m, 0.1f, 0f, 0f, false);
        int[] calls = {0};
        DivergenceException e = assertThrows(DivergenceException.class, () -> {
            for (int i = 0; i < 10; i++) {
                sgd.step(() -> calls[0]++ < 3 ? 1f : Float.NaN);
            }
        });
        assertEquals(3, e.step());
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("step 3"), e.getMessage());
    }

    @Test
    void invalidHyperParametersAreRejectedWithTheirRange() {
        Model m = Model.build("q", new Quadratic(5), Backends.cpu(), 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Sgd(m, -0.1f, 0.9f, 0, true));
        assertEquals("learning rate = -0.1 is not allowed; it must be a finite number ≥ 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Sgd(m, 0.1f, 1.5f, 0, true));
        assertEquals("momentum = 1.5 is not allowed; it must be in [0.0, 1.0]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sgd(m, 0.1f, 0f, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(m, 0.1f, 0.9f, -1e-4f, true));
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
    }
}
