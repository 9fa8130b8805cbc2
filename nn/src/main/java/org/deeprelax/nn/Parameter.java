package org.deeprelax.nn;

import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;

/**
 * A named tensor of a module, declared with its shape and initialiser, and bound by {@link Model} to a
 * view of the model's arena at a fixed offset. A trainable parameter's gradient is a view of the
 * gradient arena at the same offset, so the optimizers see the whole model as two flat vectors.
 * Non-trainable ones (batch-norm running averages) live in the buffer arena and have no gradient.
 */
public final class Parameter {

    private final String name;
    private final Shape shape;
    private final Init init;
    private final boolean trainable;
    private Tensor value;
    private int offset = -1;

    Parameter(String name, Shape shape, Init init, boolean trainable) {
        this.name = name;
        this.shape = shape;
        this.init = init;
        this.trainable = trainable;
    }

    /**
     * Returns the name within its module, such as {@code weight}.
     *
     * @return the name within its module, such as {@code weight}
     */
    public String name() {
        return name;
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
     * Returns whether it is trained (else it is a buffer).
     *
     * @return whether it is trained (else it is a buffer)
     */
    public boolean trainable() {
        return trainable;
    }

    Init init() {
        return init;
    }

    /**
     * Returns the value, a view into the arena; gradients accumulate into {@code value().grad()}.
     *
     * @return the value, a view into the arena; gradients accumulate into {@code value().grad()}
     */
    public Tensor value() {
        if (value == null) {
            throw new IllegalStateException("parameter '" + name + "' is not bound to a model yet; build one with Model.build");
        }
        return value;
    }

    /**
     * Returns the first element of this parameter in its arena.
     *
     * @return the first element of this parameter in its arena
     */
    public int offset() {
        return offset;
    }

    void bind(Tensor view, int offset) {
        this.value = view;
        this.offset = offset;
    }
}
