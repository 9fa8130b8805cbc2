package org.deeprelax.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ZCA whitening and global contrast normalisation on small synthetic data (the 3072-d case is too slow for tests). */
class WhiteningTest {

    /** Correlated Gaussian vectors: x = M·z + offset with a fixed random mixing matrix M. */
    private static float[] correlated(int n, int d, long seed, double[][] mix) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        double[] z = new double[d];
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < d; j++) {
                z[j] = gaussian(r);
            }
            for (int i = 0; i < d; i++) {
                double s = 3 + i;
                for (int j = 0; j < d; j++) {
                    s += mix[i][j] * z[j];
                }
                x[e * d + i] = (float) s;
            }
        }
        return x;
    }

    private static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    private static double[][] mixing(int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                m[i][j] = r.nextDouble(-1, 1) + (i == j ? 2 : 0);
            }
        }
        return m;
    }

    private static double[][] covariance(float[] x, int n, int d) {
        double[] mean = new double[d];
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < d; j++) {
                mean[j] += x[e * d + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[][] c = new double[d][d];
        for (int e = 0; e < n; e++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    c[i][j] += (x[e * d + i] - mean[i]) * (x[e * d + j] - mean[j]);
                }
            }
        }
        for (double[] row : c) {
            for (int j = 0; j < d; j++) {
                row[j] /= n;
            }
        }
        return c;
    }

    @Test
    void whitenedTrainingCovarianceIsIdentity() {
        int n = 4000;
        int d = 12;
        double[][] mix = mixing(d, 5);
        float[] train = correlated(n, d, 11, mix);
        ZcaWhitening zca = ZcaWhitening.fit(train, n, d, 1e-9);
        float[] w = zca.matrix();
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                assertEquals(w[i * d + j], w[j * d + i], 1e-6, "W not symmetric");
            }
        }
        zca.applyInPlace(train, n);
        double[][] c = covariance(train, n, d);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                assertEquals(i == j ? 1 : 0, c[i][j], 2e-3, "whitened covariance at " + i + "," + j);
            }
        }
        // The training mean maps to zero.
        double[] m = new double[d];
        for (int e = 0; e < n; e++) {
            for (int j = 0; j < d; j++) {
                m[j] += train[e * d + j] / n;
            }
        }
        for (int j = 0; j < d; j++) {
            assertEquals(0, m[j], 1e-3);
        }
        // A test set from the same distribution is whitened by the training transform: near identity.
        float[] test = correlated(n, d, 12, mix);
        zca.applyInPlace(test, n);
        double[][] ct = covariance(test, n, d);
        for (int i = 0; i < d; i++) {
            assertEquals(1, ct[i][i], 0.15);
        }
    }

    @Test
    void epsilonShrinksWeakDirections() {
        int n = 3000;
        int d = 5;
        float[] x = correlated(n, d, 3, mixing(d, 4));
        ZcaWhitening zca = ZcaWhitening.fit(x, n, d, 1.0);
        double[] lambda = zca.eigenvalues();
        zca.applyInPlace(x, n);
        // Whitened variance along eigenvector k is λ/(λ + ε), so the trace is their sum.
        double expected = 0;
        for (double l : lambda) {
            expected += l / (l + 1.0);
        }
        double[][] c = covariance(x, n, d);
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += c[i][i];
        }
        assertEquals(expected, trace, 1e-3);
    }

    @Test
    void gcnCentresAndScalesEachImage() {
        int n = 50;
        int d = 27;
        float[] x = correlated(n, d, 9, mixing(d, 8));
        // One flat image, which must be centred but not blown up.
        for (int j = 0; j < d; j++) {
            x[3 * d + j] = 0.25f;
        }
        GlobalContrastNormalization.PYLEARN2.applyInPlace(x, d);
        for (int e = 0; e < n; e++) {
            double s = 0;
            double q = 0;
            for (int j = 0; j < d; j++) {
                s += x[e * d + j];
                q += x[e * d + j] * (double) x[e * d + j];
            }
            assertEquals(0, s / d, 1e-5, "image " + e);
            assertEquals(e == 3 ? 0 : 55, Math.sqrt(q), 1e-3, "image " + e);
        }
    }

    @Test
    void gcnZcaOnASmallSplitWhitensTheZeroSumSubspace() {
        // 1×3×3 images: after GCN every image sums to zero, so the whitened covariance is the projection
        // I − 11ᵀ/d onto that subspace rather than the identity.
        int n = 3000;
        int d = 9;
        double[][] mix = mixing(d, 21);
        float[] a = correlated(n, d, 22, mix);
        float[] b = correlated(500, d, 23, mix);
        int[] la = new int[n];
        int[] lb = new int[500];
        Split s = new Split(new Dataset("t/train", a, la, 1, 3, 3, 2), new Dataset("t/test", b, lb, 1, 3, 3, 2));
        Split z = Normalization.GCN_ZCA.apply(s);
        double[][] c = covariance(z.train().images(), n, d);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                assertEquals((i == j ? 1 : 0) - 1.0 / d, c[i][j], 1e-3, "at " + i + "," + j);
            }
        }
        // The input split is untouched.
        assertEquals(a[0], s.train().images()[0]);
    }
}
