package org.deeprelax.core;

import java.util.Arrays;

/**
 * Naive float64 reference implementations of every operation, written straight from the definitions
 * with no attempt at speed, so that they share no code and no tricks with any backend.
 */
public final class Ref {

    private Ref() {
    }

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    static int[] strides(int[] shape) {
        int[] st = new int[shape.length];
        for (int d = shape.length - 1, s = 1; d >= 0; d--) {
            st[d] = s;
            s *= shape[d];
        }
        return st;
    }

    static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    static int[] broadcastShape(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** Element of x (shape xs) that broadcasts to output multi-index idx. */
    static double at(double[] x, int[] xs, int[] idx) {
        int lead = idx.length - xs.length;
        int flat = 0;
        for (int d = 0; d < xs.length; d++) {
            flat = flat * xs[d] + (xs[d] == 1 ? 0 : idx[lead + d]);
        }
        return x[flat];
    }

    public static double[] binary(BinaryOp op, double[] a, int[] as, double[] b, int[] bs) {
        int[] os = broadcastShape(as, bs);
        double[] out = new double[size(os)];
        for (int i = 0; i < out.length; i++) {
            int[] idx = unravel(i, os);
            double x = at(a, as, idx);
            double y = at(b, bs, idx);
            out[i] = switch (op) {
                case ADD -> x + y;
                case SUB -> x - y;
                case MUL -> x * y;
                case DIV -> x / y;
            };
        }
        return out;
    }

    public static double[] unary(UnaryOp op, double[] x) {
        return unary(op, 0, 0, x);
    }

    /** The unary operations from their definitions, in double; a and b as {@link Backend#unary} takes them. */
    public static double[] unary(UnaryOp op, double a, double b, double[] x) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double v = x[i];
            out[i] = switch (op) {
                case EXP -> Math.exp(v);
                case LOG -> Math.log(v);
                case RELU -> Math.max(v, 0);
                // (e^2v − 1)/(e^2v + 1) with expm1, exact for tiny v; ±1 in double beyond |v| = 20.
                case TANH -> Math.abs(v) > 20 ? Math.signum(v) : Math.expm1(2 * v) / (Math.expm1(2 * v) + 2);
                case SIGMOID -> 1 / (1 + Math.exp(-v));
                case SQRT -> Math.sqrt(v);
                case ABS -> v < 0 ? -v : v;
                case POW -> Math.pow(v, a);
                case CLAMP -> v < a ? a : v > b ? b : v;
                case AFFINE -> a * v + b;
            };
        }
        return out;
    }

    /** x[idx] read through a permutation: out axis i is x axis perm[i]. */
    public static double[] permute(double[] x, int[] xs, int[] perm) {
        int[] os = new int[xs.length];
        for (int i = 0; i < xs.length; i++) {
            os[i] = xs[perm[i]];
        }
        int[] st = strides(xs);
        double[] out = new double[x.length];
        for (int i = 0; i < out.length; i++) {
            int[] idx = unravel(i, os);
            int flat = 0;
            for (int d = 0; d < idx.length; d++) {
                flat += idx[d] * st[perm[d]];
            }
            out[i] = x[flat];
        }
        return out;
    }

    /** The elements whose index along axis is one of positions, in that order (slicing is positions start..end−1). */
    public static double[] take(double[] x, int[] xs, int axis, int[] positions) {
        int[] os = xs.clone();
        os[axis] = positions.length;
        double[] out = new double[size(os)];
        int[] st = strides(xs);
        for (int i = 0; i < out.length; i++) {
            int[] idx = unravel(i, os);
            idx[axis] = positions[idx[axis]];
            int flat = 0;
            for (int d = 0; d < idx.length; d++) {
                flat += idx[d] * st[d];
            }
            out[i] = x[flat];
        }
        return out;
    }

    /** Concatenation along axis: out[.., j, ..] comes from the part whose range along axis holds j. */
    public static double[] concat(double[][] parts, int[][] shapes, int axis) {
        int[] os = shapes[0].clone();
        os[axis] = 0;
        for (int[] s : shapes) {
            os[axis] += s[axis];
        }
        double[] out = new double[size(os)];
        for (int i = 0; i < out.length; i++) {
            int[] idx = unravel(i, os);
            int k = 0;
            while (idx[axis] >= shapes[k][axis]) {
                idx[axis] -= shapes[k][axis];
                k++;
            }
            int[] st = strides(shapes[k]);
            int flat = 0;
            for (int d = 0; d < idx.length; d++) {
                flat += idx[d] * st[d];
            }
            out[i] = parts[k][flat];
        }
        return out;
    }

    /** Maximum (argmax when positions) along axis, the axis removed; the first maximum wins. */
    public static double[] max(double[] x, int[] xs, int axis, boolean positions) {
        int[] os = xs.clone();
        os[axis] = 1;
        double[] best = new double[size(os)];
        double[] where = new double[best.length];
        java.util.Arrays.fill(best, Double.NEGATIVE_INFINITY);
        java.util.Arrays.fill(where, -1);
        int[] ost = strides(os);
        for (int i = 0; i < x.length; i++) {
            int[] idx = unravel(i, xs);
            int j = idx[axis];
            idx[axis] = 0;
            int o = 0;
            for (int d = 0; d < idx.length; d++) {
                o += idx[d] * ost[d];
            }
            if (where[o] < 0 || x[i] > best[o]) {
                best[o] = x[i];
                where[o] = j;
            }
        }
        return positions ? where : best;
    }

    /** Layer norm over the trailing cols elements of each row, biased variance. */
    public static double[] layerNorm(double[] x, double[] gamma, double[] beta, double eps) {
        int cols = gamma.length;
        double[] y = new double[x.length];
        for (int r = 0; r < x.length / cols; r++) {
            double mean = 0;
            for (int c = 0; c < cols; c++) {
                mean += x[r * cols + c] / cols;
            }
            double var = 0;
            for (int c = 0; c < cols; c++) {
                double d = x[r * cols + c] - mean;
                var += d * d / cols;
            }
            for (int c = 0; c < cols; c++) {
                y[r * cols + c] = (x[r * cols + c] - mean) / Math.sqrt(var + eps) * gamma[c] + beta[c];
            }
        }
        return y;
    }

    /** Sum over axes; the result has the reduced axes removed. */
    public static double[] sum(double[] x, int[] xs, int[] axes) {
        boolean[] red = new boolean[xs.length];
        for (int a : axes) {
            red[a < 0 ? a + xs.length : a] = true;
        }
        int[] kept = xs.clone();
        for (int d = 0; d < xs.length; d++) {
            if (red[d]) {
                kept[d] = 1;
            }
        }
        double[] out = new double[size(kept)];
        int[] ks = strides(kept);
        for (int i = 0; i < x.length; i++) {
            int[] idx = unravel(i, xs);
            int o = 0;
            for (int d = 0; d < xs.length; d++) {
                o += (red[d] ? 0 : idx[d]) * ks[d];
            }
            out[o] += x[i];
        }
        return out;
    }

    public static double[] matmul(double[] a, int[] as, double[] b, int[] bs, boolean ta, boolean tb) {
        int m = ta ? as[1] : as[0];
        int k = ta ? as[0] : as[1];
        int n = tb ? bs[0] : bs[1];
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[p * as[1] + i] : a[i * as[1] + p];
                    double bv = tb ? b[j * bs[1] + p] : b[p * bs[1] + j];
                    s += av * bv;
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    public static double[] softmax(double[] x, int[] xs, int axis, boolean log) {
        int ax = axis < 0 ? axis + xs.length : axis;
        double[] out = new double[x.length];
        int[] st = strides(xs);
        for (int i = 0; i < x.length; i++) {
            int[] idx = unravel(i, xs);
            if (idx[ax] != 0) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < xs[ax]; j++) {
                max = Math.max(max, x[i + j * st[ax]]);
            }
            double s = 0;
            for (int j = 0; j < xs[ax]; j++) {
                s += Math.exp(x[i + j * st[ax]] - max);
            }
            for (int j = 0; j < xs[ax]; j++) {
                double v = x[i + j * st[ax]] - max;
                out[i + j * st[ax]] = log ? v - Math.log(s) : Math.exp(v) / s;
            }
        }
        return out;
    }

    public static double crossEntropy(double[] logits, int n, int c, int[] labels) {
        double total = 0;
        double[] ls = softmax(logits, new int[] {n, c}, 1, true);
        for (int r = 0; r < n; r++) {
            total -= ls[r * c + labels[r]];
        }
        return total / n;
    }

    public static double[] conv2d(double[] x, int[] xs, double[] w, int[] ws, double[] bias, int stride, int pad) {
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], k = ws[0], r = ws[2], s = ws[3];
        int p = (h + 2 * pad - r) / stride + 1;
        int q = (wd + 2 * pad - s) / stride + 1;
        double[] y = new double[n * k * p * q];
        for (int b = 0; b < n; b++) {
            for (int f = 0; f < k; f++) {
                for (int i = 0; i < p; i++) {
                    for (int j = 0; j < q; j++) {
                        double acc = bias == null ? 0 : bias[f];
                        for (int ch = 0; ch < c; ch++) {
                            for (int u = 0; u < r; u++) {
                                for (int v = 0; v < s; v++) {
                                    int hi = i * stride - pad + u;
                                    int wi = j * stride - pad + v;
                                    if (hi >= 0 && hi < h && wi >= 0 && wi < wd) {
                                        acc += w[((f * c + ch) * r + u) * s + v] * x[((b * c + ch) * h + hi) * wd + wi];
                                    }
                                }
                            }
                        }
                        y[((b * k + f) * p + i) * q + j] = acc;
                    }
                }
            }
        }
        return y;
    }

    public static double[] pool(double[] x, int[] xs, int kernel, int stride, int pad, boolean max) {
        int n = xs[0], c = xs[1], h = xs[2], w = xs[3];
        int p = (h + 2 * pad - kernel) / stride + 1;
        int q = (w + 2 * pad - kernel) / stride + 1;
        double[] y = new double[n * c * p * q];
        for (int plane = 0; plane < n * c; plane++) {
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < q; j++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    for (int u = 0; u < kernel; u++) {
                        for (int v = 0; v < kernel; v++) {
                            int hi = i * stride - pad + u;
                            int wi = j * stride - pad + v;
                            if (hi >= 0 && hi < h && wi >= 0 && wi < w) {
                                double val = x[(plane * h + hi) * w + wi];
                                acc = max ? Math.max(acc, val) : acc + val;
                            }
                        }
                    }
                    y[(plane * p + i) * q + j] = max ? acc : acc / (kernel * kernel);
                }
            }
        }
        return y;
    }

    /** Per-channel mean and biased variance of x viewed as [n, c, plane]. */
    public static double[][] channelStats(double[] x, int[] xs) {
        int n = xs[0], c = xs[1];
        int plane = x.length / (n * c);
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double s = 0;
            for (int b = 0; b < n; b++) {
                for (int j = 0; j < plane; j++) {
                    s += x[(b * c + ch) * plane + j];
                }
            }
            mean[ch] = s / (n * plane);
            double ss = 0;
            for (int b = 0; b < n; b++) {
                for (int j = 0; j < plane; j++) {
                    double d = x[(b * c + ch) * plane + j] - mean[ch];
                    ss += d * d;
                }
            }
            var[ch] = ss / (n * plane);
        }
        return new double[][] {mean, var};
    }

    public static double[] batchNorm(double[] x, int[] xs, double[] gamma, double[] beta, double[] mean,
                                     double[] var, double eps) {
        int n = xs[0], c = xs[1];
        int plane = x.length / (n * c);
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int ch = (i / plane) % c;
            y[i] = gamma[ch] * (x[i] - mean[ch]) / Math.sqrt(var[ch] + eps) + beta[ch];
        }
        return y;
    }

    public static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    public static String show(double[] d) {
        return Arrays.toString(Arrays.copyOf(d, Math.min(d.length, 8)));
    }
}
