package org.deeprelax.core;

import java.util.Arrays;

/**
 * A float32 tensor: a shape and a contiguous row-major view (offset, size) into a {@link Storage} that
 * belongs to one {@link Backend}. It also carries what autograd needs: whether it requires a gradient,
 * its accumulated gradient, and the node of the graph that produced it.
 *
 * <p>Operations live in families ({@link Elementwise}, {@link Reductions}, {@link MatMul},
 * {@link Softmax}, {@link Conv}, {@link Pool}, {@link BatchNorm}, {@link Dropout}); the instance
 * methods here are shortcuts to them.
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

    /** @param backend where @param shape the shape @return a tensor of zeros */
    public static Tensor zeros(Backend backend, Shape shape) {
        return new Tensor(backend.allocate(shape.size()), 0, shape);
    }

    /** @param dims the shape @return a CPU tensor of zeros */
    public static Tensor zeros(int... dims) {
        return zeros(Backends.cpu(), Shape.of(dims));
    }

    /** @param backend where @param shape the shape @return a tensor of ones */
    public static Tensor ones(Backend backend, Shape shape) {
        return full(backend, shape, 1f);
    }

    /** @param dims the shape @return a CPU tensor of ones */
    public static Tensor ones(int... dims) {
        return ones(Backends.cpu(), Shape.of(dims));
    }

    /** @param backend where @param shape the shape @param value the value @return a tensor filled with value */
    public static Tensor full(Backend backend, Shape shape, float value) {
        Tensor t = zeros(backend, shape);
        backend.fill(t, value);
        return t;
    }

    /**
     * @param backend where
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

    /** @param data the elements (copied) @param dims the shape @return a CPU tensor */
    public static Tensor of(float[] data, int... dims) {
        return of(Backends.cpu(), data, Shape.of(dims));
    }

    /** @param value the value @return a CPU scalar (rank 0) */
    public static Tensor scalar(float value) {
        return of(Backends.cpu(), new float[] {value}, Shape.scalar());
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

    /** @return the storage viewed */
    public Storage storage() {
        return storage;
    }

    /** @return the backend that holds the storage */
    public Backend backend() {
        return storage.backend();
    }

    /** @return first element of the view in the storage */
    public int offset() {
        return offset;
    }

    /** @return the shape */
    public Shape shape() {
        return shape;
    }

    /** @return the number of elements */
    public int size() {
        return shape.size();
    }

    /** @return the rank */
    public int rank() {
        return shape.rank();
    }

    /** @param axis an axis; negative counts from the end @return its size */
    public int dim(int axis) {
        return shape.dim(axis);
    }

    // ---- autograd -------------------------------------------------------------------------------

    /** @return whether gradients flow to or through this tensor */
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

    /** @return the accumulated gradient, or null before the first backward */
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

    /** @return whether this tensor was produced by a recorded operation */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Back-propagates from this scalar with seed gradient 1. */
    public void backward() {
        Autograd.backward(this, null);
    }

    /** @param seed the gradient of some scalar with respect to this tensor (same shape) */
    public void backward(Tensor seed) {
        Autograd.backward(this, seed);
    }

    /** @return a tensor sharing this storage but cut from the graph, not requiring a gradient */
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
        return Views.reshape(this, dims);
    }

    /** @return a 1-D view of every element */
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
     * A view of elements {@code [start, start + shape.size())} of this tensor's flat layout, not
     * recorded for autograd (the parameter arena cuts its slices this way).
     *
     * @param start first element, relative to this view
     * @param shape the slice's shape
     * @return the view
     */
    public Tensor slice(int start, Shape shape) {
        if (start < 0 || (long) start + shape.size() > size()) {
            throw new IllegalArgumentException("slice of shape " + shape + " at " + start
                    + " does not fit in a tensor of " + size() + " elements");
        }
        return new Tensor(storage, offset + start, shape);
    }

    // ---- element access and transfer ------------------------------------------------------------

    /** @return every element, copied to a host array */
    public float[] toArray() {
        float[] out = new float[size()];
        backend().read(this, out, 0);
        return out;
    }

    /** @return the value of a one-element tensor */
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
        backend().read(slice(flatIndex(index), Shape.of(1)), one, 0);
        return one[0];
    }

    /**
     * Writes one element; for tests and debugging.
     *
     * @param value the value
     * @param index one index per axis
     */
    public void set(float value, int... index) {
        backend().write(new float[] {value}, 0, slice(flatIndex(index), Shape.of(1)));
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

    /** @param other broadcast operand @return this + other */
    public Tensor add(Tensor other) {
        return Elementwise.add(this, other);
    }

    /** @param other broadcast operand @return this − other */
    public Tensor sub(Tensor other) {
        return Elementwise.sub(this, other);
    }

    /** @param other broadcast operand @return this · other */
    public Tensor mul(Tensor other) {
        return Elementwise.mul(this, other);
    }

    /** @param other broadcast operand @return this / other */
    public Tensor div(Tensor other) {
        return Elementwise.div(this, other);
    }

    /** @return max(this, 0) */
    public Tensor relu() {
        return Elementwise.relu(this);
    }

    /** @return e^this */
    public Tensor exp() {
        return Elementwise.exp(this);
    }

    /** @return ln this */
    public Tensor log() {
        return Elementwise.log(this);
    }

    /** @param other right operand @return the matrix product */
    public Tensor matmul(Tensor other) {
        return MatMul.matmul(this, other, false, false);
    }

    /** @return the sum of all elements, a scalar */
    public Tensor sum() {
        return Reductions.sum(this, null, false);
    }

    /** @param axes axes to sum over @param keepDims keep them with size 1 @return the sum */
    public Tensor sum(int[] axes, boolean keepDims) {
        return Reductions.sum(this, axes, keepDims);
    }

    /** @return the mean of all elements, a scalar */
    public Tensor mean() {
        return Reductions.mean(this, null, false);
    }

    /** @param axes axes to average over @param keepDims keep them with size 1 @return the mean */
    public Tensor mean(int[] axes, boolean keepDims) {
        return Reductions.mean(this, axes, keepDims);
    }

    /** @param axis the axis @return softmax along it */
    public Tensor softmax(int axis) {
        return Softmax.softmax(this, axis);
    }

    /** @param axis the axis @return log-softmax along it */
    public Tensor logSoftmax(int axis) {
        return Softmax.logSoftmax(this, axis);
    }

    /** Shows the shape, the backend, and up to the first eight values. */
    @Override
    public String toString() {
        int shown = Math.min(size(), 8);
        float[] head = new float[shown];
        if (shown > 0) {
            backend().read(slice(0, Shape.of(shown)), head, 0);
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
