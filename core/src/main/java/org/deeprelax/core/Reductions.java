package org.deeprelax.core;

/** Sum and mean over chosen axes, each with its backward (a broadcast of the gradient). */
public final class Reductions {

    private Reductions() {
    }

    /**
     * @param x input
     * @param axes axes to sum over (negative counts from the end); null for all
     * @param keepDims whether reduced axes stay with size 1
     * @return the sum
     */
    public static Tensor sum(Tensor x, int[] axes, boolean keepDims) {
        return reduce("sum", x, axes, keepDims, false);
    }

    /**
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
            if (a < -x.rank() || a >= x.rank()) {
                throw new IllegalArgumentException(op + ": axis " + a + " is out of range for shape " + x.shape());
            }
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
            g.backend().broadcastTo(new Tensor(g.storage(), g.offset(), kept), dx);
            if (mean) {
                dx.backend().scale(scale, dx);
            }
            return new Tensor[] {dx};
        }, x);
    }

    private static int[] allAxes(int rank) {
        int[] axes = new int[rank];
        for (int i = 0; i < rank; i++) {
            axes[i] = i;
        }
        return axes;
    }
}
