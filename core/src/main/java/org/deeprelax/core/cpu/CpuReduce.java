package org.deeprelax.core.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Reductions, deterministic whatever the JIT has compiled: lanes are added in a fixed order.
 * Whole-array reductions accumulate each vector-width partial in float and each chunk in double, so a
 * million-element sum keeps about seven significant digits. Axis reductions run one output element per
 * task (no write races), summing the reduced sub-block in double; when the last axis is reduced, the
 * innermost loop is contiguous. The maximum along an axis compares in float, exactly.
 */
final class CpuReduce {

    private CpuReduce() {
    }

    /** Sums x over every axis where outDims is 1 and xDims is not; out has x's rank. */
    static void reduceSum(float[] x, int xo, int[] xDims, float[] out, int oo, int[] outDims) {
        int rank = xDims.length;
        int[] xStrides = new int[rank];
        for (int d = rank - 1, s = 1; d >= 0; d--) {
            xStrides[d] = s;
            s *= xDims[d];
        }
        int reducedCount = 0;
        for (int d = 0; d < rank; d++) {
            if (outDims[d] != xDims[d]) {
                reducedCount++;
            }
        }
        int[] red = new int[reducedCount];
        for (int d = 0, r = 0; d < rank; d++) {
            if (outDims[d] != xDims[d]) {
                red[r++] = d;
            }
        }
        boolean lastReduced = reducedCount > 0 && red[reducedCount - 1] == rank - 1;
        int innerLen = lastReduced ? xDims[rank - 1] : 1;
        int outerRed = lastReduced ? reducedCount - 1 : reducedCount;
        int outSize = CpuElementwise.total(outDims);
        Parallel.forRange(outSize, 64, (from, to) -> {
            int[] ridx = new int[outerRed];
            for (int o = from; o < to; o++) {
                int base = xo;
                for (int d = rank - 1, rem = o; d >= 0; d--) {
                    int i = rem % outDims[d];
                    rem /= outDims[d];
                    base += i * xStrides[d];
                }
                java.util.Arrays.fill(ridx, 0);
                double acc = 0;
                while (true) {
                    int off = base;
                    for (int j = 0; j < outerRed; j++) {
                        off += ridx[j] * xStrides[red[j]];
                    }
                    acc += sumRange(x, off, innerLen);
                    int j = outerRed - 1;
                    while (j >= 0 && ++ridx[j] == xDims[red[j]]) {
                        ridx[j--] = 0;
                    }
                    if (j < 0) {
                        break;
                    }
                }
                out[oo + o] = (float) acc;
            }
        });
    }

    /**
     * The maximum along the middle axis of {@code [outer, len, inner]} and the first position holding it
     * (a NaN beats every number). Each task takes whole outer slices and walks their rows in order, so
     * the inner loop is contiguous.
     */
    static void maxAlongAxis(float[] x, int xo, int outer, int len, int inner, float[] values, int vo,
                             float[] indices, int io) {
        Parallel.forRange(outer, Math.max(1, CpuElementwise.GRAIN / (len * inner)), (from, to) -> {
            for (int o = from; o < to; o++) {
                int out = o * inner;
                int row = xo + o * len * inner;
                for (int i = 0; i < inner; i++) {
                    values[vo + out + i] = x[row + i];
                    indices[io + out + i] = 0;
                }
                for (int j = 1; j < len; j++) {
                    int at = row + j * inner;
                    for (int i = 0; i < inner; i++) {
                        float v = x[at + i];
                        float best = values[vo + out + i];
                        if (v > best || (v != v && best == best)) {
                            values[vo + out + i] = v;
                            indices[io + out + i] = j;
                        }
                    }
                }
            }
        });
    }

    /** {@code dx[o, j, i] = j == indices[o, i] ? dy[o, i] : 0}. */
    static void maxAlongAxisBackward(float[] indices, int io, float[] dy, int dyo, int outer, int len, int inner,
                                     float[] dx, int dxo) {
        Parallel.forRange(outer, Math.max(1, CpuElementwise.GRAIN / (len * inner)), (from, to) -> {
            for (int o = from; o < to; o++) {
                for (int j = 0; j < len; j++) {
                    int at = dxo + (o * len + j) * inner;
                    for (int i = 0; i < inner; i++) {
                        dx[at + i] = indices[io + o * inner + i] == j ? dy[dyo + o * inner + i] : 0f;
                    }
                }
            }
        });
    }

    static double sum(float[] x, int xo, int n) {
        return chunked(n, (from, to) -> sumRange(x, xo + from, to - from));
    }

    static double dot(float[] x, int xo, float[] y, int yo, int n) {
        return chunked(n, (from, to) -> {
            FloatVector acc = FloatVector.zero(CpuElementwise.S);
            int i = from;
            for (int up = from + CpuElementwise.S.loopBound(to - from); i < up; i += CpuElementwise.S.length()) {
                acc = FloatVector.fromArray(CpuElementwise.S, x, xo + i)
                        .fma(FloatVector.fromArray(CpuElementwise.S, y, yo + i), acc);
            }
            double s = laneSum(acc);
            for (; i < to; i++) {
                s += (double) x[xo + i] * y[yo + i];
            }
            return s;
        });
    }

    private static double sumRange(float[] x, int off, int n) {
        if (n < CpuElementwise.S.length()) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += x[off + i];
            }
            return s;
        }
        FloatVector acc = FloatVector.zero(CpuElementwise.S);
        int i = 0;
        for (int up = CpuElementwise.S.loopBound(n); i < up; i += CpuElementwise.S.length()) {
            acc = acc.add(FloatVector.fromArray(CpuElementwise.S, x, off + i));
        }
        double s = laneSum(acc);
        for (; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    /**
     * Adds a vector's lanes in lane order. {@code reduceLanes(ADD)} leaves the order unspecified, and its
     * interpreted and compiled forms do differ, which would make a run's numbers depend on JIT timing.
     */
    static double laneSum(FloatVector v) {
        double s = 0;
        for (int l = 0; l < v.length(); l++) {
            s += v.lane(l);
        }
        return s;
    }

    @FunctionalInterface
    interface RangeSum {
        double apply(int from, int to);
    }

    /** Splits [0, n) into blocks of 4096 (bounding float error per block), summed in double, in parallel. */
    static double chunked(int n, RangeSum body) {
        int block = 4096;
        int blocks = (n + block - 1) / block;
        double[] partial = new double[blocks];
        Parallel.forRange(blocks, 16, (from, to) -> {
            for (int b = from; b < to; b++) {
                partial[b] = body.apply(b * block, Math.min(n, (b + 1) * block));
            }
        });
        double s = 0;
        for (double p : partial) {
            s += p;
        }
        return s;
    }
}
