package org.deeprelax.optim;

/** Hyper-parameter checks; each message names the parameter, its value and the allowed range. */
final class Validate {

    private Validate() {
    }

    static void nonNegative(String name, float v) {
        if (!(v >= 0) || Float.isInfinite(v)) {
            throw new IllegalArgumentException(name + " = " + v + " is not allowed; it must be a finite number ≥ 0");
        }
    }

    static void positive(String name, float v) {
        if (!(v > 0) || Float.isInfinite(v)) {
            throw new IllegalArgumentException(name + " = " + v + " is not allowed; it must be a finite number > 0");
        }
    }

    static void inRange(String name, float v, float lo, float hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(name + " = " + v + " is not allowed; it must be in [" + lo + ", " + hi + "]");
        }
    }

    static void below(String name, float v, float lo, float hi) {
        if (!(v >= lo && v < hi)) {
            throw new IllegalArgumentException(name + " = " + v + " is not allowed; it must be in [" + lo + ", " + hi + ")");
        }
    }

    static void atLeastOne(String name, int v) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " = " + v + " is not allowed; it must be an integer ≥ 1");
        }
    }
}
