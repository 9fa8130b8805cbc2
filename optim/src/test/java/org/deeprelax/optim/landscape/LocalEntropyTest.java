package org.deeprelax.optim.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The local entropy by quadrature: the reference values of docs/landscape.md, its gradient, its limits. */
class LocalEntropyTest {

    static final ToyLandscape F = ToyLandscape.plain();

    @Test
    void gradientMatchesTheReferenceValuesOfTheLandscapeDocs() {
        double[] xs = {-1.0, 0.7, 1.2, 2.2};
        double[] g01 = {-0.920913, 0.225925, 3.205684, 4.173227};
        double[] g05 = {-1.026938, 0.684056, 1.178316, 2.221904};
        LocalEntropy a = new LocalEntropy(F, 0.1, 1);
        LocalEntropy b = new LocalEntropy(F, 0.5, 1);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(g01[i], a.gradient(xs[i]), 1e-4, "gamma 0.1, x " + xs[i]);
            assertEquals(g05[i], b.gradient(xs[i]), 1e-4, "gamma 0.5, x " + xs[i]);
            // The six printed digits are matched, not merely 1e-4: the quadrature is that accurate.
            assertEquals(g01[i], a.gradient(xs[i]), 1e-6, "gamma 0.1, x " + xs[i]);
            assertEquals(g05[i], b.gradient(xs[i]), 1e-6, "gamma 0.5, x " + xs[i]);
        }
    }

    @Test
    void gradientIsTheDerivativeOfTheValue() {
        double delta = 1e-4; // truncation δ²|f_γ'''|/6 ≲ 1e-7; rounding ~1e-15/δ
        for (double gamma : new double[] {0.1, 0.5}) {
            for (double beta : new double[] {1, 10}) {
                LocalEntropy e = new LocalEntropy(F, gamma, beta);
                for (double x = -2.9; x <= 2.9; x += 0.37) {
                    double fd = (e.value(x + delta) - e.value(x - delta)) / (2 * delta);
                    LocalEntropy.Point p = e.evaluate(x);
                    assertEquals(fd, p.gradient(), 1e-5, "gamma " + gamma + " beta " + beta + " x " + x);
                    assertEquals(p.gradient(), (x - p.mean()) / gamma, 1e-9);
                }
            }
        }
    }

    @Test
    void tendsToFAsGammaTendsToZero() {
        // f_γ = f − γ(½f'² − f''/(2β)) + O(γ²): on [−3, 3] |f'| ≤ 15.43 and |f''| ≤ 61.2, so the
        // distance is at most about γ·(119 + 31) = 150·γ, and shrinks linearly with γ.
        for (double gamma : new double[] {1e-4, 1e-6}) {
            LocalEntropy e = new LocalEntropy(F, gamma, 1);
            double worst = 0;
            for (int i = 0; i <= 120; i++) {
                double x = -3 + i * 0.05;
                worst = Math.max(worst, Math.abs(e.value(x) - F.value(x)));
            }
            assertTrue(worst <= 150 * gamma * 1.05, "gamma " + gamma + ": max |f_γ − f| = " + worst);
            assertTrue(worst >= 10 * gamma, "gamma " + gamma + ": f_γ should differ from f at first order, got " + worst);
        }
    }

    @Test
    void closedFormForAQuadratic() {
        // Checks the signs and the heat kernel's normalisation against an exact answer.
        Quadratic q = new Quadratic(3);
        for (double gamma : new double[] {0.01, 0.3, 2}) {
            for (double beta : new double[] {0.1, 1, 100}) {
                LocalEntropy e = new LocalEntropy(q, gamma, beta);
                for (double x : new double[] {-2, -0.3, 0, 1.1}) {
                    assertEquals(q.localEntropy(x, gamma, beta), e.value(x), 1e-10, "gamma " + gamma + " beta " + beta + " x " + x);
                    assertEquals(3 * x / (1 + 3 * gamma), e.gradient(x), 1e-9);
                }
            }
        }
    }

    @Test
    void largeBetaDoesNotUnderflow() {
        // e^{−βf} alone underflows for βf > 745; log-sum-exp keeps the answer finite and close to the
        // Moreau envelope, its β → ∞ limit.
        LocalEntropy e = new LocalEntropy(F, 0.1, 1e4);
        MoreauEnvelope m = new MoreauEnvelope(F, 0.1);
        for (double x : new double[] {-3, 0.5, 3}) {
            double v = e.value(x);
            assertTrue(Double.isFinite(v), "x " + x);
            assertEquals(m.value(x), v, 1e-3, "x " + x);
        }
    }

    @Test
    void smallBetaIsIntegratedOverAWideEnoughRange() {
        // For β = 0.05 e^{−βf} is far from negligible outside [−8, 8]; the closed form still holds.
        Quadratic q = new Quadratic(0.5);
        LocalEntropy e = new LocalEntropy(q, 1, 0.05);
        assertEquals(q.localEntropy(2, 1, 0.05), e.value(2), 1e-10);
    }

    @Test
    void rejectsBadParameters() {
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class, () -> new LocalEntropy(F, 0, 1));
        assertTrue(g.getMessage().contains("gamma"), g.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> new LocalEntropy(F, 1, Double.NaN));
        assertTrue(b.getMessage().contains("beta"), b.getMessage());
    }
}
