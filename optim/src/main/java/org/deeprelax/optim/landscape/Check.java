package org.deeprelax.optim.landscape;

/** Argument checks; each message names the parameter, its value and the allowed range. */
final class Check {

    private Check() {
    }

    static double positive(String name, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(name + " = " + v + " is not allowed; it must be a finite number > 0");
        }
        return v;
    }

    static double finite(String name, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(name + " = " + v + " is not allowed; it must be a finite number");
        }
        return v;
    }

    static void interval(String name, double a, double b) {
        finite(name + " start", a);
        finite(name + " end", b);
        if (!(a < b)) {
            throw new IllegalArgumentException(name + " [" + a + ", " + b + "] is not allowed; its start must be below its end");
        }
    }
}
