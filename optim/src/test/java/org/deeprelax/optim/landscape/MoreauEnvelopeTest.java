package org.deeprelax.optim.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The Moreau envelope and prox: ≤ f, fixed points, the β → ∞ limit of the local entropy. */
class MoreauEnvelopeTest {

    static final ToyLandscape F = ToyLandscape.plain();

    @Test
    void liesBelowF() {
        for (double gamma : new double[] {0.01, 0.1, 1}) {
            MoreauEnvelope m = new MoreauEnvelope(F, gamma);
            for (int i = 0; i <= 300; i++) {
                double x = -3 + i * 0.02;
                assertTrue(m.value(x) <= F.value(x), "gamma " + gamma + " x " + x);
            }
        }
    }

    @Test
    void equalsFAtALocalMinimumOnlyForSmallGamma() {
        double local = Minima.golden(F::value, 1.6, 1.8).x(); // a local, not global, minimum
        double global = Minima.golden(F::value, -0.4, -0.1).x();
        // Small γ: the well's own curvature holds the minimiser at x, so u = f there.
        assertEquals(F.value(local), new MoreauEnvelope(F, 1e-3).value(local), 1e-9);
        // Large γ: the quadratic penalty is weak enough that the lower well at 0.7254 wins.
        MoreauEnvelope wide = new MoreauEnvelope(F, 0.5);
        assertTrue(wide.value(local) < F.value(local) - 1, "u " + wide.value(local) + " f " + F.value(local));
        assertEquals(0.7254, wide.prox(local), 0.15);
        // At the global minimum u = f for every γ.
        assertEquals(F.value(global), new MoreauEnvelope(F, 5).value(global), 1e-9);
    }

    @Test
    void proxSatisfiesItsOptimalityCondition() {
        // prox = argmin f(y) + (x − y)²/(2γ) ⇒ f'(prox) = (x − prox)/γ = ∇u(x).
        MoreauEnvelope m = new MoreauEnvelope(F, 0.1);
        for (double x = -2.9; x <= 2.9; x += 0.29) {
            double p = m.prox(x);
            assertEquals(F.derivative(p), m.gradient(x), 1e-5, "x " + x);
        }
    }

    @Test
    void agreesWithADenseBruteForceAndTheClosedForm() {
        MoreauEnvelope m = new MoreauEnvelope(F, 0.3);
        for (double x : new double[] {-2.7, -0.9, 0.2, 1.3, 2.95}) {
            double best = Double.POSITIVE_INFINITY;
            for (int j = -400_000; j <= 400_000; j++) {
                double y = x + j * 1e-5;
                best = Math.min(best, F.value(y) + (x - y) * (x - y) / 0.6);
            }
            // the dense grid's own error: ≤ ½·sup φ''·(5e-6)² ≈ 1e-9
            assertEquals(best, m.value(x), 2e-9, "x " + x);
        }
        Quadratic q = new Quadratic(2);
        MoreauEnvelope mq = new MoreauEnvelope(q, 0.7);
        assertEquals(q.moreau(1.3, 0.7), mq.value(1.3), 1e-12);
        assertEquals(1.3 / 2.4, mq.prox(1.3), 1e-8);
    }

    @Test
    void isTheLargeBetaLimitOfTheLocalEntropy() {
        // Laplace's method: f_γ(x) = u(x) + log(1 + γ·f''(prox))/(2β) + O(1/β²) for one non-degenerate
        // minimiser; two tied minimisers lower it by at most log(2)/β. So
        // |f_γ − u| ≤ (½·log(1 + γ·sup|f''|) + log 2)/β, up to O(1/β²): 0.033 for γ = 0.1, β = 50.
        for (double gamma : new double[] {0.1, 0.5}) {
            double previous = Double.NaN;
            for (double beta : new double[] {50, 200}) {
                LocalEntropy e = new LocalEntropy(F, gamma, beta);
                MoreauEnvelope m = new MoreauEnvelope(F, gamma);
                double worst = 0;
                for (int i = 0; i <= 120; i++) {
                    double x = -3 + 0.05 * i;
                    worst = Math.max(worst, Math.abs(e.value(x) - m.value(x)));
                }
                double bound = (0.5 * Math.log(1 + gamma * F.curvatureBound()) + Math.log(2)) / beta;
                assertTrue(worst <= bound, "gamma " + gamma + " beta " + beta + ": " + worst + " > " + bound);
                if (!Double.isNaN(previous)) {
                    // O(1/β): four times β, about a quarter of the distance
                    assertTrue(worst < previous / 3, "gamma " + gamma + ": " + previous + " then " + worst);
                }
                previous = worst;
            }
        }
    }
}
