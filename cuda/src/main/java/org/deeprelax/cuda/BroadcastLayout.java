package org.deeprelax.cuda;

import java.util.ArrayList;
import java.util.List;

/**
 * Host-side preparation of a broadcast for {@code binary_f32}/{@code strided_copy_f32}: the output's dims and
 * per-operand strides (0 along broadcast axes), with size-1 axes dropped and neighbouring axes merged
 * wherever every operand is contiguous across them, so the kernel's index arithmetic runs over as few axes
 * as possible (same-shape operands become rank 1, a bias over rows rank 2). The result is the int array of
 * the kernels' {@code Broadcast} struct: {@code rank, dims[8], aStrides[8], bStrides[8]}.
 */
final class BroadcastLayout {

    /** The kernels' {@code MAX_RANK}. */
    static final int MAX_RANK = 8;

    private BroadcastLayout() {
    }

    /**
     * The kernels' {@code Broadcast} struct for an output shape and two operands' strides.
     *
     * @param dims output dims
     * @param a first operand's broadcast strides
     * @param b second operand's broadcast strides (may equal a)
     * @return the struct as ints
     */
    static int[] of(int[] dims, int[] a, int[] b) {
        List<int[]> axes = new ArrayList<>();   // each {dim, aStride, bStride}, outermost first
        for (int d = 0; d < dims.length; d++) {
            if (dims[d] != 1) {
                axes.add(new int[] {dims[d], a[d], b[d]});
            }
        }
        List<int[]> merged = new ArrayList<>();
        for (int[] ax : axes) {
            if (!merged.isEmpty()) {
                int[] outer = merged.get(merged.size() - 1);
                // outer axis followed by ax is one axis of dim outer*ax when each operand's outer stride
                // equals its inner stride times the inner dim (0 == 0 covers an axis broadcast over both).
                if (outer[1] == ax[1] * ax[0] && outer[2] == ax[2] * ax[0]) {
                    outer[0] *= ax[0];
                    outer[1] = ax[1];
                    outer[2] = ax[2];
                    continue;
                }
            }
            merged.add(ax.clone());
        }
        if (merged.size() > MAX_RANK) {
            throw new IllegalArgumentException("cuda: broadcasting over " + merged.size()
                    + " non-mergeable axes; at most " + MAX_RANK + " are supported");
        }
        int[] s = new int[1 + 3 * MAX_RANK];
        s[0] = merged.size();
        for (int i = 0; i < merged.size(); i++) {
            s[1 + i] = merged.get(i)[0];
            s[1 + MAX_RANK + i] = merged.get(i)[1];
            s[1 + 2 * MAX_RANK + i] = merged.get(i)[2];
        }
        return s;
    }

    /**
     * The kernels' {@code AxisReduce} struct for summing {@code x} (contiguous, dims {@code xDims}) into
     * {@code outDims} (same rank, 1 on reduced axes): {@code rank, outDims[8], xStrides[8], redDims[8],
     * redCount}.
     *
     * @param xDims input dims
     * @param outDims output dims
     * @return the struct as ints
     */
    static int[] reduce(int[] xDims, int[] outDims) {
        int rank = xDims.length;
        if (rank > MAX_RANK) {
            throw new IllegalArgumentException("cuda: reduceSum over rank " + rank + "; at most " + MAX_RANK);
        }
        int[] s = new int[2 + 3 * MAX_RANK];
        s[0] = rank;
        int stride = 1;
        int count = 1;
        for (int d = rank - 1; d >= 0; d--) {
            s[1 + d] = outDims[d];
            s[1 + MAX_RANK + d] = stride;
            boolean reduced = outDims[d] != xDims[d];
            s[1 + 2 * MAX_RANK + d] = reduced ? xDims[d] : 1;
            count *= reduced ? xDims[d] : 1;
            stride *= xDims[d];
        }
        s[1 + 3 * MAX_RANK] = count;
        return s;
    }
}
