package org.deeprelax.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks {@link Sgemm} against a float64 reference over shapes, layouts, strides, offsets and scalars. */
class SgemmTest {

    /** One stored matrix: its array, first element and row stride. */
    private record Stored(float[] data, int off, int ld) {
    }

    /**
     * Stores a rows×cols matrix with {@code pad} unused columns after each row and {@code off} unused
     * elements before it, all filled with {@code fill} so that reading them would show.
     */
    private static Stored store(SplittableRandom rnd, int rows, int cols, int pad, int off, float fill) {
        int ld = cols + pad;
        float[] data = new float[off + rows * ld];
        java.util.Arrays.fill(data, fill);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                data[off + i * ld + j] = (float) (rnd.nextDouble() * 2 - 1);
            }
        }
        return new Stored(data, off, Math.max(ld, 1));
    }

    /**
     * Runs one case: random op(A), op(B), C; checks C against float64 arithmetic within a tolerance
     * relative to the sum of |alpha·a·b| and |beta·c| terms, and checks nothing outside C changed.
     */
    private static void check(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                              int pad, int off, boolean nanC) {
        SplittableRandom rnd = new SplittableRandom(31L * m + 17L * n + k + (transA ? 5 : 0) + (transB ? 7 : 0));
        Stored a = transA ? store(rnd, k, m, pad, off, Float.NaN) : store(rnd, m, k, pad, off, Float.NaN);
        Stored b = transB ? store(rnd, n, k, pad + 1, off + 2, Float.NaN) : store(rnd, k, n, pad + 1, off + 2, Float.NaN);
        Stored c = store(rnd, m, n, pad + 2, off + 1, -7f);
        if (nanC) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    c.data[c.off + i * c.ld + j] = Float.NaN;
                }
            }
        }
        float[] before = c.data.clone();
        Sgemm.sgemm(transA, transB, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off, b.ld,
                beta, c.data, c.off, c.ld);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double mag = 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a.data[a.off + p * a.ld + i] : a.data[a.off + i * a.ld + p];
                    double bv = transB ? b.data[b.off + j * b.ld + p] : b.data[b.off + p * b.ld + j];
                    sum += av * bv;
                    mag += Math.abs(av * bv);
                }
                int ci = c.off + i * c.ld + j;
                double expected = alpha * sum;
                mag = Math.abs(alpha) * mag;
                if (beta != 0) {
                    expected += beta * (double) before[ci];
                    mag += Math.abs(beta * (double) before[ci]);
                }
                double tol = 1e-5 * Math.max(k, 1) * Math.max(mag, 1e-30) + 1e-30;
                float got = c.data[ci];
                if (!(Math.abs(got - expected) <= tol)) {
                    fail(String.format("%s%s m=%d n=%d k=%d alpha=%s beta=%s: C[%d][%d] = %s, expected %s (tol %s)",
                            transA ? "T" : "N", transB ? "T" : "N", m, n, k, alpha, beta, i, j, got, expected, tol));
                }
            }
        }
        for (int idx = 0; idx < c.data.length; idx++) {
            int rel = idx - c.off;
            boolean inside = rel >= 0 && rel / c.ld < m && rel % c.ld < n;
            if (!inside) {
                assertEquals(Float.floatToRawIntBits(before[idx]), Float.floatToRawIntBits(c.data[idx]),
                        "element " + idx + " outside C was written");
            }
        }
    }

    static Stream<Arguments> shapes() {
        int[][] sizes = {
            {1, 1, 1}, {1, 1, 7}, {2, 3, 4}, {1, 33, 17}, {33, 1, 17}, {5, 5, 1}, {7, 13, 29},
            {16, 16, 16}, {31, 33, 35}, {12, 32, 64}, {13, 31, 65}, {48, 64, 40}, {64, 64, 64},
            {100, 37, 53}, {129, 65, 257}, {17, 250, 33}, {250, 17, 33}, {3, 200, 150}, {200, 3, 150},
            {61, 97, 300},
        };
        List<Arguments> out = new ArrayList<>();
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                out.add(Arguments.of(t >= 2, (t & 1) == 1, s[0], s[1], s[2]));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4}")
    @MethodSource("shapes")
    void matchesReferenceDense(boolean transA, boolean transB, int m, int n, int k) {
        check(transA, transB, m, n, k, 1f, 0f, 0, 0, false);
    }

    @ParameterizedTest(name = "transA={0} transB={1} {2}x{3}x{4}")
    @MethodSource("shapes")
    void matchesReferenceWithStridesOffsetsAndScalars(boolean transA, boolean transB, int m, int n, int k) {
        check(transA, transB, m, n, k, -1.5f, 0.5f, 3, 5, false);
        check(transA, transB, m, n, k, 0.25f, 1f, 1, 2, false);
        check(transA, transB, m, n, k, 2f, 0f, 2, 1, true);
    }

    @Test
    void largeProductUsesThreadsAndSeveralBlocks() {
        // 300×700×600: two depth blocks of 300, two column blocks and 25 row tiles with edges,
        // above the parallel threshold.
        for (int t = 0; t < 4; t++) {
            check(t >= 2, (t & 1) == 1, 300, 700, 600, 1f, 0f, 0, 0, false);
        }
        check(false, false, 300, 700, 600, 0.5f, -2f, 5, 3, false);
        check(true, false, 300, 700, 600, 1f, 1f, 1, 0, false);
        check(false, true, 301, 699, 601, 1f, 0f, 0, 7, true);
    }

    @Test
    void thinProductsSplitRowsOrColumns() {
        // Many rows, one column block: the threads take groups of rows, each packing its own B block.
        // Few rows, many columns: the threads take column blocks.
        check(false, false, 1600, 40, 70, 1f, 0f, 0, 0, false);
        check(true, true, 24, 2500, 90, 1f, 0.5f, 2, 1, false);
    }

    @Test
    void moreRowsThanOnePass() {
        // Above 4096 rows C is computed in passes of at most 4096 rows, each with its own A panel.
        for (int t = 0; t < 4; t++) {
            check(t >= 2, (t & 1) == 1, 4200, 37, 45, 1f, 0f, 1, 3, false);
        }
        check(false, false, 8500, 40, 120, -1f, 0.5f, 0, 0, false);
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        for (int[] s : new int[][] {{3, 4, 5}, {40, 50, 60}, {130, 70, 90}}) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            float[] a = new float[m * k];
            float[] b = new float[k * n];
            float[] c = new float[m * n];
            java.util.Arrays.fill(a, 1f);
            java.util.Arrays.fill(b, 2f);
            java.util.Arrays.fill(c, Float.NaN);
            Sgemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            for (float v : c) {
                assertEquals(2f * k, v, 0f);
            }
        }
    }

    @Test
    void betaOneAccumulates() {
        int m = 50;
        int n = 60;
        int k = 70;
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        java.util.Arrays.fill(a, 0.5f);
        java.util.Arrays.fill(b, 2f);
        float[] c = new float[m * n];
        java.util.Arrays.fill(c, 3f);
        Sgemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 1f, c, 0, n);
        Sgemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 1f, c, 0, n);
        for (float v : c) {
            assertEquals(3f + 2f * k, v, 0f);
        }
    }

    @Test
    void zeroAlphaOrDepthOnlyScalesC() {
        float[] a = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        float[] b = {Float.NaN, Float.NaN, Float.NaN, Float.NaN};
        float[] c = {1f, 2f, 3f, 4f};
        Sgemm.sgemm(false, false, 2, 2, 2, 0f, a, 0, 2, b, 0, 2, 2f, c, 0, 2);
        assertEquals(List.of(2f, 4f, 6f, 8f), List.of(c[0], c[1], c[2], c[3]));
        Sgemm.sgemm(false, false, 2, 2, 0, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2);
        assertEquals(List.of(0f, 0f, 0f, 0f), List.of(c[0], c[1], c[2], c[3]));
    }

    @Test
    void emptyAndNegativeSizes() {
        float[] c = {5f};
        Sgemm.sgemm(false, false, 0, 1, 1, 1f, new float[0], 0, 1, new float[1], 0, 1, 0f, c, 0, 1);
        Sgemm.sgemm(false, false, 1, 0, 1, 1f, new float[1], 0, 1, new float[0], 0, 1, 0f, c, 0, 1);
        assertEquals(5f, c[0]);
        assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemm(false, false, -1, 1, 1, 1f, new float[1], 0, 1, new float[1], 0, 1, 0f, c, 0, 1));
    }

    @Test
    void repeatedCallsAreDeterministic() {
        SplittableRandom rnd = new SplittableRandom(3);
        int m = 200;
        int n = 300;
        int k = 400;
        Stored a = store(rnd, m, k, 0, 0, 0f);
        Stored b = store(rnd, k, n, 0, 0, 0f);
        float[] c1 = new float[m * n];
        float[] c2 = new float[m * n];
        Sgemm.sgemm(false, false, m, n, k, 1f, a.data, 0, k, b.data, 0, n, 0f, c1, 0, n);
        Sgemm.sgemm(false, false, m, n, k, 1f, a.data, 0, k, b.data, 0, n, 0f, c2, 0, n);
        assertTrue(java.util.Arrays.equals(c1, c2));
    }
}
