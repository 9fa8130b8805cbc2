package org.deeprelax.core;

import java.util.Arrays;

/**
 * Operations that rearrange elements without arithmetic, each with its backward: reshape (a view that
 * shares storage), and permute, transpose, slice, select, index, concatenate and stack (copies). All but
 * reshape are one primitive, {@link Backend#copyStrided}, forward and backward, except integer indexing,
 * which gathers with {@link Backend#indexSelect} and scatters back with {@link Backend#indexAdd}.
 */
public final class Layout {

    private Layout() {
    }

    /**
     * A view with another shape of the same size; no copy. One dimension may be -1 (inferred).
     *
     * @param x input
     * @param dims the new shape
     * @return the view, sharing {@code x}'s storage
     * @throws IllegalArgumentException if the sizes differ
     */
    public static Tensor reshape(Tensor x, int... dims) {
        int[] resolved = dims.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < resolved.length; i++) {
            if (resolved[i] == -1 && inferred < 0) {
                inferred = i;
            } else {
                known *= resolved[i];
            }
        }
        if (inferred >= 0 && known > 0 && x.size() % known == 0) {
            resolved[inferred] = (int) (x.size() / known);
        }
        Shape shape = Shape.of(resolved);
        if (shape.size() != x.size()) {
            throw new IllegalArgumentException("reshape: cannot view shape " + x.shape() + " (" + x.size()
                    + " elements) as " + Arrays.toString(dims));
        }
        Tensor out = new Tensor(x.storage(), x.offset(), shape);
        Shape in = x.shape();
        return Autograd.record("reshape", out, g -> new Tensor[] {new Tensor(g.storage(), g.offset(), in)}, x);
    }

    /**
     * Reorders the axes: axis {@code i} of the result is axis {@code perm[i]} of {@code x}.
     *
     * @param x input
     * @param perm a permutation of {@code 0 … rank−1}
     * @return a contiguous copy in the new order
     * @throws IllegalArgumentException if {@code perm} is not a permutation of the axes
     */
    public static Tensor permute(Tensor x, int... perm) {
        int rank = x.rank();
        boolean[] seen = new boolean[rank];
        boolean valid = perm.length == rank;
        for (int i = 0; valid && i < rank; i++) {
            valid = perm[i] >= 0 && perm[i] < rank && !seen[perm[i]];
            if (valid) {
                seen[perm[i]] = true;
            }
        }
        if (!valid) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm)
                    + " is not a permutation of the axes of shape " + x.shape());
        }
        int[] xDims = x.shape().dims();
        int[] xStrides = x.shape().strides();
        int[] dims = new int[rank];
        int[] gathered = new int[rank];
        for (int i = 0; i < rank; i++) {
            dims[i] = xDims[perm[i]];
            gathered[i] = xStrides[perm[i]];
        }
        Backend be = x.backend();
        Tensor out = Tensor.zeros(be, Shape.of(dims));
        int[] outStrides = out.shape().strides();
        be.copyStrided(x, 0, gathered, out, 0, outStrides, dims);
        return Autograd.record("permute", out, g -> {
            Tensor dx = Tensor.zeros(be, x.shape());
            be.copyStrided(g, 0, outStrides, dx, 0, gathered, dims);
            return new Tensor[] {dx};
        }, x);
    }

    /**
     * Swaps two axes; for a matrix, its transpose. A {@link #permute} that exchanges the two.
     *
     * @param x input
     * @param a one axis (negative counts from the end)
     * @param b the other
     * @return a contiguous copy with the two axes swapped
     */
    public static Tensor transpose(Tensor x, int a, int b) {
        int[] perm = new int[x.rank()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        int na = Checks.axis("transpose", x, a);
        int nb = Checks.axis("transpose", x, b);
        perm[na] = nb;
        perm[nb] = na;
        return permute(x, perm);
    }

    /**
     * The elements at positions {@code [start, end)} along one axis, as Python's {@code x[start:end]}:
     * negative positions count from the end.
     *
     * @param x input
     * @param axis the axis cut (negative counts from the end)
     * @param start first position kept
     * @param end one past the last position kept
     * @return a copy of {@code x}'s shape with {@code end − start} along {@code axis}
     * @throws IllegalArgumentException if the range is empty or outside the axis
     */
    public static Tensor slice(Tensor x, int axis, int start, int end) {
        int a = Checks.axis("slice", x, axis);
        int len = x.dim(a);
        int s = start < 0 ? start + len : start;
        int e = end < 0 ? end + len : end;
        if (s < 0 || e > len || s >= e) {
            throw new IllegalArgumentException("slice: positions [" + start + ", " + end + ") are empty or outside"
                    + " axis " + a + " of shape " + x.shape());
        }
        int[] dims = x.shape().dims();
        dims[a] = e - s;
        Backend be = x.backend();
        Tensor out = Tensor.zeros(be, Shape.of(dims));
        int[] xStrides = x.shape().strides();
        int[] outStrides = out.shape().strides();
        int first = s * xStrides[a];
        be.copyStrided(x, first, xStrides, out, 0, outStrides, dims);
        return Autograd.record("slice", out, g -> {
            Tensor dx = Tensor.zeros(be, x.shape());
            be.copyStrided(g, 0, outStrides, dx, first, xStrides, dims);
            return new Tensor[] {dx};
        }, x);
    }

    /**
     * One position along an axis, with the axis removed: {@code select(x, 0, i)} is Python's {@code x[i]}.
     * Composed of a {@link #slice} one position long and a {@link #reshape} that drops the axis.
     *
     * @param x input, of rank 1 or more
     * @param axis the axis indexed (negative counts from the end)
     * @param index the position (negative counts from the end)
     * @return a copy of {@code x}'s shape without {@code axis}
     */
    public static Tensor select(Tensor x, int axis, int index) {
        int a = Checks.axis("select", x, axis);
        int len = x.dim(a);
        int i = index < 0 ? index + len : index;
        if (i < 0 || i >= len) {
            throw new IllegalArgumentException("select: position " + index + " is outside axis " + a
                    + " of shape " + x.shape());
        }
        Tensor one = slice(x, a, i, i + 1);
        return reshape(one, x.shape().reduce(new int[] {a}, false).dims());
    }

    /**
     * Integer indexing along an axis (PyTorch's {@code index_select}): position {@code j} of the result
     * along {@code axis} is position {@code indices[j]} of {@code x}. Positions may repeat; their
     * gradients add up.
     *
     * @param x input
     * @param axis the axis indexed (negative counts from the end)
     * @param indices a rank-1 tensor of positions held as floats, on {@code x}'s backend (read back to the
     *     host once, to check them)
     * @return a copy of {@code x}'s shape with {@code indices.size()} along {@code axis}
     * @throws IllegalArgumentException if a position is not an integer inside the axis
     */
    public static Tensor index(Tensor x, int axis, Tensor indices) {
        Checks.rank("index", "indices", indices, 1);
        Checks.sameBackend("index", x, indices);
        int a = Checks.axis("index", x, axis);
        float[] positions = indices.toArray();
        for (int j = 0; j < positions.length; j++) {
            float p = positions[j];
            if (!(p >= 0 && p < x.dim(a) && p == Math.rint(p))) {
                throw new IllegalArgumentException("index: position " + p + " at " + j + " of indices "
                        + indices.shape() + " is not an integer in [0, " + x.dim(a) + ") along axis " + a
                        + " of shape " + x.shape());
            }
        }
        int[] dims = x.shape().dims();
        dims[a] = positions.length;
        Backend be = x.backend();
        Tensor out = Tensor.zeros(be, Shape.of(dims));
        be.indexSelect(x, a, indices, out);
        return Autograd.record("index", out, g -> {
            Tensor dx = Tensor.zeros(be, x.shape());
            be.indexAdd(g, a, indices, dx);
            return new Tensor[] {dx, null};
        }, x, indices);
    }

    /**
     * Integer indexing with positions given on the host.
     *
     * @param x input
     * @param axis the axis indexed (negative counts from the end)
     * @param positions the positions along {@code axis}, at least one
     * @return as {@link #index(Tensor, int, Tensor)}
     */
    public static Tensor index(Tensor x, int axis, int... positions) {
        if (positions.length == 0) {
            throw new IllegalArgumentException("index: no positions given for shape " + x.shape());
        }
        float[] f = new float[positions.length];
        for (int j = 0; j < f.length; j++) {
            f[j] = positions[j];
        }
        return index(x, axis, Tensor.of(x.backend(), f, Shape.of(f.length)));
    }

    /**
     * Joins tensors along an existing axis (PyTorch's {@code cat}).
     *
     * @param axis the axis joined along (negative counts from the end)
     * @param xs the tensors, at least one, on one backend, equal in every other dimension
     * @return their concatenation
     * @throws IllegalArgumentException naming the first tensor whose shape does not fit
     */
    public static Tensor concat(int axis, Tensor... xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Checks.sameBackend("concat", xs);
        int a = Checks.axis("concat", xs[0], axis);
        int[] dims = xs[0].shape().dims();
        int total = 0;
        int[] offsets = new int[xs.length];
        for (int k = 0; k < xs.length; k++) {
            int[] d = xs[k].shape().dims();
            int along = d.length == dims.length ? d[a] : -1;
            if (along > 0) {
                d[a] = dims[a];
            }
            if (!Arrays.equals(d, dims)) {
                throw new IllegalArgumentException("concat: tensor " + k + " has shape " + xs[k].shape()
                        + " but tensor 0 has " + xs[0].shape() + "; they must agree on every axis but " + a);
            }
            offsets[k] = total;
            total += along;
        }
        dims[a] = total;
        Backend be = xs[0].backend();
        Tensor out = Tensor.zeros(be, Shape.of(dims));
        int[] outStrides = out.shape().strides();
        for (int k = 0; k < xs.length; k++) {
            be.copyStrided(xs[k], 0, xs[k].shape().strides(), out, offsets[k] * outStrides[a], outStrides,
                    xs[k].shape().dims());
        }
        Tensor[] inputs = xs.clone();
        return Autograd.record("concat", out, g -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int k = 0; k < inputs.length; k++) {
                if (Autograd.needsGrad(inputs[k])) {
                    Shape s = inputs[k].shape();
                    grads[k] = Tensor.zeros(be, s);
                    be.copyStrided(g, offsets[k] * outStrides[a], outStrides, grads[k], 0, s.strides(), s.dims());
                }
            }
            return grads;
        }, inputs);
    }

    /**
     * Joins tensors of one shape along a new axis (PyTorch's {@code stack}): {@code reshape} each to have a
     * 1 at {@code axis}, then {@link #concat}.
     *
     * @param axis where the new axis goes, in {@code [0, rank]} (negative counts from the end of the result)
     * @param xs the tensors, at least one, all of one shape
     * @return the stacked tensor, of rank one more
     * @throws IllegalArgumentException if the shapes differ or the axis is out of range
     */
    public static Tensor stack(int axis, Tensor... xs) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("stack: no tensors given");
        }
        int rank = xs[0].rank();
        int a = axis < 0 ? axis + rank + 1 : axis;
        if (a < 0 || a > rank) {
            throw new IllegalArgumentException("stack: axis " + axis + " is out of range for stacking shape "
                    + xs[0].shape() + " (allowed: " + (-rank - 1) + " to " + rank + ")");
        }
        Tensor[] lifted = new Tensor[xs.length];
        for (int k = 0; k < xs.length; k++) {
            if (!xs[k].shape().equals(xs[0].shape())) {
                throw new IllegalArgumentException("stack: tensor " + k + " has shape " + xs[k].shape()
                        + " but tensor 0 has " + xs[0].shape() + "; stacked tensors must have one shape");
            }
            int[] d = new int[rank + 1];
            for (int i = 0, j = 0; i <= rank; i++) {
                d[i] = i == a ? 1 : xs[k].dim(j++);
            }
            lifted[k] = reshape(xs[k], d);
        }
        return concat(a, lifted);
    }

    /** Copies {@code src} broadcast (NumPy rules) into every element of {@code dst}; not recorded. */
    static void broadcastInto(Tensor src, Tensor dst) {
        Shape s = dst.shape();
        src.backend().copyStrided(src, 0, src.shape().broadcastStrides(s), dst, 0, s.strides(), s.dims());
    }
}
