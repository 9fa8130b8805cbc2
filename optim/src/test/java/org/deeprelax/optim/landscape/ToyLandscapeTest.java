package org.deeprelax.optim.landscape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The toy landscape, its minima, its random term; the table of {@link Landscape}. */
class ToyLandscapeTest {

    static final ToyLandscape F = ToyLandscape.plain();

    @Test
    void localMinimaAreWhereTheDesignSays() {
        double[] expected = {-2.1737, -1.2087, -0.2418, 0.7254, 1.6916, 2.6548};
        List<Minima.Minimum> found = Minima.local(F::value, -3, 3, 600);
        assertEquals(expected.length, found.size(), found.toString());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], found.get(i).x(), 1e-3, found.toString());
            assertEquals(0, F.derivative(found.get(i).x()), 1e-6);
        }
        Minima.Minimum global = Minima.global(F::value, -3, 3, 600);
        assertEquals(-0.2418, global.x(), 1e-3);
        assertEquals(-1.4395, global.value(), 1e-4);
    }

    @Test
    void derivativeAndBoundsHoldWithAndWithoutTheRandomTerm() {
        for (ToyLandscape f : new ToyLandscape[] {F, ToyLandscape.withRandomTerm(7), ToyLandscape.withRandomTerm(-3)}) {
            for (double x = -4; x <= 4; x += 0.013) {
                double fd = (f.value(x + 1e-6) - f.value(x - 1e-6)) / 2e-6;
                assertEquals(fd, f.derivative(x), 1e-6, f + " x " + x);
                assertTrue(f.value(x) >= f.lowerBound(), f + " x " + x);
                double f2 = (f.derivative(x + 1e-6) - f.derivative(x - 1e-6)) / 2e-6;
                assertTrue(Math.abs(f2) <= f.curvatureBound() + 1e-4, f + " x " + x);
            }
        }
    }

    @Test
    void theRandomTermIsSmallSmoothAndNamedByItsSeed() {
        RandomTerm a = new RandomTerm(42);
        RandomTerm b = new RandomTerm(42);
        RandomTerm c = new RandomTerm(43);
        double maxDiff = 0;
        for (double x = -3; x <= 3; x += 0.01) {
            assertEquals(a.value(x), b.value(x), 0.0);
            maxDiff = Math.max(maxDiff, Math.abs(a.value(x) - c.value(x)));
            assertTrue(Math.abs(a.value(x)) <= a.amplitudeBound() + 1e-15);
        }
        assertTrue(maxDiff > 1e-3, "different seeds, different terms");
        assertTrue(a.amplitudeBound() < RandomTerm.TERMS * RandomTerm.MAX_AMPLITUDE);
        assertNotEquals(a.toString(), c.toString());
        // The perturbed landscape keeps the big wells where they were.
        ToyLandscape f = ToyLandscape.withRandomTerm(42);
        assertEquals(-0.2418, Minima.global(f::value, -3, 3, 6000).x(), 0.05);
    }

    @Test
    void theTableHasEveryColumnOnTheRequestedGrid() {
        Landscape.Table t = Landscape.compute(F, 0.1, 1, -3, 3, 61);
        assertEquals(61, t.size());
        assertEquals(-3, t.x()[0]);
        assertEquals(3, t.x()[60]);
        assertEquals(0, t.x()[30]);
        assertEquals(LocalEntropyPde.DEFAULT_DX, t.pdeDx());
        LocalEntropy e = new LocalEntropy(F, 0.1, 1);
        MoreauEnvelope m = new MoreauEnvelope(F, 0.1);
        for (int i = 0; i < t.size(); i++) {
            double x = t.x()[i];
            assertEquals(F.value(x), t.f()[i]);
            assertEquals(e.value(x), t.localEntropy()[i]);
            assertEquals(m.value(x), t.moreau()[i]);
            // On [−3, 3] rather than [−2.5, 2.5] the steeper edges raise the constant to about 3.4.
            assertEquals(t.localEntropy()[i], t.localEntropyPde()[i], 4 * t.pdeDx());
            assertTrue(t.moreau()[i] <= t.f()[i]);
        }
    }
}
