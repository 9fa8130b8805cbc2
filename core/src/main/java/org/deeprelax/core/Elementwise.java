package org.deeprelax.core;

/**
 * Elementwise operations, each forward beside its backward. Binary operations broadcast with NumPy's
 * rules; the backward sums each gradient back down to its operand's shape.
 */
public final class Elementwise {

    private Elementwise() {
    }

    /**
     * Adds, broadcasting with NumPy's rules.
     *
     * @param a left
     * @param b right
     * @return a + b, broadcast
     */
    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = binaryForward("add", BinaryOp.ADD, a, b);
        return Autograd.record("add", out, g -> new Tensor[] {reduceTo(g, a.shape()), reduceTo(g, b.shape())}, a, b);
    }

    /**
     * Subtracts, broadcasting with NumPy's rules.
     *
     * @param a left
     * @param b right
     * @return a − b, broadcast
     */
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

    /**
     * Multiplies elementwise, broadcasting with NumPy's rules.
     *
     * @param a left
     * @param b right
     * @return a · b, broadcast
     */
    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = binaryForward("mul", BinaryOp.MUL, a, b);
        return Autograd.record("mul", out, g -> new Tensor[] {
                Autograd.needsGrad(a) ? reduceTo(apply(BinaryOp.MUL, g, b), a.shape()) : null,
                Autograd.needsGrad(b) ? reduceTo(apply(BinaryOp.MUL, g, a), b.shape()) : null}, a, b);
    }

    /**
     * Divides elementwise, broadcasting with NumPy's rules.
     *
     * @param a numerator
     * @param b denominator
     * @return a / b, broadcast
     */
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

    /**
     * Rectified linear unit.
     *
     * @param x input
     * @return max(x, 0)
     */
    public static Tensor relu(Tensor x) {
        return unary("relu", UnaryOp.RELU, 0f, 0f, x);
    }

    /**
     * Exponential.
     *
     * @param x input
     * @return e^x
     */
    public static Tensor exp(Tensor x) {
        return unary("exp", UnaryOp.EXP, 0f, 0f, x);
    }

    /**
     * Natural logarithm.
     *
     * @param x input
     * @return ln x
     */
    public static Tensor log(Tensor x) {
        return unary("log", UnaryOp.LOG, 0f, 0f, x);
    }

    /**
     * Hyperbolic tangent, accurate over the whole float range (±1 beyond about ±9, x itself near 0).
     *
     * @param x input
     * @return tanh x
     */
    public static Tensor tanh(Tensor x) {
        return unary("tanh", UnaryOp.TANH, 0f, 0f, x);
    }

    /**
     * The logistic function, computed so that no exponential overflows: 1 for large x, e^x (down to
     * subnormals, then 0) for very negative x, never NaN for a number.
     *
     * @param x input
     * @return 1/(1 + e^−x)
     */
    public static Tensor sigmoid(Tensor x) {
        return unary("sigmoid", UnaryOp.SIGMOID, 0f, 0f, x);
    }

    /**
     * Square root.
     *
     * @param x input
     * @return √x (NaN below 0)
     */
    public static Tensor sqrt(Tensor x) {
        return unary("sqrt", UnaryOp.SQRT, 0f, 0f, x);
    }

    /**
     * Absolute value; its gradient at 0 is 0.
     *
     * @param x input
     * @return |x|
     */
    public static Tensor abs(Tensor x) {
        return unary("abs", UnaryOp.ABS, 0f, 0f, x);
    }

    /**
     * Power with a constant exponent.
     *
     * @param x base
     * @param exponent the exponent
     * @return x^exponent elementwise (NaN for a negative base and a non-integer exponent)
     */
    public static Tensor pow(Tensor x, float exponent) {
        return unary("pow", UnaryOp.POW, exponent, 0f, x);
    }

    /**
     * Clamps into {@code [lo, hi]}; the gradient passes where {@code lo ≤ x ≤ hi}.
     *
     * @param x input
     * @param lo lower bound ({@code Float.NEGATIVE_INFINITY} for none)
     * @param hi upper bound ({@code Float.POSITIVE_INFINITY} for none)
     * @return min(max(x, lo), hi)
     * @throws IllegalArgumentException if {@code lo > hi} or a bound is NaN
     */
    public static Tensor clamp(Tensor x, float lo, float hi) {
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("clamp: bounds [" + lo + ", " + hi + "] for a tensor of shape "
                    + x.shape() + " are empty or NaN; need lo <= hi");
        }
        return unary("clamp", UnaryOp.CLAMP, lo, hi, x);
    }

    /**
     * {@code scale·x + shift} with constants, in one pass and without a tensor for either constant.
     *
     * @param x input
     * @param scale the factor
     * @param shift the term added
     * @return scale·x + shift
     */
    public static Tensor affine(Tensor x, float scale, float shift) {
        return unary("affine", UnaryOp.AFFINE, scale, shift, x);
    }

    /**
     * Adds a constant.
     *
     * @param x input
     * @param c the constant
     * @return x + c
     */
    public static Tensor add(Tensor x, float c) {
        return unary("add", UnaryOp.AFFINE, 1f, c, x);
    }

    /**
     * Multiplies by a constant.
     *
     * @param x input
     * @param c the constant
     * @return c·x
     */
    public static Tensor mul(Tensor x, float c) {
        return unary("mul", UnaryOp.AFFINE, c, 0f, x);
    }

    /**
     * Negation.
     *
     * @param x input
     * @return −x
     */
    public static Tensor neg(Tensor x) {
        return unary("neg", UnaryOp.AFFINE, -1f, 0f, x);
    }

    /** One unary primitive forward, and its backward from the saved input and output. */
    private static Tensor unary(String name, UnaryOp op, float a, float b, Tensor x) {
        Backend be = x.backend();
        Tensor y = Tensor.zeros(be, x.shape());
        be.unary(op, a, b, x, y);
        return Autograd.record(name, y, g -> {
            Tensor dx = Tensor.zeros(be, x.shape());
            be.unaryBackward(op, a, b, x, y, g, dx);
            return new Tensor[] {dx};
        }, x);
    }

    private static Tensor binaryForward(String name, BinaryOp op, Tensor a, Tensor b) {
        Checks.sameBackend(name, a, b);
        Shape shape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = Tensor.zeros(a.backend(), shape);
        a.backend().binary(op, a, b, out);
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
