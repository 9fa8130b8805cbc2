package org.deeprelax.core.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Copies blocks of op(A) and op(B) into the contiguous, zero-padded layouts the micro-kernel reads.
 *
 * <p>A block of op(A) (mc×kc) becomes ⌈mc/MR⌉ micro-panels, each MR rows tall and stored column by
 * column: element (i, p) of micro-panel r sits at {@code r·kc·MR + p·MR + i}. The kernel then reads the
 * MR values it broadcasts for step p from one place. Alpha is folded in here, so the kernel only adds.
 *
 * <p>A block of op(B) (kc×nc) becomes ⌈nc/NR⌉ micro-panels, each NR columns wide and stored row by row:
 * element (p, j) of micro-panel q sits at {@code q·kc·NR + p·NR + j}. The kernel loads NR/L whole vectors
 * per step from consecutive addresses.
 *
 * <p>Rows or columns past the matrix edge are written as zeros, so the kernel always runs full
 * MR×NR tiles; the driver keeps only the valid part of an edge tile.
 *
 * <p>Where a packed step gathers one element from each of several stored rows (op(A) not transposed,
 * op(B) transposed), a vector gather with per-lane row offsets does it on AVX-512: it packs a
 * transposed B block about four times faster than scalar code (92 µs against 357 µs for 512×384),
 * which matters because B blocks are packed once per item. Contiguous runs are copied with (masked)
 * vector loads and stores or {@link System#arraycopy}.
 *
 * <p>Only on AVX-512, though ({@link CpuElementwise#GATHERS}): with 256-bit vectors (AVX2) JDK 25 runs masked loads
 * and stores and gathers in Java instead of as instructions, measured 10 to 70 times slower than a plain
 * vector load on an AVX2 machine, and there plain loops pack instead: each stored row is read forwards
 * and its elements written with the panel's stride. Before this, packing A through the fallback was a
 * quarter of a LeNet training step's time there.
 */
final class SgemmPack {

    private static final VectorSpecies<Float> S = SgemmKernel.S;
    private static final int L = SgemmKernel.L;
    /** Whether masked moves and gathers are machine instructions here. */
    private static final boolean GATHERS = CpuElementwise.GATHERS;
    /** Whether one vector holds a packed A step (MR lanes) and gathers are fast. */
    private static final boolean A_FITS = SgemmKernel.MR <= L && GATHERS;

    private SgemmPack() {
    }

    /** Fills {@code idx[i] = i·ld} for the first {@code lanes} lanes and 0 after, for gathers down rows. */
    private static int[] rowOffsets(int[] idx, int ld, int lanes) {
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i < lanes ? i * ld : 0;
        }
        return idx;
    }

    /**
     * Packs rows {@code [i0, i0+mc)} and columns {@code [p0, p0+kc)} of alpha·op(A) into {@code dst}
     * from {@code dOff} on. {@code idx} is scratch of L ints.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      float alpha, float[] dst, int dOff, int[] idx) {
        final int mr = SgemmKernel.MR;
        FloatVector al = FloatVector.broadcast(S, alpha);
        int d = dOff;
        for (int r0 = 0; r0 < mc; r0 += mr) {
            int rows = Math.min(mr, mc - r0);
            if (transA) {
                // op(A)(i, p) = a[p·lda + i]: each step p is a contiguous run of the micro-panel's rows.
                if (A_FITS) {
                    VectorMask<Float> load = VectorMask.fromLong(S, (1L << rows) - 1);
                    VectorMask<Float> save = VectorMask.fromLong(S, (1L << mr) - 1);
                    for (int p = 0; p < kc; p++) {
                        int src = aOff + (p0 + p) * lda + i0 + r0;
                        FloatVector.fromArray(S, a, src, load).mul(al).intoArray(dst, d + p * mr, save);
                    }
                } else {
                    for (int p = 0; p < kc; p++) {
                        int src = aOff + (p0 + p) * lda + i0 + r0;
                        int o = d + p * mr;
                        for (int i = 0; i < rows; i++) {
                            dst[o + i] = alpha * a[src + i];
                        }
                        Arrays.fill(dst, o + rows, o + mr, 0f);
                    }
                }
            } else if (A_FITS) {
                // op(A)(i, p) = a[i·lda + p]: step p gathers one element from each of MR rows.
                VectorMask<Float> load = VectorMask.fromLong(S, (1L << rows) - 1);
                VectorMask<Float> save = VectorMask.fromLong(S, (1L << mr) - 1);
                rowOffsets(idx, lda, rows);
                int src = aOff + (i0 + r0) * lda + p0;
                for (int p = 0; p < kc; p++) {
                    FloatVector.fromArray(S, a, src + p, idx, 0, load).mul(al).intoArray(dst, d + p * mr, save);
                }
            } else {
                // Read each row forwards, write with stride MR.
                for (int i = 0; i < rows; i++) {
                    int src = aOff + (i0 + r0 + i) * lda + p0;
                    int o = d + i;
                    for (int p = 0; p < kc; p++) {
                        dst[o + p * mr] = alpha * a[src + p];
                    }
                }
                for (int i = rows; i < mr; i++) {
                    int o = d + i;
                    for (int p = 0; p < kc; p++) {
                        dst[o + p * mr] = 0f;
                    }
                }
            }
            d += kc * mr;
        }
    }

    /**
     * Packs rows {@code [p0, p0+kc)} and columns {@code [j0, j0+nc)} of op(B) into {@code dst}.
     * {@code idx} is scratch of L ints.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                      float[] dst, int[] idx) {
        final int nr = SgemmKernel.NR;
        if (!transB) {
            // op(B)(p, j) = b[p·ldb + j]: read each row of the block once, forwards, and deal its runs
            // of NR columns out to the micro-panels (panel by panel instead, the reads jump a row
            // stride every NR columns and measured about half as fast from memory).
            int full = nc / nr * nr;
            for (int p = 0; p < kc; p++) {
                int src = bOff + (p0 + p) * ldb + j0;
                int o = p * nr;
                for (int q0 = 0; q0 < full; q0 += nr) {
                    System.arraycopy(b, src + q0, dst, o + q0 * kc, nr);
                }
                if (full < nc) {
                    int at = o + full * kc;
                    System.arraycopy(b, src + full, dst, at, nc - full);
                    Arrays.fill(dst, at + nc - full, at + nr, 0f);
                }
            }
            return;
        }
        rowOffsets(idx, ldb, L);
        int d = 0;
        for (int q0 = 0; q0 < nc; q0 += nr) {
            int cols = Math.min(nr, nc - q0);
            int src = bOff + (j0 + q0) * ldb + p0;
            if (!GATHERS) {
                // Each stored row j of the panel, read forwards, becomes column j.
                for (int j = 0; j < cols; j++) {
                    int from = src + j * ldb;
                    for (int p = 0; p < kc; p++) {
                        dst[d + p * nr + j] = b[from + p];
                    }
                }
                for (int p = 0; cols < nr && p < kc; p++) {
                    Arrays.fill(dst, d + p * nr + cols, d + (p + 1) * nr, 0f);
                }
            } else if (cols == nr) {
                // op(B)(p, j) = b[j·ldb + p]: step p gathers one element from each of NR stored rows,
                // one vector of L rows at a time.
                for (int p = 0; p < kc; p++) {
                    int o = d + p * nr;
                    for (int v = 0; v < nr; v += L) {
                        FloatVector.fromArray(S, b, src + p + v * ldb, idx, 0).intoArray(dst, o + v);
                    }
                }
            } else {
                // The last, narrower panel: step p reads one element from each remaining stored row.
                for (int p = 0; p < kc; p++) {
                    int o = d + p * nr;
                    for (int j = 0; j < cols; j++) {
                        dst[o + j] = b[src + p + j * ldb];
                    }
                    Arrays.fill(dst, o + cols, o + nr, 0f);
                }
            }
            d += kc * nr;
        }
    }
}
