package org.deeprelax.core.cpu;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalisation per channel of an input viewed as {@code [n, c, plane]} ({@code plane = h·w},
 * or 1 for {@code [n, c]}). Statistics are accumulated in double over the n·plane values of a channel;
 * channels run in parallel. The backward is the closed form
 * {@code dx = γ·σ⁻¹/m · (m·dy − Σdy − x̂·Σ(dy·x̂))}, m = n·plane.
 *
 * <p>The sums run along each image's plane in vectors: floats widened to doubles, two accumulators of
 * {@link #DL} lanes each, the lanes added in lane order at the end, so the order is fixed and every
 * value is still added in double. A single running double (the first version) made each sum a chain of
 * dependent additions, four cycles a value, about half of a batch-norm pass on All-CNN-BN's layers. The
 * cells of a plane past its last whole vector (all of them when the plane is shorter than a vector, as
 * for {@code [n, c]}) are added one by one into a third double.
 */
final class CpuBatchNorm {

    /** The double vectors of the sums. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Doubles a vector, and floats widened at a time. */
    private static final int DL = D.length();
    /** As many floats as {@link #D} has doubles, so one conversion widens a load. */
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED.withShape(
            VectorShape.forBitSize(D.vectorBitSize() / 2));

    private CpuBatchNorm() {
    }

    static void forwardTraining(float[] x, int xo, int n, int c, int plane, float[] gamma, int go, float[] beta,
                                int bo, float eps, float momentum, float[] rm, int rmo, float[] rv, int rvo,
                                float[] y, int yo, float[] saveMean, int smo, float[] saveInvStd, int sio) {
        int m = n * plane;
        Parallel.forRange(c, 1, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                int first = xo + ch * plane, stride = c * plane;
                double mean = sum(x, first, stride, n, plane, 0, false) / m;
                double ss = sum(x, first, stride, n, plane, mean, true);
                double var = ss / m;
                float invStd = (float) (1 / Math.sqrt(var + eps));
                float scale = gamma[go + ch] * invStd;
                float shift = beta[bo + ch] - (float) mean * scale;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * plane;
                    for (int j = 0; j < plane; j++) {
                        y[yo + base + j] = x[xo + base + j] * scale + shift;
                    }
                }
                saveMean[smo + ch] = (float) mean;
                saveInvStd[sio + ch] = invStd;
                rm[rmo + ch] = (1 - momentum) * rm[rmo + ch] + momentum * (float) mean;
                rv[rvo + ch] = (1 - momentum) * rv[rvo + ch] + momentum * (float) (ss / (m - 1));
            }
        });
    }

    static void forwardInference(float[] x, int xo, int n, int c, int plane, float[] gamma, int go, float[] beta,
                                 int bo, float[] rm, int rmo, float[] rv, int rvo, float eps, float[] y, int yo) {
        Parallel.forRange(c, 1, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                float scale = (float) (gamma[go + ch] / Math.sqrt(rv[rvo + ch] + eps));
                float shift = beta[bo + ch] - rm[rmo + ch] * scale;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * plane;
                    for (int j = 0; j < plane; j++) {
                        y[yo + base + j] = x[xo + base + j] * scale + shift;
                    }
                }
            }
        });
    }

    static void backward(float[] x, int xo, float[] dy, int dyo, int n, int c, int plane, float[] gamma, int go,
                         float[] saveMean, int smo, float[] saveInvStd, int sio,
                         float[] dx, int dxo, float[] dgamma, int dgo, float[] dbeta, int dbo) {
        int m = n * plane;
        Parallel.forRange(c, 1, (from, to) -> {
            double[] sums = new double[2];
            for (int ch = from; ch < to; ch++) {
                float mean = saveMean[smo + ch];
                float invStd = saveInvStd[sio + ch];
                gradientSums(dy, dyo + ch * plane, x, xo + ch * plane, c * plane, n, plane, mean, sums);
                double sdy = sums[0];
                double sdyx = sums[1] * invStd;
                float k = gamma[go + ch] * invStd / m;
                float fdy = (float) sdy;
                float fdyx = (float) sdyx;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * plane;
                    for (int j = 0; j < plane; j++) {
                        float xhat = (x[xo + base + j] - mean) * invStd;
                        dx[dxo + base + j] = k * (m * dy[dyo + base + j] - fdy - xhat * fdyx);
                    }
                }
                dgamma[dgo + ch] = fdyx;
                dbeta[dbo + ch] = fdy;
            }
        });
    }

    /**
     * Σ a (or Σ (a − centre)² when {@code squares}) over n runs of {@code plane} floats, run i at
     * {@code first + i·stride}, in double.
     */
    private static double sum(float[] a, int first, int stride, int n, int plane, double centre, boolean squares) {
        DoubleVector s0 = DoubleVector.zero(D), s1 = DoubleVector.zero(D);
        double tail = 0;
        int whole = plane - plane % DL;
        for (int i = 0; i < n; i++) {
            int b = first + i * stride, j = 0;
            for (; j + 2 * DL <= whole; j += 2 * DL) {
                DoubleVector v0 = widen(a, b + j), v1 = widen(a, b + j + DL);
                if (squares) {
                    v0 = v0.sub(centre);
                    v1 = v1.sub(centre);
                    s0 = v0.fma(v0, s0);
                    s1 = v1.fma(v1, s1);
                } else {
                    s0 = s0.add(v0);
                    s1 = s1.add(v1);
                }
            }
            if (j < whole) {
                DoubleVector v0 = widen(a, b + j);
                if (squares) {
                    v0 = v0.sub(centre);
                    s0 = v0.fma(v0, s0);
                } else {
                    s0 = s0.add(v0);
                }
            }
            for (j = whole; j < plane; j++) {
                double d = squares ? a[b + j] - centre : a[b + j];
                tail += squares ? d * d : d;
            }
        }
        return laneSum(s0.add(s1)) + tail;
    }

    /**
     * Σ g and Σ g·(x − centre) over n runs of {@code plane} floats (run i of g at {@code gFirst + i·stride},
     * of x likewise), in double, into {@code out[0]} and {@code out[1]}: one pass over both arrays.
     */
    private static void gradientSums(float[] g, int gFirst, float[] x, int xFirst, int stride, int n, int plane,
                                     double centre, double[] out) {
        DoubleVector s0 = DoubleVector.zero(D), s1 = DoubleVector.zero(D);
        DoubleVector t0 = DoubleVector.zero(D), t1 = DoubleVector.zero(D);
        double sTail = 0, tTail = 0;
        int whole = plane - plane % DL;
        for (int i = 0; i < n; i++) {
            int gb = gFirst + i * stride, xb = xFirst + i * stride, j = 0;
            for (; j + 2 * DL <= whole; j += 2 * DL) {
                DoubleVector g0 = widen(g, gb + j), g1 = widen(g, gb + j + DL);
                s0 = s0.add(g0);
                s1 = s1.add(g1);
                t0 = g0.fma(widen(x, xb + j).sub(centre), t0);
                t1 = g1.fma(widen(x, xb + j + DL).sub(centre), t1);
            }
            if (j < whole) {
                DoubleVector g0 = widen(g, gb + j);
                s0 = s0.add(g0);
                t0 = g0.fma(widen(x, xb + j).sub(centre), t0);
            }
            for (j = whole; j < plane; j++) {
                sTail += g[gb + j];
                tTail += g[gb + j] * (x[xb + j] - centre);
            }
        }
        out[0] = laneSum(s0.add(s1)) + sTail;
        out[1] = laneSum(t0.add(t1)) + tTail;
    }

    private static DoubleVector widen(float[] a, int i) {
        return (DoubleVector) FloatVector.fromArray(F, a, i).convertShape(VectorOperators.F2D, D, 0);
    }

    /** The lanes added in lane order (a fixed order, unlike {@code reduceLanes}). */
    private static double laneSum(DoubleVector v) {
        double s = 0;
        for (int l = 0; l < DL; l++) {
            s += v.lane(l);
        }
        return s;
    }
}
