package org.deeprelax.core.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * The cache-blocked, multi-threaded loop nest of {@link Sgemm}, in GotoBLAS order:
 *
 * <pre>
 * for ic in rows, step MC                   at most 4096 rows at a time
 *   for pc in depth, step KC
 *     pack alpha·op(A)[ic.., pc..]          shared A panel mc×kc (L3), packed by all threads
 *     for each work item (jc block, rows)   handed out one at a time to whichever thread is free
 *       pack op(B)[pc.., jc..]              private B block kc×nc, stays in this core's L2
 *       for ir in rows, step MR             A micro-panel MR×kc stays in L1 across the jr loop
 *         for jr in nc, step NR             B micro-panel streams from L2; C rows stream in order
 *           micro-kernel: C[ir.., jr..] (+)= Ap·Bp
 * </pre>
 *
 * <p>Block sizes for the AVX-512 machine this was tuned on (L1d 48 KiB, L2 2 MiB per core, 12×32
 * tiles): KC = 512 makes the A micro-panel 12×512 floats = 24 KiB, half of L1, and makes C pass
 * through the cache k/512 times (KC = 384 and 1024 measured the same within this machine's noise);
 * NC = 384 makes the B block 512×384 floats = 768 KiB, well inside L2 together with the C rows and
 * A lines passing through. Walking jr inside ir keeps each C access a forward run along 12 rows,
 * which the hardware prefetcher follows; the BLIS order (B micro-panel in L1, A block in L2, jr
 * outside ir) walks C down its columns instead and measured about 10% slower here at n = 1024–2048.
 * Each dimension is cut into equal blocks no larger than these, so k = 600 runs as two blocks of
 * 300 rather than 512 + 88.
 *
 * <p>Threads: the A panel is shared, so no thread packs A twice, and both its packing and the items
 * are handed out piece by piece from an atomic counter rather than split in fixed halves, so a core
 * slowed by other work on the machine takes fewer pieces instead of holding up the others. Items are
 * the column blocks of C; when there are fewer than two per thread, blocks shrink (to 128 columns)
 * and then rows are split too (each row group then packs its own copy of the B block).
 *
 * <p>Beta is applied in the first depth block: beta = 0 makes it store its tiles without reading C
 * (so old NaNs vanish), beta = 1 adds, and any other beta scales the item's part of C first. Later
 * depth blocks add. Edge tiles (fewer than MR rows or NR columns left) run the full kernel on
 * zero-padded panels into a scratch tile, and only its valid part is copied or added to C.
 *
 * <p>Packing buffers live in a per-thread workspace that only grows, so steady-state calls allocate
 * no buffers. The calling thread's workspace holds the shared A panel; it waits for every item of a
 * phase before reusing it.
 */
final class SgemmBlocked {

    /** Depth of a block. */
    static final int KC = 512;
    /** Columns of a B block. */
    static final int NC = 384;
    /**
     * Rows of C computed per pass: bounds the shared A panel at MC×KC floats (8 MiB) when m is huge,
     * as for a convolution lowered to a matrix product.
     */
    static final int MC = 4096;
    /** The narrowest B block made to give each thread two items. */
    static final int NC_MIN = 128;
    /** Row tiles (96 rows on AVX-512) per piece of A panel packing handed to a thread. */
    private static final int PACK_CHUNK = 8;

    /** One thread's packing buffers and scratch tile. */
    private static final class Workspace {
        float[] ap = new float[0];
        float[] bp = new float[0];
        final float[] tile = new float[SgemmKernel.MR * SgemmKernel.NR];
        final int[] idx = new int[SgemmKernel.L];
    }

    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private SgemmBlocked() {
    }

    /**
     * The size of the equal blocks that cover {@code total}: at most {@code max}, then rounded up to
     * a multiple of {@code unit}.
     */
    private static int blockSize(int total, int max, int unit) {
        int blocks = (total + max - 1) / max;
        int size = (total + blocks - 1) / blocks;
        return (size + unit - 1) / unit * unit;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    /**
     * Computes all of C on up to {@code threads} threads; the other arguments are those of
     * {@link Sgemm#sgemm}, with {@code m, n, k > 0} and {@code alpha != 0}.
     */
    static void run(boolean transA, boolean transB, int m, int n, int k, float alpha,
                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                    float beta, float[] c, int cOff, int ldc, int threads) {
        int mc = blockSize(m, MC, SgemmKernel.MR);
        for (int i0 = 0; i0 < m; i0 += mc) {
            int rows = Math.min(mc, m - i0);
            runRows(transA, transB, rows, n, k, alpha, a, transA ? aOff + i0 : aOff + i0 * lda, lda,
                    b, bOff, ldb, beta, c, cOff + i0 * ldc, ldc, threads);
        }
    }

    /** {@link #run} for at most {@link #MC} rows. */
    private static void runRows(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                float beta, float[] c, int cOff, int ldc, int threads) {
        final int mr = SgemmKernel.MR;
        final int nr = SgemmKernel.NR;
        int rowTiles = ceilDiv(m, mr);
        int target = threads > 1 ? 2 * threads : 1;
        int kcMax = blockSize(k, KC, 1);
        int ncMax = blockSize(n, NC, nr);
        if (ceilDiv(n, ncMax) < target) {
            ncMax = Math.max(NC_MIN, ceilDiv(ceilDiv(n, target), nr) * nr);
            ncMax = Math.min(ncMax, ceilDiv(n, nr) * nr);
        }
        int colBlocks = ceilDiv(n, ncMax);
        int rowGroups = Math.min(rowTiles, ceilDiv(target, colBlocks));
        int groupTiles = ceilDiv(rowTiles, rowGroups);
        rowGroups = ceilDiv(rowTiles, groupTiles);
        int items = colBlocks * rowGroups;

        Workspace mine = WORKSPACE.get();
        if (mine.ap.length < rowTiles * mr * kcMax) {
            mine.ap = new float[rowTiles * mr * kcMax];
        }
        float[] ap = mine.ap;
        final int ncBlock = ncMax;
        for (int pc = 0; pc < k; pc += kcMax) {
            final int p0 = pc;
            final int kc = Math.min(kcMax, k - pc);
            // Phase 1: the shared A panel, micro-panel r at r·MR·kc, packed in pieces of PACK_CHUNK tiles.
            int pieces = ceilDiv(rowTiles, PACK_CHUNK);
            shareOut(threads, pieces, piece -> {
                int i0 = piece * PACK_CHUNK * mr;
                int i1 = Math.min(m, i0 + PACK_CHUNK * mr);
                SgemmPack.packA(transA, a, aOff, lda, i0, i1 - i0, p0, kc, alpha, ap, i0 * kc,
                        WORKSPACE.get().idx);
            });
            // Phase 2: the items, each a column block × row group of C.
            final int mode = pc > 0 || beta == 1f ? ADD : beta == 0f ? STORE : SCALE_THEN_ADD;
            shareOut(threads, items, item -> item(item, colBlocks, groupTiles, transB, m, n, kc, p0, ap,
                    b, bOff, ldb, beta, mode, c, cOff, ldc, ncBlock));
        }
    }

    /**
     * Runs {@code task} for {@code 0 .. count-1}: on this thread alone when {@code threads} is 1 or
     * there is a single task, else on up to {@code threads} threads of {@link Parallel}, each taking
     * the next index from a shared counter until none is left.
     */
    private static void shareOut(int threads, int count, IntConsumer task) {
        int parallel = Math.min(threads, count);
        if (parallel <= 1) {
            for (int i = 0; i < count; i++) {
                task.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Parallel.forRange(parallel, 1, (from, to) -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                task.accept(i);
            }
        });
    }

    private static final int STORE = 0;
    private static final int ADD = 1;
    private static final int SCALE_THEN_ADD = 2;

    /** Computes one item: a column block of C over one group of row tiles, for one depth block. */
    private static void item(int item, int colBlocks, int groupTiles, boolean transB, int m, int n, int kc, int p0,
                             float[] ap, float[] b, int bOff, int ldb, float beta, int mode,
                             float[] c, int cOff, int ldc, int ncMax) {
        final int mr = SgemmKernel.MR;
        final int nr = SgemmKernel.NR;
        int jc = (item % colBlocks) * ncMax;
        int nc = Math.min(ncMax, n - jc);
        int r0 = (item / colBlocks) * groupTiles * mr;
        int r1 = Math.min(m, r0 + groupTiles * mr);
        Workspace w = WORKSPACE.get();
        if (w.bp.length < ncMax * kc) {
            w.bp = new float[ncMax * kc];
        }
        float[] bp = w.bp;
        SgemmPack.packB(transB, b, bOff, ldb, p0, kc, jc, nc, bp, w.idx);
        if (mode == SCALE_THEN_ADD) {
            for (int i = r0; i < r1; i++) {
                int o = cOff + i * ldc + jc;
                for (int j = 0; j < nc; j++) {
                    c[o + j] *= beta;
                }
            }
        }
        boolean store = mode == STORE;
        for (int ir = r0; ir < r1; ir += mr) {
            int rows = Math.min(mr, r1 - ir);
            int ai = ir * kc;
            int cRow = cOff + ir * ldc + jc;
            for (int jr = 0; jr < nc; jr += nr) {
                int cols = Math.min(nr, nc - jr);
                int bi = jr * kc;
                int ci = cRow + jr;
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
