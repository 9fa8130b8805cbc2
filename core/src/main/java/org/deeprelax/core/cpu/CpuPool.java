package org.deeprelax.core.cpu;

import java.util.Arrays;
import org.deeprelax.core.PoolGeometry;

/**
 * 2-D max and average pooling on the CPU, NCHW, over plain {@code float[]} buffers with offsets: a
 * forward and a backward function per kind, each overwriting its output.
 *
 * <p>Every {@code (n, c)} plane is independent, so the work is split across threads by planes and
 * each plane is a plain loop over output cells. The window of output {@code (p, q)} covers input rows
 * {@code p·strideH − padH ... + kernelH − 1} and columns likewise; it is clipped to the input once per
 * cell, so padding costs nothing and is never read.
 *
 * <p><b>Max.</b> Padded cells never win (they are not candidates at all, rather than zeros), and
 * {@link PoolGeometry} keeps padding at most half the window, so every window holds at least one real
 * cell. NaN propagates: a window containing NaN yields NaN. The gradient of each output goes to a
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
        Parallel.forRange(g.n() * g.c(), MIN_PLANES, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int xb = xOff + plane * hw, yb = yOff + plane * pq;
                for (int p = 0; p < g.p(); p++) {
                    int h0 = rowStart(g, p), h1 = rowEnd(g, p);
                    for (int q = 0; q < g.q(); q++) {
                        int w0 = colStart(g, q), w1 = colEnd(g, q);
                        float m = Float.NEGATIVE_INFINITY;
                        for (int ih = h0; ih < h1; ih++) {
                            int row = xb + ih * g.w();
                            for (int iw = w0; iw < w1; iw++) {
                                float v = x[row + iw];
                                if (v > m || v != v) {     // once m is NaN nothing is greater: NaN stays
                                    m = v;
                                }
                            }
                        }
                        y[yb + p * g.q() + q] = m;
                    }
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
        Parallel.forRange(g.n() * g.c(), MIN_PLANES, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int xb = xOff + plane * hw, yb = plane * pq, db = dxOff + plane * hw;
                Arrays.fill(dx, db, db + hw, 0f);
                for (int p = 0; p < g.p(); p++) {
                    int h0 = rowStart(g, p), h1 = rowEnd(g, p);
                    for (int q = 0; q < g.q(); q++) {
                        int w0 = colStart(g, q), w1 = colEnd(g, q);
                        int o = yb + p * g.q() + q;
                        float m = y[yOff + o];
                        boolean nan = m != m;
                        int hit = -1;
                        for (int ih = h0; ih < h1 && hit < 0; ih++) {
                            int row = ih * g.w();
                            for (int iw = w0; iw < w1; iw++) {
                                float v = x[xb + row + iw];
                                if (v == m || nan && v != v) {
                                    hit = row + iw;
                                    break;
                                }
                            }
                        }
                        if (hit < 0) {
                            throw new IllegalArgumentException("maxpool backward: y[" + o + "] = " + m
                                    + " is in no cell of its window; y is not the max pooling of x");
                        }
                        dx[db + hit] += dy[dyOff + o];
                    }
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
