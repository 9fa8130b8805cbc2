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
    /**
     * Whether masked loads and stores and gathers run as instructions. With 512-bit vectors (AVX-512 and
     * its mask registers) they do; with 256-bit ones (AVX2) JDK 25's Vector API emulates them in Java,
     * measured 10 to 70 times slower than a plain vector load on an AVX2 machine, so kernels that would
     * use them take plain loops there.
     */
    static final boolean GATHERS = S.vectorBitSize() >= 512;
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

    /**
     * {@code y = op(x)}. The operations that are exact in float (ReLU, |x|, clamp, affine, and √x,
     * correctly rounded either way) run on vectors; the transcendental ones element by element in
     * double, rounded once to float.
     */
    static void unary(UnaryOp op, float a, float b, float[] x, int xo, float[] y, int yo, int n) {
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            int up = from + S.loopBound(to - from);
            switch (op) {
                case RELU -> {
                    for (; i < up; i += S.length()) {
                        FloatVector.fromArray(S, x, xo + i).max(0f).intoArray(y, yo + i);
                    }
                }
                case ABS -> {
                    for (; i < up; i += S.length()) {
                        FloatVector.fromArray(S, x, xo + i).abs().intoArray(y, yo + i);
                    }
                }
                case CLAMP -> {
                    for (; i < up; i += S.length()) {
                        FloatVector.fromArray(S, x, xo + i).max(a).min(b).intoArray(y, yo + i);
                    }
                }
                case AFFINE -> {
                    for (; i < up; i += S.length()) {
                        FloatVector.fromArray(S, x, xo + i).mul(a).add(b).intoArray(y, yo + i);
                    }
                }
                case SQRT -> {
                    for (; i < up; i += S.length()) {
                        FloatVector.fromArray(S, x, xo + i).sqrt().intoArray(y, yo + i);
                    }
                }
                default -> {
                }
            }
            for (; i < to; i++) {
                y[yo + i] = apply(op, a, b, x[xo + i]);
            }
        });
    }

    /** One element of {@link #unary}; the vector loops compute the same values. */
    private static float apply(UnaryOp op, float a, float b, float v) {
        return switch (op) {
            case EXP -> (float) Math.exp(v);
            case LOG -> (float) Math.log(v);
            case RELU -> Math.max(v, 0f);
            case TANH -> (float) Math.tanh(v);
            case SIGMOID -> v >= 0 ? (float) (1 / (1 + Math.exp(-v))) : (float) (Math.exp(v) / (1 + Math.exp(v)));
            case SQRT -> (float) Math.sqrt(v);
            case ABS -> Math.abs(v);
            case POW -> (float) Math.pow(v, a);
            case CLAMP -> Math.min(Math.max(v, a), b);
            case AFFINE -> a * v + b;
        };
    }

    /** {@code dx = dy · op'(x)}, from the forward's input x and output y (see {@link UnaryOp}). */
    static void unaryBackward(UnaryOp op, float a, float b, float[] x, int xo, float[] y, int yo, float[] dy,
                              int dyo, float[] dx, int dxo, int n) {
        Parallel.forRange(n, GRAIN, (from, to) -> {
            int i = from;
            int up = from + S.loopBound(to - from);
            if (op == UnaryOp.RELU) {
                for (; i < up; i += S.length()) {
                    FloatVector xv = FloatVector.fromArray(S, x, xo + i);
                    FloatVector g = FloatVector.fromArray(S, dy, dyo + i);
                    FloatVector.zero(S).blend(g, xv.compare(VectorOperators.GT, 0f)).intoArray(dx, dxo + i);
                }
            } else if (op == UnaryOp.AFFINE) {
                for (; i < up; i += S.length()) {
                    FloatVector.fromArray(S, dy, dyo + i).mul(a).intoArray(dx, dxo + i);
                }
            }
            for (; i < to; i++) {
                dx[dxo + i] = derivative(op, a, b, x[xo + i], y[yo + i], dy[dyo + i]);
            }
        });
    }

    /** One element of {@link #unaryBackward}: {@code g · op'(v)}, where {@code out = op(v)}. */
    private static float derivative(UnaryOp op, float a, float b, float v, float out, float g) {
        return switch (op) {
            case EXP -> g * out;
            case LOG -> g / v;
            case RELU -> v > 0 ? g : 0f;
            case TANH -> g * (1 - out * out);
            case SIGMOID -> g * (out * (1 - out));
            case SQRT -> g / (2 * out);
            case ABS -> v > 0 ? g : v < 0 ? -g : 0f;
            case POW -> a == 0 ? 0f : (float) (g * (a * Math.pow(v, a - 1)));
            case CLAMP -> v >= a && v <= b ? g : 0f;
            case AFFINE -> a * g;
        };
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

    /**
     * {@code dst[d0 + Σ iₖ·dStrides[k]] = src[so + Σ iₖ·sStrides[k]]} over every multi-index of dims.
     * Axes that both sides step through alike are merged first, so a contiguous block is one row; a row
     * is then an array copy, a fill (source stride 0) or a strided loop.
     */
    static void stridedCopy(float[] src, int so, int[] sStrides, float[] dst, int d0, int[] dStrides, int[] dims) {
        int[][] merged = mergeAxes(dims, sStrides, dStrides);
        int[] md = merged[0], ss = merged[1], ds = merged[2];
        int rank = md.length;
        int inner = rank == 0 ? 1 : md[rank - 1];
        int rows = total(md) / inner;
        int si = rank == 0 ? 0 : ss[rank - 1];
        int di = rank == 0 ? 0 : ds[rank - 1];
        Parallel.forRange(rows, Math.max(1, GRAIN / inner), (from, to) -> {
            int[] idx = new int[Math.max(0, rank - 1)];
            unravel(from, md, idx);
            for (int row = from; row < to; row++) {
                int s = so;
                int d = d0;
                for (int k = 0; k < rank - 1; k++) {
                    s += idx[k] * ss[k];
                    d += idx[k] * ds[k];
                }
                if (si == 1 && di == 1) {
                    System.arraycopy(src, s, dst, d, inner);
                } else if (si == 0 && di == 1) {
                    java.util.Arrays.fill(dst, d, d + inner, src[s]);
                } else {
                    for (int j = 0; j < inner; j++) {
                        dst[d + j * di] = src[s + j * si];
                    }
                }
                increment(idx, md);
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
