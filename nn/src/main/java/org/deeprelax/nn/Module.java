package org.deeprelax.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;

/**
 * A layer or a container of layers. Subclasses declare their parameters and buffers in their
 * constructor with {@link #parameter} and {@link #buffer}, list their children with {@link #child},
 * and implement {@link #forward}. Nothing is allocated until {@link Model#build} places every
 * parameter in the model's arenas.
 */
public abstract class Module {

    private final List<Parameter> parameters = new ArrayList<>();
    private final List<Module> children = new ArrayList<>();
    private boolean training = true;

    /**
     * Applies the module.
     *
     * @param x input
     * @return output
     */
    public abstract Tensor forward(Tensor x);

    /**
     * Declares a trainable parameter.
     *
     * @param name its name
     * @param shape its shape
     * @param init how it is first filled
     * @return the parameter, bound when the model is built
     */
    protected final Parameter parameter(String name, Shape shape, Init init) {
        Parameter p = new Parameter(name, shape, init, true);
        parameters.add(p);
        return p;
    }

    /**
     * Declares a buffer: state saved with the model but not trained (batch-norm running averages).
     *
     * @param name its name
     * @param shape its shape
     * @param init how it is first filled
     * @return the buffer, bound when the model is built
     */
    protected final Parameter buffer(String name, Shape shape, Init init) {
        Parameter p = new Parameter(name, shape, init, false);
        parameters.add(p);
        return p;
    }

    /**
     * Registers a child module, in forward order.
     *
     * @param <M> its type
     * @param m the child
     * @return the child
     */
    protected final <M extends Module> M child(M m) {
        children.add(m);
        return m;
    }

    /** @return the parameters and buffers this module declares itself (not its children's) */
    public final List<Parameter> ownParameters() {
        return Collections.unmodifiableList(parameters);
    }

    /** @return the direct children */
    public final List<Module> children() {
        return Collections.unmodifiableList(children);
    }

    /** @return whether in training mode (batch statistics, dropout on) */
    public final boolean isTraining() {
        return training;
    }

    /**
     * Sets training or evaluation mode here and in every descendant.
     *
     * @param on true for training
     */
    public final void train(boolean on) {
        training = on;
        for (Module c : children) {
            c.train(on);
        }
    }

    /**
     * Called once by {@link Model#build} for every module, depth first, so that layers needing
     * model-wide state (dropout's random stream) can take it.
     *
     * @param model the model being built
     */
    protected void attach(Model model) {
    }

    /** @return a one-line description, such as {@code Linear(784 → 1024)} */
    @Override
    public String toString() {
        return getClass().getSimpleName();
    }
}
