package org.deeprelax.core;

/** Matrix product of 2-D tensors with either operand transposed; one GEMM forward, two backward. */
public final class MatMul {

    private MatMul() {
    }

    /**
     * {@code op(a)·op(b)}.
     *
     * @param a left matrix
     * @param b right matrix
     * @param transA use aᵀ
     * @param transB use bᵀ
     * @return the m×n product
     */
    public static Tensor matmul(Tensor a, Tensor b, boolean transA, boolean transB) {
        Checks.rank("matmul", "left operand", a, 2);
        Checks.rank("matmul", "right operand", b, 2);
        Checks.sameBackend("matmul", a, b);
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb) {
            throw new IllegalArgumentException("matmul: shapes " + a.shape() + (transA ? "ᵀ" : "") + " and "
                    + b.shape() + (transB ? "ᵀ" : "") + " do not match (inner dimensions " + k + " and " + kb + ")");
        }
        Backend be = a.backend();
        Tensor c = Tensor.zeros(be, Shape.of(m, n));
        be.gemm(transA, transB, 1f, a, b, 0f, c);
        return Autograd.record("matmul", c, g -> {
            Tensor da = null;
            Tensor db = null;
            if (Autograd.needsGrad(a)) {
                da = Tensor.zeros(be, a.shape());
                if (transA) {
                    be.gemm(transB, true, 1f, b, g, 0f, da);   // dA = op(B)·dCᵀ
                } else {
                    be.gemm(false, !transB, 1f, g, b, 0f, da); // dA = dC·op(B)ᵀ
                }
            }
            if (Autograd.needsGrad(b)) {
                db = Tensor.zeros(be, b.shape());
                if (transB) {
                    be.gemm(true, transA, 1f, g, a, 0f, db);   // dB = dCᵀ·op(A)
                } else {
                    be.gemm(!transA, false, 1f, a, g, 0f, db); // dB = op(A)ᵀ·dC
                }
            }
            return new Tensor[] {da, db};
        }, a, b);
    }
}
