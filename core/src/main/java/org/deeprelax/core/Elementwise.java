package org.deeprelax.core;

/**
 * Elementwise operations, each forward beside its backward. Binary operations broadcast with NumPy's
 * rules; the backward sums each gradient back down to its operand's shape.
 */
public final class Elementwise {

    private Elementwise() {
    }

    /** @param a left @param b right @return a + b, broadcast */
    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = binaryForward("add", BinaryOp.ADD, a, b);
        return Autograd.record("add", out, g -> new Tensor[] {reduceTo(g, a.shape()), reduceTo(g, b.shape())}, a, b);
    }

    /** @param a left @param b right @return a − b, broadcast */
    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = binaryForward("sub", BinaryOp.SUB, a, b);
        return Autograd.record("sub", out, g -> {
            Tensor gb = null;
            if (Autograd.needsGrad(b)) {
                gb = copyOf(reduceTo(g, b.shape()));
                gb.backend().scale(-1f, gb);
            }
            return new Tensor[] {reduceTo(g, a.shape()), gb};
        }, a, b);
    }

    /** @param a left @param b right @return a · b, broadcast */
    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binaryForward("mul", BinaryOp.MUL, a, b);
        return Autograd.record("mul", out, g -> new Tensor[] {
                Autograd.needsGrad(a) ? reduceTo(apply(BinaryOp.MUL, g, b), a.shape()) : null,
                Autograd.needsGrad(b) ? reduceTo(apply(BinaryOp.MUL, g, a), b.shape()) : null}, a, b);
    }

    /** @param a numerator @param b denominator @return a / b, broadcast */
    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = binaryForward("div", BinaryOp.DIV, a, b);
        return Autograd.record("div", out, g -> {
            Tensor ga = Autograd.needsGrad(a) ? reduceTo(apply(BinaryOp.DIV, g, b), a.shape()) : null;
            Tensor gb = null;
            if (Autograd.needsGrad(b)) {
                // d(a/b)/db = −(a/b)/b: reuse the forward output instead of squaring b.
                Tensor t = apply(BinaryOp.DIV, apply(BinaryOp.MUL, g, out), b);
                t.backend().scale(-1f, t);
                gb = reduceTo(t, b.shape());
            }
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    /** @param x input @return max(x, 0) */
    public static Tensor relu(Tensor x) {
        Tensor out = unaryForward(UnaryOp.RELU, x);
        return Autograd.record("relu", out, g -> {
            Tensor dx = Tensor.zeros(x.backend(), x.shape());
            x.backend().reluBackward(x, g, dx);
            return new Tensor[] {dx};
        }, x);
    }

    /** @param x input @return e^x */
    public static Tensor exp(Tensor x) {
        Tensor out = unaryForward(UnaryOp.EXP, x);
        return Autograd.record("exp", out, g -> new Tensor[] {apply(BinaryOp.MUL, g, out)}, x);
    }

    /** @param x input @return ln x */
    public static Tensor log(Tensor x) {
        Tensor out = unaryForward(UnaryOp.LOG, x);
        return Autograd.record("log", out, g -> new Tensor[] {apply(BinaryOp.DIV, g, x)}, x);
    }

    private static Tensor binaryForward(String name, BinaryOp op, Tensor a, Tensor b) {
        Checks.sameBackend(name, a, b);
        Shape shape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = Tensor.zeros(a.backend(), shape);
        a.backend().binary(op, a, b, out);
        return out;
    }

    private static Tensor unaryForward(UnaryOp op, Tensor x) {
        Tensor out = Tensor.zeros(x.backend(), x.shape());
        x.backend().unary(op, x, out);
        return out;
    }

    /** a op b into a fresh tensor of the broadcast shape, unrecorded: for use inside backward functions. */
    static Tensor apply(BinaryOp op, Tensor a, Tensor b) {
        Tensor out = Tensor.zeros(a.backend(), Shape.broadcast(op.name().toLowerCase(), a.shape(), b.shape()));
        a.backend().binary(op, a, b, out);
        return out;
    }

    /**
     * Sums a gradient of a broadcast result back to an operand's shape.
     *
     * @param g gradient of the broadcast shape
     * @param shape the operand's shape
     * @return {@code g} itself when the shapes match, else a new reduced tensor
     */
    static Tensor reduceTo(Tensor g, Shape shape) {
        if (g.shape().equals(shape)) {
            return g;
        }
        int[] kept = new int[g.rank()];
        int lead = g.rank() - shape.rank();
        for (int i = 0; i < g.rank(); i++) {
            kept[i] = i < lead ? 1 : shape.dim(i - lead);
        }
        Tensor sum = Tensor.zeros(g.backend(), Shape.of(kept));
        g.backend().reduceSum(g, sum);
        return new Tensor(sum.storage(), 0, shape);
    }

    static Tensor copyOf(Tensor t) {
        Tensor c = Tensor.zeros(t.backend(), t.shape());
        t.backend().copy(t, c);
        return c;
    }
}
