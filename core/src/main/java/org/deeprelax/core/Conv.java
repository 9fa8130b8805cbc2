package org.deeprelax.core;

/** 2-D convolution (cross-correlation, as every framework computes it), NCHW, with optional bias. */
public final class Conv {

    private Conv() {
    }

    /**
     * Cross-correlates a batch of images with filters, adding an optional per-channel bias.
     *
     * @param x input {@code [n, c, h, w]}
     * @param w filters {@code [k, c, r, s]}
     * @param bias {@code [k]}, or null
     * @param stride stride along both axes
     * @param padding zero padding on every side
     * @return the output {@code [n, k, p, q]}
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        Checks.rank("conv2d", "input", x, 4);
        Checks.rank("conv2d", "filters", w, 4);
        Checks.sameBackend("conv2d", x, w, bias);
        if (x.dim(1) != w.dim(1)) {
            throw new IllegalArgumentException("conv2d: input " + x.shape() + " has " + x.dim(1)
                    + " channels but filters " + w.shape() + " expect " + w.dim(1));
        }
        if (bias != null && (bias.rank() != 1 || bias.dim(0) != w.dim(0))) {
            throw new IllegalArgumentException("conv2d: bias " + bias.shape() + " must be [" + w.dim(0)
                    + "] for filters " + w.shape());
        }
        ConvGeometry g = new ConvGeometry(x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(2), w.dim(3),
                stride, stride, padding, padding);
        Backend be = x.backend();
        Tensor y = Tensor.zeros(be, g.outputShape());
        be.conv2dForward(g, x, w, y);
        Shape biasShape = Shape.of(1, g.k(), 1, 1);
        if (bias != null) {
            be.binary(BinaryOp.ADD, y, new Tensor(bias.storage(), bias.offset(), biasShape), y);
        }
        return Autograd.record("conv2d", y, dy -> {
            Tensor dx = null;
            Tensor dw = null;
            Tensor db = null;
            if (Autograd.needsGrad(x)) {
                dx = Tensor.zeros(be, x.shape());
                be.conv2dBackwardData(g, dy, w, dx);
            }
            if (Autograd.needsGrad(w)) {
                dw = Tensor.zeros(be, w.shape());
                be.conv2dBackwardFilter(g, x, dy, dw);
            }
            if (Autograd.needsGrad(bias)) {
                db = Tensor.zeros(be, biasShape);
                be.reduceSum(dy, db);
                db = new Tensor(db.storage(), 0, bias.shape());
            }
            return new Tensor[] {dx, dw, db};
        }, x, w, bias);
    }
}
