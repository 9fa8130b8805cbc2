package org.deeprelax.core.cpu;

/**
 * Batch normalisation per channel of an input viewed as {@code [n, c, plane]} ({@code plane = h·w},
 * or 1 for {@code [n, c]}). Statistics are accumulated in double over the n·plane values of a channel;
 * channels run in parallel. The backward is the closed form
 * {@code dx = γ·σ⁻¹/m · (m·dy − Σdy − x̂·Σ(dy·x̂))}, m = n·plane.
 */
final class CpuBatchNorm {

    private CpuBatchNorm() {
    }

    static void forwardTraining(float[] x, int xo, int n, int c, int plane, float[] gamma, int go, float[] beta,
                                int bo, float eps, float momentum, float[] rm, int rmo, float[] rv, int rvo,
                                float[] y, int yo, float[] saveMean, int smo, float[] saveInvStd, int sio) {
        int m = n * plane;
        Parallel.forRange(c, 1, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    int base = xo + (i * c + ch) * plane;
                    for (int j = 0; j < plane; j++) {
                        s += x[base + j];
                    }
                }
                double mean = s / m;
                double ss = 0;
                for (int i = 0; i < n; i++) {
                    int base = xo + (i * c + ch) * plane;
                    for (int j = 0; j < plane; j++) {
                        double d = x[base + j] - mean;
                        ss += d * d;
                    }
                }
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
            for (int ch = from; ch < to; ch++) {
                float mean = saveMean[smo + ch];
                float invStd = saveInvStd[sio + ch];
                double sdy = 0;
                double sdyx = 0;
                for (int i = 0; i < n; i++) {
                    int base = (i * c + ch) * plane;
                    for (int j = 0; j < plane; j++) {
                        float g = dy[dyo + base + j];
                        sdy += g;
                        sdyx += g * (x[xo + base + j] - mean) * invStd;
                    }
                }
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
}
