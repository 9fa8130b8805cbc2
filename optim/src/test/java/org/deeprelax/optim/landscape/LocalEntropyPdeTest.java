package org.deeprelax.optim.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The viscous HJ scheme against the quadrature: the stated tolerance, first-order convergence, the signs. */
class LocalEntropyPdeTest {

    static final ToyLandscape F = ToyLandscape.plain();

    /** Max |PDE − quadrature| over 101 points of [−2.5, 2.5]. */
    static double error(Objective1D f, double gamma, double beta, double dx) {
        double[] xs = new double[101];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = -2.5 + 0.05 * i;
        }
        double[] pde = LocalEntropyPde.compute(f, gamma, beta, xs, dx).values();
        LocalEntropy q = new LocalEntropy(f, gamma, beta);
        double worst = 0;
        for (int i = 0; i < xs.length; i++) {
            worst = Math.max(worst, Math.abs(pde[i] - q.value(xs[i])));
        }
        return worst;
    }

    @Test
    void matchesTheQuadratureWithinTheStatedToleranceAndConvergesAtFirstOrder() {
        for (double gamma : new double[] {0.1, 0.5}) {
            double coarse = error(F, gamma, 1, 0.02);
            double fine = error(F, gamma, 1, 0.01);
            assertTrue(coarse <= LocalEntropyPde.ERROR_CONSTANT * 0.02, "gamma " + gamma + ", dx 0.02: " + coarse);
            assertTrue(fine <= LocalEntropyPde.ERROR_CONSTANT * 0.01, "gamma " + gamma + ", dx 0.01: " + fine);
            double ratio = coarse / fine;
            assertTrue(ratio > 1.7 && ratio < 2.3, "gamma " + gamma + ": halving dx divided the error by " + ratio);
        }
    }

    @Test
    void signsAndNormalisationAgreeWithTheClosedForm() {
        // For f = 3x²/2 the solution is 3x²/(2(1 + 3γ)) + log(1 + 3γ)/(2β). A flipped Hamiltonian would
        // give x²/(1 − 3γ)-like growth, a flipped Laplacian a negative log term. Measured error: 0.75·dx.
        Quadratic q = new Quadratic(3);
        double[] xs = {-1.5, -0.4, 0, 0.9, 1.5};
        for (double beta : new double[] {0.5, 1, 5}) {
            double[] u = LocalEntropyPde.compute(q, 0.3, beta, xs, 0.01).values();
            for (int i = 0; i < xs.length; i++) {
                assertEquals(q.localEntropy(xs[i], 0.3, beta), u[i], 0.01, "beta " + beta + " x " + xs[i]);
            }
        }
    }

    @Test
    void theTimeStepLandsOnGammaAndRespectsBothCflLimits() {
        ViscousHamiltonJacobi.Solution s = ViscousHamiltonJacobi.solve(F, 0.1, 1, -4, 4, 0.01);
        assertEquals(0.1, s.dt() * s.steps(), 1e-15);
        double lip = 8 + 3 * Math.PI; // sup |f'| on [−4, 4]
        assertTrue(s.dt() <= 0.01 / lip && s.dt() <= 1 * 0.01 * 0.01, "dt " + s.dt());
        assertEquals(-4, s.lo());
        assertTrue(s.hi() >= 4 - 1e-12);
    }

    @Test
    void interpolatesBetweenGridPoints() {
        ViscousHamiltonJacobi.Solution s = new ViscousHamiltonJacobi.Solution(1, 0.5, new double[] {0, 1, 4}, 0.1, 1);
        assertEquals(0.5, s.at(1.25), 1e-15);
        assertEquals(4, s.at(2), 1e-15);
        assertEquals(0, s.at(1), 1e-15);
    }
}
