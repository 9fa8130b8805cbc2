package org.deeprelax.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SymmetricEigenTest {

    private static double[][] randomSymmetric(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[][] a = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                a[i][j] = r.nextDouble(-1, 1);
                a[j][i] = a[i][j];
            }
        }
        return a;
    }

    private static double frobenius(double[][] a) {
        double s = 0;
        for (double[] row : a) {
            for (double v : row) {
                s += v * v;
            }
        }
        return Math.sqrt(s);
    }

    /** A·v = λ·v for every pair, orthonormal vectors, ascending values, trace preserved. */
    private static void check(double[][] a, SymmetricEigen eig) {
        int n = a.length;
        double scale = Math.max(1, frobenius(a));
        double tol = 1e-12 * n * scale;
        double trace = 0;
        double sum = 0;
        for (int k = 0; k < n; k++) {
            double[] v = eig.vectors()[k];
            double lambda = eig.values()[k];
            sum += lambda;
            trace += a[k][k];
            if (k > 0) {
                assertTrue(eig.values()[k - 1] <= lambda, "eigenvalues not ascending");
            }
            for (int i = 0; i < n; i++) {
                double av = 0;
                for (int j = 0; j < n; j++) {
                    av += a[i][j] * v[j];
                }
                assertEquals(lambda * v[i], av, tol, "A·v ≠ λ·v for pair " + k + ", row " + i + ", n " + n);
            }
            for (int l = 0; l < n; l++) {
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    dot += v[i] * eig.vectors()[l][i];
                }
                assertEquals(k == l ? 1 : 0, dot, 1e-12 * n, "vectors " + k + " and " + l + " not orthonormal");
            }
        }
        assertEquals(trace, sum, tol);
    }

    @Test
    void randomMatricesOfSeveralSizes() {
        int[] sizes = {1, 2, 3, 4, 5, 8, 13, 32, 57};
        for (int s = 0; s < sizes.length; s++) {
            double[][] a = randomSymmetric(sizes[s], 1000 + s);
            check(a, SymmetricEigen.of(a));
        }
    }

    @Test
    void inputIsNotModified() {
        double[][] a = randomSymmetric(6, 7);
        double[][] copy = new double[6][];
        for (int i = 0; i < 6; i++) {
            copy[i] = a[i].clone();
        }
        SymmetricEigen.of(a);
        for (int i = 0; i < 6; i++) {
            assertTrue(java.util.Arrays.equals(copy[i], a[i]));
        }
    }

    @Test
    void knownTwoByTwo() {
        double[][] a = {{2, 1}, {1, 2}};
        SymmetricEigen eig = SymmetricEigen.of(a);
        assertEquals(1, eig.values()[0], 1e-14);
        assertEquals(3, eig.values()[1], 1e-14);
        assertEquals(Math.abs(eig.vectors()[1][0]), Math.sqrt(0.5), 1e-14);
        check(a, eig);
    }

    @Test
    void degenerateSpectraAndStructure() {
        int n = 9;
        double[][] zero = new double[n][n];
        check(zero, SymmetricEigen.of(zero));
        double[][] identity = new double[n][n];
        double[][] diagonal = new double[n][n];
        double[][] tridiagonal = new double[n][n];
        for (int i = 0; i < n; i++) {
            identity[i][i] = 1;
            diagonal[i][i] = (i * 7) % 5 - 2;
            tridiagonal[i][i] = 2;
            if (i + 1 < n) {
                tridiagonal[i][i + 1] = -1;
                tridiagonal[i + 1][i] = -1;
            }
        }
        check(identity, SymmetricEigen.of(identity));
        check(diagonal, SymmetricEigen.of(diagonal));
        SymmetricEigen t = SymmetricEigen.of(tridiagonal);
        check(tridiagonal, t);
        // The second-difference matrix has eigenvalues 2 − 2cos(kπ/(n+1)).
        for (int k = 1; k <= n; k++) {
            assertEquals(2 - 2 * Math.cos(k * Math.PI / (n + 1)), t.values()[k - 1], 1e-12);
        }
        // A low-rank matrix: many zero eigenvalues.
        double[][] lowRank = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                lowRank[i][j] = (i + 1) * (j + 1) + Math.sin(i) * Math.sin(j);
            }
        }
        check(lowRank, SymmetricEigen.of(lowRank));
    }

    @Test
    void badInputIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{1, 2}}));
        assertThrows(IllegalArgumentException.class, () -> SymmetricEigen.of(new double[][] {{Double.NaN}}));
        assertEquals(0, SymmetricEigen.of(new double[0][]).order());
    }
}
