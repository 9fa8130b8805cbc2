package org.deeprelax.core;

/**
 * Reductions over chosen axes, each with its backward: sum and mean (whose backward broadcasts the
 * gradient back), and the maximum along one axis (whose backward sends the gradient to the first
 * maximum), with argmax beside it.
 */
public final class Reductions {

    private Reductions() {
    }

    /**
     * Sums over chosen axes.
     *
     * @param x input
     * @param axes axes to sum over (negative counts from the end); null for all
     * @param keepDims whether reduced axes stay with size 1
     * @return the sum
     */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        return reduce("sum", x, axes, keepDims, false);
    }

    /**
     * Averages over chosen axes.
     *
     * @param x input
     * @param axes axes to average over (negative counts from the end); null for all
     * @param keepDims whether reduced axes stay with size 1
     * @return the mean
     */
    public static Tensor mean(Tensor x, int[] axes, boolean keepDims) {
        return reduce("mean", x, axes, keepDims, true);
    }

    private static Tensor reduce(String op, Tensor x, int[] axes, boolean keepDims, boolean mean) {
        int[] all = axes == null ? allAxes(x.rank()) : axes;
        for (int a : all) {
            Checks.axis(op, x, a);
        }
        Shape kept = x.shape().reduce(all, true);
        Shape result = keepDims ? kept : x.shape().reduce(all, false);
        Tensor out = Tensor.zeros(x.backend(), kept);
        x.backend().reduceSum(x, out);
        float scale = mean ? (float) kept.size() / x.size() : 1f;
        if (mean) {
            x.backend().scale(scale, out);
        }
        Tensor view = new Tensor(out.storage(), 0, result);
        Shape in = x.shape();
        return Autograd.record(op, view, g -> {
            Tensor dx = Tensor.zeros(g.backend(), in);
            Layout.broadcastInto(new Tensor(g.storage(), g.offset(), kept), dx);
            if (mean) {
                dx.backend().scale(scale, dx);
            }
            return new Tensor[] {dx};
        }, x);
    }

    /**
     * The maximum along one axis. Its gradient goes to the first position holding the maximum (as
     * max-pooling's does); a NaN counts as the maximum.
     *
     * @param x input
     * @param axis the axis reduced (negative counts from the end)
     * @param keepDims whether the axis stays with size 1
     * @return the maxima
     */
    public static Tensor max(Tensor x, int axis, boolean keepDims) {
        int a = Checks.axis("max", x, axis);
        Backend be = x.backend();
        Shape kept = x.shape().reduce(new int[] {a}, true);
        Tensor values = Tensor.zeros(be, x.shape().reduce(new int[] {a}, keepDims));
        Tensor indices = Tensor.zeros(be, kept);
        be.maxAlongAxis(x, a, values, indices);
        return Autograd.record("max", values, g -> {
            Tensor dx = Tensor.zeros(be, x.shape());
            be.maxAlongAxisBackward(indices, g, a, dx);
            return new Tensor[] {dx};
        }, x);
    }

    /**
     * Where the maximum along one axis is: the first position holding it, as a float (exact below
     * 2^24). Not differentiable; the result never requires a gradient.
     *
     * @param x input
     * @param axis the axis searched (negative counts from the end)
     * @param keepDims whether the axis stays with size 1
     * @return the positions along {@code axis}
     */
    public static Tensor argmax(Tensor x, int axis, boolean keepDims) {
        int a = Checks.axis("argmax", x, axis);
        Backend be = x.backend();
        Tensor values = Tensor.zeros(be, x.shape().reduce(new int[] {a}, true));
        Tensor indices = Tensor.zeros(be, x.shape().reduce(new int[] {a}, keepDims));
        be.maxAlongAxis(x, a, values, indices);
        return indices;
    }

    private static int[] allAxes(int rank) {
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i;
        }
        return axes;
    }
}
