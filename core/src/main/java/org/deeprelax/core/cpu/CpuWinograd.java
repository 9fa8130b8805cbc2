package org.deeprelax.core.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.deeprelax.core.ConvGeometry;

/**
 * 3×3 stride-1 convolution by Winograd's minimal filtering algorithm F(4×4, 3×3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016): the forward pass and both backward passes.
 *
 * <p><b>The idea.</b> The output is cut into 4×4 tiles; tile t reads a 6×6 patch {@code d} of the input
 * (its 4×4 outputs plus the 2-cell halo of a 3×3 filter). With the constant matrices {@code Bᵀ} (6×6),
 * {@code G} (6×3) and {@code Aᵀ} (4×6) below, the tile's output for filter {@code g} is
 * <pre>
 *   Y = Aᵀ [ (G g Gᵀ) ⊙ (Bᵀ d B) ] A
 * </pre>
 * exactly (in exact arithmetic) the 16 outputs of the direct sum, with 36 multiplies instead of 144.
 * Summed over input channels, the elementwise product becomes, for each of the 36 points ξ of the 6×6
 * transformed tile, one matrix product over channels:
 * <pre>
 *   M_ξ[k, t] = Σ_c U_ξ[k, c] · V_ξ[c, t]      U = G g Gᵀ (filters), V = Bᵀ d B (input tiles)
 * </pre>
 * so a layer is 36 {@link Sgemm} calls of {@code k × c × tiles}, whose multiply-adds total
 * 36/16 = 2.25 per output and filter tap instead of 9: a quarter of im2col's, and no column matrix
 * nine times the input. The transforms are additions and small constant products, vectorised across
 * tiles: a group's tiles lie side by side in each transformed matrix, so lane i of a vector is tile
 * t + i, and each transform is two passes of the same 1-D transform (down the patch's columns into a
 * small scratch, then along its rows into the 36 matrices).
 *
 * <p><b>Backward.</b> The data gradient of a 3×3 stride-1 convolution is itself one: the output
 * gradient convolved with the filters turned 180° and with {@code c} and {@code k} swapped, at padding
 * {@code 2 − pad}, so {@link #backwardData} runs {@link #forward}'s code on that geometry. The filter
 * gradient is the transpose of the forward pass through the same algebra:
 * <pre>
 *   dU_ξ[k, c] = Σ_t dM_ξ[k, t] · V_ξ[c, t],   dM = A dY Aᵀ (per output-gradient tile),   dg = Gᵀ dU G
 * </pre>
 * 36 products {@code k × c} deep over the tiles, summed in a fixed number of batch slices in slice
 * order as {@link CpuConv#backwardFilter} does, so the result does not depend on the thread count.
 * It transforms the input again rather than keeping the forward pass's V, which is 2.25 times the
 * input (113 MB for All-CNN-BN's 96-channel 32×32 layer at batch 128); in the profile of a training step
 * all the transforms together took about a fifth of the time of the products.
 *
 * <p><b>Accuracy.</b> The transforms' constants (up to 8 in {@code Aᵀ}, 1/24 in {@code G}) cost some
 * bits: the error stays within a few times 10⁻⁶ of the sum of |products|, against about 10⁻⁷ for the
 * direct sum, which is why cuDNN and oneDNN offer it for training too (the tests bound it against a
 * float64 reference).
 *
 * <p><b>Layout and work.</b> Images go in groups of about {@link #GROUP_TILES} tiles (four of
 * All-CNN-BN's 32×32 images, 64 of its 8×8 ones), groups split across threads like
 * {@link CpuConv}'s image groups. A group's transformed input is {@code [36][c][ld]} and its products
 * {@code [36][k][ld]}, ld the tile count rounded up to whole vectors. Tiles that reach past the output
 * (an odd size) read zeros and their extra outputs are dropped.
 */
final class CpuWinograd {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    /** Outputs per side of a tile. */
    private static final int TILE = 4;
    /** Inputs per side of a tile's patch: TILE + 3 − 1. */
    private static final int ALPHA = 6;
    /** Points of a transformed tile: one matrix product each. */
    private static final int POINTS = ALPHA * ALPHA;
    /** Input channels and filters from which {@link #applies} (below, im2col or the direct kernel run). */
    static final int MIN_CHANNELS = 32;
    /** Tiles a group of images aims at: the column count of each product. */
    static final int GROUP_TILES = 256;

    /** Per-thread transformed inputs of a group, {@code [36][c][ld]}. */
    private static final ThreadLocal<float[]> INPUT = ThreadLocal.withInitial(() -> new float[0]);
    /** Per-thread products of a group, or transformed output gradients, {@code [36][k][ld]}. */
    private static final ThreadLocal<float[]> PRODUCT = ThreadLocal.withInitial(() -> new float[0]);
    /** Per-thread padded planes of one channel of a group's images, for the transforms' gathers. */
    private static final ThreadLocal<float[]> PADDED = ThreadLocal.withInitial(() -> new float[0]);
    /** Per-thread start of each tile's patch in {@link #PADDED}. */
    private static final ThreadLocal<int[]> STARTS = ThreadLocal.withInitial(() -> new int[0]);
    /** Per-thread scratch of the 1-D transforms' first pass, and of a group's output tiles. */
    private static final ThreadLocal<float[]> PATCH = ThreadLocal.withInitial(() -> new float[0]);
    /** The calling thread's transformed filters {@code [36][k][c]}, and turned filters for backward data. */
    private static final ThreadLocal<float[]> FILTER = ThreadLocal.withInitial(() -> new float[0]);
    /** Per-thread filter-gradient sums of a batch slice in the transformed domain, {@code [36][k][c]}. */
    private static final ThreadLocal<float[]> GRADIENT = ThreadLocal.withInitial(() -> new float[0]);
    /** Per-thread first half of the filter gradients' inverse transform, {@code [3][6][k·c]}. */
    private static final ThreadLocal<float[]> HALF = ThreadLocal.withInitial(() -> new float[0]);
    /** The calling thread's partial filter gradients, one per batch slice after the first. */
    private static final ThreadLocal<float[]> PARTIAL = ThreadLocal.withInitial(() -> new float[0]);

    private CpuWinograd() {
    }

    /**
     * Whether {@link CpuConv} runs this geometry by Winograd: a 3×3 filter at stride 1 with padding at
     * most 2 (so the data gradient is a convolution of the same kind), with at least
     * {@link #MIN_CHANNELS} input channels and filters, where the 36 products are deep and wide enough
     * to pay for the transforms.
     *
     * @param g the geometry
     * @return whether the three passes of {@code g} use this class
     */
    static boolean applies(ConvGeometry g) {
        return g.r() == 3 && g.s() == 3 && g.strideH() == 1 && g.strideW() == 1 && g.padH() <= 2 && g.padW() <= 2
                && g.c() >= MIN_CHANNELS && g.k() >= MIN_CHANNELS;
    }

    // ---- the three passes ----------------------------------------------------------------------------

    /**
     * Forward convolution of a geometry that {@link #applies}; arguments as {@link CpuConv#forward}.
     */
    static void forward(ConvGeometry g, float[] x, int xOff, float[] w, int wOff, float[] y, int yOff) {
        float[] u = CpuConv.scratch(FILTER, POINTS * g.k() * g.c());
        transformFilters(w, wOff, g.k(), g.c(), u);
        convolve(g, x, xOff, u, y, yOff);
    }

    /**
     * Data gradient of a geometry that {@link #applies}; arguments as {@link CpuConv#backwardData}: the
     * forward pass of dy with the filters turned 180° and transposed, at padding {@code 2 − pad}.
     */
    static void backwardData(ConvGeometry g, float[] dy, int dyOff, float[] w, int wOff, float[] dx, int dxOff) {
        int k = g.k(), c = g.c();
        float[] buf = CpuConv.scratch(FILTER, POINTS * k * c + 9 * k * c);
        int turned = POINTS * k * c;
        for (int f = 0; f < k; f++) {
            for (int ch = 0; ch < c; ch++) {
                int src = wOff + (f * c + ch) * 9, dst = turned + (ch * k + f) * 9;
                for (int tap = 0; tap < 9; tap++) {
                    buf[dst + tap] = w[src + 8 - tap];
                }
            }
        }
        transformFilters(buf, turned, c, k, buf);
        ConvGeometry back = new ConvGeometry(g.n(), k, g.p(), g.q(), c, 3, 3, 1, 1, 2 - g.padH(), 2 - g.padW());
        convolve(back, dy, dyOff, buf, dx, dxOff);
    }

    /**
     * Filter gradient of a geometry that {@link #applies}, summed over the batch; arguments as
     * {@link CpuConv#backwardFilter}.
     */
    static void backwardFilter(ConvGeometry g, float[] x, int xOff, float[] dy, int dyOff, float[] dw, int dwOff) {
        int n = g.n(), k = g.k(), c = g.c(), kc9 = k * c * 9;
        Tiling tiling = new Tiling(g);
        int slices = Math.min(n, CpuConv.FILTER_SLICES);
        float[] partial = slices > 1 ? CpuConv.scratch(PARTIAL, (slices - 1) * kc9) : null;
        Parallel.forRange(slices, 1, (sFrom, sTo) -> {
            for (int slice = sFrom; slice < sTo; slice++) {
                int start = (int) ((long) n * slice / slices), end = (int) ((long) n * (slice + 1) / slices);
                int group = tiling.groupSize(end - start);
                float[] du = CpuConv.scratch(GRADIENT, POINTS * k * c);
                for (int first = start; first < end; first += group) {
                    int images = Math.min(group, end - first);
                    int tiles = images * tiling.perImage, ld = roundUp(tiles);
                    float[] v = CpuConv.scratch(INPUT, POINTS * c * ld);
                    float[] dm = CpuConv.scratch(PRODUCT, POINTS * k * ld);
                    transformInputs(tiling, x, xOff, c, first, images, ld, v);
                    transformOutputGradients(tiling, dy, dyOff, k, first, images, ld, dm);
                    float beta = first == start ? 0f : 1f;
                    for (int xi = 0; xi < POINTS; xi++) {
                        Sgemm.sgemm(false, true, k, c, tiles, 1f, dm, xi * k * ld, ld, v, xi * c * ld, ld,
                                beta, du, xi * k * c, c);
                    }
                }
                if (slice == 0) {
                    untransformFilterGradients(du, k, c, dw, dwOff);
                } else {
                    untransformFilterGradients(du, k, c, partial, (slice - 1) * kc9);
                }
            }
        });
        for (int s = 1; s < slices; s++) {
            int base = (s - 1) * kc9;
            for (int j = 0; j < kc9; j++) {
                dw[dwOff + j] += partial[base + j];
            }
        }
    }

    /** The forward pass with filters already transformed ({@code u = [36][k][c]}). */
    private static void convolve(ConvGeometry g, float[] x, int xOff, float[] u, float[] y, int yOff) {
        int c = g.c(), k = g.k();
        Tiling tiling = new Tiling(g);
        CpuConv.forGroups(g.n(), tiling.groupSize(g.n()), (first, images) -> {
            int tiles = images * tiling.perImage, ld = roundUp(tiles);
            float[] v = CpuConv.scratch(INPUT, POINTS * c * ld);
            float[] m = CpuConv.scratch(PRODUCT, POINTS * k * ld);
            transformInputs(tiling, x, xOff, c, first, images, ld, v);
            for (int xi = 0; xi < POINTS; xi++) {
                Sgemm.sgemm(false, false, k, tiles, c, 1f, u, xi * k * c, c, v, xi * c * ld, ld, 0f, m, xi * k * ld, ld);
            }
            transformOutputs(tiling, m, k, first, images, ld, y, yOff);
        });
    }

    // ---- tiles -----------------------------------------------------------------------------------------

    /** How a geometry's output is cut into tiles. */
    private record Tiling(int h, int w, int p, int q, int padH, int padW, int tilesH, int tilesW, int perImage) {

        Tiling(ConvGeometry g) {
            this(g.h(), g.w(), g.p(), g.q(), g.padH(), g.padW(), ceilDiv(g.p(), TILE), ceilDiv(g.q(), TILE),
                    ceilDiv(g.p(), TILE) * ceilDiv(g.q(), TILE));
        }

        /** Images per group among {@code images}: about {@link #GROUP_TILES} tiles, at least one image. */
        int groupSize(int images) {
            return Math.max(1, Math.min(images, GROUP_TILES / perImage));
        }
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /** A tile count rounded up to whole vectors: the row length of the transformed matrices. */
    private static int roundUp(int tiles) {
        return ceilDiv(tiles, L) * L;
    }

    /**
     * Copies one channel of a group's image planes into {@code pad} with zeros around them, so that every
     * tile's {@code size × size} patch lies inside, and returns where each patch starts: tile t's point
     * (i, j) is {@code pad[start[t] + i·pw + j]}, pw the padded width. Each image gets a padded plane of
     * {@code (TILE·tilesH + size − TILE) × pw}; the tiles past the group's last (up to a whole vector)
     * start in a plane of zeros after them.
     *
     * @param planes the planes' storage: channel {@code ch} of image {@code img} at
     *               {@code off + (img·channels + ch)·rows·cols}
     * @param rows the plane's height
     * @param cols the plane's width
     * @param padH rows of zeros above the plane
     * @param padW columns of zeros left of the plane
     * @param zero whether to clear {@code pad} first (the first channel of a group: later ones only
     *             overwrite the planes' cells)
     */
    private static void pad(Tiling tiling, int size, float[] planes, int off, int channels, int ch, int rows, int cols,
                            int padH, int padW, int first, int images, float[] pad, boolean zero) {
        int pw = TILE * tiling.tilesW + size - TILE, plane = (TILE * tiling.tilesH + size - TILE) * pw;
        if (zero) {
            Arrays.fill(pad, 0, (images + 1) * plane, 0f);
        }
        for (int img = 0; img < images; img++) {
            int src = off + ((first + img) * channels + ch) * rows * cols;
            int dst = img * plane + padH * pw + padW;
            for (int row = 0; row < rows; row++) {
                System.arraycopy(planes, src + row * cols, pad, dst + row * pw, cols);
            }
        }
    }

    /** The patch starts of {@link #pad}'s layout for a group of {@code images}, {@code ld} of them. */
    private static int[] patchStarts(Tiling tiling, int size, int images, int ld) {
        int pw = TILE * tiling.tilesW + size - TILE, plane = (TILE * tiling.tilesH + size - TILE) * pw;
        int[] start = CpuConv.intScratch(STARTS, ld);
        int t = 0;
        for (int img = 0; img < images; img++) {
            for (int th = 0; th < tiling.tilesH; th++) {
                for (int tw = 0; tw < tiling.tilesW; tw++) {
                    start[t++] = img * plane + th * TILE * pw + tw * TILE;
                }
            }
        }
        Arrays.fill(start, t, ld, images * plane);
        return start;
    }

    /**
     * Applies {@code transform} (six inputs from {@code size} at a stride) to the patches of a padded group
     * in two passes: down each of the {@code size} columns into {@code tmp} (by gathers, lane i from tile
     * t + i), then along each of the six rows into {@code out[outOff + (a·6 + b)·pointStride + t]}.
     */
    private static void transformPatches(int size, float[] pad, int pw, int[] start, int tiles, float[] tmp,
                                         Transform1d transform, float[] out, int outOff, int pointStride) {
        int gathered = ALPHA * size * L;
        for (int t = 0; t < tiles; t += L) {
            for (int j = 0; j < size; j++) {
                for (int i = 0; i < size; i++) {
                    FloatVector.fromArray(F, pad, i * pw + j, start, t).intoArray(tmp, gathered + i * L);
                }
                transform.apply(tmp, gathered, L, tmp, j * L, size * L);
            }
            for (int a = 0; a < ALPHA; a++) {
                transform.apply(tmp, a * size * L, L, out, outOff + a * ALPHA * pointStride + t, pointStride);
            }
        }
    }

    /** A 1-D transform: reads vectors at {@code src[so + i·ss]}, writes six at {@code dst[dOff + a·ds]}. */
    @FunctionalInterface
    private interface Transform1d {
        void apply(float[] src, int so, int ss, float[] dst, int dOff, int ds);
    }

    /** V = Bᵀ d B for every channel and tile of a group: {@code v[(ξ·c + ch)·ld + t]}. */
    private static void transformInputs(Tiling tiling, float[] x, int xOff, int c, int first, int images, int ld,
                                        float[] v) {
        int pw = TILE * tiling.tilesW + ALPHA - TILE, plane = (TILE * tiling.tilesH + ALPHA - TILE) * pw;
        float[] pad = CpuConv.scratch(PADDED, (images + 1) * plane);
        float[] tmp = CpuConv.scratch(PATCH, 2 * POINTS * L);
        int[] start = patchStarts(tiling, ALPHA, images, ld);
        for (int ch = 0; ch < c; ch++) {
            pad(tiling, ALPHA, x, xOff, c, ch, tiling.h, tiling.w, tiling.padH, tiling.padW, first, images, pad, ch == 0);
            transformPatches(ALPHA, pad, pw, start, images * tiling.perImage, tmp, CpuWinograd::inputTransform,
                    v, ch * ld, c * ld);
        }
    }

    /** dM = A dY Aᵀ for every filter and tile of a group's output gradients: {@code dm[(ξ·k + f)·ld + t]}. */
    private static void transformOutputGradients(Tiling tiling, float[] dy, int dyOff, int k, int first, int images,
                                                 int ld, float[] dm) {
        int pw = TILE * tiling.tilesW, plane = TILE * tiling.tilesH * pw;
        float[] pad = CpuConv.scratch(PADDED, (images + 1) * plane);
        float[] tmp = CpuConv.scratch(PATCH, 2 * POINTS * L);
        int[] start = patchStarts(tiling, TILE, images, ld);
        for (int f = 0; f < k; f++) {
            pad(tiling, TILE, dy, dyOff, k, f, tiling.p, tiling.q, 0, 0, first, images, pad, f == 0);
            transformPatches(TILE, pad, pw, start, images * tiling.perImage, tmp, CpuWinograd::gradientTransform,
                    dm, f * ld, k * ld);
        }
    }

    /** Y = Aᵀ M A for every filter and tile of a group, written into y where the tile lies inside the output. */
    private static void transformOutputs(Tiling tiling, float[] m, int k, int first, int images, int ld,
                                         float[] y, int yOff) {
        float[] o = CpuConv.scratch(PATCH, TILE * TILE * ld + POINTS * L);
        int tmp = TILE * TILE * ld, tiles = images * tiling.perImage, pointStride = k * ld;
        int p = tiling.p, q = tiling.q, tilesW = tiling.tilesW;
        for (int f = 0; f < k; f++) {
            for (int t = 0; t < tiles; t += L) {
                for (int j = 0; j < ALPHA; j++) {
                    outputTransform(m, f * ld + j * pointStride + t, ALPHA * pointStride, o, tmp + j * L, ALPHA * L);
                }
                for (int a = 0; a < TILE; a++) {
                    outputTransform(o, tmp + a * ALPHA * L, L, o, a * TILE * ld + t, ld);
                }
            }
            for (int img = 0; img < images; img++) {
                int plane = yOff + ((first + img) * k + f) * p * q;
                for (int th = 0; th < tiling.tilesH; th++) {
                    int tRow = img * tiling.perImage + th * tilesW;
                    for (int i = 0; i < TILE && th * TILE + i < p; i++) {
                        int row = plane + (th * TILE + i) * q;
                        for (int j = 0; j < TILE; j++) {
                            int src = (i * TILE + j) * ld + tRow;
                            int last = Math.min(tilesW, ceilDiv(q - j, TILE));
                            for (int tw = 0; tw < last; tw++) {
                                y[row + TILE * tw + j] = o[src + tw];
                            }
                        }
                    }
                }
            }
        }
    }

    // ---- the 1-D transforms, each applied down the columns and then along the rows -----------------------

    /** Bᵀ d for six vectors of d at {@code src[so + i·ss]}, stored at {@code dst[dOff + a·ds]}. */
    private static void inputTransform(float[] src, int so, int ss, float[] dst, int dOff, int ds) {
        FloatVector d0 = FloatVector.fromArray(F, src, so), d1 = FloatVector.fromArray(F, src, so + ss);
        FloatVector d2 = FloatVector.fromArray(F, src, so + 2 * ss), d3 = FloatVector.fromArray(F, src, so + 3 * ss);
        FloatVector d4 = FloatVector.fromArray(F, src, so + 4 * ss), d5 = FloatVector.fromArray(F, src, so + 5 * ss);
        FloatVector d4m2 = d4.sub(d2), d31 = d3.sub(d1);
        d0.mul(4f).add(d4).sub(d2.mul(5f)).intoArray(dst, dOff);
        d3.add(d4).sub(d1.add(d2).mul(4f)).intoArray(dst, dOff + ds);
        d4.sub(d3).add(d1.sub(d2).mul(4f)).intoArray(dst, dOff + 2 * ds);
        d4m2.add(d31.mul(2f)).intoArray(dst, dOff + 3 * ds);
        d4m2.sub(d31.mul(2f)).intoArray(dst, dOff + 4 * ds);
        d1.mul(4f).add(d5).sub(d3.mul(5f)).intoArray(dst, dOff + 5 * ds);
    }

    /** A g for four vectors of an output gradient at {@code src[so + i·ss]}, six results at {@code dst[dOff + a·ds]}. */
    private static void gradientTransform(float[] src, int so, int ss, float[] dst, int dOff, int ds) {
        FloatVector g0 = FloatVector.fromArray(F, src, so), g1 = FloatVector.fromArray(F, src, so + ss);
        FloatVector g2 = FloatVector.fromArray(F, src, so + 2 * ss), g3 = FloatVector.fromArray(F, src, so + 3 * ss);
        FloatVector even = g0.add(g2), odd = g1.add(g3);
        FloatVector even4 = g0.add(g2.mul(4f)), odd2 = g1.mul(2f).add(g3.mul(8f));
        g0.intoArray(dst, dOff);
        even.add(odd).intoArray(dst, dOff + ds);
        even.sub(odd).intoArray(dst, dOff + 2 * ds);
        even4.add(odd2).intoArray(dst, dOff + 3 * ds);
        even4.sub(odd2).intoArray(dst, dOff + 4 * ds);
        g3.intoArray(dst, dOff + 5 * ds);
    }

    /** Aᵀ m for six vectors of m at {@code src[so + i·ss]}, four results at {@code dst[dOff + a·ds]}. */
    private static void outputTransform(float[] src, int so, int ss, float[] dst, int dOff, int ds) {
        FloatVector m0 = FloatVector.fromArray(F, src, so), m1 = FloatVector.fromArray(F, src, so + ss);
        FloatVector m2 = FloatVector.fromArray(F, src, so + 2 * ss), m3 = FloatVector.fromArray(F, src, so + 3 * ss);
        FloatVector m4 = FloatVector.fromArray(F, src, so + 4 * ss), m5 = FloatVector.fromArray(F, src, so + 5 * ss);
        FloatVector s12 = m1.add(m2), d12 = m1.sub(m2), s34 = m3.add(m4), d34 = m3.sub(m4);
        m0.add(s12).add(s34).intoArray(dst, dOff);
        d12.add(d34.mul(2f)).intoArray(dst, dOff + ds);
        s12.add(s34.mul(4f)).intoArray(dst, dOff + 2 * ds);
        d12.add(d34.mul(8f)).add(m5).intoArray(dst, dOff + 3 * ds);
    }

    // ---- filters -----------------------------------------------------------------------------------------

    /** G's rows: the six points of a transformed filter row from its three taps. */
    private static final double[][] G = {
        {1 / 4.0, 0, 0}, {-1 / 6.0, -1 / 6.0, -1 / 6.0}, {-1 / 6.0, 1 / 6.0, -1 / 6.0},
        {1 / 24.0, 1 / 12.0, 1 / 6.0}, {1 / 24.0, -1 / 12.0, 1 / 6.0}, {0, 0, 1}};

    /**
     * U = G g Gᵀ for filters {@code [k][c][3][3]} at {@code wOff}, in double and rounded once: {@code
     * u[(ξ·k + f)·c + ch]}. {@code w} and {@code u} may be the same array if the filters lie past the
     * 36·k·c floats written.
     */
    private static void transformFilters(float[] w, int wOff, int k, int c, float[] u) {
        double[] gw = new double[ALPHA * 3];
        for (int f = 0; f < k; f++) {
            for (int ch = 0; ch < c; ch++) {
                int g = wOff + (f * c + ch) * 9;
                for (int a = 0; a < ALPHA; a++) {
                    for (int s = 0; s < 3; s++) {
                        gw[a * 3 + s] = G[a][0] * w[g + s] + G[a][1] * w[g + 3 + s] + G[a][2] * w[g + 6 + s];
                    }
                }
                for (int a = 0; a < ALPHA; a++) {
                    for (int b = 0; b < ALPHA; b++) {
                        double sum = G[b][0] * gw[a * 3] + G[b][1] * gw[a * 3 + 1]
                                + G[b][2] * gw[a * 3 + 2];
                        u[((a * ALPHA + b) * k + f) * c + ch] = (float) sum;
                    }
                }
            }
        }
    }

    /**
     * dg = Gᵀ dU G for every filter and channel of {@code du[(ξ·k + f)·c + ch]}, into {@code [k][c][3][3]} at
     * {@code off}. Each pass runs along the k·c pairs, which lie contiguous in {@code du}, so the loops
     * stream through memory rather than hopping between the 36 matrices for every pair.
     */
    private static void untransformFilterGradients(float[] du, int k, int c, float[] dw, int off) {
        int kc = k * c;
        float[] half = CpuConv.scratch(HALF, 3 * ALPHA * kc);   // Gᵀ dU: [3][6][k·c]
        for (int r = 0; r < 3; r++) {
            for (int b = 0; b < ALPHA; b++) {
                int dst = (r * ALPHA + b) * kc;
                Arrays.fill(half, dst, dst + kc, 0f);
                for (int a = 0; a < ALPHA; a++) {
                    float coef = (float) G[a][r];
                    if (coef == 0f) {
                        continue;
                    }
                    int src = (a * ALPHA + b) * kc;
                    for (int e = 0; e < kc; e++) {
                        half[dst + e] += coef * du[src + e];
                    }
                }
            }
        }
        for (int e = 0; e < kc; e++) {
            for (int r = 0; r < 3; r++) {
                int row = r * ALPHA * kc + e;
                for (int s = 0; s < 3; s++) {
                    float sum = 0f;
                    for (int b = 0; b < ALPHA; b++) {
                        sum += half[row + b * kc] * (float) G[b][s];
                    }
                    dw[off + e * 9 + r * 3 + s] = sum;
                }
            }
        }
    }
}
