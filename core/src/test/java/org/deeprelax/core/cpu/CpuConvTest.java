package org.deeprelax.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
 * Checks {@link CpuConv} against a float64 reference written from the definition, and its gradients
 * also against central finite differences of {@code Σ y·r} for a random {@code r}.
 */
class CpuConvTest {

    /** Guard cells around every buffer: NaN in inputs (a stray read poisons the result), a sentinel in outputs. */
    private static final int GUARD = 7;
    static final float SENTINEL = 12345f;

    static Stream<Arguments> cases() {
        return Stream.of(
                // n, c, h, w, k, r, s, strideH, strideW, padH, padW; offset
                c("LeNet-like, small", new ConvGeometry(2, 1, 12, 12, 5, 5, 5, 1, 1, 0, 0), 0),
                c("odd sizes, padding", new ConvGeometry(3, 2, 7, 9, 3, 3, 3, 1, 1, 1, 1), 5),
                c("batch 1, non-square kernel, uneven padding", new ConvGeometry(1, 3, 8, 6, 4, 3, 2, 1, 1, 2, 1), 3),
                c("stride 2, padding", new ConvGeometry(2, 2, 9, 8, 3, 3, 3, 2, 2, 1, 1), 1),
                c("stride 3, non-square kernel", new ConvGeometry(2, 3, 11, 10, 2, 2, 4, 3, 3, 0, 1), 11),
                c("strides 3 and 2, padding", new ConvGeometry(3, 2, 10, 7, 3, 3, 3, 3, 2, 1, 2), 0),
                c("1x1 pointwise", new ConvGeometry(3, 4, 5, 7, 6, 1, 1, 1, 1, 0, 0), 2),
                c("1x1 pointwise, batch 1", new ConvGeometry(1, 5, 3, 4, 3, 1, 1, 1, 1, 0, 0), 9),
                c("1x1 stride 2", new ConvGeometry(2, 3, 7, 7, 2, 1, 1, 2, 2, 0, 0), 4),
                c("1x1 padded", new ConvGeometry(2, 2, 4, 5, 3, 1, 1, 1, 1, 1, 1), 6),
                c("filter larger than input", new ConvGeometry(2, 2, 3, 3, 3, 5, 5, 1, 1, 2, 2), 1),
                c("filters not a multiple of 4", new ConvGeometry(5, 2, 6, 6, 7, 3, 3, 1, 1, 1, 1), 13),
                c("wide rows", new ConvGeometry(2, 2, 3, 41, 5, 2, 3, 1, 1, 0, 1), 0),
                c("33+ filters", new ConvGeometry(2, 1, 4, 5, 35, 3, 3, 1, 1, 1, 1), 8),
                // 10×20 and 12×11 outputs: three and four images a GEMM (CpuConv.groupSize), so 7 and 9
                // images leave a last, smaller group.
                c("image groups with a remainder", new ConvGeometry(7, 1, 10, 20, 3, 3, 3, 1, 1, 1, 1), 3),
                c("1x1 pointwise, image groups with a remainder", new ConvGeometry(9, 2, 12, 11, 4, 1, 1, 1, 1, 0, 0), 2));
    }

    private static Arguments c(String name, ConvGeometry g, int off) {
        return Arguments.of(name, g, off);
    }

    // ---- the float64 reference, straight from the definition ----

    static double[] refForward(ConvGeometry g, double[] x, double[] w) {
        double[] y = new double[g.n() * g.k() * g.p() * g.q()];
        for (int n = 0; n < g.n(); n++) {
            for (int k = 0; k < g.k(); k++) {
                for (int p = 0; p < g.p(); p++) {
                    for (int q = 0; q < g.q(); q++) {
                        double sum = 0;
                        for (int c = 0; c < g.c(); c++) {
                            for (int r = 0; r < g.r(); r++) {
                                for (int s = 0; s < g.s(); s++) {
                                    int ih = p * g.strideH() - g.padH() + r, iw = q * g.strideW() - g.padW() + s;
                                    if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                        sum += w[((k * g.c() + c) * g.r() + r) * g.s() + s]
                                                * x[((n * g.c() + c) * g.h() + ih) * g.w() + iw];
                                    }
                                }
                            }
                        }
                        y[((n * g.k() + k) * g.p() + p) * g.q() + q] = sum;
                    }
                }
            }
        }
        return y;
    }

    /** dx and dw of Σ y·dy, by the chain rule on the same loops: each term w·x contributes dy·w to dx and dy·x to dw. */
    static double[][] refBackward(ConvGeometry g, double[] x, double[] w, double[] dy) {
        double[] dx = new double[x.length], dw = new double[w.length];
        for (int n = 0; n < g.n(); n++) {
            for (int k = 0; k < g.k(); k++) {
                for (int p = 0; p < g.p(); p++) {
                    for (int q = 0; q < g.q(); q++) {
                        double d = dy[((n * g.k() + k) * g.p() + p) * g.q() + q];
                        for (int c = 0; c < g.c(); c++) {
                            for (int r = 0; r < g.r(); r++) {
                                for (int s = 0; s < g.s(); s++) {
                                    int ih = p * g.strideH() - g.padH() + r, iw = q * g.strideW() - g.padW() + s;
                                    if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                        int wi = ((k * g.c() + c) * g.r() + r) * g.s() + s;
                                        int xi = ((n * g.c() + c) * g.h() + ih) * g.w() + iw;
                                        dx[xi] += d * w[wi];
                                        dw[wi] += d * x[xi];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return new double[][] {dx, dw};
    }

    // ---- buffers ----

    static double[] random(Random rnd, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();  // representable in float, so both sides see the same input
        }
        return a;
    }

    /** Copies {@code v} to a float array at {@code off}, NaN around it. */
    static float[] input(double[] v, int off) {
        float[] a = new float[off + v.length + GUARD];
        Arrays.fill(a, Float.NaN);
        for (int i = 0; i < v.length; i++) {
            a[off + i] = (float) v[i];
        }
        return a;
    }

    /** An output buffer: NaN inside (it must be overwritten), a sentinel around. */
    static float[] output(int len, int off) {
        float[] a = new float[off + len + GUARD];
        Arrays.fill(a, SENTINEL);
        Arrays.fill(a, off, off + len, Float.NaN);
        return a;
    }

    static void assertClose(String what, double[] expected, float[] actual, int off) {
        assertClose(what, expected, actual, off, 1e-4);
    }

    /** Checks {@code |actual − expected| ≤ tol·(1 + |expected|)} inside the range and untouched guards around it. */
    static void assertClose(String what, double[] expected, float[] actual, int off, double tol) {
        for (int i = 0; i < off; i++) {
            assertEquals(SENTINEL, actual[i], what + ": wrote before its range at " + i);
        }
        for (int i = off + expected.length; i < actual.length; i++) {
            assertEquals(SENTINEL, actual[i], what + ": wrote after its range at " + i);
        }
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[off + i];
            if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e)))) {
                fail(what + ": element " + i + " is " + a + ", expected " + e);
            }
        }
    }

    // ---- tests ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardMatchesReference(String name, ConvGeometry g, int off) {
        Random rnd = new Random(name.hashCode());
        double[] x = random(rnd, g.n() * g.c() * g.h() * g.w());
        double[] w = random(rnd, g.k() * g.c() * g.r() * g.s());
        double[] expected = refForward(g, x, w);
        float[] xf = input(x, off), wf = input(w, off + 1);
        float[] y = output(expected.length, off + 2);
        CpuConv.forward(g, xf, off, wf, off + 1, y, off + 2);
        assertClose("forward", expected, y, off + 2);

        y = output(expected.length, off + 2);
        CpuConv.forwardIm2col(g, xf, off, wf, off + 1, y, off + 2);
        assertClose("forwardIm2col", expected, y, off + 2);

        if (g.strideH() == 1 && g.strideW() == 1) {
            y = output(expected.length, off + 2);
            CpuConv.forwardDirect(g, xf, off, wf, off + 1, y, off + 2);
            assertClose("forwardDirect", expected, y, off + 2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardMatchesReferenceAndFiniteDifferences(String name, ConvGeometry g, int off) {
        Random rnd = new Random(~name.hashCode());
        double[] x = random(rnd, g.n() * g.c() * g.h() * g.w());
        double[] w = random(rnd, g.k() * g.c() * g.r() * g.s());
        double[] r = random(rnd, g.n() * g.k() * g.p() * g.q());   // the functional L = Σ y·r, so dy = r
        double[][] ref = refBackward(g, x, w, r);

        float[] dyf = input(r, off), wf = input(w, off + 3), xf = input(x, off + 1);
        float[] dx = output(x.length, off + 2);
        CpuConv.backwardData(g, dyf, off, wf, off + 3, dx, off + 2);
        assertClose("backwardData vs reference", ref[0], dx, off + 2);
        float[] dw = output(w.length, off + 4);
        CpuConv.backwardFilter(g, xf, off + 1, dyf, off, dw, off + 4);
        assertClose("backwardFilter vs reference", ref[1], dw, off + 4);

        // Central differences of L in float64 (L is linear, so they are exact up to rounding).
        double eps = 1e-3;
        double[] fdx = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + eps;
            double up = dot(refForward(g, x, w), r);
            x[i] = keep - eps;
            double down = dot(refForward(g, x, w), r);
            x[i] = keep;
            fdx[i] = (up - down) / (2 * eps);
        }
        assertClose("backwardData vs finite differences", fdx, dx, off + 2);
        double[] fdw = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            double keep = w[i];
            w[i] = keep + eps;
            double up = dot(refForward(g, x, w), r);
            w[i] = keep - eps;
            double down = dot(refForward(g, x, w), r);
            w[i] = keep;
            fdw[i] = (up - down) / (2 * eps);
        }
        assertClose("backwardFilter vs finite differences", fdw, dw, off + 4);
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** The first layers the heuristic was measured on, at a batch that splits across threads. */
    @Test
    void firstLayersOfLeNetAndAllCnn() {
        for (ConvGeometry g : new ConvGeometry[] {
                new ConvGeometry(4, 1, 28, 28, 20, 5, 5, 1, 1, 0, 0),
                new ConvGeometry(4, 3, 32, 32, 96, 3, 3, 1, 1, 1, 1)}) {
            Random rnd = new Random(g.hashCode());
            double[] x = random(rnd, g.n() * g.c() * g.h() * g.w());
            double[] w = random(rnd, g.k() * g.c() * g.r() * g.s());
            double[] dy = random(rnd, g.n() * g.k() * g.p() * g.q());
            float[] y = output(dy.length, 0);
            CpuConv.forward(g, input(x, 0), 0, input(w, 0), 0, y, 0);
            assertClose("forward " + g, refForward(g, x, w), y, 0);
            double[][] ref = refBackward(g, x, w, dy);
            float[] dx = output(x.length, 0), dw = output(w.length, 0);
            CpuConv.backwardData(g, input(dy, 0), 0, input(w, 0), 0, dx, 0);
            CpuConv.backwardFilter(g, input(x, 0), 0, input(dy, 0), 0, dw, 0);
            assertClose("backwardData " + g, ref[0], dx, 0);
            // Each filter gradient sums n·p·q = 2,304 to 4,096 products in float: allow their rounding.
            assertClose("backwardFilter " + g, ref[1], dw, 0, 1e-3);
        }
    }

    /**
     * The filter gradient is the same to the bit whether its slices run on the pool's threads or all on one
     * (as when called from inside a parallel loop): it cannot depend on how many cores the machine has, or
     * n processes training one replica each would not reproduce one process training n.
     */
    @Test
    void backwardFilterDoesNotDependOnTheThreadsItRunsOn() {
        // im2col + GEMM, and Winograd (CpuWinograd.applies).
        for (ConvGeometry g : new ConvGeometry[] {
                new ConvGeometry(13, 3, 9, 9, 6, 3, 3, 1, 1, 1, 1), new ConvGeometry(13, 32, 9, 9, 33, 3, 3, 1, 1, 1, 1)}) {
            Random rnd = new Random(5);
            float[] x = input(random(rnd, g.n() * g.c() * g.h() * g.w()), 0);
            float[] dy = input(random(rnd, g.n() * g.k() * g.p() * g.q()), 0);
            float[] spread = new float[g.k() * g.c() * g.r() * g.s()];
            float[] alone = new float[spread.length];
            CpuConv.backwardFilter(g, x, 0, dy, 0, spread, 0);
            Parallel.forRange(2, 1, (from, to) -> {
                if (from == 0) {
                    CpuConv.backwardFilter(g, x, 0, dy, 0, alone, 0);
                }
            });
            assertTrue(Arrays.equals(spread, alone), "the sum over the batch changed with the threads: " + g);
        }
    }

    @Test
    void heuristicSendsLeNetDirectAndAllCnnThroughIm2col() {
        assertTrue(CpuConv.useDirect(new ConvGeometry(128, 1, 28, 28, 20, 5, 5, 1, 1, 0, 0)));
        assertFalse(CpuConv.useDirect(new ConvGeometry(128, 3, 32, 32, 96, 3, 3, 1, 1, 1, 1)));
        assertFalse(CpuConv.useDirect(new ConvGeometry(128, 3, 32, 32, 20, 3, 3, 2, 2, 1, 1)));
        assertFalse(CpuConv.useDirect(new ConvGeometry(128, 192, 8, 8, 10, 1, 1, 1, 1, 0, 0)));
    }

    @Test
    void rejectsShortBuffersAndDirectWithStride() {
        ConvGeometry g = new ConvGeometry(2, 1, 5, 5, 2, 3, 3, 1, 1, 0, 0);
        float[] x = new float[50], w = new float[18], y = new float[18];
        assertThrows(IllegalArgumentException.class, () -> CpuConv.forward(g, x, 1, w, 0, y, 0));
        assertThrows(IllegalArgumentException.class, () -> CpuConv.backwardData(g, y, 0, w, 0, new float[49], 0));
        assertThrows(IllegalArgumentException.class, () -> CpuConv.backwardFilter(g, x, 0, y, 0, w, 1));
        ConvGeometry strided = new ConvGeometry(1, 1, 5, 5, 1, 3, 3, 2, 2, 0, 0);
        assertThrows(IllegalArgumentException.class,
                () -> CpuConv.forwardDirect(strided, x, 0, w, 0, y, 0));
    }
}
