package org.deeprelax.core.cpu;

/**
 * The cache-blocked loop nest of {@link Sgemm} for one thread's rectangle of C, in the
 * GotoBLAS/BLIS order:
 *
 * <pre>
 * for jc in columns, step NC          B panel kc×nc, packed once per (jc, pc), stays in L3
 *   for pc in depth, step KC
 *     pack op(B)[pc.., jc..]
 *     for ic in rows, step MC         A block mc×kc, packed once per (jc, pc, ic), stays in L2
 *       pack alpha·op(A)[ic.., pc..]
 *       for jr in nc, step NR         B micro-panel kc×NR stays in L1 across the ir loop
 *         for ir in mc, step MR       A micro-panel streams from L2
 *           micro-kernel: C[ir.., jr..] (+)= Ap·Bp
 * </pre>
 *
 * <p>Block sizes for the AVX-512 machine this was tuned on (L1d 48 KiB, L2 2 MiB per core): KC = 256
 * makes the B micro-panel 256×32 floats = 32 KiB, two thirds of L1, leaving room for the A and C
 * lines passing through (KC = 384 fills L1 and measured a third slower). MC = 768 makes the A block
 * 768×256 floats = 768 KiB, well inside L2 with the B micro-panel's copies and C. NC = 2048 keeps
 * the packed B panel at 2 MiB per thread. Each dimension is cut into equal blocks no larger than
 * these (rounded up to whole tiles), so k = 300 runs as two blocks of 150 rather than 256 + 44.
 * The system properties {@code deeprelax.sgemm.kc}, {@code .mc} and {@code .nc} override them for
 * tuning experiments.
 *
 * <p>Beta is applied before the first depth block: beta = 0 makes that block store its tiles without
 * reading C (so old NaNs vanish), beta = 1 adds, and any other beta scales the rectangle first.
 * Later depth blocks add. Edge tiles (fewer than MR rows or NR columns left) run the full kernel on
 * zero-padded panels into a scratch tile, and only its valid part is copied or added to C.
 *
 * <p>Packing buffers live in a per-thread workspace that only grows, so steady-state calls allocate
 * nothing.
 */
final class SgemmBlocked {

    static final int KC = Integer.getInteger("deeprelax.sgemm.kc", 256);
    static final int MC = Integer.getInteger("deeprelax.sgemm.mc", 768);
    static final int NC = Integer.getInteger("deeprelax.sgemm.nc", 2048);

    /** One thread's packing buffers and scratch tile. */
    private static final class Workspace {
        float[] ap = new float[0];
        float[] bp = new float[0];
        final float[] tile = new float[SgemmKernel.MR * SgemmKernel.NR];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private SgemmBlocked() {
    }

    /** The size of equal blocks, at most {@code max} rounded up to a multiple of {@code unit}, covering {@code total}. */
    private static int blockSize(int total, int max, int unit) {
        int blocks = (total + max - 1) / max;
        int size = (total + blocks - 1) / blocks;
        return (size + unit - 1) / unit * unit;
    }

    /**
     * Computes rows {@code [m0, m1)} and columns {@code [n0, n1)} of C; the other arguments are those
     * of {@link Sgemm#sgemm}, with {@code k > 0} and {@code alpha != 0}.
     */
    static void run(boolean transA, boolean transB, int m0, int m1, int n0, int n1, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc) {
        if (m0 >= m1 || n0 >= n1) {
            return;
        }
        final int mr = SgemmKernel.MR;
        final int nr = SgemmKernel.NR;
        int kcMax = blockSize(k, KC, 1);
        int mcMax = blockSize(m1 - m0, MC, mr);
        int ncMax = blockSize(n1 - n0, NC, nr);
        Workspace w = WORKSPACE.get();
        if (w.ap.length < mcMax * kcMax) {
            w.ap = new float[mcMax * kcMax];
        }
        if (w.bp.length < ncMax * kcMax) {
            w.bp = new float[ncMax * kcMax];
        }
        boolean storeFirst = beta == 0f;
        if (!storeFirst && beta != 1f) {
            for (int i = m0; i < m1; i++) {
                int o = cOff + i * ldc;
                for (int j = n0; j < n1; j++) {
                    c[o + j] *= beta;
                }
            }
        }
        for (int jc = n0; jc < n1; jc += ncMax) {
            int nc = Math.min(ncMax, n1 - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                boolean store = storeFirst && pc == 0;
                SgemmPack.packB(transB, b, bOff, ldb, pc, kc, jc, nc, w.bp);
                for (int ic = m0; ic < m1; ic += mcMax) {
                    int mc = Math.min(mcMax, m1 - ic);
                    SgemmPack.packA(transA, a, aOff, lda, ic, mc, pc, kc, alpha, w.ap);
                    macro(kc, mc, nc, w, c, cOff + ic * ldc + jc, ldc, store);
                }
            }
        }
    }

    /** Runs the micro-kernel over one packed mc×kc A block and kc×nc B panel. */
    private static void macro(int kc, int mc, int nc, Workspace w, float[] c, int cBase, int ldc, boolean store) {
        final int mr = SgemmKernel.MR;
        final int nr = SgemmKernel.NR;
        float[] ap = w.ap;
        float[] bp = w.bp;
        for (int jr = 0; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            int bi = jr * kc;
            for (int ir = 0; ir < mc; ir += mr) {
                int rows = Math.min(mr, mc - ir);
                int ai = ir * kc;
                int ci = cBase + ir * ldc + jr;
                if (rows == mr && cols == nr) {
                    if (store) {
                        SgemmKernel.store(kc, ap, ai, bp, bi, c, ci, ldc);
                    } else {
                        SgemmKernel.add(kc, ap, ai, bp, bi, c, ci, ldc);
                    }
                } else {
                    edge(kc, ap, ai, bp, bi, w.tile, c, ci, ldc, store, rows, cols);
                }
            }
        }
    }

    /** A partial tile: the kernel writes the whole tile to scratch, and its valid rows × cols go to C. */
    private static void edge(int kc, float[] ap, int ai, float[] bp, int bi, float[] tile,
                             float[] c, int ci, int ldc, boolean store, int rows, int cols) {
        final int nr = SgemmKernel.NR;
        SgemmKernel.store(kc, ap, ai, bp, bi, tile, 0, nr);
        for (int i = 0; i < rows; i++) {
            int o = ci + i * ldc;
            int t = i * nr;
            if (store) {
                System.arraycopy(tile, t, c, o, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    c[o + j] += tile[t + j];
                }
            }
        }
    }
}
