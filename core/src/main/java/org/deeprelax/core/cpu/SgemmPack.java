package org.deeprelax.core.cpu;

import java.util.Arrays;

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
 */
final class SgemmPack {

    private SgemmPack() {
    }

    /**
     * Packs rows {@code [i0, i0+mc)} and columns {@code [p0, p0+kc)} of alpha·op(A) into {@code dst}.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, int i0, int mc, int p0, int kc,
                      float alpha, float[] dst) {
        final int mr = SgemmKernel.MR;
        int d = 0;
        for (int r0 = 0; r0 < mc; r0 += mr) {
            int rows = Math.min(mr, mc - r0);
            if (transA) {
                // op(A)(i, p) = a[p·lda + i]: each step p is a contiguous run of the micro-panel's rows.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (p0 + p) * lda + i0 + r0;
                    int o = d + p * mr;
                    for (int i = 0; i < rows; i++) {
                        dst[o + i] = alpha * a[src + i];
                    }
                    for (int i = rows; i < mr; i++) {
                        dst[o + i] = 0f;
                    }
                }
            } else {
                // op(A)(i, p) = a[i·lda + p]: read each row forwards, write with stride MR.
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
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int p0, int kc, int j0, int nc,
                      float[] dst) {
        final int nr = SgemmKernel.NR;
        int d = 0;
        for (int q0 = 0; q0 < nc; q0 += nr) {
            int cols = Math.min(nr, nc - q0);
            if (transB) {
                // op(B)(p, j) = b[j·ldb + p]: read each stored row forwards, write with stride NR.
                for (int j = 0; j < cols; j++) {
                    int src = bOff + (j0 + q0 + j) * ldb + p0;
                    int o = d + j;
                    for (int p = 0; p < kc; p++) {
                        dst[o + p * nr] = b[src + p];
                    }
                }
                if (cols < nr) {
                    for (int p = 0; p < kc; p++) {
                        Arrays.fill(dst, d + p * nr + cols, d + (p + 1) * nr, 0f);
                    }
                }
            } else {
                // op(B)(p, j) = b[p·ldb + j]: each step p is a contiguous run of the panel's columns.
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (p0 + p) * ldb + j0 + q0;
                    int o = d + p * nr;
                    System.arraycopy(b, src, dst, o, cols);
                    if (cols < nr) {
                        Arrays.fill(dst, o + cols, o + nr, 0f);
                    }
                }
            }
            d += kc * nr;
        }
    }
}
