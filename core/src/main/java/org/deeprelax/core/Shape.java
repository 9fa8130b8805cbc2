package org.deeprelax.core;

import java.util.Arrays;

/**
 * The dimensions of a tensor, row-major. Immutable. A shape of rank 0 is a scalar with one element.
 */
public final class Shape {

    private final int[] dims;
    private final long size;

    private Shape(int[] dims) {
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + ": dimension " + i
                        + " is " + dims[i] + ", but every dimension must be positive");
            }
            n *= dims[i];
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has " + n
                    + " elements, more than one Java array holds");
        }
        this.dims = dims;
        this.size = n;
    }

    /**
     * A shape of the given dimensions.
     *
     * @param dims the dimensions, each positive
     * @return the shape
     * @throws IllegalArgumentException if a dimension is zero or negative
     */
    public static Shape of(int... dims) {
        return new Shape(dims.clone());
    }

    /**
     * Returns the scalar shape (rank 0).
     *
     * @return the scalar shape (rank 0)
     */
    public static Shape scalar() {
        return new Shape(new int[0]);
    }

    /**
     * Returns the number of dimensions.
     *
     * @return the number of dimensions
     */
    public int rank() {
        return dims.length;
    }

    /**
     * The size of one dimension.
     *
     * @param axis a dimension index; negative counts from the end
     * @return that dimension's size
     */
    public int dim(int axis) {
        return dims[normalizeAxis(axis)];
    }

    /**
     * Returns a copy of the dimensions.
     *
     * @return a copy of the dimensions
     */
    public int[] dims() {
        return dims.clone();
    }

    /**
     * Returns the number of elements.
     *
     * @return the number of elements
     */
    public int size() {
        return (int) size;
    }

    /**
     * Returns the row-major strides, in elements.
     *
     * @return the row-major strides, in elements
     */
    public int[] strides() {
        int[] st = new int[dims.length];
        int s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= dims[i];
        }
        return st;
    }

    /**
     * Resolves an axis that may count from the end.
     *
     * @param axis a dimension index; negative counts from the end
     * @return the index in {@code [0, rank)}
     * @throws IllegalArgumentException if out of range
     */
    public int normalizeAxis(int axis) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for shape " + this);
        }
        return a;
    }

    /**
     * The shape both operands broadcast to, NumPy rules: align trailing dimensions; each pair must be
     * equal or contain a 1.
     *
     * @param op the operation's name, for the error message
     * @param a one shape
     * @param b the other
     * @return the broadcast shape
     * @throws IllegalArgumentException naming the op and both shapes if they do not broadcast
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.rank() ? 1 : a.dims[i - (rank - a.rank())];
            int db = i < rank - b.rank() ? 1 : b.dims[i - (rank - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b + " do not broadcast");
            }
            out[i] = Math.max(da, db);
        }
        return new Shape(out);
    }

    /**
     * The strides that read this shape as if broadcast to {@code target}: 0 along every broadcast axis.
     *
     * @param target a shape this one broadcasts to
     * @return strides of length {@code target.rank()}
     */
    public int[] broadcastStrides(Shape target) {
        int[] own = strides();
        int[] st = new int[target.rank()];
        int lead = target.rank() - rank();
        for (int i = 0; i < rank(); i++) {
            st[lead + i] = dims[i] == 1 && target.dims[lead + i] != 1 ? 0 : own[i];
        }
        return st;
    }

    /**
     * The shape left after reducing over some axes.
     *
     * @param axes the axes to drop (already normalised, any order)
     * @param keepDims whether reduced axes stay with size 1
     * @return the shape after reducing over {@code axes}
     */
    public Shape reduce(int[] axes, boolean keepDims) {
        boolean[] reduced = new boolean[dims.length];
        for (int a : axes) {
            reduced[normalizeAxis(a)] = true;
        }
        int[] out = new int[dims.length];
        int r = 0;
        for (int i = 0; i < dims.length; i++) {
            if (!reduced[i]) {
                out[r++] = dims[i];
            } else if (keepDims) {
                out[r++] = 1;
            }
        }
        return new Shape(Arrays.copyOf(out, r));
    }

    /**
     * Views this shape as {@code [outer, len, inner]} around one axis, the layout softmax-like
     * operations along an axis iterate over.
     *
     * @param axis an axis, already normalised
     * @return {@code {product of the dimensions before, the axis's size, product of those after}}
     */
    public int[] aroundAxis(int axis) {
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < axis; d++) {
            outer *= dims[d];
        }
        for (int d = axis + 1; d < dims.length; d++) {
            inner *= dims[d];
        }
        return new int[] {outer, dims[axis], inner};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
