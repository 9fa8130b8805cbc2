package org.deeprelax.core;

import java.util.Arrays;

/** Argument checks shared by the operations; every message names the operation and the shapes. */
final class Checks {

    private Checks() {
    }

    static void sameShape(String op, Shape a, Shape b) {
        if (!a.equals(b)) {
            throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " differ");
        }
    }

    static void sameBackend(String op, Tensor... tensors) {
        Backend first = null;
        for (Tensor t : tensors) {
            if (t == null) {
                continue;
            }
            if (first == null) {
                first = t.backend();
            } else if (t.backend() != first) {
                throw new IllegalArgumentException(op + ": operands live on different backends (" + first.name()
                        + " and " + t.backend().name() + "); move one with Tensor.to(backend)");
            }
        }
    }

    static void rank(String op, String what, Tensor t, int... allowed) {
        for (int r : allowed) {
            if (t.rank() == r) {
                return;
            }
        }
        throw new IllegalArgumentException(op + ": " + what + " has shape " + t.shape() + " of rank " + t.rank()
                + "; expected rank " + (allowed.length == 1 ? String.valueOf(allowed[0]) : Arrays.toString(allowed)));
    }

    /** Normalises an axis of {@code x}, or throws naming the operation, the axis and the shape. */
    static int axis(String op, Tensor x, int axis) {
        if (axis < -x.rank() || axis >= x.rank()) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for shape " + x.shape());
        }
        return x.shape().normalizeAxis(axis);
    }
}
