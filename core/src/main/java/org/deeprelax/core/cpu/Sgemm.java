package org.deeprelax.core.cpu;

import java.util.Arrays;

/**
 * Single-precision general matrix multiply on row-major arrays:
 * {@code C = alpha * op(A) * op(B) + beta * C}, where op(A) is m×k and op(B) is k×n.
 *
 * <p>Products of at least 32 768 (2¹⁵) multiply-adds run the GotoBLAS/BLIS scheme with the Vector
 * API: {@link SgemmPack} copies cache-sized blocks of op(A) and op(B) into contiguous panels,
 * {@link SgemmBlocked} walks the blocks so each level of the cache holds what the next loop reuses,
 * and {@link SgemmKernel} computes one 12×32 tile of C (on AVX-512; 4×16 on AVX2) from registers. From
 * about 4 million (2²²) multiply-adds on, the threads of {@link Parallel} share the packed A panel and
 * take blocks of C's columns as they come free. Smaller products take a direct loop.
 *
 * <p>The arithmetic is float throughout: each element's sum over k is accumulated in order within depth
 * blocks of up to 512 steps and each block's sum is added to C, so the error stays within the usual
 * bound of a few k·ε·Σ|a·b|; results do not depend on the number of threads.
 */
public final class Sgemm {

    private Sgemm() {
    }

    /**
     * Computes {@code C = alpha * op(A) * op(B) + beta * C}. Element (i, j) of a stored matrix X is
     * {@code x[xOff + i * ldx + j]}. When k is 0 or alpha is 0, A and B are not read and C becomes
     * beta·C. C must not overlap A or B.
     *
     * @param transA whether A is stored as k×m (so op(A) = Aᵀ)
     * @param transB whether B is stored as n×k (so op(B) = Bᵀ)
     * @param m rows of op(A) and C
     * @param n columns of op(B) and C
     * @param k columns of op(A), rows of op(B)
     * @param alpha scale of the product
     * @param a A's storage
     * @param aOff A's first element
     * @param lda A's row stride as stored
     * @param b B's storage
     * @param bOff B's first element
     * @param ldb B's row stride as stored
     * @param beta scale of C's old value (0 ignores it, even NaN)
     * @param c C's storage
     * @param cOff C's first element
     * @param ldc C's row stride
     * @throws IllegalArgumentException if m, n or k is negative
     * @throws ArrayIndexOutOfBoundsException if a matrix reaches past its array
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException("negative size: m=" + m + ", n=" + n + ", k=" + k);
        }
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(m, n, beta, c, cOff, ldc);
            return;
        }
        long work = (long) m * n * k;
        if (work < SMALL) {
            small(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        int threads = work < PARALLEL ? 1 : Parallel.threads();
        SgemmBlocked.run(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc, threads);
    }

    /** Below this many multiply-adds packing costs more than it saves: the direct loop runs. */
    static final long SMALL = 32 * 1024;
    /**
     * Below this many multiply-adds (about 160³, some 60 µs of work on one core) waking another thread
     * costs more than it saves.
     */
    static final long PARALLEL = 1L << 22;

    /** C = beta·C, where beta 0 writes zeros whatever C held. */
    private static void scale(int m, int n, float beta, float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int o = cOff + i * ldc;
            if (beta == 0f) {
                Arrays.fill(c, o, o + n, 0f);
            } else if (beta != 1f) {
                for (int j = 0; j < n; j++) {
                    c[o + j] *= beta;
                }
            }
        }
    }

    /** The direct path for small products: scale C, then add alpha·a(i,p)·op(B)(p, ·) row by row. */
    private static void small(boolean transA, boolean transB, int m, int n, int k, float alpha,
                              float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                              float beta, float[] c, int cOff, int ldc) {
        scale(m, n, beta, c, cOff, ldc);
        for (int i = 0; i < m; i++) {
            int ci = cOff + i * ldc;
            if (transB) {
                for (int j = 0; j < n; j++) {
                    int bj = bOff + j * ldb;
                    float s = 0f;
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        s += av * b[bj + p];
                    }
                    c[ci + j] += alpha * s;
                }
            } else {
                for (int p = 0; p < k; p++) {
                    float av = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                    int bp = bOff + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += av * b[bp + j];
                    }
                }
            }
        }
    }
}
