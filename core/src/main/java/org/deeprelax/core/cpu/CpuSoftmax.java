package org.deeprelax.core.cpu;

/**
 * Softmax along one axis, viewed as {@code [outer, len, inner]}, and the fused cross-entropy. Every
 * row subtracts its maximum before exponentiating, so no logit overflows; the loss uses
 * {@code log Σ exp(x − max) − (x_label − max)} rather than the log of a probability that may underflow.
 */
final class CpuSoftmax {

    private CpuSoftmax() {
    }

    static void forward(float[] x, int xo, float[] y, int yo, int outer, int len, int inner, boolean log) {
        Parallel.forRange(outer * inner, Math.max(1, 4096 / len), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = (r / inner) * len * inner + r % inner;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < len; i++) {
                    max = Math.max(max, x[xo + base + i * inner]);
                }
                double sum = 0;
                for (int i = 0; i < len; i++) {
                    sum += Math.exp(x[xo + base + i * inner] - max);
                }
                if (log) {
                    float lse = (float) Math.log(sum);
                    for (int i = 0; i < len; i++) {
                        y[yo + base + i * inner] = x[xo + base + i * inner] - max - lse;
                    }
                } else {
                    double inv = 1 / sum;
                    for (int i = 0; i < len; i++) {
                        y[yo + base + i * inner] = (float) (Math.exp(x[xo + base + i * inner] - max) * inv);
                    }
                }
            }
        });
    }

    static void backward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo,
                         int outer, int len, int inner, boolean log) {
        Parallel.forRange(outer * inner, Math.max(1, 4096 / len), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = (r / inner) * len * inner + r % inner;
                double s = 0;
                for (int i = 0; i < len; i++) {
                    int k = base + i * inner;
                    s += log ? dy[dyo + k] : (double) dy[dyo + k] * y[yo + k];
                }
                for (int i = 0; i < len; i++) {
                    int k = base + i * inner;
                    dx[dxo + k] = log
                            ? (float) (dy[dyo + k] - Math.exp(y[yo + k]) * s)
                            : (float) (y[yo + k] * (dy[dyo + k] - s));
                }
            }
        });
    }

    static float crossEntropyForward(float[] x, int xo, float[] labels, int lo, float[] p, int po, int n, int c) {
        double[] rowLoss = new double[n];
        for (int r = 0; r < n; r++) {
            float label = labels[lo + r];
            if (!(label >= 0 && label < c) || label != Math.rint(label)) {
                throw new IllegalArgumentException("crossEntropy: label " + label + " at row " + r
                        + " is not a class index in [0, " + c + ")");
            }
        }
        Parallel.forRange(n, Math.max(1, 4096 / c), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * c;
                float max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < c; i++) {
                    max = Math.max(max, x[xo + base + i]);
                }
                double sum = 0;
                for (int i = 0; i < c; i++) {
                    sum += Math.exp(x[xo + base + i] - max);
                }
                double inv = 1 / sum;
                for (int i = 0; i < c; i++) {
                    p[po + base + i] = (float) (Math.exp(x[xo + base + i] - max) * inv);
                }
                int label = (int) labels[lo + r];
                rowLoss[r] = Math.log(sum) - (x[xo + base + label] - max);
            }
        });
        double total = 0;
        for (double l : rowLoss) {
            total += l;
        }
        return (float) (total / n);
    }

    static void crossEntropyBackward(float[] p, int po, float[] labels, int lo, float gradLoss,
                                     float[] d, int dOff, int n, int c) {
        float scale = gradLoss / n;
        Parallel.forRange(n, Math.max(1, 4096 / c), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * c;
                int label = (int) labels[lo + r];
                for (int i = 0; i < c; i++) {
                    d[dOff + base + i] = scale * (p[po + base + i] - (i == label ? 1f : 0f));
                }
            }
        });
    }
}
