package org.deeprelax.core.cpu;

import static org.deeprelax.core.cpu.CpuConvTest.input;
import static org.deeprelax.core.cpu.CpuConvTest.output;
import static org.deeprelax.core.cpu.CpuConvTest.random;
import static org.deeprelax.core.cpu.CpuConvTest.refBackward;
import static org.deeprelax.core.cpu.CpuConvTest.refForward;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.deeprelax.core.ConvGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks the Winograd path of {@link CpuConv} (every geometry here {@link CpuWinograd#applies}) against
 * the float64 reference of {@link CpuConvTest}. Winograd's transforms round differently from a direct
 * sum, so each element is held to {@code TOL · Σ|products|}, the form of its error bound, with
 * {@code Σ|products|} from the same reference on absolute values.
 */
class CpuWinogradTest {

    /**
     * Relative to Σ|products|: float's ε is 6·10⁻⁸, the transforms' constants cost about two decimal digits;
     * the worst errors measured on these cases were 0.4–5·10⁻⁶.
     */
    private static final double TOL = 2e-5;

    static Stream<Arguments> cases() {
        return Stream.of(
                // n, c, h, w, k, r, s, strideH, strideW, padH, padW; offset
                Arguments.of("All-CNN-BN-like 8x8, padding 1", new ConvGeometry(3, 32, 8, 8, 40, 3, 3, 1, 1, 1, 1), 3),
                Arguments.of("odd sizes: tiles past the output", new ConvGeometry(2, 33, 7, 9, 35, 3, 3, 1, 1, 1, 1), 5),
                Arguments.of("no padding", new ConvGeometry(2, 32, 10, 11, 32, 3, 3, 1, 1, 0, 0), 0),
                Arguments.of("padding 2, uneven", new ConvGeometry(2, 34, 5, 6, 33, 3, 3, 1, 1, 2, 1), 1),
                // 4×4 outputs are one tile: 256 images a group, so 257 leave a group of one.
                Arguments.of("image groups with a remainder", new ConvGeometry(257, 32, 4, 4, 32, 3, 3, 1, 1, 1, 1), 2));
    }

    @Test
    void appliesToAllCnnsStrideOneThreeByThreeLayersOnly() {
        assertTrue(CpuWinograd.applies(new ConvGeometry(128, 96, 32, 32, 96, 3, 3, 1, 1, 1, 1)));
        assertTrue(CpuWinograd.applies(new ConvGeometry(128, 192, 8, 8, 192, 3, 3, 1, 1, 1, 1)));
        assertFalse(CpuWinograd.applies(new ConvGeometry(128, 3, 32, 32, 96, 3, 3, 1, 1, 1, 1)), "3 channels");
        assertFalse(CpuWinograd.applies(new ConvGeometry(128, 96, 32, 32, 96, 3, 3, 2, 2, 1, 1)), "stride 2");
        assertFalse(CpuWinograd.applies(new ConvGeometry(128, 192, 8, 8, 10, 1, 1, 1, 1, 0, 0)), "1x1");
        assertFalse(CpuWinograd.applies(new ConvGeometry(128, 20, 12, 12, 50, 5, 5, 1, 1, 0, 0)), "LeNet's 5x5");
        assertFalse(CpuWinograd.applies(new ConvGeometry(2, 32, 9, 9, 32, 3, 3, 1, 1, 3, 3)), "padding 3");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void threePassesMatchTheReference(String name, ConvGeometry g, int off) {
        assertTrue(CpuWinograd.applies(g), name);
        Random rnd = new Random(name.hashCode());
        double[] x = random(rnd, g.n() * g.c() * g.h() * g.w());
        double[] w = random(rnd, g.k() * g.c() * g.r() * g.s());
        double[] dy = random(rnd, g.n() * g.k() * g.p() * g.q());
        double[] ax = abs(x), aw = abs(w), ady = abs(dy);

        float[] y = output(dy.length, off + 2);
        CpuConv.forward(g, input(x, off), off, input(w, off + 1), off + 1, y, off + 2);
        assertWithin("forward", refForward(g, x, w), refForward(g, ax, aw), y, off + 2);

        double[][] ref = refBackward(g, x, w, dy), scale = refBackward(g, ax, aw, ady);
        float[] dx = output(x.length, off + 2);
        CpuConv.backwardData(g, input(dy, off), off, input(w, off + 3), off + 3, dx, off + 2);
        assertWithin("backwardData", ref[0], scale[0], dx, off + 2);
        float[] dw = output(w.length, off + 4);
        CpuConv.backwardFilter(g, input(x, off + 1), off + 1, input(dy, off), off, dw, off + 4);
        assertWithin("backwardFilter", ref[1], scale[1], dw, off + 4);
    }

    private static double[] abs(double[] a) {
        return Arrays.stream(a).map(Math::abs).toArray();
    }

    /** {@code |actual − expected| ≤ TOL · scale} inside the range; the guards around it untouched. */
    private static void assertWithin(String what, double[] expected, double[] scale, float[] actual, int off) {
        for (int i = 0; i < actual.length; i++) {
            if (i < off || i >= off + expected.length) {
                assertEquals(CpuConvTest.SENTINEL, actual[i], what + ": wrote outside its range at " + i);
            }
        }
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(actual[off + i] - expected[i]);
            if (!(err <= TOL * scale[i])) {
                fail(what + ": element " + i + " is " + actual[off + i] + ", expected " + expected[i]
                        + " (error " + err + ", bound " + TOL * scale[i] + ")");
            }
        }
    }
}
