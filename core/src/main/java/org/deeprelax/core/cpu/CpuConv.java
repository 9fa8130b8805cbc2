package org.deeprelax.core.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.deeprelax.core.ConvGeometry;

/**
 * 2-D convolution on the CPU, NCHW, over plain {@code float[]} buffers with offsets: a forward pass and
 * its two backward passes (data and filter), each overwriting its output.
 *
 * <p><b>im2col + GEMM.</b> The workhorse. {@code im2col} unfolds an image into the column matrix
 * {@code col[c·r·s][p·q]} (row = filter tap, column = output position, 0 where the tap falls in the
 * padding), and a group of consecutive images is unfolded side by side, image i in columns
 * {@code [i·p·q, (i+1)·p·q)}, so that each pass over the group is a single {@link Sgemm} call:
 * <pre>
 *   forward         Y[k, g·pq]    = W[k, crs]   · col[crs, g·pq],   then Y's image blocks go to y
 *   backward data   dcol[crs, g·pq] = Wᵀ[crs, k] · DY[k, g·pq],     then col2im adds dcol back onto dx
 *   backward filter dW[k, crs]    += DY[k, g·pq] · colᵀ[g·pq, crs]
 * </pre>
 * where DY holds the group's dy rows side by side. A group holds about 512 output positions
 * ({@link #groupSize}): one image of All-CNN-BN's 32×32 layers, eight of its 8×8 layers, 32 of LeNet's
 * 4×4 second layer, whose GEMMs were 16 columns wide one image at a time (the filter bank was packed
 * again for every image, and backward-filter read and wrote all of dW once an image). A group of one
 * image reads and writes y, dy and dx in place. A 1×1 filter at stride 1 without padding needs no
 * unfolding: the images themselves, side by side, are the column matrix. The groups are split across
 * threads when there is at least one per thread; each group's GEMM then runs inside its chunk, where
 * {@link Parallel} runs it sequentially (no nested fan-out). Fewer groups than threads go one by one on
 * the calling thread so each GEMM can use every core. Backward-filter
 * cuts the batch into a fixed number of slices, whatever the thread count, groups images within each
 * slice, gives each slice its own partial {@code dW} (the first slice writes straight into the output)
 * and sums them in slice order at the end, so its result does not depend on the machine. Column
 * matrices, grouped rows and partial sums live in per-thread growable scratch arrays, grown when a
 * larger layer comes and otherwise reused.
 *
 * <p><b>Direct kernel.</b> For stride 1 there is also {@link #forwardDirect}: the image is copied into
 * a zero-padded scratch plane by plane, and the output is computed over the flattened padded rows
 * ({@code j = p·(w + 2·padW) + q}), so that tap {@code (c, i, j)} is just a fixed shift of that one
 * index. Four filters by two vectors of outputs are accumulated in registers over all {@code c·r·s}
 * taps (one load of the input shared by four filters, one broadcast weight per filter), and the
 * {@code s − 1} columns per row that lie in the right padding are computed and dropped when the
 * result is copied out. It never builds the column matrix, which is {@code r·s} times the input. The
 * work is split over (image, block of four filters) units, image-major, so each thread pads an image
 * once and a batch of one still uses every core.
 *
 * <p><b>Winograd.</b> A 3×3 filter at stride 1 with at least 32 channels and filters (All-CNN-BN's
 * layers but its first and its strided ones) runs all three passes by {@link CpuWinograd}'s F(4×4, 3×3),
 * a quarter of im2col's multiply-adds and no column matrix; it takes precedence over the two below.
 *
 * <p><b>Which one.</b> The unfold costs about {@code c·r·s·p·q} copies per image, amortised over the
 * {@code k} filter rows of the GEMM, while the direct kernel pays a fixed overhead on every multiply-add
 * (a table-driven input offset and its bounds checks): it wins with few filters, and the GEMM wins on a
 * 1×1 unpadded filter, which needs no unfolding. Hence {@link #useDirect}: <b>the direct kernel for
 * stride 1 with at most 32 filters, unless 1×1 unpadded; im2col + GEMM otherwise.</b> The measurements
 * behind the rule (both algorithms on the first layers of LeNet and All-CNN-BN, and a sweep of the
 * filter count) are in {@code docs/performance.md}; {@code ConvBenchmark.forwardAlgo} times both
 * algorithms to measure the crossover again.
 */
public final class CpuConv {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int V = F.length();
    /** Filters per block of the direct kernel. */
    private static final int KB = 4;
    /** Up to this many filters, stride-1 convolutions that need unfolding use the direct kernel (see the class comment). */
    static final int DIRECT_MAX_FILTERS = 32;

    /** Per-thread column matrix (im2col), or padded image and output block (direct kernel). */
    private static final ThreadLocal<float[]> COL = ThreadLocal.withInitial(() -> new float[0]);
    /**
     * Batch slices of the backward-filter pass: a constant, not the thread count, so that its sum is the same
     * on every machine; up to this many threads share the pass.
     */
    static final int FILTER_SLICES = 8;
    /** Per-thread output-shaped rows {@code [k][images·p·q]} of an image group's GEMM. */
    private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[0]);
    /** The calling thread's partial filter gradients of the backward-filter pass, one per batch slice after the first. */
    private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[0]);

    private CpuConv() {
    }

    /**
     * Forward convolution: {@code y[n,k,p,q] = Σ_{c,r,s} w[k,c,r,s] · x[n, c, p·strideH − padH + r,
     * q·strideW − padW + s]}, reading zero outside the input. Overwrites {@code y}; adds no bias. Runs
     * Winograd where {@link CpuWinograd#applies}, else the direct kernel or im2col + GEMM by {@link #useDirect}.
     *
     * @param g the geometry
     * @param x input {@code [n, c, h, w]} at {@code xOff}
     * @param xOff x's first element
     * @param w filters {@code [k, c, r, s]} at {@code wOff}
     * @param wOff w's first element
     * @param y output {@code [n, k, p, q]} at {@code yOff}, overwritten
     * @param yOff y's first element
     */
    public static void forward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        if (CpuWinograd.applies(g)) {
            forwardWinograd(g, x, xOff, w, wOff, y, yOff);
        } else if (useDirect(g)) {
            forwardDirect(g, x, xOff, w, wOff, y, yOff);
        } else {
            forwardIm2col(g, x, xOff, w, wOff, y, yOff);
        }
    }

    /**
     * The measured choice of {@link #forward}: the direct kernel for stride 1 with at most 32 filters,
     * unless the filter is 1×1 without padding (then im2col is free and the GEMM reads the input in
     * place); im2col + GEMM otherwise.
     *
     * @param g the geometry
     * @return whether {@link #forward} uses {@link #forwardDirect}
     */
    public static boolean useDirect(ConvGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.k() <= DIRECT_MAX_FILTERS && !isPointwise(g);
    }

    /**
     * {@link #forward} by im2col + GEMM, whatever the geometry (for benchmarks and tests; use
     * {@link #forward}).
     *
     * @param g the geometry
     * @param x input {@code [n, c, h, w]} at {@code xOff}
     * @param xOff x's first element
     * @param w filters {@code [k, c, r, s]} at {@code wOff}
     * @param wOff w's first element
     * @param y output {@code [n, k, p, q]} at {@code yOff}, overwritten
     * @param yOff y's first element
     */
    public static void forwardIm2col(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        checkForward(g, x, xOff, w, wOff, y, yOff);
        int k = g.k(), crs = g.c() * g.r() * g.s(), pq = g.p() * g.q();
        int kpq = k * pq;
        forGroups(g, (first, images) -> {
            int cols = images * pq;
            float[] col = columns(g, x, xOff, first, images);
            int colOff = col == x ? xOff + first * g.c() * g.h() * g.w() : 0;
            float[] out = images == 1 ? y : scratch(ROWS, k * cols);
            int outOff = images == 1 ? yOff + first * kpq : 0;
            Sgemm.sgemm(false, false, k, cols, crs, 1f, w, wOff, crs, col, colOff, cols, 0f, out, outOff, cols);
            if (images > 1) {
                swapLeadingAxes(out, 0, k, images, pq, y, yOff + first * kpq);
            }
        });
    }

    /**
     * {@link #forward} by the direct kernel; stride 1 only (for benchmarks and tests; use
     * {@link #forward}).
     *
     * @param g the geometry, with stride 1
     * @param x input {@code [n, c, h, w]} at {@code xOff}
     * @param xOff x's first element
     * @param w filters {@code [k, c, r, s]} at {@code wOff}
     * @param wOff w's first element
     * @param y output {@code [n, k, p, q]} at {@code yOff}, overwritten
     * @param yOff y's first element
     * @throws IllegalArgumentException if a stride is not 1
     */
    public static void forwardDirect(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        if (g.strideH() != 1 || g.strideW() != 1) {
            throw new IllegalArgumentException("conv2d: the direct kernel needs stride 1, got " + g);
        }
        checkForward(g, x, xOff, w, wOff, y, yOff);
        int c = g.c(), h = g.h(), wd = g.w(), padH = g.padH(), padW = g.padW();
        int k = g.k(), p = g.p(), q = g.q(), crs = c * g.r() * g.s();
        int rowStride = wd + 2 * padW;                  // = q + s − 1
        int plane = (h + 2 * padH) * rowStride;
        // Outputs over the flattened padded rows, rounded up to whole blocks of two vectors; the slack
        // after the last plane keeps the loads of the last block in bounds: the largest index read is
        // (len − 1) + tap[crs − 1] < c·plane + 2V + s.
        int len = (p * rowStride + 2 * V - 1) / (2 * V) * (2 * V);
        int padded = c * plane + 2 * V + g.s();
        int chw = c * h * wd, pq = p * q, kpq = k * pq;
        int[] tap = new int[crs];                       // where tap (c, i, j) reads, relative to output j
        for (int ci = 0, t = 0; ci < c; ci++) {
            for (int r = 0; r < g.r(); r++) {
                for (int s = 0; s < g.s(); s++, t++) {
                    tap[t] = ci * plane + r * rowStride + s;
                }
            }
        }
        // One unit = one image × one block of KB filters, image-major, so a chunk pads each image once.
        int blocks = (k + KB - 1) / KB;
        Parallel.forRange(g.n() * blocks, 1, (from, to) -> {
            float[] buf = scratch(COL, padded + KB * len);
            Arrays.fill(buf, 0, padded, 0f);
            int image = -1;
            for (int u = from; u < to; u++) {
                int i = u / blocks, k0 = (u % blocks) * KB;
                if (i != image) {
                    image = i;
                    int xb = xOff + i * chw;
                    for (int ci = 0; ci < c; ci++) {
                        for (int ih = 0; ih < h; ih++) {
                            System.arraycopy(x, xb + (ci * h + ih) * wd, buf,
                                    ci * plane + (ih + padH) * rowStride + padW, wd);
                        }
                    }
                }
                // The block below stays inline: as a method of its own, C2 compiled it about 40% slower.
                // Missing filters of the last block repeat the last filter; their results are not copied out.
                int nf = Math.min(KB, k - k0), w0 = wOff + k0 * crs;
                int w1 = w0 + Math.min(1, nf - 1) * crs, w2 = w0 + Math.min(2, nf - 1) * crs;
                int w3 = w0 + Math.min(3, nf - 1) * crs;
                for (int j = 0; j < len; j += 2 * V) {
                    FloatVector a00 = FloatVector.zero(F), a01 = FloatVector.zero(F);
                    FloatVector a10 = FloatVector.zero(F), a11 = FloatVector.zero(F);
                    FloatVector a20 = FloatVector.zero(F), a21 = FloatVector.zero(F);
                    FloatVector a30 = FloatVector.zero(F), a31 = FloatVector.zero(F);
                    for (int t = 0; t < crs; t++) {
                        int xi = j + tap[t];
                        FloatVector x0 = FloatVector.fromArray(F, buf, xi);
                        FloatVector x1 = FloatVector.fromArray(F, buf, xi + V);
                        FloatVector b = FloatVector.broadcast(F, w[w0 + t]);
                        a00 = x0.fma(b, a00);
                        a01 = x1.fma(b, a01);
                        b = FloatVector.broadcast(F, w[w1 + t]);
                        a10 = x0.fma(b, a10);
                        a11 = x1.fma(b, a11);
                        b = FloatVector.broadcast(F, w[w2 + t]);
                        a20 = x0.fma(b, a20);
                        a21 = x1.fma(b, a21);
                        b = FloatVector.broadcast(F, w[w3 + t]);
                        a30 = x0.fma(b, a30);
                        a31 = x1.fma(b, a31);
                    }
                    int o = padded + j;
                    a00.intoArray(buf, o);
                    a01.intoArray(buf, o + V);
                    a10.intoArray(buf, o + len);
                    a11.intoArray(buf, o + len + V);
                    a20.intoArray(buf, o + 2 * len);
                    a21.intoArray(buf, o + 2 * len + V);
                    a30.intoArray(buf, o + 3 * len);
                    a31.intoArray(buf, o + 3 * len + V);
                }
                for (int f = 0; f < KB && k0 + f < k; f++) {
                    int yb = yOff + i * kpq + (k0 + f) * pq;
                    for (int pi = 0; pi < p; pi++) {
                        System.arraycopy(buf, padded + f * len + pi * rowStride, y, yb + pi * q, q);
                    }
                }
            }
        });
    }

    /**
     * {@link #forward} by Winograd's F(4×4, 3×3) ({@link CpuWinograd}); only for the geometries where
     * {@link #forward} uses it (for benchmarks and tests; use {@link #forward}).
     *
     * @param g the geometry: 3×3, stride 1, padding at most 2, at least 32 channels and filters
     * @param x input {@code [n, c, h, w]} at {@code xOff}
     * @param xOff x's first element
     * @param w filters {@code [k, c, r, s]} at {@code wOff}
     * @param wOff w's first element
     * @param y output {@code [n, k, p, q]} at {@code yOff}, overwritten
     * @param yOff y's first element
     * @throws IllegalArgumentException if Winograd does not apply to {@code g}
     */
    public static void forwardWinograd(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        if (!CpuWinograd.applies(g)) {
            throw new IllegalArgumentException("conv2d: Winograd needs a 3x3 filter, stride 1, padding at most 2 and at least "
                    + CpuWinograd.MIN_CHANNELS + " channels and filters, got " + g);
        }
        checkForward(g, x, xOff, w, wOff, y, yOff);
        CpuWinograd.forward(g, x, xOff, w, wOff, y, yOff);
    }

    /**
     * Gradient with respect to the input: {@code dx = ∂(Σ y·dy)/∂x}. Overwrites {@code dx}.
     *
     * @param g the geometry
     * @param dy output gradient {@code [n, k, p, q]} at {@code dyOff}
     * @param dyOff dy's first element
     * @param w filters {@code [k, c, r, s]} at {@code wOff}
     * @param wOff w's first element
     * @param dx input gradient {@code [n, c, h, w]} at {@code dxOff}, overwritten
     * @param dxOff dx's first element
     */
    public static void backwardData(ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        checkRange("dy", dy, dyOff, (long) g.n() * g.k() * g.p() * g.q());
        checkRange("w", w, wOff, (long) g.k() * g.c() * g.r() * g.s());
        checkRange("dx", dx, dxOff, (long) g.n() * g.c() * g.h() * g.w());
        if (CpuWinograd.applies(g)) {
            CpuWinograd.backwardData(g, dy, dyOff, w, wOff, dx, dxOff);
            return;
        }
        int k = g.k(), crs = g.c() * g.r() * g.s(), pq = g.p() * g.q();
        int chw = g.c() * g.h() * g.w();
        boolean pointwise = isPointwise(g);
        forGroups(g, (first, images) -> {
            int cols = images * pq;
            float[] rows = outputRows(g, dy, dyOff, first, images);
            int rowsOff = rows == dy ? dyOff + first * k * pq : 0;
            if (pointwise && images == 1) {
                Sgemm.sgemm(true, false, crs, cols, k, 1f, w, wOff, crs, rows, rowsOff, cols, 0f, dx, dxOff + first * chw,
                        cols);
                return;
            }
            float[] col = scratch(COL, crs * cols);
            Sgemm.sgemm(true, false, crs, cols, k, 1f, w, wOff, crs, rows, rowsOff, cols, 0f, col, 0, cols);
            if (pointwise) {
                swapLeadingAxes(col, 0, crs, images, pq, dx, dxOff + first * chw);
                return;
            }
            Arrays.fill(dx, dxOff + first * chw, dxOff + (first + images) * chw, 0f);
            for (int i = 0; i < images; i++) {
                col2im(g, col, i * pq, cols, dx, dxOff + (first + i) * chw);
            }
        });
    }

    /**
     * Gradient with respect to the filters, summed over the batch: {@code dw = ∂(Σ y·dy)/∂w}.
     * Overwrites {@code dw}.
     *
     * @param g the geometry
     * @param x input {@code [n, c, h, w]} at {@code xOff}
     * @param xOff x's first element
     * @param dy output gradient {@code [n, k, p, q]} at {@code dyOff}
     * @param dyOff dy's first element
     * @param dw filter gradient {@code [k, c, r, s]} at {@code dwOff}, overwritten
     * @param dwOff dw's first element
     */
    public static void backwardFilter(ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
        checkRange("x", x, xOff, (long) g.n() * g.c() * g.h() * g.w());
        checkRange("dy", dy, dyOff, (long) g.n() * g.k() * g.p() * g.q());
        checkRange("dw", dw, dwOff, (long) g.k() * g.c() * g.r() * g.s());
        if (CpuWinograd.applies(g)) {
            CpuWinograd.backwardFilter(g, x, xOff, dy, dyOff, dw, dwOff);
            return;
        }
        int n = g.n(), k = g.k(), crs = g.c() * g.r() * g.s(), pq = g.p() * g.q();
        int chw = g.c() * g.h() * g.w(), kcrs = k * crs;
        // The batch is cut into a fixed number of slices, whatever the number of threads, so that the order
        // of the sum over images, and so the result to the bit, is the same on every machine and when called
        // from inside a parallel loop (where every slice runs on this thread). Within a slice, images go in
        // groups of groupSize (fixed by the slice's length), one GEMM a group. Slice 0 accumulates straight
        // into dw, slice s > 0 into row s − 1 of the calling thread's scratch; the rows are added to dw in
        // slice order at the end.
        int slices = Math.min(n, FILTER_SLICES);
        float[] partial = slices > 1 ? scratch(ACC, (slices - 1) * kcrs) : null;
        Parallel.forRange(slices, 1, (sFrom, sTo) -> {
            for (int slice = sFrom; slice < sTo; slice++) {
                float[] acc = slice == 0 ? dw : partial;
                int accOff = slice == 0 ? dwOff : (slice - 1) * kcrs;
                int start = (int) ((long) n * slice / slices), end = (int) ((long) n * (slice + 1) / slices);
                int group = groupSize(g, end - start);
                for (int first = start; first < end; first += group) {
                    int images = Math.min(group, end - first), cols = images * pq;
                    float[] rows = outputRows(g, dy, dyOff, first, images);
                    int rowsOff = rows == dy ? dyOff + first * k * pq : 0;
                    float[] col = columns(g, x, xOff, first, images);
                    int colOff = col == x ? xOff + first * chw : 0;
                    Sgemm.sgemm(false, true, k, crs, cols, 1f, rows, rowsOff, cols, col, colOff, cols,
                            first == start ? 0f : 1f, acc, accOff, crs);
                }
            }
        });
        for (int t = 1; t < slices; t++) {
            int base = (t - 1) * kcrs;
            for (int j = 0; j < kcrs; j++) {
                dw[dwOff + j] += partial[base + j];
            }
        }
    }

    // ---- image groups --------------------------------------------------------------------------------

    /**
     * Runs {@code body} over the batch in groups of {@link #groupSize} consecutive images, cut from image 0
     * whatever the thread count (so each image's result is the same on any machine): the groups are split
     * across threads when there are at least as many as threads (each group's GEMM then runs sequentially
     * inside its chunk), else they run on this thread so that each GEMM can use every core itself.
     */
    private static void forGroups(ConvGeometry g, GroupBody body) {
        forGroups(g.n(), groupSize(g, g.n()), body);
    }

    /** {@link #forGroups(ConvGeometry, GroupBody)} over {@code n} images in groups of {@code group}. */
    static void forGroups(int n, int group, GroupBody body) {
        int groups = (n + group - 1) / group;
        Parallel.RangeBody chunk = (from, to) -> {
            for (int i = from; i < to; i++) {
                body.run(i * group, Math.min(group, n - i * group));
            }
        };
        if (groups >= Parallel.threads()) {
            Parallel.forRange(groups, 1, chunk);
        } else {
            chunk.run(0, groups);
        }
    }

    /** A group of images: the first one and how many. */
    @FunctionalInterface
    interface GroupBody {
        void run(int first, int images);
    }

    /**
     * How many images of a run of {@code images} go into one GEMM: enough that its output positions
     * number about {@link #GROUP_COLUMNS}, at least one. An image alone gives LeNet's second layer a
     * GEMM 16 columns wide (4×4 outputs) and All-CNN-BN's last layers 64; every pass of every image then
     * packed the whole filter bank again for so little work, and backward-filter read and wrote all of
     * dw once an image.
     */
    static int groupSize(ConvGeometry g, int images) {
        int pq = g.p() * g.q();
        return Math.max(1, Math.min(images, (GROUP_COLUMNS + pq - 1) / pq));
    }

    /** Output positions a grouped GEMM aims at (see {@link #groupSize}). */
    static final int GROUP_COLUMNS = 512;

    /**
     * The column matrix of images {@code [first, first + images)} side by side, {@code [c·r·s][images·p·q]}
     * (image i's block at columns {@code i·p·q}): the input itself for one image of a 1×1 filter
     * (offsets then as in {@code x}), else unfolded or copied into this thread's scratch from 0.
     */
    private static float[] columns(ConvGeometry g, float[] x, int xOff, int first, int images) {
        int chw = g.c() * g.h() * g.w(), pq = g.p() * g.q(), cols = images * pq;
        if (isPointwise(g)) {
            if (images == 1) {
                return x;
            }
            float[] col = scratch(COL, g.c() * cols);
            swapLeadingAxes(x, xOff + first * chw, images, g.c(), pq, col, 0);
            return col;
        }
        float[] col = scratch(COL, g.c() * g.r() * g.s() * cols);
        for (int i = 0; i < images; i++) {
            im2col(g, x, xOff + (first + i) * chw, col, i * pq, cols);
        }
        return col;
    }

    /**
     * The output gradients of images {@code [first, first + images)} as one matrix {@code [k][images·p·q]}:
     * {@code dy} itself for one image (offsets then as in {@code dy}), else copied into this thread's
     * scratch from 0.
     */
    private static float[] outputRows(ConvGeometry g, float[] dy, int dyOff, int first, int images) {
        if (images == 1) {
            return dy;
        }
        int pq = g.p() * g.q();
        float[] rows = scratch(ROWS, g.k() * images * pq);
        swapLeadingAxes(dy, dyOff + first * g.k() * pq, images, g.k(), pq, rows, 0);
        return rows;
    }

    /** Copies {@code src[a][b][inner]} (at {@code so}) to {@code dst[b][a][inner]} (at {@code d0}). */
    private static void swapLeadingAxes(float[] src, int so, int a, int b, int inner, float[] dst, int d0) {
        for (int i = 0; i < a; i++) {
            for (int j = 0; j < b; j++) {
                System.arraycopy(src, so + (i * b + j) * inner, dst, d0 + (j * a + i) * inner, inner);
            }
        }
    }

    /** A 1×1 filter at stride 1 without padding: the input image already is the column matrix. */
    static boolean isPointwise(ConvGeometry g) {
        return g.r() == 1 && g.s() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0 && g.padW() == 0;
    }

    /**
     * Unfolds one image into the column matrix {@code col[(c·r + i)·s + j][p·q]}, row {@code t} at
     * {@code colOff + t·ld}: row {@code (c, i, j)} holds the input cell that filter tap {@code (c, i, j)}
     * meets at every output position, 0 in the padding.
     */
    static void im2col(ConvGeometry g, float[] x, int xBase, float[] col, int colOff, int ld) {
        int cc = g.c(), h = g.h(), wd = g.w(), rr = g.r(), ss = g.s();
        int pp = g.p(), qq = g.q(), sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW();
        int row = 0;
        for (int c = 0; c < cc; c++) {
            for (int r = 0; r < rr; r++) {
                for (int s = 0; s < ss; s++, row++) {
                    int qLo = firstInside(pw - s, sw, qq), qHi = firstOutside(wd + pw - s, sw, qq, qLo);
                    int dst = colOff + row * ld;
                    for (int p = 0; p < pp; p++, dst += qq) {
                        int ih = p * sh - ph + r;
                        if (ih < 0 || ih >= h) {
                            Arrays.fill(col, dst, dst + qq, 0f);
                            continue;
                        }
                        int src = xBase + (c * h + ih) * wd - pw + s;
                        Arrays.fill(col, dst, dst + qLo, 0f);
                        if (sw == 1) {
                            System.arraycopy(x, src + qLo, col, dst + qLo, qHi - qLo);
                        } else {
                            for (int q = qLo; q < qHi; q++) {
                                col[dst + q] = x[src + q * sw];
                            }
                        }
                        Arrays.fill(col, dst + qHi, dst + qq, 0f);
                    }
                }
            }
        }
    }

    /**
     * Folds a column matrix (row {@code t} at {@code colOff + t·ld}) back onto one image, adding every
     * tap's value into the cell it came from.
     */
    static void col2im(ConvGeometry g, float[] col, int colOff, int ld, float[] dx, int dxBase) {
        int cc = g.c(), h = g.h(), wd = g.w(), rr = g.r(), ss = g.s();
        int pp = g.p(), qq = g.q(), sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW();
        int row = 0;
        for (int c = 0; c < cc; c++) {
            for (int r = 0; r < rr; r++) {
                for (int s = 0; s < ss; s++, row++) {
                    int qLo = firstInside(pw - s, sw, qq), qHi = firstOutside(wd + pw - s, sw, qq, qLo);
                    int src = colOff + row * ld;
                    for (int p = 0; p < pp; p++, src += qq) {
                        int ih = p * sh - ph + r;
                        if (ih < 0 || ih >= h) {
                            continue;
                        }
                        int dst = dxBase + (c * h + ih) * wd - pw + s;
                        if (sw == 1) {
                            for (int q = qLo; q < qHi; q++) {
                                dx[dst + q] += col[src + q];
                            }
                        } else {
                            for (int q = qLo; q < qHi; q++) {
                                dx[dst + q * sw] += col[src + q];
                            }
                        }
                    }
                }
            }
        }
    }

    /** The first q ≥ 0 with {@code q·stride ≥ lo}, at most {@code qq}. */
    private static int firstInside(int lo, int stride, int qq) {
        return lo <= 0 ? 0 : Math.min(qq, (lo + stride - 1) / stride);
    }

    /** The first q ≥ {@code qLo} with {@code q·stride ≥ hi}, at most {@code qq}. */
    private static int firstOutside(int hi, int stride, int qq, int qLo) {
        return hi <= 0 ? qLo : Math.max(qLo, Math.min(qq, (hi + stride - 1) / stride));
    }

    /** This thread's array in {@code slot}, grown (by half at least) when shorter than {@code size}. */
    static float[] scratch(ThreadLocal<float[]> slot, int size) {
        float[] a = slot.get();
        if (a.length < size) {
            a = new float[Math.max(size, a.length + (a.length >> 1))];
            slot.set(a);
        }
        return a;
    }

    /** {@link #scratch} for int arrays. */
    static int[] intScratch(ThreadLocal<int[]> slot, int size) {
        int[] a = slot.get();
        if (a.length < size) {
            a = new int[Math.max(size, a.length + (a.length >> 1))];
            slot.set(a);
        }
        return a;
    }

    private static void checkForward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        checkRange("x", x, xOff, (long) g.n() * g.c() * g.h() * g.w());
        checkRange("w", w, wOff, (long) g.k() * g.c() * g.r() * g.s());
        checkRange("y", y, yOff, (long) g.n() * g.k() * g.p() * g.q());
    }

    private static void checkRange(String name, float[] a, int off, long len) {
        if (off < 0 || off + len > a.length) {
            throw new IllegalArgumentException("conv2d: " + name + " needs " + len + " floats from offset " + off
                    + " but its array holds " + a.length);
        }
    }
}
