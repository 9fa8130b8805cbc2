package org.deeprelax.core.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.deeprelax.core.BinaryOp;
import org.deeprelax.core.UnaryOp;

/**
 * Elementwise kernels over float arrays with offsets.
 *
 * <p>Design: each kernel is a Vector API loop over the preferred species (16 lanes with AVX-512) with a
 * scalar tail, split across cores by {@link Parallel} once the array is large enough to pay for a
 * thread hand-off ({@link #GRAIN} elements, about 64 KiB, where memory bandwidth rather than the
 * hand-off dominates). Broadcasting binary operations run row by row over the output's last axis, so
 * the common cases (bias over rows, a per-channel scale over NCHW planes, a scalar) keep a contiguous
 * or constant inner loop.
 */
final class CpuElementwise {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int GRAIN = 1 << 14;

    private CpuElementwise() {
    }

    static void fill(float[] x, int xo, int n, float v) {
        Parallel.forRange(n, GRAIN, (from, to) -> java.util.Arrays.fill(x, xo + from, xo + to, v));
    }

    static void copy(float[] src, int so, float[] dst, int d0, int n) {
        Parallel.forRange(n, GRAIN, (from, to) -> System.arraycopy(src, so + from, dst, d0 + from, to - from));
    }

    static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        Parallel.forRange(n, GRAIN, (from, to) -> {
            FloatVector va = FloatVector.broadcast(S, alpha);
            int i = from;
            for (int up = from + S.loopBound(to - from); i < up; i += S.length()) {
                FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
            }
            for (; i < to; i++) {
                y[yo + i] += alpha * x[xo + i];
            }
        });
    }

    static void scale(float alpha, float[] x, int xo, int n) {
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            for (int up = from + S.loopBound(to - from); i < up; i += S.length()) {
                FloatVector.fromArray(S, x, xo + i).mul(alpha).intoArray(x, xo + i);
            }
            for (; i < to; i++) {
                x[xo + i] *= alpha;
            }
        });
    }

    static void unary(UnaryOp op, float[] x, int xo, float[] y, int yo, int n) {
        Parallel.forRange(n, GRAIN, (from, to) -> {
            switch (op) {
                case RELU -> {
                    int i = from;
                    for (int up = from + S.loopBound(to - from); i < up; i += S.length()) {
                        FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(y, yo + i);
                    }
                    for (; i < to; i++) {
                        y[yo + i] = Math.max(x[xo + i], 0f);
                    }
                }
                case EXP -> {
                    for (int i = from; i < to; i++) {
                        y[yo + i] = (float) Math.exp(x[xo + i]);
                    }
                }
                case LOG -> {
                    for (int i = from; i < to; i++) {
                        y[yo + i] = (float) Math.log(x[xo + i]);
                    }
                }
            }
        });
    }

    static void reluBackward(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, int n) {
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            for (int up = from + S.loopBound(to - from); i < up; i += S.length()) {
                FloatVector xv = FloatVector.fromArray(S, x, xo + i);
                FloatVector g = FloatVector.fromArray(S, dy, dyo + i);
                FloatVector.zero(S).blend(g, xv.compare(VectorOperators.GT, 0f)).intoArray(dx, dxo + i);
            }
            for (; i < to; i++) {
                dx[dxo + i] = x[xo + i] > 0 ? dy[dyo + i] : 0f;
            }
        });
    }

    /**
     * {@code out = a op b} over the output shape, where a and b are read through broadcast strides
     * (0 along a broadcast axis). {@code out} may be {@code a} itself.
     */
    static void binary(BinaryOp op, float[] a, int ao, int[] aAxisStrides, float[] b, int bo, int[] bAxisStrides,
                       float[] out, int oo, int[] outDims) {
        int[][] merged = mergeAxes(outDims, aAxisStrides, bAxisStrides);
        int[] dims = merged[0], aStrides = merged[1], bStrides = merged[2];
        int rank = dims.length;
        int inner = rank == 0 ? 1 : dims[rank - 1];
        int rows = inner == 0 ? 0 : total(dims) / inner;
        int as = rank == 0 ? 0 : aStrides[rank - 1];
        int bs = rank == 0 ? 0 : bStrides[rank - 1];
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, inner)), (from, to) -> {
            int[] idx = new int[Math.max(0, rank - 1)];
            unravel(from, dims, idx);
            for (int row = from; row < to; row++) {
                int aBase = ao;
                int bBase = bo;
                for (int d = 0; d < rank - 1; d++) {
                    aBase += idx[d] * aStrides[d];
                    bBase += idx[d] * bStrides[d];
                }
                binaryRow(op, a, aBase, as, b, bBase, bs, out, oo + row * inner, inner);
                increment(idx, dims);
            }
        });
    }

    /**
     * Merges adjacent axes that both operands step through as one (the outer axis's stride is the inner
     * one's times its size; the output is contiguous), returning {dims, aStrides, bStrides}. A row then
     * covers them all: adding a bias {@code [1, C, 1, 1]} to {@code [N, C, 8, 8]} runs over rows of 64
     * rather than 8, long enough for the vector loop (rows shorter than a vector went lane by lane).
     */
    private static int[][] mergeAxes(int[] dims, int[] as, int[] bs) {
        int rank = dims.length;
        int[] d = new int[rank], sa = new int[rank], sb = new int[rank];
        int k = rank;
        for (int axis = rank - 1; axis >= 0; axis--) {
            if (k < rank && as[axis] == sa[k] * d[k] && bs[axis] == sb[k] * d[k]) {
                d[k] *= dims[axis];
            } else {
                k--;
                d[k] = dims[axis];
                sa[k] = as[axis];
                sb[k] = bs[axis];
            }
        }
        return new int[][] {Arrays.copyOfRange(d, k, rank), Arrays.copyOfRange(sa, k, rank),
            Arrays.copyOfRange(sb, k, rank)};
    }

    private static void binaryRow(BinaryOp op, float[] a, int ao, int as, float[] b, int bo, int bs,
                                  float[] out, int oo, int n) {
        int i = 0;
        if ((as == 1 || as == 0) && (bs == 1 || bs == 0)) {
            FloatVector ca = as == 0 ? FloatVector.broadcast(S, a[ao]) : null;
            FloatVector cb = bs == 0 ? FloatVector.broadcast(S, b[bo]) : null;
            for (int up = S.loopBound(n); i < up; i += S.length()) {
                FloatVector va = ca != null ? ca : FloatVector.fromArray(S, a, ao + i);
                FloatVector vb = cb != null ? cb : FloatVector.fromArray(S, b, bo + i);
                FloatVector r = switch (op) {
                    case ADD -> va.add(vb);
                    case SUB -> va.sub(vb);
                    case MUL -> va.mul(vb);
                    case DIV -> va.div(vb);
                };
                r.intoArray(out, oo + i);
            }
        }
        for (; i < n; i++) {
            float x = a[ao + i * as];
            float y = b[bo + i * bs];
            out[oo + i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
        }
    }

    /** dst = src read through broadcast strides, over dst's shape. */
    static void broadcast(float[] src, int so, int[] sStrides, float[] dst, int d0, int[] dims) {
        int rank = dims.length;
        int inner = rank == 0 ? 1 : dims[rank - 1];
        int rows = total(dims) / inner;
        int ss = rank == 0 ? 0 : sStrides[rank - 1];
        Parallel.forRange(rows, Math.max(1, GRAIN / inner), (from, to) -> {
            int[] idx = new int[Math.max(0, rank - 1)];
            unravel(from, dims, idx);
            for (int row = from; row < to; row++) {
                int base = so;
                for (int d = 0; d < rank - 1; d++) {
                    base += idx[d] * sStrides[d];
                }
                int o = d0 + row * inner;
                if (ss == 1) {
                    System.arraycopy(src, base, dst, o, inner);
                } else {
                    java.util.Arrays.fill(dst, o, o + inner, src[base]);
                }
                increment(idx, dims);
            }
        });
    }

    static int total(int[] dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    /** The multi-index (all axes but the last) of row {@code row}. */
    static void unravel(int row, int[] dims, int[] idx) {
        for (int d = idx.length - 1; d >= 0; d--) {
            idx[d] = row % dims[d];
            row /= dims[d];
        }
    }

    /** Advances a multi-index over all axes but the last, odometer style. */
    static void increment(int[] idx, int[] dims) {
        for (int d = idx.length - 1; d >= 0; d--) {
            if (++idx[d] < dims[d]) {
                return;
            }
            idx[d] = 0;
        }
    }
}
