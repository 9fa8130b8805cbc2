package org.deeprelax.core.cpu;

/**
 * Single-precision general matrix multiply on row-major arrays:
 * {@code C = alpha * op(A) * op(B) + beta * C}, where op(A) is m×k and op(B) is k×n.
 */
public final class Sgemm {

    private Sgemm() {
    }

    /**
     * Computes {@code C = alpha * op(A) * op(B) + beta * C}.
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
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        Parallel.forRange(m, 16, (from, to) -> {
            for (int i = from; i < to; i++) {
                for (int j = 0; j < n; j++) {
                    float s = 0;
                    for (int p = 0; p < k; p++) {
                        float av = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
                        float bv = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
                        s += av * bv;
                    }
                    int ci = cOff + i * ldc + j;
                    c[ci] = beta == 0 ? alpha * s : alpha * s + beta * c[ci];
                }
            }
        });
    }
}
