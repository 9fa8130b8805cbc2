package org.deeprelax.core;

import java.util.Arrays;

/**
 * A float32 tensor: a shape and a contiguous row-major view (offset, size) into a {@link Storage} that
 * belongs to one {@link Backend}. It also carries what autograd needs: whether it requires a gradient,
 * its accumulated gradient, and the node of the graph that produced it.
 *
 * <p>Operations live in families ({@link Elementwise}, {@link Reductions}, {@link Layout},
 * {@link MatMul}, {@link Softmax}, {@link Losses}, {@link Conv}, {@link Pool}, {@link BatchNorm},
 * {@link LayerNorm}, {@link Dropout}); the instance methods here are shortcuts to them. An operation of
 * one's own, with its own backward, is written with {@link Autograd#record}.
 *
 * <p>The factories that take no {@link Backend} ({@link #zeros(int...)}, {@link #ones(int...)},
 * {@link #of(float[], int...)}, {@link #scalar(float)}) make CPU tensors; on another backend, use the
 * forms that take one, or {@link #to(Backend)}.
 */
public final class Tensor {

    private final Storage storage;
    private final int offset;
    private final Shape shape;
    private boolean requiresGrad;
    private Tensor grad;
    Node gradFn;

    /**
     * Creates a view. Most code uses the factories instead.
     *
     * @param storage the storage viewed
     * @param offset first element of the view
     * @param shape the view's shape
     * @throws IllegalArgumentException if the view does not fit in the storage
     */
    public Tensor(Storage storage, int offset, Shape shape) {
        if (offset < 0 || (long) offset + shape.size() > storage.size()) {
            throw new IllegalArgumentException("a view of shape " + shape + " at offset " + offset
                    + " does not fit in a storage of " + storage.size() + " elements");
        }
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
    }

    // ---- creation -------------------------------------------------------------------------------

    /**
     * A tensor of zeros. Made while a {@link TensorScope} is open on this thread, it belongs to that scope.
     *
     * @param backend where it lives
     * @param shape its shape
     * @return the tensor
     */
    public static Tensor zeros(Backend backend, Shape shape) {
        Tensor t = zerosOutsideScopes(backend, shape);
        TensorScope.track(t.storage);
        return t;
    }

    /** Zeros that belong to no scope: a leaf's gradient lives as long as the leaf, wherever it was made. */
    static Tensor zerosOutsideScopes(Backend backend, Shape shape) {
        return new Tensor(backend.allocate(shape.size()), 0, shape);
    }

    /**
     * A tensor of zeros on the CPU backend; {@link #zeros(Backend, Shape)} makes one elsewhere.
     *
     * @param dims its shape
     * @return the tensor, on {@link Backends#cpu()}
     */
    public static Tensor zeros(int... dims) {
        return zeros(Backends.cpu(), Shape.of(dims));
    }

    /**
     * A tensor of ones.
     *
     * @param backend where it lives
     * @param shape its shape
     * @return the tensor
     */
    public static Tensor ones(Backend backend, Shape shape) {
        return full(backend, shape, 1f);
    }

    /**
     * A tensor of ones on the CPU backend; {@link #ones(Backend, Shape)} makes one elsewhere.
     *
     * @param dims its shape
     * @return the tensor, on {@link Backends#cpu()}
     */
    public static Tensor ones(int... dims) {
        return ones(Backends.cpu(), Shape.of(dims));
    }

    /**
     * A tensor filled with one value.
     *
     * @param backend where it lives
     * @param shape its shape
     * @param value the value of every element
     * @return the tensor
     */
    public static Tensor full(Backend backend, Shape shape, float value) {
        Tensor t = zeros(backend, shape);
        backend.fill(t, value);
        return t;
    }

    /**
     * A tensor holding given values.
     *
     * @param backend where it lives
     * @param data the elements, row-major (copied)
     * @param shape the shape
     * @return a tensor holding {@code data}
     * @throws IllegalArgumentException if the length does not match the shape
     */
    public static Tensor of(Backend backend, float[] data, Shape shape) {
        if (data.length != shape.size()) {
            throw new IllegalArgumentException("Tensor.of: " + data.length + " values do not fill shape " + shape
                    + " (" + shape.size() + " elements)");
        }
        Tensor t = zeros(backend, shape);
        backend.write(data, 0, t);
        return t;
    }

    /**
     * A tensor holding given values, on the CPU backend; {@link #of(Backend, float[], Shape)} makes one
     * elsewhere.
     *
     * @param data the elements, row-major (copied)
     * @param dims its shape
     * @return the tensor, on {@link Backends#cpu()}
     * @throws IllegalArgumentException if the length does not match the shape
     */
    public static Tensor of(float[] data, int... dims) {
        return of(Backends.cpu(), data, Shape.of(dims));
    }

    /**
     * A scalar (rank 0).
     *
     * @param backend where it lives
     * @param value its value
     * @return the tensor
     */
    public static Tensor scalar(Backend backend, float value) {
        return of(backend, new float[] {value}, Shape.scalar());
    }

    /**
     * A scalar (rank 0) on the CPU backend; {@link #scalar(Backend, float)} makes one elsewhere, and
     * arithmetic with a constant needs none ({@link #add(float)}, {@link #mul(float)}).
     *
     * @param value its value
     * @return the tensor, on {@link Backends#cpu()}
     */
    public static Tensor scalar(float value) {
        return scalar(Backends.cpu(), value);
    }

    /**
     * Uniform values in [lo, hi) from Philox.
     *
     * @param backend where
     * @param shape the shape
     * @param lo lower bound
     * @param hi upper bound
     * @param seed Philox key
     * @param stream Philox stream; element i takes draw i
     * @return the tensor
     */
    public static Tensor uniform(Backend backend, Shape shape, float lo, float hi, long seed, long stream) {
        Tensor t = zeros(backend, shape);
        backend.fillUniform(t, lo, hi, seed, stream, 0);
        return t;
    }

    /**
     * Normal values from Philox by Box-Muller.
     *
     * @param backend where
     * @param shape the shape
     * @param mean mean
     * @param std standard deviation
     * @param seed Philox key
     * @param stream Philox stream; element i takes draw i
     * @return the tensor
     */
    public static Tensor normal(Backend backend, Shape shape, float mean, float std, long seed, long stream) {
        Tensor t = zeros(backend, shape);
        backend.fillNormal(t, mean, std, seed, stream, 0);
        return t;
    }

    // ---- identity -------------------------------------------------------------------------------

    /**
     * Returns the storage viewed.
     *
     * @return the storage viewed
     */
    public Storage storage() {
        return storage;
    }

    /**
     * Returns the backend that holds the storage.
     *
     * @return the backend that holds the storage
     */
    public Backend backend() {
        return storage.backend();
    }

    /**
     * Where this view starts in its storage.
     *
     * @return first element of the view in the storage
     */
    public int offset() {
        return offset;
    }

    /**
     * Returns the shape.
     *
     * @return the shape
     */
    public Shape shape() {
        return shape;
    }

    /**
     * Returns the number of elements.
     *
     * @return the number of elements
     */
    public int size() {
        return shape.size();
    }

    /**
     * Returns the rank.
     *
     * @return the rank
     */
    public int rank() {
        return shape.rank();
    }

    /**
     * The size of one axis.
     *
     * @param axis an axis; negative counts from the end
     * @return its size
     */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    // ---- autograd -------------------------------------------------------------------------------

    /**
     * Returns whether gradients flow to or through this tensor.
     *
     * @return whether gradients flow to or through this tensor
     */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /**
     * Marks a leaf as wanting a gradient.
     *
     * @param value whether it does
     * @return this
     */
    public Tensor requiresGrad(boolean value) {
        this.requiresGrad = value;
        return this;
    }

    /**
     * Returns the accumulated gradient, or null before the first backward.
     *
     * @return the accumulated gradient, or null before the first backward
     */
    public Tensor grad() {
        return grad;
    }

    /**
     * Sets where gradients accumulate: a model points each parameter at its slice of the gradient arena.
     *
     * @param g a tensor of this shape on this backend, or null
     */
    public void setGrad(Tensor g) {
        if (g != null) {
            Checks.sameShape("setGrad", shape, g.shape);
            Checks.sameBackend("setGrad", this, g);
        }
        this.grad = g;
    }

    /**
     * Returns whether this tensor was produced by a recorded operation.
     *
     * @return whether this tensor was produced by a recorded operation
     */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Back-propagates from this scalar with seed gradient 1. */
    public void backward() {
        Autograd.backward(this, null);
    }

    /**
     * Back-propagates from this tensor, given the gradient of a scalar with respect to it.
     *
     * @param seed the gradient of some scalar with respect to this tensor (same shape)
     */
    public void backward(Tensor seed) {
        Autograd.backward(this, seed);
    }

    /**
     * Returns a tensor sharing this storage but cut from the graph, not requiring a gradient.
     *
     * @return a tensor sharing this storage but cut from the graph, not requiring a gradient
     */
    public Tensor detach() {
        return new Tensor(storage, offset, shape);
    }

    // ---- views ----------------------------------------------------------------------------------

    /**
     * A view with another shape of the same size; no copy. One dimension may be -1 (inferred).
     *
     * @param dims the new shape
     * @return the view, recorded for autograd
     */
    public Tensor reshape(int... dims) {
        return Layout.reshape(this, dims);
    }

    /**
     * Returns a 1-D view of every element.
     *
     * @return a 1-D view of every element
     */
    public Tensor flatten() {
        return reshape(-1);
    }

    /**
     * Keeps the axes before {@code startAxis} and flattens the rest: {@code [n, c, h, w].flatten(1)} is
     * {@code [n, c·h·w]}.
     *
     * @param startAxis first axis flattened
     * @return the view
     */
    public Tensor flatten(int startAxis) {
        int a = shape.normalizeAxis(startAxis);
        int[] dims = Arrays.copyOf(shape.dims(), a + 1);
        dims[a] = -1;
        return reshape(dims);
    }

    /**
     * A view of elements {@code [start, start + shape.size())} of this tensor's flat layout, sharing its
     * storage and NOT recorded for autograd: gradients do not flow through it (the parameter arena cuts
     * its parameters this way). For a slice that gradients flow through, use
     * {@link #slice(int, int, int)}.
     *
     * @param start first element, relative to this view
     * @param shape the region's shape
     * @return the view
     */
    public Tensor region(int start, Shape shape) {
        if (start < 0 || (long) start + shape.size() > size()) {
            throw new IllegalArgumentException("region of shape " + shape + " at " + start
                    + " does not fit in a tensor of " + size() + " elements");
        }
        return new Tensor(storage, offset + start, shape);
    }

    // ---- element access and transfer ------------------------------------------------------------

    /**
     * Returns every element, copied to a host array.
     *
     * @return every element, copied to a host array
     */
    public float[] toArray() {
        float[] out = new float[size()];
        backend().read(this, out, 0);
        return out;
    }

    /**
     * Returns the value of a one-element tensor.
     *
     * @return the value of a one-element tensor
     */
    public float item() {
        if (size() != 1) {
            throw new IllegalArgumentException("item: tensor of shape " + shape + " has " + size() + " elements, not 1");
        }
        return toArray()[0];
    }

    /**
     * Reads one element; for tests and debugging (it copies through the host).
     *
     * @param index one index per axis
     * @return the element
     */
    public float get(int... index) {
        float[] one = new float[1];
        backend().read(region(flatIndex(index), Shape.of(1)), one, 0);
        return one[0];
    }

    /**
     * Writes one element; for tests and debugging.
     *
     * @param value the value
     * @param index one index per axis
     */
    public void set(float value, int... index) {
        backend().write(new float[] {value}, 0, region(flatIndex(index), Shape.of(1)));
    }

    private int flatIndex(int[] index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("index " + Arrays.toString(index) + " has " + index.length
                    + " components for a tensor of rank " + shape.rank());
        }
        int[] st = shape.strides();
        int flat = 0;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= shape.dim(i)) {
                throw new IndexOutOfBoundsException("index " + Arrays.toString(index) + " is outside shape " + shape);
            }
            flat += index[i] * st[i];
        }
        return flat;
    }

    /**
     * Moves this tensor to a backend.
     *
     * @param target a backend
     * @return this tensor if already there, else a copy on {@code target} (not recorded for autograd)
     */
    public Tensor to(Backend target) {
        if (target == backend()) {
            return this;
        }
        return of(target, toArray(), shape);
    }

    // ---- operation shortcuts --------------------------------------------------------------------

    /**
     * Adds, broadcasting.
     *
     * @param other the other operand
     * @return this + other
     */
    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    /**
     * Adds a constant.
     *
     * @param c the constant
     * @return this + c
     */
    public Tensor add(float c) {
        return Elementwise.add(this, c);
    }

    /**
     * Subtracts, broadcasting.
     *
     * @param other the other operand
     * @return this − other
     */
    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    /**
     * Subtracts a constant.
     *
     * @param c the constant
     * @return this − c
     */
    public Tensor sub(float c) {
        return Elementwise.add(this, -c);
    }

    /**
     * Multiplies elementwise, broadcasting.
     *
     * @param other the other operand
     * @return this · other
     */
    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    /**
     * Multiplies by a constant.
     *
     * @param c the constant
     * @return c · this
     */
    public Tensor mul(float c) {
        return Elementwise.mul(this, c);
    }

    /**
     * Divides elementwise, broadcasting.
     *
     * @param other the denominator
     * @return this / other
     */
    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    /**
     * Negates.
     *
     * @return −this
     */
    public Tensor neg() {
        return Elementwise.neg(this);
    }

    /**
     * Rectified linear unit.
     *
     * @return max(this, 0)
     */
    public Tensor relu() {
        return Elementwise.relu(this);
    }

    /**
     * Exponential.
     *
     * @return e^this
     */
    public Tensor exp() {
        return Elementwise.exp(this);
    }

    /**
     * Natural logarithm.
     *
     * @return ln this
     */
    public Tensor log() {
        return Elementwise.log(this);
    }

    /**
     * Hyperbolic tangent, accurate over the whole float range.
     *
     * @return tanh this
     */
    public Tensor tanh() {
        return Elementwise.tanh(this);
    }

    /**
     * The logistic function, without overflow for any input.
     *
     * @return 1/(1 + e^−this)
     */
    public Tensor sigmoid() {
        return Elementwise.sigmoid(this);
    }

    /**
     * Square root.
     *
     * @return √this
     */
    public Tensor sqrt() {
        return Elementwise.sqrt(this);
    }

    /**
     * Absolute value.
     *
     * @return |this|
     */
    public Tensor abs() {
        return Elementwise.abs(this);
    }

    /**
     * Power with a constant exponent.
     *
     * @param exponent the exponent
     * @return this^exponent
     */
    public Tensor pow(float exponent) {
        return Elementwise.pow(this, exponent);
    }

    /**
     * Clamps into {@code [lo, hi]}.
     *
     * @param lo lower bound
     * @param hi upper bound
     * @return min(max(this, lo), hi)
     */
    public Tensor clamp(float lo, float hi) {
        return Elementwise.clamp(this, lo, hi);
    }

    /**
     * Matrix product of two 2-D tensors.
     *
     * @param other right operand
     * @return this · other
     */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other, false, false);
    }

    /**
     * Sums every element.
     *
     * @return the sum, a scalar
     */
    public Tensor sum() {
        return Reductions.sum(this, null, false);
    }

    /**
     * Sums over axes.
     *
     * @param axes axes to sum over
     * @param keepDims keep them with size 1
     * @return the sum
     */
    public Tensor sum(int[] axes, boolean keepDims) {
        return Reductions.sum(this, axes, keepDims);
    }

    /**
     * Averages every element.
     *
     * @return the mean, a scalar
     */
    public Tensor mean() {
        return Reductions.mean(this, null, false);
    }

    /**
     * Averages over axes.
     *
     * @param axes axes to average over
     * @param keepDims keep them with size 1
     * @return the mean
     */
    public Tensor mean(int[] axes, boolean keepDims) {
        return Reductions.mean(this, axes, keepDims);
    }

    /**
     * The maximum along an axis.
     *
     * @param axis the axis
     * @param keepDims keep it with size 1
     * @return the maxima
     */
    public Tensor max(int axis, boolean keepDims) {
        return Reductions.max(this, axis, keepDims);
    }

    /**
     * Where the maximum along an axis is.
     *
     * @param axis the axis
     * @param keepDims keep it with size 1
     * @return the first position of each maximum, as floats
     */
    public Tensor argmax(int axis, boolean keepDims) {
        return Reductions.argmax(this, axis, keepDims);
    }

    /**
     * Reorders the axes.
     *
     * @param perm axis {@code i} of the result is axis {@code perm[i]} of this
     * @return the permuted copy
     */
    public Tensor permute(int... perm) {
        return Layout.permute(this, perm);
    }

    /**
     * Swaps two axes.
     *
     * @param a one axis
     * @param b the other
     * @return the transposed copy
     */
    public Tensor transpose(int a, int b) {
        return Layout.transpose(this, a, b);
    }

    /**
     * Positions {@code [start, end)} along an axis, recorded for autograd.
     *
     * @param axis the axis
     * @param start first position kept (negative counts from the end)
     * @param end one past the last (negative counts from the end)
     * @return the slice, a copy
     */
    public Tensor slice(int axis, int start, int end) {
        return Layout.slice(this, axis, start, end);
    }

    /**
     * One position along an axis, the axis removed.
     *
     * @param axis the axis
     * @param index the position
     * @return the selected copy
     */
    public Tensor select(int axis, int index) {
        return Layout.select(this, axis, index);
    }

    /**
     * Integer indexing along an axis.
     *
     * @param axis the axis
     * @param positions the positions, which may repeat
     * @return the gathered copy
     */
    public Tensor index(int axis, int... positions) {
        return Layout.index(this, axis, positions);
    }

    /**
     * Softmax along an axis.
     *
     * @param axis the axis
     * @return softmax along it
     */
    public Tensor softmax(int axis) {
        return Softmax.softmax(this, axis);
    }

    /**
     * Log-softmax along an axis.
     *
     * @param axis the axis
     * @return log-softmax along it
     */
    public Tensor logSoftmax(int axis) {
        return Softmax.logSoftmax(this, axis);
    }

    /** Shows the shape, the backend, and up to the first eight values. */
    @Override
    public String toString() {
        int shown = Math.min(size(), 8);
        float[] head = new float[shown];
        if (shown > 0) {
            backend().read(region(0, Shape.of(shown)), head, 0);
        }
        StringBuilder sb = new StringBuilder("Tensor").append(shape).append(' ').append(backend().name()).append(" [");
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ").append(head[i]);
        }
        sb.append(size() > shown ? ", ...]" : "]");
        if (requiresGrad) {
            sb.append(" requiresGrad");
        }
        return sb.toString();
    }
}
