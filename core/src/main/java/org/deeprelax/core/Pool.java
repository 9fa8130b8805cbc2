package org.deeprelax.core;

/** Max and average pooling over 2-D windows, NCHW. */
public final class Pool {

    private Pool() {
    }

    /**
     * Max pooling over square windows.
     *
     * @param x input {@code [n, c, h, w]}
     * @param kernel window size along both axes
     * @param stride stride along both axes
     * @param padding implicit padding on every side (never wins a max)
     * @return the pooled tensor
     */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        PoolGeometry g = geometry("maxPool2d", x, kernel, stride, padding);
        Backend be = x.backend();
        Tensor y = Tensor.zeros(be, g.outputShape());
        be.maxPoolForward(g, x, y);
        return Autograd.record("maxPool2d", y, dy -> {
            Tensor dx = Tensor.zeros(be, x.shape());
            be.maxPoolBackward(g, x, y, dy, dx);
            return new Tensor[] {dx};
        }, x);
    }

    /**
     * Average pooling over square windows.
     *
     * @param x input {@code [n, c, h, w]}
     * @param kernel window size along both axes
     * @param stride stride along both axes
     * @param padding implicit zero padding, counted in the divisor
     * @return the pooled tensor
     */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        PoolGeometry g = geometry("avgPool2d", x, kernel, stride, padding);
        Backend be = x.backend();
        Tensor y = Tensor.zeros(be, g.outputShape());
        be.avgPoolForward(g, x, y);
        return Autograd.record("avgPool2d", y, dy -> {
            Tensor dx = Tensor.zeros(be, x.shape());
            be.avgPoolBackward(g, x, y, dy, dx);
            return new Tensor[] {dx};
        }, x);
    }

    private static PoolGeometry geometry(String op, Tensor x, int kernel, int stride, int padding) {
        Checks.rank(op, "input", x, 4);
        try {
            return new PoolGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), kernel, kernel, stride, stride,
                    padding, padding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
        }
    }
}
