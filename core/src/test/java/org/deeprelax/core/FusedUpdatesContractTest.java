package org.deeprelax.core;

import static org.deeprelax.core.BackendContractTest.assertClose;
import static org.deeprelax.core.BackendContractTest.assertMessage;

import java.util.Random;

import org.deeprelax.core.random.Philox;
import org.deeprelax.core.update.AdamStep;
import org.deeprelax.core.update.EntropyOuterStep;
import org.deeprelax.core.update.FixedPointOuterStep;
import org.deeprelax.core.update.FixedPointStep;
import org.deeprelax.core.update.FusedUpdates;
import org.deeprelax.core.update.LangevinStep;
import org.deeprelax.core.update.ParleInnerStep;
import org.deeprelax.core.update.ParleOuterStep;
import org.deeprelax.core.update.SamAscent;
import org.deeprelax.core.update.SgdStep;
import org.junit.jupiter.api.Test;

/**
 * The contract of a backend's fused updates ({@link Backend#updates()}): each update against its formula
 * written out element by element in float64, and the operand checks every backend shares. A backend
 * proves itself by subclassing this class and naming itself in {@link #backend()}.
 */
public abstract class FusedUpdatesContractTest {

    /**
     * The backend under test.
     *
     * @return the backend
     */
    protected abstract Backend backend();

    private final Random random = new Random(20260611);

    private FusedUpdates updates() {
        return backend().updates();
    }

    private Tensor rand(int n) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) (2 * random.nextDouble() - 1);
        }
        return Tensor.of(backend(), d, Shape.of(n));
    }

    private static double[] d(Tensor t) {
        return Ref.toDouble(t.toArray());
    }

    @Test
    void sgdMatchesTheUnfusedFormulasFromItselfOrAnotherPoint() {
        for (float momentum : new float[] {0f, 0.9f}) {
            for (boolean nesterov : momentum == 0 ? new boolean[] {false} : new boolean[] {false, true}) {
                for (boolean elsewhere : new boolean[] {false, true}) {
                    int n = 1001;
                    Tensor x = rand(n), g = rand(n), v = rand(n);
                    Tensor from = elsewhere ? rand(n) : x;
                    double[] fd = d(from), gd = d(g), vd = d(v), xd = new double[n];
                    float lr = 0.05f, wd = 1e-3f;
                    updates().sgd(new SgdStep(lr, momentum, nesterov, wd), from, g, v, x);
                    for (int i = 0; i < n; i++) {
                        double gi = gd[i] + wd * fd[i];
                        double dir = gi;
                        if (momentum != 0) {
                            vd[i] = momentum * vd[i] + gi;
                            dir = nesterov ? gi + momentum * vd[i] : vd[i];
                        }
                        xd[i] = fd[i] - lr * dir;
                    }
                    String what = "sgd momentum " + momentum + " nesterov " + nesterov + " from another point " + elsewhere;
                    assertClose(what + " x", xd, x.toArray(), 1e-6);
                    if (momentum != 0) {
                        assertClose(what + " v", vd, v.toArray(), 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void langevinStepMatchesItsDefinitionForEveryMomentumPlacement() {
        long seed = 77, stream = 5, first = 123_456;
        for (LangevinStep.MomentumPlacement placement : LangevinStep.MomentumPlacement.values()) {
            for (float rho : new float[] {0f, 0.9f}) {
                for (boolean nesterov : new boolean[] {false, true}) {
                    LangevinStep st = new LangevinStep(0.1f, 0.03f, 0.2f, 0.75f, rho, nesterov && rho > 0, 1e-3f, placement);
                    int n = 5003;
                    Tensor y = rand(n), g = rand(n), x = rand(n), m = rand(n), mu = rand(n);
                    double[] yd = d(y), gd = d(g), xd = d(x), md = d(m), mud = d(mu);
                    updates().langevin(st, y, g, x, m, mu, seed, stream, first);
                    for (int i = 0; i < n; i++) {
                        double gi = gd[i] + st.weightDecay() * yd[i];
                        double extra = st.gamma() * (yd[i] - xd[i]) + st.noiseScale() * Philox.normal(seed, stream, first + i);
                        double dir;
                        if (rho == 0) {
                            dir = gi + extra;
                        } else if (placement == LangevinStep.MomentumPlacement.ALL) {
                            md[i] = rho * md[i] + gi + extra;
                            dir = st.nesterov() ? gi + extra + rho * md[i] : md[i];
                        } else {
                            md[i] = rho * md[i] + gi;
                            dir = (st.nesterov() ? gi + rho * md[i] : md[i]) + extra;
                        }
                        yd[i] -= st.innerLr() * dir;
                        mud[i] = (1 - st.alpha()) * mud[i] + st.alpha() * yd[i];
                    }
                    String what = "langevin " + placement + " rho " + rho + " nesterov " + st.nesterov();
                    assertClose(what + " y", yd, y.toArray(), 1e-6);
                    assertClose(what + " mu", mud, mu.toArray(), 1e-6);
                    if (rho != 0) {
                        assertClose(what + " m", md, m.toArray(), 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void entropyOuterStepMovesTheAnchorAndRestartsTheInnerLoop() {
        for (float rho : new float[] {0f, 0.9f}) {
            int n = 1001;
            Tensor x = rand(n), y = rand(n), mu = rand(n), m = rand(n), big = rand(n);
            double[] xd = d(x), mud = d(mu), bd = d(big);
            float lr = 0.5f, wd = 1e-3f;
            updates().entropyOuter(new EntropyOuterStep(lr, rho, rho > 0, wd, true), x, y, mu, m, big);
            for (int i = 0; i < n; i++) {
                double dir = xd[i] - mud[i] + wd * xd[i];
                if (rho != 0) {
                    bd[i] = rho * bd[i] + dir;
                    dir = dir + rho * bd[i];
                }
                xd[i] -= lr * dir;
            }
            assertClose("outer x", xd, x.toArray(), 1e-6);
            assertClose("outer y = x", xd, y.toArray(), 1e-6);
            assertClose("outer mu = x", xd, mu.toArray(), 1e-6);
            assertClose("outer m reset", new double[n], m.toArray(), 0);
            if (rho != 0) {
                assertClose("outer momentum", bd, big.toArray(), 1e-6);
            }
        }
    }

    /** Both references' inner loops: Nesterov look-ahead ρ (distributed-ensembles) and the whole buffer (parle_mpi.py). */
    @Test
    void parleInnerStepMatchesItsDefinition() {
        for (float rho : new float[] {0f, 0.9f}) {
            for (boolean nesterov : rho == 0 ? new boolean[] {false} : new boolean[] {false, true}) {
                for (float look : nesterov ? new float[] {rho, 1f} : new float[] {0f}) {
                    for (float beta : new float[] {0f, 0.75f}) {
                        ParleInnerStep st = new ParleInnerStep(0.1f, 0.03f, rho, nesterov, look, 1e-3f, beta);
                        int n = 1003;
                        Tensor y = rand(n), g = rand(n), x = rand(n), c = rand(n), mu = rand(n);
                        double[] yd = d(y), gd = d(g), xd = d(x), cd = d(c), mud = d(mu);
                        updates().parleInner(st, y, g, x, c, mu);
                        for (int i = 0; i < n; i++) {
                            double dir = gd[i] + st.weightDecay() * yd[i] + st.gamma() * (yd[i] - xd[i]);
                            if (rho != 0) {
                                cd[i] = rho * cd[i] + dir;
                                dir = nesterov ? dir + look * cd[i] : cd[i];
                            }
                            yd[i] -= st.innerLr() * dir;
                            mud[i] = beta * mud[i] + (1 - beta) * yd[i];
                        }
                        String what = "parle inner rho " + rho + " nesterov " + nesterov + " look " + look + " beta " + beta;
                        assertClose(what + " y", yd, y.toArray(), 1e-6);
                        assertClose(what + " mu", mud, mu.toArray(), 1e-6);
                        assertClose(what + " c", cd, c.toArray(), 1e-6);
                    }
                }
            }
        }
    }

    /** Parle's direction x − μ or Elastic-SGD's gradient, the pull towards the reference, from the anchor or the iterate. */
    @Test
    void parleOuterStepMatchesItsDefinition() {
        for (boolean fromGradient : new boolean[] {false, true}) {
            for (boolean fromIterate : new boolean[] {false, true}) {
                for (boolean reset : new boolean[] {false, true}) {
                    for (float rho : new float[] {0f, 0.9f}) {
                        boolean nesterov = rho > 0 && fromIterate != reset;
                        float look = fromIterate ? 1f : rho;
                        ParleOuterStep st = new ParleOuterStep(0.05f, 0.7f, rho, nesterov, look, 1e-3f, fromGradient,
                                fromIterate, reset);
                        int n = 1001;
                        Tensor x = rand(n), y = rand(n), mu = rand(n), r = rand(n), g = rand(n), big = rand(n);
                        double[] xd = d(x), yd = d(y), mud = d(mu), rd = d(r), gd = d(g), bd = d(big);
                        updates().parleOuter(st, x, y, mu, r, g, big);
                        double[] w = new double[n];
                        for (int i = 0; i < n; i++) {
                            double a = fromGradient ? gd[i] + st.weightDecay() * xd[i] : xd[i] - mud[i];
                            double dir = a + st.coupling() * (xd[i] - rd[i]);
                            if (rho != 0) {
                                bd[i] = rho * bd[i] + dir;
                                dir = nesterov ? dir + look * bd[i] : bd[i];
                            }
                            w[i] = (fromIterate ? yd[i] : xd[i]) - st.lr() * dir;
                        }
                        String what = "parle outer gradient " + fromGradient + " iterate " + fromIterate + " reset " + reset
                                + " rho " + rho + " nesterov " + nesterov;
                        assertClose(what + " x", w, x.toArray(), 1e-6);
                        assertClose(what + " y = x", w, y.toArray(), 1e-6);
                        assertClose(what + " mu", reset ? w : mud, mu.toArray(), 1e-6);
                        assertClose(what + " momentum", bd, big.toArray(), 1e-6);
                    }
                }
            }
        }
    }

    @Test
    void fixedPointStepsMatchTheirDefinitions() {
        int n = 777;
        Tensor w = rand(n), g = rand(n), x = rand(n), p = rand(n), big = rand(n);
        double[] wd = d(w), gd = d(g), xd = d(x), pd = d(p), bd = d(big);
        float a = 0.25f, gamma = 0.03f, lambda = 1e-3f;
        updates().fixedPoint(new FixedPointStep(a, gamma, lambda), w, g, x, p);
        for (int i = 0; i < n; i++) {
            pd[i] = (1 - a) * pd[i] + a * (gd[i] + lambda * wd[i]);
            wd[i] = xd[i] - pd[i] / gamma;
        }
        assertClose("fixed point p", pd, p.toArray(), 1e-6);
        assertClose("fixed point w", wd, w.toArray(), 1e-5);
        float lr = 0.1f, rho = 0.9f;
        updates().fixedPointOuter(new FixedPointOuterStep(lr, rho, true), x, p, big, w);
        for (int i = 0; i < n; i++) {
            bd[i] = rho * bd[i] + pd[i];
            xd[i] -= lr * (pd[i] + rho * bd[i]);
        }
        assertClose("fixed point outer x", xd, x.toArray(), 1e-6);
        assertClose("fixed point outer w = x", xd, w.toArray(), 1e-6);
        assertClose("fixed point outer momentum", bd, big.toArray(), 1e-6);
    }

    /** Kingma and Ba's Algorithm 1 with explicit bias-corrected moments, and Loshchilov and Hutter's decoupled decay. */
    @Test
    void adamAndAdamWMatchTheirPublishedDefinitions() {
        for (boolean decoupled : new boolean[] {false, true}) {
            int n = 1003;
            Tensor x = rand(n), m = Tensor.zeros(backend(), Shape.of(n)), v = Tensor.zeros(backend(), Shape.of(n));
            double[] xd = d(x), md = new double[n], vd = new double[n];
            float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.05f;
            for (int t = 1; t <= 3; t++) {
                Tensor g = rand(n);
                double[] gd = d(g);
                updates().adam(new AdamStep(lr, b1, b2, eps, wd, decoupled, t), x, g, m, v);
                for (int i = 0; i < n; i++) {
                    double gi = decoupled ? gd[i] : gd[i] + wd * xd[i];
                    if (decoupled) {
                        xd[i] -= lr * wd * xd[i];
                    }
                    md[i] = b1 * md[i] + (1 - b1) * gi;
                    vd[i] = b2 * vd[i] + (1 - b2) * gi * gi;
                    double mHat = md[i] / (1 - Math.pow(b1, t));
                    double vHat = vd[i] / (1 - Math.pow(b2, t));
                    xd[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
                }
                String what = (decoupled ? "adamw" : "adam") + " step " + t;
                assertClose(what + " x", xd, x.toArray(), 1e-6);
                assertClose(what + " m", md, m.toArray(), 1e-6);
                assertClose(what + " v", vd, v.toArray(), 1e-6);
            }
        }
    }

    /** Foret et al.'s ε = ρ·g/‖g‖ and Kwon et al.'s ε = ρ·T²g/‖Tg‖ with T = |w| + η, over the whole arena. */
    @Test
    void samAscentMovesToTheWorstPointOfTheNeighbourhood() {
        for (boolean adaptive : new boolean[] {false, true}) {
            int n = 9001;
            Tensor w = rand(n), g = rand(n), anchor = rand(n);
            double[] wd = d(w), gd = d(g);
            float rho = 0.05f, eta = 0.01f;
            updates().samAscent(new SamAscent(rho, adaptive, eta), w, g, anchor);
            double norm = 0;
            for (int i = 0; i < n; i++) {
                double t = adaptive ? Math.abs(wd[i]) + eta : 1;
                norm += t * gd[i] * t * gd[i];
            }
            norm = Math.sqrt(norm);
            double[] expected = new double[n];
            double moved = 0;
            for (int i = 0; i < n; i++) {
                double t = adaptive ? Math.abs(wd[i]) + eta : 1;
                double e = rho * t * t * gd[i] / norm;
                expected[i] = wd[i] + e;
                moved += (e / t) * (e / t);
            }
            String what = adaptive ? "asam" : "sam";
            assertClose(what + " w", expected, w.toArray(), 1e-6);
            assertClose(what + " anchor", wd, anchor.toArray(), 0);
            org.junit.jupiter.api.Assertions.assertEquals(rho, Math.sqrt(moved), 1e-5 * rho,
                    what + ": the step has length ρ in the normalised metric");
        }
        Tensor w = rand(10), zero = Tensor.zeros(backend(), Shape.of(10)), anchor = rand(10);
        float[] before = w.toArray();
        updates().samAscent(new SamAscent(0.05f, false, 0), w, zero, anchor);
        assertClose("a zero gradient does not move w", Ref.toDouble(before), w.toArray(), 0);
    }

    @Test
    void operandsOfAnotherSizeOrBackendAreRefusedNamingTheUpdate() {
        Tensor x = rand(10), g = rand(10), v = rand(9);
        assertMessage(IllegalArgumentException.class, () -> updates().sgd(new SgdStep(0.1f, 0, false, 0), x, g, v, x),
                "sgd", "[10]", "[9]");
        assertMessage(IllegalArgumentException.class,
                () -> updates().adam(new AdamStep(0.1f, 0.9f, 0.999f, 1e-8f, 0, false, 1), x, g, x, v), "adam", "[9]");
        assertMessage(IllegalArgumentException.class, () -> updates().parleOuter(
                new ParleOuterStep(0.1f, 1f, 0, false, 0, 0, false, false, true), x, g, x, v, g, x), "parleOuter", "[9]");
        Backend other = OtherBackend.create();
        Tensor foreign = new Tensor(OtherBackend.storage(other, 10), 0, Shape.of(10));
        assertMessage(IllegalArgumentException.class,
                () -> updates().samAscent(new SamAscent(0.05f, false, 0), x, foreign, g), "samAscent", "other",
                backend().name());
    }
}
