package org.deeprelax.nn.data;

import java.util.Arrays;
import org.deeprelax.core.cpu.Parallel;

/**
 * ZCA whitening fitted on one set of vectors (the training split) and applied to any other:
 * <pre>
 *   μ = mean of the training vectors                     (per dimension)
 *   Σ = (1/N)·Σₙ (xₙ − μ)(xₙ − μ)ᵀ = U·diag(λ)·Uᵀ         (eigendecomposition, {@link SymmetricEigen})
 *   W = U·diag(1/√(max(λ, 0) + ε))·Uᵀ
 *   x ← W·(x − μ)
 * </pre>
 * W is the symmetric whitening matrix, the one that changes the data least (Bell and Sejnowski 1997),
 * so whitened images still look like images, which is what convolutional layers want. ε regularises
 * the directions of tiny variance, which would otherwise be amplified into noise; eigenvalues that come
 * out slightly negative from rounding are clamped to 0 before ε is added.
 *
 * <p>Choices, and how they differ from others in use: ε = 1e-2 by default, added to λ under the
 * square root (as in the common {@code 1/sqrt(S + eps)} recipes, with pylearn2-style GCN data whose
 * per-dimension variance is about 1). The Entropy-SGD reference's {@code process_cifar.py} instead
 * uses {@code 1/(√λ + 1e-5)}; that regularises far less. The covariance is divided by N, not N − 1;
 * at N = 50,000 the difference is immaterial. The training mean is subtracted before whitening, as the
 * reference and pylearn2 do.
 *
 * <p>Cost for d dimensions and N vectors: about {@code N·d²/2} multiply-adds for the covariance,
 * {@code d³/2} to form W, the eigendecomposition ({@link SymmetricEigen}: roughly {@code 5d³}), and
 * {@code N·d²} per application. For CIFAR-10 (d = 3072, N = 50,000 + 10,000) that is about
 * 2.4·10¹¹ + 1.5·10¹¹ + 5.7·10¹¹ operations, parallel on all cores through {@link Parallel}. Measured
 * on a shared two-core Xeon at d = 3072: about 60 s for the eigendecomposition, 13 s of covariance and
 * W per 5,000 training vectors and 7 s of application per 5,000 vectors, so some four minutes for all
 * of CIFAR-10. Memory: about three d×d double matrices during the fit (225 MB for d = 3072).
 */
public final class ZcaWhitening {

    /** The default regulariser ε added to every eigenvalue. */
    public static final double DEFAULT_EPSILON = 1e-2;

    /** Examples per block of the covariance and application kernels: a block of rows stays in cache. */
    private static final int EXAMPLE_BLOCK = 32;
    /** Rows of W streamed together while a block of examples is transformed. */
    private static final int W_ROWS = 16;

    private final int dim;
    private final double epsilon;
    private final double[] mean;
    private final double[] eigenvalues;
    /** W, row-major d×d, in float: the application is a float matrix product over the images. */
    private final float[] w;

    private ZcaWhitening(int dim, double epsilon, double[] mean, double[] eigenvalues, float[] w) {
        this.dim = dim;
        this.epsilon = epsilon;
        this.mean = mean;
        this.eigenvalues = eigenvalues;
        this.w = w;
    }

    /**
     * Fits the whitening to {@code n} vectors of {@code d} floats each.
     *
     * @param x the vectors, example-major ({@code n·d} floats; only the first {@code n·d} are read)
     * @param n the number of vectors, at least 1
     * @param d the dimension, at least 1
     * @param epsilon the regulariser, {@code >= 0}
     * @return the fitted whitening
     * @throws IllegalArgumentException if the sizes or ε are invalid
     */
    public static ZcaWhitening fit(float[] x, int n, int d, double epsilon) {
        if (n < 1 || d < 1 || (long) n * d > x.length) {
            throw new IllegalArgumentException(n + " vectors of " + d + " floats do not fit in an array of " + x.length);
        }
        if (!(epsilon >= 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon " + epsilon + " must be finite and >= 0");
        }
        double[] mean = new double[d];
        for (int e = 0; e < n; e++) {
            int base = e * d;
            for (int j = 0; j < d; j++) {
                mean[j] += x[base + j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= n;
        }
        double[][] cov = new double[d][d];
        double[] block = new double[EXAMPLE_BLOCK * d];
        for (int start = 0; start < n; start += EXAMPLE_BLOCK) {
            int rows = Math.min(EXAMPLE_BLOCK, n - start);
            for (int b = 0; b < rows; b++) {
                int src = (start + b) * d;
                for (int j = 0; j < d; j++) {
                    block[b * d + j] = x[src + j] - mean[j];
                }
            }
            addGram(cov, block, rows, d);
        }
        mirrorAndScale(cov, 1.0 / n);
        SymmetricEigen eig = SymmetricEigen.ofInPlace(cov);
        cov = null;
        // W = Σ_k s_k u_k u_kᵀ with s_k = 1/√(λ_k + ε): the Gram matrix of the rows √s_k·u_k.
        double[] lambda = eig.values();
        double[][] u = eig.vectors();
        double[][] wd = new double[d][d];
        for (int start = 0; start < d; start += EXAMPLE_BLOCK) {
            int rows = Math.min(EXAMPLE_BLOCK, d - start);
            for (int b = 0; b < rows; b++) {
                double lam = Math.max(lambda[start + b], 0) + epsilon;
                double root = lam > 0 ? Math.sqrt(1 / Math.sqrt(lam)) : 0;
                double[] uk = u[start + b];
                for (int j = 0; j < d; j++) {
                    block[b * d + j] = root * uk[j];
                }
            }
            addGram(wd, block, rows, d);
        }
        mirrorAndScale(wd, 1);
        float[] w = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                w[i * d + j] = (float) wd[i][j];
            }
        }
        return new ZcaWhitening(d, epsilon, mean, lambda, w);
    }

    /**
     * {@code g[i][j] += Σ_b r_b[i]·r_b[j]} for {@code j >= i} (the upper triangle), over the first
     * {@code rows} rows of {@code block}. Rows of g are dealt to threads in groups of four, cyclically,
     * so that each thread gets as much of the triangle as the others; four rows of g share every load
     * of {@code r_b[j]} in {@link VectorKernels#axpy4}.
     */
    private static void addGram(double[][] g, double[] block, int rows, int d) {
        int groups = (d + 3) / 4;
        int tasks = Math.min(Parallel.threads(), groups);
        Parallel.forRange(tasks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                for (int grp = t; grp < groups; grp += tasks) {
                    int i0 = grp * 4;
                    int i1 = Math.min(i0 + 4, d);
                    if (i1 - i0 == 4) {
                        double[] g0 = g[i0];
                        double[] g1 = g[i0 + 1];
                        double[] g2 = g[i0 + 2];
                        double[] g3 = g[i0 + 3];
                        for (int b = 0; b < rows; b++) {
                            int base = b * d;
                            VectorKernels.axpy4(block[base + i0], block[base + i0 + 1], block[base + i0 + 2],
                                    block[base + i0 + 3], block, base, g0, g1, g2, g3, i0, d);
                        }
                    } else {
                        for (int i = i0; i < i1; i++) {
                            double[] gi = g[i];
                            for (int b = 0; b < rows; b++) {
                                int base = b * d;
                                VectorKernels.axpy(block[base + i], block, base + i, gi, i, d - i);
                            }
                        }
                    }
                }
            }
        });
    }

    /** Copies the upper triangle onto the lower one and multiplies by {@code k}. */
    private static void mirrorAndScale(double[][] g, double k) {
        int d = g.length;
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double v = g[i][j] * k;
                g[i][j] = v;
                g[j][i] = v;
            }
        }
    }

    /**
     * Whitens {@code n} vectors in place: {@code x ← W·(x − μ)}.
     *
     * @param x the vectors, example-major, {@code d} floats each
     * @param n how many, from the start of {@code x}
     * @throws IllegalArgumentException if {@code x} is shorter than {@code n·d}
     */
    public void applyInPlace(float[] x, int n) {
        int d = dim;
        if (n < 0 || (long) n * d > x.length) {
            throw new IllegalArgumentException(n + " vectors of " + d + " floats do not fit in an array of " + x.length);
        }
        float[] mu = new float[d];
        for (int j = 0; j < d; j++) {
            mu[j] = (float) mean[j];
        }
        int blocks = (n + EXAMPLE_BLOCK - 1) / EXAMPLE_BLOCK;
        Parallel.forRange(blocks, 1, (from, to) -> {
            float[] xc = new float[EXAMPLE_BLOCK * d];
            float[] y = new float[EXAMPLE_BLOCK * d];
            for (int blk = from; blk < to; blk++) {
                int start = blk * EXAMPLE_BLOCK;
                int rows = Math.min(EXAMPLE_BLOCK, n - start);
                for (int b = 0; b < rows; b++) {
                    int src = (start + b) * d;
                    for (int j = 0; j < d; j++) {
                        xc[b * d + j] = x[src + j] - mu[j];
                    }
                }
                Arrays.fill(y, 0, rows * d, 0f);
                // W is symmetric, so y_b = W·xc_b = Σ_j xc_b[j]·W[j, :]: row multiply-adds (VectorKernels),
                // over a few rows of W at a time so that they stay in cache for the whole block.
                for (int j0 = 0; j0 < d; j0 += W_ROWS) {
                    int j1 = Math.min(j0 + W_ROWS, d);
                    for (int b = 0; b < rows; b++) {
                        int yb = b * d;
                        for (int j = j0; j < j1; j++) {
                            float a = xc[yb + j];
                            if (a == 0f) {
                                continue;
                            }
                            VectorKernels.axpy(a, w, j * d, y, yb, d);
                        }
                    }
                }
                System.arraycopy(y, 0, x, start * d, rows * d);
            }
        });
    }

    /**
     * Whitens every image of a dataset with this transform.
     *
     * @param data a dataset whose examples have {@link #dim()} floats
     * @return a whitened copy
     */
    public Dataset apply(Dataset data) {
        if (data.exampleSize() != dim) {
            throw new IllegalArgumentException("whitening for " + dim + " dimensions applied to " + data
                    + " with " + data.exampleSize() + " floats per example");
        }
        float[] out = data.images.clone();
        applyInPlace(out, data.size());
        return data.withImages(out);
    }

    /**
     * The dimension d of the images whitened.
     *
     * @return d, the dimension
     */
    public int dim() {
        return dim;
    }

    /**
     * Returns ε.
     *
     * @return ε
     */
    public double epsilon() {
        return epsilon;
    }

    /**
     * Returns a copy of the training mean μ.
     *
     * @return a copy of the training mean μ
     */
    public double[] mean() {
        return mean.clone();
    }

    /**
     * Returns a copy of the covariance eigenvalues λ, ascending.
     *
     * @return a copy of the covariance eigenvalues λ, ascending
     */
    public double[] eigenvalues() {
        return eigenvalues.clone();
    }

    /**
     * Returns a copy of W, row-major d×d (symmetric).
     *
     * @return a copy of W, row-major d×d (symmetric)
     */
    public float[] matrix() {
        return w.clone();
    }
}
