package org.deeprelax.core.cpu;

/**
 * Integer indexing along an axis, over arrays viewed as {@code [outer, len, inner]} around it: a gather
 * of whole {@code inner}-long rows, and its backward, a scatter-add that visits the positions in order
 * so that repeated positions sum the same way on every run. The positions arrive as floats (the
 * library's convention for indices) already checked by the operation.
 */
final class CpuIndexing {

    /** Elements of inner rows one task of the scatter-add covers. */
    private static final int BLOCK = 1024;

    private CpuIndexing() {
    }

    /** {@code out[o, j, :] = x[o, index[j], :]}, for {@code j < k}. */
    static void select(float[] x, int xo, int outer, int len, int inner, float[] index, int io, int k,
                       float[] out, int oo) {
        Parallel.forRange(outer * k, Math.max(1, CpuElementwise.GRAIN / inner), (from, to) -> {
            for (int r = from; r < to; r++) {
                int o = r / k;
                int j = r % k;
                int src = xo + (o * len + (int) index[io + j]) * inner;
                System.arraycopy(x, src, out, oo + r * inner, inner);
            }
        });
    }

    /** {@code out[o, index[j], :] += src[o, j, :]}, for {@code j = 0, 1, …, k − 1} in that order. */
    static void add(float[] src, int so, int outer, int len, int inner, float[] index, int io, int k,
                    float[] out, int oo) {
        int blocks = (inner + BLOCK - 1) / BLOCK;
        Parallel.forRange(outer * blocks, 1, (from, to) -> {
            for (int t = from; t < to; t++) {
                int o = t / blocks;
                int lo = (t % blocks) * BLOCK;
                int hi = Math.min(inner, lo + BLOCK);
                for (int j = 0; j < k; j++) {
                    int s = so + (o * k + j) * inner;
                    int d = oo + (o * len + (int) index[io + j]) * inner;
                    for (int i = lo; i < hi; i++) {
                        out[d + i] += src[s + i];
                    }
                }
            }
        });
    }
}
