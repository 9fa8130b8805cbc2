package org.deeprelax.core;

/** Softmax, log-softmax and the fused cross-entropy loss, each with its backward. */
public final class Softmax {

    private Softmax() {
    }

    /**
     * Softmax along an axis, with the maximum subtracted so that no exponential overflows.
     *
     * @param x input
     * @param axis the axis normalised over
     * @return softmax along it
     */
    public static Tensor softmax(Tensor x, int axis) {
        return forward("softmax", x, axis, false);
    }

    /**
     * Log-softmax along an axis, with the maximum subtracted so that no exponential overflows.
     *
     * @param x input
     * @param axis the axis normalised over
     * @return log-softmax along it
     */
    public static Tensor logSoftmax(Tensor x, int axis) {
        return forward("logSoftmax", x, axis, true);
    }

    private static Tensor forward(String op, Tensor x, int axis, boolean log) {
        int a = x.shape().normalizeAxis(axis);
        Backend be = x.backend();
        Tensor y = Tensor.zeros(be, x.shape());
        be.softmax(x, a, log, y);
        return Autograd.record(op, y, g -> {
            Tensor dx = Tensor.zeros(be, x.shape());
            be.softmaxBackward(y, g, a, log, dx);
            return new Tensor[] {dx};
        }, x);
    }

    /**
     * Mean cross-entropy between logits and class indices, computed from a fused, max-subtracted
     * log-softmax (never exp of a large logit).
     *
     * @param logits {@code [n, c]}
     * @param labels {@code [n]}, class indices as floats
     * @return the mean loss, a scalar
     * @throws IllegalArgumentException for mismatched shapes, or (on the CPU) a label outside [0, c)
     */
    public static Tensor crossEntropy(Tensor logits, Tensor labels) {
        Checks.rank("crossEntropy", "logits", logits, 2);
        Checks.rank("crossEntropy", "labels", labels, 1);
        Checks.sameBackend("crossEntropy", logits, labels);
        if (labels.dim(0) != logits.dim(0)) {
            throw new IllegalArgumentException("crossEntropy: logits " + logits.shape() + " and labels "
                    + labels.shape() + " disagree on the batch size");
        }
        Backend be = logits.backend();
        Tensor probs = Tensor.zeros(be, logits.shape());
        Tensor loss = Tensor.zeros(be, Shape.scalar());
        be.crossEntropyForward(logits, labels, probs, loss);
        return Autograd.record("crossEntropy", loss, g -> {
            Tensor d = Tensor.zeros(be, logits.shape());
            be.crossEntropyBackward(probs, labels, g, d);
            return new Tensor[] {d, null};
        }, logits, labels);
    }
}
