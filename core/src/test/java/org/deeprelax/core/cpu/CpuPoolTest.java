package org.deeprelax.core.cpu;

import static org.deeprelax.core.cpu.CpuConvTest.assertClose;
import static org.deeprelax.core.cpu.CpuConvTest.input;
import static org.deeprelax.core.cpu.CpuConvTest.output;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;
import org.deeprelax.core.PoolGeometry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Checks {@link CpuPool} against float64 references written from the definitions, and the backward
 * passes also against central finite differences of {@code Σ y·r}.
 */
class CpuPoolTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                // n, c, h, w, kernelH, kernelW, strideH, strideW, padH, padW; offset
                c("LeNet pool 3 stride 3, 24x24 -> 8x8", new PoolGeometry(2, 3, 24, 24, 3, 3, 3, 3, 0, 0), 0),
                c("2x2 stride 2, odd size", new PoolGeometry(2, 2, 7, 9, 2, 2, 2, 2, 0, 0), 3),
                c("2x2 stride 2, 10x10: 16 outputs a plane by vector, 9 by scalar",
                        new PoolGeometry(2, 3, 10, 10, 2, 2, 2, 2, 0, 0), 6),
                c("3 stride 2 (overlapping)", new PoolGeometry(1, 3, 9, 8, 3, 3, 2, 2, 0, 0), 5),
                c("2 stride 3 (gaps)", new PoolGeometry(2, 2, 8, 10, 2, 2, 3, 3, 0, 0), 1),
                c("3 stride 2 pad 1", new PoolGeometry(2, 2, 7, 7, 3, 3, 2, 2, 1, 1), 2),
                c("non-square 4x2, stride (3,1), pad (2,1)", new PoolGeometry(1, 2, 9, 6, 4, 2, 3, 1, 2, 1), 7),
                c("batch 1, one channel, 3 stride 1 pad 1", new PoolGeometry(1, 1, 5, 6, 3, 3, 1, 1, 1, 1), 4),
                c("window = whole input", new PoolGeometry(3, 2, 4, 5, 4, 5, 1, 1, 0, 0), 0));
    }

    private static Arguments c(String name, PoolGeometry g, int off) {
        return Arguments.of(name, g, off);
    }

    // ---- float64 references ----

    /** Max over the real cells of each window; {@code arg} receives the first cell, row-major, holding the max. */
    static double[] refMax(PoolGeometry g, double[] x, int[] arg) {
        double[] y = new double[g.n() * g.c() * g.p() * g.q()];
        for (int nc = 0; nc < g.n() * g.c(); nc++) {
            for (int p = 0; p < g.p(); p++) {
                for (int q = 0; q < g.q(); q++) {
                    double m = Double.NEGATIVE_INFINITY;
                    int best = -1;
                    for (int i = 0; i < g.kernelH(); i++) {
                        for (int j = 0; j < g.kernelW(); j++) {
                            int ih = p * g.strideH() - g.padH() + i, iw = q * g.strideW() - g.padW() + j;
                            if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                int xi = (nc * g.h() + ih) * g.w() + iw;
                                if (best < 0 || x[xi] > m) {
                                    m = x[xi];
                                    best = xi;
                                }
                            }
                        }
                    }
                    int o = (nc * g.p() + p) * g.q() + q;
                    y[o] = m;
                    arg[o] = best;
                }
            }
        }
        return y;
    }

    /** Sum over the window with padding as zeros, divided by the whole window. */
    static double[] refAvg(PoolGeometry g, double[] x) {
        double[] y = new double[g.n() * g.c() * g.p() * g.q()];
        for (int nc = 0; nc < g.n() * g.c(); nc++) {
            for (int p = 0; p < g.p(); p++) {
                for (int q = 0; q < g.q(); q++) {
                    double sum = 0;
                    for (int i = 0; i < g.kernelH(); i++) {
                        for (int j = 0; j < g.kernelW(); j++) {
                            int ih = p * g.strideH() - g.padH() + i, iw = q * g.strideW() - g.padW() + j;
                            if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                sum += x[(nc * g.h() + ih) * g.w() + iw];
                            }
                        }
                    }
                    y[(nc * g.p() + p) * g.q() + q] = sum / (g.kernelH() * g.kernelW());
                }
            }
        }
        return y;
    }

    /** Distinct values (a shuffled grid 0.01 apart) so that a small perturbation never changes a max. */
    static double[] distinct(Random rnd, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i - n / 2) * 0.01;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    static double[] gaussian(Random rnd, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private interface Functional {
        double at(double[] x);
    }

    private static double[] centralDifferences(double[] x, Functional f) {
        double eps = 1e-3;
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + eps;
            double up = f.at(x);
            x[i] = keep - eps;
            double down = f.at(x);
            x[i] = keep;
            g[i] = (up - down) / (2 * eps);
        }
        return g;
    }

    // ---- tests ----

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void maxForwardAndBackward(String name, PoolGeometry g, int off) {
        Random rnd = new Random(name.hashCode());
        int in = g.n() * g.c() * g.h() * g.w(), out = g.n() * g.c() * g.p() * g.q();
        double[] x = distinct(rnd, in);
        double[] r = gaussian(rnd, out);
        int[] arg = new int[out];
        double[] expected = refMax(g, x, arg);
        float[] xf = input(x, off), y = output(out, off + 1);
        CpuPool.maxForward(g, xf, off, y, off + 1);
        assertClose("maxForward", expected, y, off + 1);

        double[] refDx = new double[in];
        for (int o = 0; o < out; o++) {
            refDx[arg[o]] += r[o];
        }
        float[] yIn = input(expected, 2), dx = output(in, off + 3);
        CpuPool.maxBackward(g, xf, off, yIn, 2, input(r, off + 2), off + 2, dx, off + 3);
        assertClose("maxBackward vs reference", refDx, dx, off + 3);
        double[] fd = centralDifferences(x, v -> dot(refMax(g, v, new int[out]), r));
        assertClose("maxBackward vs finite differences", fd, dx, off + 3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void avgForwardAndBackward(String name, PoolGeometry g, int off) {
        Random rnd = new Random(~name.hashCode());
        int in = g.n() * g.c() * g.h() * g.w(), out = g.n() * g.c() * g.p() * g.q();
        double[] x = gaussian(rnd, in);
        double[] r = gaussian(rnd, out);
        float[] y = output(out, off + 1);
        CpuPool.avgForward(g, input(x, off), off, y, off + 1);
        assertClose("avgForward", refAvg(g, x), y, off + 1);

        double[] refDx = new double[in];
        for (int nc = 0; nc < g.n() * g.c(); nc++) {
            for (int p = 0; p < g.p(); p++) {
                for (int q = 0; q < g.q(); q++) {
                    for (int i = 0; i < g.kernelH(); i++) {
                        for (int j = 0; j < g.kernelW(); j++) {
                            int ih = p * g.strideH() - g.padH() + i, iw = q * g.strideW() - g.padW() + j;
                            if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                refDx[(nc * g.h() + ih) * g.w() + iw] +=
                                        r[(nc * g.p() + p) * g.q() + q] / (g.kernelH() * g.kernelW());
                            }
                        }
                    }
                }
            }
        }
        float[] dx = output(in, off + 3);
        CpuPool.avgBackward(g, input(r, off + 2), off + 2, dx, off + 3);
        assertClose("avgBackward vs reference", refDx, dx, off + 3);
        double[] fd = centralDifferences(x, v -> dot(refAvg(g, v), r));
        assertClose("avgBackward vs finite differences", fd, dx, off + 3);
    }

    @Test
    void leNetPoolShape() {
        PoolGeometry g = new PoolGeometry(128, 20, 24, 24, 3, 3, 3, 3, 0, 0);
        assertEquals(8, g.p());
        assertEquals(8, g.q());
    }

    @Test
    void tiesSendTheGradientToTheFirstCellInScanOrder() {
        // One 2x3 plane, a single 2x3 window: the max 5 appears at (0,2), (1,0) and (1,2).
        PoolGeometry g = new PoolGeometry(1, 1, 2, 3, 2, 3, 1, 1, 0, 0);
        float[] x = {1, 2, 5, 5, 0, 5};
        float[] y = new float[1];
        CpuPool.maxForward(g, x, 0, y, 0);
        assertEquals(5f, y[0]);
        float[] dx = new float[6];
        CpuPool.maxBackward(g, x, 0, y, 0, new float[] {3f}, 0, dx, 0);
        assertArrayEquals(new float[] {0, 0, 3, 0, 0, 0}, dx);

        // Overlapping windows over a constant plane: each window's gradient goes to its top-left cell.
        PoolGeometry o = new PoolGeometry(1, 1, 3, 3, 2, 2, 1, 1, 0, 0);
        float[] flat = {4, 4, 4, 4, 4, 4, 4, 4, 4};
        float[] yo = new float[4];
        CpuPool.maxForward(o, flat, 0, yo, 0);
        float[] dxo = new float[9];
        CpuPool.maxBackward(o, flat, 0, yo, 0, new float[] {1, 2, 3, 4}, 0, dxo, 0);
        assertArrayEquals(new float[] {1, 2, 0, 3, 4, 0, 0, 0, 0}, dxo);
    }

    @Test
    void tilingWindowsKeepTheRulesInVectorAndScalarOutputs() {
        // 2x2 stride 2 over 10x10: 25 outputs a plane, 0-15 by the vector path and 16-24 by the scalar one.
        // Output 3 (vector) and 20 (scalar) are windows of equal cells; output 5 (vector) and 22 (scalar)
        // hold a NaN in their second cell, output 6 a NaN in its last; output 7 a +0 after a -0.
        PoolGeometry g = new PoolGeometry(1, 2, 10, 10, 2, 2, 2, 2, 0, 0);
        int planes = 2, hw = 100, pq = 25;
        float[] x = new float[planes * hw];
        Random rnd = new Random(11);
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextFloat() - 0.5f;
        }
        for (int plane = 0; plane < planes; plane++) {
            int b = plane * hw;
            for (int o : new int[] {3, 20}) {
                for (int cell : windowCells(g, o)) {
                    x[b + cell] = 0.25f;
                }
            }
            x[b + windowCells(g, 5)[1]] = Float.NaN;
            x[b + windowCells(g, 22)[1]] = Float.NaN;
            x[b + windowCells(g, 6)[3]] = Float.NaN;
            int[] seven = windowCells(g, 7);
            x[b + seven[0]] = -2f;
            x[b + seven[1]] = -0f;
            x[b + seven[2]] = 0f;
            x[b + seven[3]] = -1f;
        }
        float[] y = new float[planes * pq];
        CpuPool.maxForward(g, x, 0, y, 0);
        float[] dy = new float[planes * pq];
        float[] expectedDx = new float[x.length];
        for (int plane = 0; plane < planes; plane++) {
            for (int o = 0; o < pq; o++) {
                int[] cells = windowCells(g, o);
                float m = Float.NEGATIVE_INFINITY;
                for (int cell : cells) {
                    m = Math.max(m, x[plane * hw + cell]);
                }
                assertEquals(Float.floatToIntBits(m), Float.floatToIntBits(y[plane * pq + o]), "y[" + o + "]");
                dy[plane * pq + o] = 1 + plane * pq + o;
                for (int cell : cells) {
                    float v = x[plane * hw + cell];
                    if (v == m || m != m && v != v) {
                        expectedDx[plane * hw + cell] = dy[plane * pq + o];
                        break;
                    }
                }
            }
        }
        assertTrue(Float.isNaN(y[5]) && Float.isNaN(y[22]) && Float.isNaN(y[6]));
        assertEquals(0.25f, y[3]);
        assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(y[7]));
        float[] dx = new float[x.length];
        CpuPool.maxBackward(g, x, 0, y, 0, dy, 0, dx, 0);
        assertArrayEquals(expectedDx, dx);
        // Ties and NaN send the gradient to the first such cell in scan order; -0 == +0 is a tie too.
        assertEquals(dy[3], dx[windowCells(g, 3)[0]]);
        assertEquals(dy[5], dx[windowCells(g, 5)[1]]);
        assertEquals(dy[7], dx[windowCells(g, 7)[1]]);

        float[] wrong = y.clone();
        wrong[pq + 9] = 5f;   // plane 1, output 9: a vector lane
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CpuPool.maxBackward(g, x, 0, wrong, 0, dy, 0, new float[x.length], 0));
        assertTrue(e.getMessage().contains("y[" + (pq + 9) + "] = 5.0"), e.getMessage());
    }

    /** The plane offsets of output o's window cells, in scan order, for a geometry without padding. */
    private static int[] windowCells(PoolGeometry g, int o) {
        int p = o / g.q(), q = o % g.q();
        int[] cells = new int[g.kernelH() * g.kernelW()];
        for (int i = 0; i < g.kernelH(); i++) {
            for (int j = 0; j < g.kernelW(); j++) {
                cells[i * g.kernelW() + j] = (p * g.strideH() + i) * g.w() + q * g.strideW() + j;
            }
        }
        return cells;
    }

    @Test
    void paddedCellsNeverWin() {
        // All inputs negative: a padded zero would win if padding took part.
        PoolGeometry g = new PoolGeometry(1, 1, 3, 3, 3, 3, 2, 2, 1, 1);
        float[] x = {-9, -8, -7, -6, -5, -4, -3, -2, -1};
        float[] y = new float[4];
        CpuPool.maxForward(g, x, 0, y, 0);
        assertArrayEquals(new float[] {-5, -4, -2, -1}, y);
        float[] dx = new float[9];
        CpuPool.maxBackward(g, x, 0, y, 0, new float[] {1, 1, 1, 1}, 0, dx, 0);
        assertArrayEquals(new float[] {0, 0, 0, 0, 1, 1, 0, 1, 1}, dx);
        // Average pooling counts the padding: the corner window holds 4 real cells of 9.
        float[] a = new float[4];
        CpuPool.avgForward(g, x, 0, a, 0);
        assertEquals((-9 - 8 - 6 - 5) / 9f, a[0], 1e-6f);
    }

    @Test
    void nanPropagatesAndTakesTheGradient() {
        PoolGeometry g = new PoolGeometry(1, 1, 2, 2, 2, 2, 2, 2, 0, 0);
        float[] x = {1, Float.NaN, 7, Float.NaN};
        float[] y = new float[1];
        CpuPool.maxForward(g, x, 0, y, 0);
        assertTrue(Float.isNaN(y[0]));
        float[] dx = new float[4];
        CpuPool.maxBackward(g, x, 0, y, 0, new float[] {2f}, 0, dx, 0);
        assertArrayEquals(new float[] {0, 2, 0, 0}, dx);
    }

    @Test
    void rejectsAnOutputThatIsNotTheMax() {
        PoolGeometry g = new PoolGeometry(1, 1, 2, 2, 2, 2, 2, 2, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> CpuPool.maxBackward(g, new float[] {1, 2, 3, 4}, 0,
                new float[] {9}, 0, new float[] {1}, 0, new float[4], 0));
        assertThrows(IllegalArgumentException.class, () -> CpuPool.avgForward(g, new float[3], 0, new float[1], 0));
    }
}
