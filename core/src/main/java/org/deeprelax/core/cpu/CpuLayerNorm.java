package org.deeprelax.core.cpu;

/**
 * Layer normalisation over the rows of {@code [rows, cols]}: one task per block of rows, each row's
 * mean and variance in double by two passes (no cancellation from E[x²] − E[x]²). The backward's
 * input gradient is per row; the scale and shift gradients sum down the columns in row order, so they
 * are deterministic.
 */
final class CpuLayerNorm {

    private CpuLayerNorm() {
    }

    static void forward(float[] x, int xo, int rows, int cols, float[] gamma, int go, float[] beta, int bo, float eps,
                        float[] y, int yo, float[] mean, int mo, float[] invStd, int io) {
        Parallel.forRange(rows, Math.max(1, CpuElementwise.GRAIN / cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * cols;
                double s = 0;
                for (int c = 0; c < cols; c++) {
                    s += x[xo + base + c];
                }
                double mu = s / cols;
                double ss = 0;
                for (int c = 0; c < cols; c++) {
                    double d = x[xo + base + c] - mu;
                    ss += d * d;
                }
                double inv = 1 / Math.sqrt(ss / cols + eps);
                for (int c = 0; c < cols; c++) {
                    y[yo + base + c] = (float) ((x[xo + base + c] - mu) * inv * gamma[go + c] + beta[bo + c]);
                }
                mean[mo + r] = (float) mu;
                invStd[io + r] = (float) inv;
            }
        });
    }

    static void backward(float[] x, int xo, float[] dy, int dyo, int rows, int cols, float[] gamma, int go,
                         float[] mean, int mo, float[] invStd, int io, float[] dx, int dxo, float[] dgamma, int dgo,
                         float[] dbeta, int dbo) {
        Parallel.forRange(rows, Math.max(1, CpuElementwise.GRAIN / cols), (from, to) -> {
            for (int r = from; r < to; r++) {
                int base = r * cols;
                double mu = mean[mo + r];
                double inv = invStd[io + r];
                double sum = 0;
                double dot = 0;
                for (int c = 0; c < cols; c++) {
                    double g = (double) dy[dyo + base + c] * gamma[go + c];
                    sum += g;
                    dot += g * (x[xo + base + c] - mu) * inv;
                }
                double meanG = sum / cols;
                double meanGx = dot / cols;
                for (int c = 0; c < cols; c++) {
                    double g = (double) dy[dyo + base + c] * gamma[go + c];
                    double xhat = (x[xo + base + c] - mu) * inv;
                    dx[dxo + base + c] = (float) (inv * (g - meanG - xhat * meanGx));
                }
            }
        });
        Parallel.forRange(cols, 64, (from, to) -> {
            for (int c = from; c < to; c++) {
                double sg = 0;
                double sb = 0;
                for (int r = 0; r < rows; r++) {
                    double g = dy[dyo + r * cols + c];
                    sg += g * (x[xo + r * cols + c] - (double) mean[mo + r]) * invStd[io + r];
                    sb += g;
                }
                dgamma[dgo + c] = (float) sg;
                dbeta[dbo + c] = (float) sb;
            }
        });
    }
}
