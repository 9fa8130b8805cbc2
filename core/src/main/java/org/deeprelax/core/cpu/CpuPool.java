package org.deeprelax.core.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.deeprelax.core.PoolGeometry;

/**
 * 2-D max and average pooling on the CPU, NCHW, over plain {@code float[]} buffers with offsets: a
 * forward and a backward function per kind, each overwriting its output.
 *
 * <p>Every {@code (n, c)} plane is independent, so the work is split across threads by planes and
 * each plane is a plain loop over output cells. The window of output {@code (p, q)} covers input rows
 * {@code p·strideH − padH ... + kernelH − 1} and columns likewise; it is clipped to the input once per
 * cell, so padding costs nothing and is never read. Max pooling with windows that tile the input
 * (stride = kernel, no padding: LeNet's, {@link #tiles}) has faster paths: with AVX-512 it reads
 * sixteen windows at a time with gathers, 4–17 times faster on LeNet's layers ({@code PoolBenchmark});
 * where gathers are emulated (AVX2, {@link CpuElementwise#GATHERS}) both passes work in whole vectors
 * along the input rows instead, down each row of windows and then across each window's columns.
 *
 * <p><b>Max.</b> Padded cells never win (they are not candidates at all, rather than zeros), and
 * {@link PoolGeometry} keeps padding at most half the window, so every window holds at least one real
 * cell. The max is {@link Math#max}'s: NaN propagates (a window containing NaN yields NaN), and +0 counts
 * as above −0. The gradient of each output goes to a
 * single input cell: the <em>first</em> cell of the window, in row-major scan order (top row first,
 * left to right), whose value equals the max — for a NaN max, the first NaN. Windows that overlap
 * (stride smaller than the kernel) add their gradients into shared cells. The backward pass finds that
 * cell again by scanning {@code x} for the forward output {@code y}, so no argmax buffer is kept.
 *
 * <p><b>Average.</b> Divides by the whole window, {@code kernelH·kernelW}, padding included
 * ({@code count_include_pad}); the backward pass spreads {@code dy / (kernelH·kernelW)} over the real
 * cells of the window.
 */
public final class CpuPool {

    private static final VectorSpecies<Float> S = CpuElementwise.S;

    /** Fewest planes worth a thread of their own. */
    private static final int MIN_PLANES = 4;

    private CpuPool() {
    }

    /**
     * Max pooling: {@code y[n,c,p,q]} = the largest input cell in the window (padding excluded).
     *
     * @param g the geometry
     * @param x input {@code [n, c, h, w]} at {@code xOff}
     * @param xOff x's first element
     * @param y output {@code [n, c, p, q]} at {@code yOff}, overwritten
     * @param yOff y's first element
     */
    public static void maxForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff) {
        int hw = g.h() * g.w(), pq = g.p() * g.q();
        checkRange("x", x, xOff, (long) g.n() * g.c() * hw);
        checkRange("y", y, yOff, (long) g.n() * g.c() * pq);
        boolean tiles = tiles(g);
        int[] corners = tiles && CpuElementwise.GATHERS ? corners(g) : null;
        Parallel.forRange(g.n() * g.c(), MIN_PLANES, (from, to) -> {
            WindowRows rows = tiles && corners == null ? new WindowRows(g) : null;
            for (int plane = from; plane < to; plane++) {
                int xb = xOff + plane * hw, yb = yOff + plane * pq;
                int o = corners != null ? tilingMaxForward(g, corners, x, xb, y, yb)
                        : rows != null ? rowwiseMaxForward(g, x, xb, y, yb, rows) : 0;
                for (; o < pq; o++) {
                    y[yb + o] = windowMax(g, x, xb, o / g.q(), o % g.q());
                }
            }
        });
    }

    /**
     * Gradient of max pooling: each {@code dy[n,c,p,q]} goes to the first cell of its window, in
     * row-major scan order, whose value equals the max {@code y[n,c,p,q]}; overlapping windows add.
     * Overwrites {@code dx}.
     *
     * @param g the geometry
     * @param x the forward input {@code [n, c, h, w]} at {@code xOff}
     * @param xOff x's first element
     * @param y the forward output {@code [n, c, p, q]} of {@link #maxForward} at {@code yOff}
     * @param yOff y's first element
     * @param dy output gradient {@code [n, c, p, q]} at {@code dyOff}
     * @param dyOff dy's first element
     * @param dx input gradient {@code [n, c, h, w]} at {@code dxOff}, overwritten
     * @param dxOff dx's first element
     * @throws IllegalArgumentException if some {@code y} value is in no cell of its window, i.e.
     *     {@code y} is not the max pooling of {@code x}
     */
    public static void maxBackward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff,
                                   float[] dy, int dyOff, float[] dx, int dxOff) {
        int hw = g.h() * g.w(), pq = g.p() * g.q();
        checkRange("x", x, xOff, (long) g.n() * g.c() * hw);
        checkRange("y", y, yOff, (long) g.n() * g.c() * pq);
        checkRange("dy", dy, dyOff, (long) g.n() * g.c() * pq);
        checkRange("dx", dx, dxOff, (long) g.n() * g.c() * hw);
        boolean tiles = tiles(g);
        int[] corners = tiles && CpuElementwise.GATHERS ? corners(g) : null;
        Parallel.forRange(g.n() * g.c(), MIN_PLANES, (from, to) -> {
            WindowRows rows = tiles && corners == null ? new WindowRows(g) : null;
            for (int plane = from; plane < to; plane++) {
                int xb = xOff + plane * hw, yb = plane * pq, db = dxOff + plane * hw;
                Arrays.fill(dx, db, db + hw, 0f);
                int o = corners != null
                        ? tilingMaxBackward(g, corners, x, xb, y, yOff + yb, dy, dyOff + yb, dx, db, plane * pq)
                        : rows != null ? rowwiseMaxBackward(g, x, xb, y, yOff + yb, dy, dyOff + yb, dx, db, plane * pq,
                                rows) : 0;
                for (; o < pq; o++) {
                    float m = y[yOff + yb + o];
                    int hit = windowHit(g, x, xb, o / g.q(), o % g.q(), m);
                    if (hit < 0) {
                        throw notTheMax(yb + o, m);
                    }
                    dx[db + hit] += dy[dyOff + yb + o];
                }
            }
        });
    }

    /**
     * Average pooling: {@code y[n,c,p,q]} = the sum of the window's real cells divided by
     * {@code kernelH·kernelW} (padding counts as zeros).
     *
     * @param g the geometry
     * @param x input {@code [n, c, h, w]} at {@code xOff}
     * @param xOff x's first element
     * @param y output {@code [n, c, p, q]} at {@code yOff}, overwritten
     * @param yOff y's first element
     */
    public static void avgForward(PoolGeometry g, float[] x, int xOff, float[] y, int yOff) {
        int hw = g.h() * g.w(), pq = g.p() * g.q();
        checkRange("x", x, xOff, (long) g.n() * g.c() * hw);
        checkRange("y", y, yOff, (long) g.n() * g.c() * pq);
        float scale = 1f / (g.kernelH() * g.kernelW());
        Parallel.forRange(g.n() * g.c(), MIN_PLANES, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int xb = xOff + plane * hw, yb = yOff + plane * pq;
                for (int p = 0; p < g.p(); p++) {
                    int h0 = rowStart(g, p), h1 = rowEnd(g, p);
                    for (int q = 0; q < g.q(); q++) {
                        int w0 = colStart(g, q), w1 = colEnd(g, q);
                        float sum = 0f;
                        for (int ih = h0; ih < h1; ih++) {
                            int row = xb + ih * g.w();
                            for (int iw = w0; iw < w1; iw++) {
                                sum += x[row + iw];
                            }
                        }
                        y[yb + p * g.q() + q] = sum * scale;
                    }
                }
            }
        });
    }

    /**
     * Gradient of average pooling: each {@code dy[n,c,p,q] / (kernelH·kernelW)} is added to every real
     * cell of its window. Overwrites {@code dx}.
     *
     * @param g the geometry
     * @param dy output gradient {@code [n, c, p, q]} at {@code dyOff}
     * @param dyOff dy's first element
     * @param dx input gradient {@code [n, c, h, w]} at {@code dxOff}, overwritten
     * @param dxOff dx's first element
     */
    public static void avgBackward(PoolGeometry g, float[] dy, int dyOff, float[] dx, int dxOff) {
        int hw = g.h() * g.w(), pq = g.p() * g.q();
        checkRange("dy", dy, dyOff, (long) g.n() * g.c() * pq);
        checkRange("dx", dx, dxOff, (long) g.n() * g.c() * hw);
        float scale = 1f / (g.kernelH() * g.kernelW());
        Parallel.forRange(g.n() * g.c(), MIN_PLANES, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int db = dxOff + plane * hw, yb = dyOff + plane * pq;
                Arrays.fill(dx, db, db + hw, 0f);
                for (int p = 0; p < g.p(); p++) {
                    int h0 = rowStart(g, p), h1 = rowEnd(g, p);
                    for (int q = 0; q < g.q(); q++) {
                        int w0 = colStart(g, q), w1 = colEnd(g, q);
                        float v = dy[yb + p * g.q() + q] * scale;
                        for (int ih = h0; ih < h1; ih++) {
                            int row = db + ih * g.w();
                            for (int iw = w0; iw < w1; iw++) {
                                dx[row + iw] += v;
                            }
                        }
                    }
                }
            }
        });
    }

    // ---- one window, any geometry ------------------------------------------------------------------

    /** The max of output (p, q)'s window in the plane at {@code xb}, by {@link Math#max}, as the vector path. */
    private static float windowMax(PoolGeometry g, float[] x, int xb, int p, int q) {
        int w0 = colStart(g, q), w1 = colEnd(g, q);
        float m = Float.NEGATIVE_INFINITY;
        for (int ih = rowStart(g, p), h1 = rowEnd(g, p); ih < h1; ih++) {
            int row = xb + ih * g.w();
            for (int iw = w0; iw < w1; iw++) {
                m = Math.max(m, x[row + iw]);
            }
        }
        return m;
    }

    /** The plane offset of the first cell of output (p, q)'s window, in scan order, holding {@code m}; −1 if none. */
    private static int windowHit(PoolGeometry g, float[] x, int xb, int p, int q, float m) {
        int w0 = colStart(g, q), w1 = colEnd(g, q);
        for (int ih = rowStart(g, p), h1 = rowEnd(g, p); ih < h1; ih++) {
            int row = ih * g.w();
            for (int iw = w0; iw < w1; iw++) {
                if (isMax(x[xb + row + iw], m)) {
                    return row + iw;
                }
            }
        }
        return -1;
    }

    /** Whether cell value {@code v} is the window's max {@code m} (a NaN max is any NaN cell). */
    private static boolean isMax(float v, float m) {
        return v == m || m != m && v != v;
    }

    private static IllegalArgumentException notTheMax(int o, float m) {
        return new IllegalArgumentException("maxpool backward: y[" + o + "] = " + m
                + " is in no cell of its window; y is not the max pooling of x");
    }

    // ---- tiling windows, sixteen outputs at a time ------------------------------------------------------

    /**
     * Whether the windows tile the input: stride equal to the kernel and no padding, as in LeNet's
     * pooling layers (3×3 and 2×2). No window then needs clipping, so output o's window is its
     * top-left cell's plane offset, {@link #corners}[o], plus (i·w + j) for cell (i, j): a vector of
     * outputs reads cell (i, j) of all its windows with one gather. The scalar loops, a few window
     * cells each, spent their time in loop overhead and mispredicted compares.
     */
    private static boolean tiles(PoolGeometry g) {
        return g.strideH() == g.kernelH() && g.strideW() == g.kernelW() && g.padH() == 0 && g.padW() == 0;
    }

    /** Each output's top-left window cell, as an offset in its plane. */
    private static int[] corners(PoolGeometry g) {
        int[] c = new int[g.p() * g.q()];
        for (int o = 0; o < c.length; o++) {
            c[o] = (o / g.q()) * g.kernelH() * g.w() + (o % g.q()) * g.kernelW();
        }
        return c;
    }

    /**
     * Max pooling of the whole vectors of one plane's outputs (lane-wise {@code MAX}, which is
     * {@link Math#max}).
     *
     * @return the first output left to the scalar code
     */
    private static int tilingMaxForward(PoolGeometry g, int[] corners, float[] x, int xb, float[] y, int yb) {
        int whole = S.loopBound(corners.length);
        for (int o = 0; o < whole; o += S.length()) {
            FloatVector m = FloatVector.fromArray(S, x, xb, corners, o);
            for (int i = 0; i < g.kernelH(); i++) {
                for (int j = i == 0 ? 1 : 0; j < g.kernelW(); j++) {
                    m = m.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, xb + i * g.w() + j, corners, o));
                }
            }
            m.intoArray(y, yb + o);
        }
        return whole;
    }

    /**
     * The gradient for the whole vectors of one plane's outputs: cells in scan order, each lane taking
     * the first that equals its max; {@code dx} (zeroed, and each cell in one window) receives
     * {@code 0 + dy} there, the same floats as the scalar {@code +=}.
     *
     * @param o0 the plane's first output, for the error message
     * @return the first output left to the scalar code
     */
    private static int tilingMaxBackward(PoolGeometry g, int[] corners, float[] x, int xb, float[] y, int yb,
                                         float[] dy, int dyb, float[] dx, int db, int o0) {
        int whole = S.loopBound(corners.length);
        for (int o = 0; o < whole; o += S.length()) {
            FloatVector m = FloatVector.fromArray(S, y, yb + o);
            FloatVector grad = FloatVector.fromArray(S, dy, dyb + o).add(0f);
            VectorMask<Float> nan = m.test(VectorOperators.IS_NAN);
            VectorMask<Float> found = S.maskAll(false);
            for (int i = 0; i < g.kernelH(); i++) {
                for (int j = 0; j < g.kernelW(); j++) {
                    int at = i * g.w() + j;
                    FloatVector v = FloatVector.fromArray(S, x, xb + at, corners, o);
                    VectorMask<Float> max = v.compare(VectorOperators.EQ, m).or(nan.and(v.test(VectorOperators.IS_NAN)));
                    grad.intoArray(dx, db + at, corners, o, max.andNot(found));
                    found = found.or(max);
                }
            }
            if (!found.allTrue()) {
                int lane = found.not().firstTrue();
                throw notTheMax(o0 + o + lane, y[yb + o + lane]);
            }
        }
        return whole;
    }

    // ---- tiling windows without gathers ----------------------------------------------------------------

    /**
     * One thread's scratch for the gather-free tiling paths: rows of one row of windows' columns
     * ({@code q·kernelW}) with slack for whole-vector loads at shifts of up to {@code kernelW − 1} past
     * it, each column's offset in its window, and each scan code's cell offset.
     */
    private static final class WindowRows {
        final float[] row;
        final float[] code;
        final float[] offsets;
        final int[] cellAt;

        WindowRows(PoolGeometry g) {
            int kw = g.kernelW(), length = g.q() * kw + kw + S.length();
            row = new float[length];
            code = new float[length];
            offsets = new float[length];
            for (int j = 0; j < length; j++) {
                offsets[j] = j % kw;
            }
            cellAt = new int[g.kernelH() * kw];
            for (int c = 0; c < cellAt.length; c++) {
                cellAt[c] = c / kw * g.w() + c % kw;
            }
        }
    }

    /**
     * Max pooling of one plane with tiling windows, in whole vectors along the rows: for each row of
     * windows, the max down its {@code kernelH} input rows into a scratch row, then in place the max of
     * {@code row[j .. j + kernelW)} for every column j (lanes that straddle two windows are never read),
     * and each window's max is that at its first column. {@link Math#max} (lane-wise {@code MAX}) is
     * commutative and associative, so the order changes nothing.
     *
     * @return the number of outputs done: all of them
     */
    private static int rowwiseMaxForward(PoolGeometry g, float[] x, int xb, float[] y, int yb, WindowRows s) {
        int w = g.w(), kh = g.kernelH(), kw = g.kernelW(), q = g.q(), cols = q * kw, whole = S.loopBound(cols);
        float[] row = s.row;
        for (int p = 0; p < g.p(); p++) {
            int top = xb + p * kh * w;
            int j = 0;
            for (; j < whole; j += S.length()) {
                FloatVector m = FloatVector.fromArray(S, x, top + j);
                for (int i = 1; i < kh; i++) {
                    m = m.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, top + i * w + j));
                }
                m.intoArray(row, j);
            }
            for (; j < cols; j++) {
                float m = x[top + j];
                for (int i = 1; i < kh; i++) {
                    m = Math.max(m, x[top + i * w + j]);
                }
                row[j] = m;
            }
            for (j = 0; j < cols; j += S.length()) {
                FloatVector m = FloatVector.fromArray(S, row, j);
                for (int t = 1; t < kw; t++) {
                    m = m.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, row, j + t));
                }
                m.intoArray(row, j);
            }
            int yo = yb + p * q;
            for (int o = 0; o < q; o++) {
                y[yo + o] = row[o * kw];
            }
        }
        return g.p() * q;
    }

    /**
     * The gradient for one plane with tiling windows, in whole vectors along the rows. Cell (i, c) of a
     * window has scan code {@code i·kernelW + c}; for each row of windows, every column keeps the least
     * code among its rows whose cell equals its window's max ({@code y} spread over the window's
     * columns), then in place the least over each window's columns, so a window's first column holds
     * the code of its first cell in scan order that equals the max. {@code dx} (zeroed, and each cell
     * in one window) receives {@code 0 + dy} there, the same floats as {@code +=}.
     *
     * @param o0 the plane's first output, for the error message
     * @return the number of outputs done: all of them
     */
    private static int rowwiseMaxBackward(PoolGeometry g, float[] x, int xb, float[] y, int yb, float[] dy, int dyb,
                                          float[] dx, int db, int o0, WindowRows s) {
        int w = g.w(), kh = g.kernelH(), kw = g.kernelW(), q = g.q(), cols = q * kw, whole = S.loopBound(cols);
        float[] max = s.row, code = s.code, offsets = s.offsets;
        float none = kh * kw;
        FloatVector noneV = FloatVector.broadcast(S, none);
        for (int p = 0; p < g.p(); p++) {
            int top = xb + p * kh * w, yo = yb + p * q;
            boolean nan = false;
            for (int o = 0; o < q; o++) {
                float m = y[yo + o];
                nan |= m != m;
                for (int t = 0; t < kw; t++) {
                    max[o * kw + t] = m;
                }
            }
            int j = 0;
            for (; !nan && j < whole; j += S.length()) {
                FloatVector m = FloatVector.fromArray(S, max, j);
                FloatVector c = FloatVector.fromArray(S, offsets, j);
                FloatVector best = noneV;
                for (int i = kh - 1; i >= 0; i--) {
                    FloatVector v = FloatVector.fromArray(S, x, top + i * w + j);
                    best = best.blend(c.add(i * kw), v.compare(VectorOperators.EQ, m));
                }
                best.intoArray(code, j);
            }
            for (; j < cols; j++) {   // the tail, or the whole row where a window's max is NaN
                float best = none;
                for (int i = kh - 1; i >= 0; i--) {
                    best = isMax(x[top + i * w + j], max[j]) ? i * kw + offsets[j] : best;
                }
                code[j] = best;
            }
            for (j = 0; j < cols; j += S.length()) {
                FloatVector m = FloatVector.fromArray(S, code, j);
                for (int t = 1; t < kw; t++) {
                    m = m.min(FloatVector.fromArray(S, code, j + t));
                }
                m.intoArray(code, j);
            }
            int corner = top - xb;
            for (int o = 0; o < q; o++, corner += kw) {
                int first = (int) code[o * kw];
                if (first >= s.cellAt.length) {
                    throw notTheMax(o0 + p * q + o, y[yo + o]);
                }
                dx[db + corner + s.cellAt[first]] = 0f + dy[dyb + p * q + o];
            }
        }
        return g.p() * q;
    }

    /** First input row of output row {@code p}'s window, clipped to the input. */
    private static int rowStart(PoolGeometry g, int p) {
        return Math.max(0, p * g.strideH() - g.padH());
    }

    /** One past the last input row of output row {@code p}'s window, clipped to the input. */
    private static int rowEnd(PoolGeometry g, int p) {
        return Math.min(g.h(), p * g.strideH() - g.padH() + g.kernelH());
    }

    private static int colStart(PoolGeometry g, int q) {
        return Math.max(0, q * g.strideW() - g.padW());
    }

    private static int colEnd(PoolGeometry g, int q) {
        return Math.min(g.w(), q * g.strideW() - g.padW() + g.kernelW());
    }

    private static void checkRange(String name, float[] a, int off, long len) {
        if (off < 0 || off + len > a.length) {
            throw new IllegalArgumentException("pool2d: " + name + " needs " + len + " floats from offset " + off
                    + " but its array holds " + a.length);
        }
    }
}
