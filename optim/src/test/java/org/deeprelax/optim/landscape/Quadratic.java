package org.deeprelax.optim.landscape;

/**
 * f(x) = a·x²/2, whose local entropy is known in closed form (the Gaussian integral):
 * f_γ(x) = a·x²/(2(1 + aγ)) + log(1 + aγ)/(2β), and whose Moreau envelope is a·x²/(2(1 + aγ)). A test
 * of the signs and normalisations that does not depend on any numerical reference.
 */
record Quadratic(double a) implements Objective1D {

    @Override
    public double value(double x) {
        return a * x * x / 2;
    }

    @Override
    public double derivative(double x) {
        return a * x;
    }

    @Override
    public double lowerBound() {
        return 0;
    }

    @Override
    public double curvatureBound() {
        return a;
    }

    double localEntropy(double x, double gamma, double beta) {
        return a * x * x / (2 * (1 + a * gamma)) + Math.log(1 + a * gamma) / (2 * beta);
    }

    double moreau(double x, double gamma) {
        return a * x * x / (2 * (1 + a * gamma));
    }
}
