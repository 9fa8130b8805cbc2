package org.deeprelax.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeprelax.core.Backends;
import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Tensor;
import org.deeprelax.optim.landscape.ToyLandscape;
import org.junit.jupiter.api.Test;

/**
 * The real {@link EntropySgd} on the paper's 1-D landscape f(x) = x² + 1.5·sin(2πx), with a closure that
 * returns f and writes f′ (no minibatch noise): started at x0 = 2.3, plain gradient descent settles in
 * the narrow local minimum near 1.69; Entropy-SGD, descending the local entropy instead, ends in a
 * wider basin nearer the global minimum.
 */
class EntropySgdLandscapeTest {

    static final ToyLandscape F = ToyLandscape.plain();

    /** One scalar parameter x, starting at x0. */
    static ParameterArena scalar(float x0) {
        return ParameterArena.builder(Backends.cpu(), 0).add("x", Tensor.of(new float[] {x0}, 1)).build();
    }

    /** f at x, with f′ written straight into the gradient arena (no minibatch noise). */
    static Closure exact(ParameterArena p) {
        return evaluation -> {
            double x = p.values().get(0);
            p.grads().set((float) F.derivative(x), 0);
            return Tensor.scalar((float) F.value(x));
        };
    }

    /** @return the local minimum of f that plain gradient descent from x reaches */
    static double basin(double x) {
        for (int i = 0; i < 20_000; i++) {
            x -= 1e-3 * F.derivative(x);
        }
        return x;
    }

    @Test
    void plainGradientDescentStaysInTheNarrowMinimum() {
        ParameterArena p = scalar(2.3f);
        Sgd gd = Sgd.defaults().lr(0.01f).build().create(p);
        for (int i = 0; i < 2000; i++) {
            gd.step(exact(p));
        }
        assertEquals(1.6916, p.values().get(0), 1e-3);
    }

    @Test
    void entropySgdEscapesToAWiderBasin() {
        int escaped = 0;
        int seeds = 10;
        StringBuilder ends = new StringBuilder();
        for (long seed = 1; seed <= seeds; seed++) {
            ParameterArena p = scalar(2.3f);
            // Coupling γ = 10 is the local entropy of time 0.1, whose minima are near −0.23 and 0.65; ε = 1
            // with the code's convention samples at β = 1.
            EntropySgd esgd = EntropySgd.printed().lr(0.5f).innerSteps(50).innerLr(0.01f).scoping(Scoping.fixed(10f))
                    .noise(1f).noiseConvention(EntropySgd.Noise.CODE).alpha(0.25f).seed(seed).build().create(p);
            for (int i = 0; i < 200; i++) {
                esgd.step(exact(p));
            }
            double end = basin(p.values().get(0));
            ends.append(String.format(" %.3f", end));
            if (end < 1.0) {
                escaped++;
            }
        }
        System.out.println("Entropy-SGD from x0 = 2.3: " + escaped + " of " + seeds + " seeds end in a basin left of 1.0;"
                + " basins:" + ends);
        assertTrue(escaped >= 8, escaped + " of " + seeds + " escaped; basins:" + ends);
    }
}
