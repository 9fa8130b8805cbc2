package org.deeprelax.nn.data;

import java.util.Arrays;
import org.deeprelax.core.cpu.Parallel;

/**
 * The eigendecomposition {@code A = V·diag(values)·Vᵀ} of a real symmetric matrix, in double precision,
 * by Householder tridiagonalisation followed by the implicit QL algorithm with Wilkinson shifts (the
 * method of EISPACK's tred2/tql2 and Numerical Recipes' tred2/tqli), written for row-major Java
 * arrays.
 *
 * <p>Why this method: it is the classic dense symmetric solver, needs only O(n²) extra memory, and is
 * accurate to a small multiple of machine precision times ‖A‖; a Jacobi sweep would be simpler but
 * several times slower at the 3072×3072 size that ZCA whitening of CIFAR-10 needs.
 *
 * <p>Layout choices for speed: the Householder updates and the rotations of the QL sweeps all work on
 * contiguous row segments (the eigenvectors are kept as rows, {@code vectors[k]}, so a rotation mixes
 * two rows rather than two strided columns) through the elementwise {@link VectorKernels}; threads
 * split columns or rows, and each QL sweep's rotations are recorded and then applied to the vectors
 * in parallel over column ranges. Since every kernel is elementwise, the result does not depend on the
 * number of threads or the vector width.
 *
 * <p>Cost, for n×n: about {@code (4/3)n³} multiply-adds to tridiagonalise (plus {@code (2/3)n³} for the
 * matrix-vector products), {@code (2/3)n³}·2 to accumulate the orthogonal factor, and roughly
 * {@code 3n³} for the QL rotations: some 1.5·10¹¹ floating-point operations for n = 3072, measured at
 * about 60 s on a shared two-core Xeon (AVX-512), a third each for the three phases. Memory: two n×n
 * double matrices (150 MB for n = 3072).
 *
 * @param values the eigenvalues, ascending
 * @param vectors {@code vectors[k]} is a unit eigenvector for {@code values[k]}; the rows are orthonormal
 */
public record SymmetricEigen(double[] values, double[][] vectors) {

    /** QL iterations allowed per eigenvalue; two or three is typical, so this only catches NaN input. */
    private static final int MAX_ITERATIONS = 60;

    /**
     * Decomposes a symmetric matrix; {@code a} is not modified. Only symmetry in exact values is assumed:
     * the upper triangle is mirrored into the lower one first, so tiny rounding asymmetry is harmless.
     *
     * @param a an n×n symmetric matrix, rows
     * @return its eigenvalues (ascending) and orthonormal eigenvectors
     * @throws IllegalArgumentException if {@code a} is not square or holds a non-finite value
     * @throws ArithmeticException if QL fails to converge (only possible for pathological input)
     */
    public static SymmetricEigen of(double[][] a) {
        double[][] copy = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != a.length) {
                throw new IllegalArgumentException("row " + i + " has " + a[i].length + " elements; the matrix must be "
                        + a.length + "×" + a.length);
            }
            copy[i] = a[i].clone();
        }
        return ofInPlace(copy);
    }

    /** As {@link #of} but destroys {@code a}, to spare a copy of a large matrix. */
    static SymmetricEigen ofInPlace(double[][] a) {
        int n = a.length;
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                if (!Double.isFinite(a[i][j])) {
                    throw new IllegalArgumentException("element (" + i + ", " + j + ") is " + a[i][j]);
                }
                a[j][i] = a[i][j];
            }
        }
        if (n == 0) {
            return new SymmetricEigen(new double[0], new double[0][]);
        }
        double[] d = new double[n];
        double[] e = new double[n];
        double[] beta = new double[n];
        tridiagonalize(a, d, e, beta);
        double[][] vt = accumulateTransposed(a, beta);
        ql(d, e, vt);
        sortAscending(d, vt);
        return new SymmetricEigen(d, vt);
    }

    /** Rows (or columns) per parallel chunk such that a chunk has at least ~64k multiply-adds of work. */
    private static int minRows(int rowLength) {
        return Math.max(1, (1 << 16) / Math.max(1, rowLength));
    }

    /**
     * Householder reduction {@code A = Q·T·Qᵀ}: for each column k, a reflection {@code H = I − β·v·vᵀ}
     * acting on indices k+1..n−1 zeroes column k below the subdiagonal. On return {@code d} is T's
     * diagonal, {@code e[k] = T[k][k+1]} ({@code e[n−1] = 0}), and row k of {@code a} holds v in
     * positions k+1.. with {@code beta[k]} (0 where no reflection was needed).
     */
    private static void tridiagonalize(double[][] a, double[] d, double[] e, double[] beta) {
        int n = a.length;
        double[] p = new double[n];
        double[] w = new double[n];
        for (int k = 0; k < n - 2; k++) {
            double[] ak = a[k];
            d[k] = ak[k];
            // Column k below the diagonal equals row k right of it, because the trailing block stays symmetric.
            double x0 = ak[k + 1];
            double sigma = 0;
            for (int i = k + 2; i < n; i++) {
                sigma += ak[i] * ak[i];
            }
            if (sigma == 0) {
                // Already tridiagonal in this column: no reflection.
                e[k] = x0;
                beta[k] = 0;
                continue;
            }
            double norm = Math.sqrt(x0 * x0 + sigma);
            // alpha takes the sign opposite to x0 so that v0 = x0 − alpha adds magnitudes: no cancellation.
            double alpha = x0 >= 0 ? -norm : norm;
            double v0 = x0 - alpha;
            ak[k + 1] = v0;
            double b = 2 / (v0 * v0 + sigma);
            beta[k] = b;
            e[k] = alpha;
            int lo = k + 1;
            int m = n - lo;
            // p = β·B·v over the trailing block B = a[lo..][lo..]. B is symmetric, so B·v = Σ_i v_i·B[i, :]:
            // row multiply-adds (which vectorise, unlike dot products), with threads splitting the columns.
            Arrays.fill(p, lo, n, 0);
            Parallel.forRange(m, minRows(m), (from, to) -> {
                for (int i = lo; i < n; i++) {
                    VectorKernels.axpy(ak[i], a[i], lo + from, p, lo + from, to - from);
                }
            });
            for (int i = lo; i < n; i++) {
                p[i] *= b;
            }
            double pv = 0;
            for (int i = lo; i < n; i++) {
                pv += p[i] * ak[i];
            }
            double kk = 0.5 * b * pv;
            for (int i = lo; i < n; i++) {
                w[i] = p[i] - kk * ak[i];
            }
            // B ← H·B·H = B − v·wᵀ − w·vᵀ; the full square is updated so that every row has the same work
            // (balanced chunks) and the block stays exactly symmetric (the two products commute).
            Parallel.forRange(m, minRows(m), (from, to) -> {
                for (int r = from; r < to; r++) {
                    int i = lo + r;
                    VectorKernels.rank2(a[i], ak[i], w, w[i], ak, lo, n);
                }
            });
        }
        if (n >= 2) {
            d[n - 2] = a[n - 2][n - 2];
            e[n - 2] = a[n - 2][n - 1];
        }
        d[n - 1] = a[n - 1][n - 1];
        e[n - 1] = 0;
    }

    /**
     * Forms {@code Qᵀ} where {@code Q = H_0·H_1···H_{n−3}}: Q is built from the last reflection backwards,
     * when each step only touches the trailing block that is not yet the identity, and then transposed
     * so that its rows are the columns of Q (the starting eigenvectors of QL).
     */
    private static double[][] accumulateTransposed(double[][] a, double[] beta) {
        int n = a.length;
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            q[i][i] = 1;
        }
        for (int k = n - 3; k >= 0; k--) {
            double b = beta[k];
            if (b == 0) {
                continue;
            }
            double[] v = a[k];
            int lo = k + 1;
            int m = n - lo;
            // Q ← H·Q = Q − β·v·(vᵀQ) on rows and columns lo..; columns are independent, so threads split them.
            Parallel.forRange(m, minRows(m), (from, to) -> {
                int len = to - from;
                double[] u = new double[len];
                for (int i = lo; i < n; i++) {
                    VectorKernels.axpy(v[i], q[i], lo + from, u, 0, len);
                }
                for (int i = lo; i < n; i++) {
                    VectorKernels.axpy(-b * v[i], u, 0, q[i], lo + from, len);
                }
            });
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double t = q[i][j];
                q[i][j] = q[j][i];
                q[j][i] = t;
            }
        }
        return q;
    }

    /**
     * Implicit QL with Wilkinson shifts on the tridiagonal (d, e), rotating the rows of {@code vt}
     * (eigenvector k is row k). On return {@code d} holds the eigenvalues, unsorted.
     */
    private static void ql(double[] d, double[] e, double[][] vt) {
        int n = d.length;
        double[] cs = new double[n];
        double[] sn = new double[n];
        for (int l = 0; l < n; l++) {
            int iter = 0;
            int m;
            do {
                // Find the first negligible off-diagonal element at or after l: the block l..m is unreduced.
                for (m = l; m < n - 1; m++) {
                    double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
                    if (Math.abs(e[m]) + dd == dd) {
                        break;
                    }
                }
                if (m == l) {
                    break;
                }
                if (++iter > MAX_ITERATIONS) {
                    throw new ArithmeticException("QL did not converge for eigenvalue " + l + " after "
                            + MAX_ITERATIONS + " iterations");
                }
                // Wilkinson shift from the leading 2×2 block of l..m.
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Math.hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
                double s = 1;
                double c = 1;
                double p = 0;
                int i;
                int rotations = 0;
                boolean underflow = false;
                // Chase the bulge from the bottom of the block up to l with Givens rotations.
                for (i = m - 1; i >= l; i--) {
                    double f = s * e[i];
                    double b = c * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) {
                        // The rotation would be undefined: e split here; deflate and restart the block.
                        d[i + 1] -= p;
                        e[m] = 0;
                        underflow = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    cs[rotations] = c;
                    sn[rotations] = s;
                    rotations++;
                }
                rotate(vt, m - 1, rotations, cs, sn);
                if (underflow) {
                    continue;
                }
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            } while (true);
        }
    }

    /**
     * Applies the sweep's rotations, in order, to rows (i, i+1) for i = top, top−1, …: rotation r
     * acts on rows {@code top − r} and {@code top − r + 1}. Columns are independent, so threads split them.
     */
    private static void rotate(double[][] vt, int top, int count, double[] cs, double[] sn) {
        if (count == 0) {
            return;
        }
        int n = vt[0].length;
        Parallel.forRange(n, Math.max(256, (1 << 16) / Math.max(1, 6 * count)), (from, to) -> {
            for (int r = 0; r < count; r++) {
                VectorKernels.rotate(vt[top - r], vt[top - r + 1], cs[r], sn[r], from, to);
            }
        });
    }

    /** Selection sort by eigenvalue, swapping vector rows by reference (O(n²), negligible). */
    private static void sortAscending(double[] d, double[][] vt) {
        int n = d.length;
        for (int i = 0; i < n - 1; i++) {
            int min = i;
            for (int j = i + 1; j < n; j++) {
                if (d[j] < d[min]) {
                    min = j;
                }
            }
            if (min != i) {
                double t = d[i];
                d[i] = d[min];
                d[min] = t;
                double[] row = vt[i];
                vt[i] = vt[min];
                vt[min] = row;
            }
        }
    }

    /**
     * The order n of the matrix.
     *
     * @return n, the matrix order
     */
    public int order() {
        return values.length;
    }
}
