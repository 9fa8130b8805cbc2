package org.deeprelax.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;

/**
 * A layer or a container of layers. Subclasses declare their parameters and buffers in their
 * constructor with {@link #parameter} and {@link #buffer}, register their children by name with
 * {@link #child(String, Module)}, and implement {@link #forward}. Nothing is allocated until
 * {@link Model#build} places every parameter in the model's arenas; a parameter's path in the model is
 * the names on the way down, such as {@code features.conv1.weight}.
 *
 * <p>A module tree belongs to the one model built from it: its parameters are views into that model's
 * arena. Building a second model from the same modules is refused; build a fresh tree instead.
 */
public abstract class Module {

    private final List<Parameter> parameters = new ArrayList<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;
    private Model owner;

    /** A module with no parameters and no children yet; subclasses declare theirs in their constructor. */
    protected Module() {
    }

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
     * @param name its name, unique within this module
     * @param shape its shape
     * @param init how it is first filled
     * @return the parameter, bound when the model is built
     */
    protected final Parameter parameter(String name, Shape shape, Init init) {
        return declare(name, shape, init, true);
    }

    /**
     * Declares a buffer: state saved with the model but not trained (batch-norm running averages).
     *
     * @param name its name, unique within this module
     * @param shape its shape
     * @param init how it is first filled
     * @return the buffer, bound when the model is built
     */
    protected final Parameter buffer(String name, Shape shape, Init init) {
        return declare(name, shape, init, false);
    }

    private Parameter declare(String name, Shape shape, Init init, boolean trainable) {
        checkName("parameter", name);
        for (Parameter p : parameters) {
            if (p.name().equals(name)) {
                throw new IllegalArgumentException(this + ": a parameter or buffer named '" + name + "' exists already");
            }
        }
        Parameter p = new Parameter(name, shape, init, trainable);
        parameters.add(p);
        return p;
    }

    /**
     * Registers a child module under a name, in forward order.
     *
     * @param <M> its type
     * @param name its name, unique among this module's children, without dots
     * @param m the child
     * @return the child
     * @throws IllegalArgumentException if the name is empty, has a dot, or is taken
     */
    protected final <M extends Module> M child(String name, M m) {
        checkName("child", name);
        if (children.containsKey(name)) {
            throw new IllegalArgumentException(this + ": a child named '" + name + "' exists already");
        }
        children.put(name, m);
        return m;
    }

    /**
     * Registers a child module named by its position among the children ({@code 0}, {@code 1}, …), as
     * {@link org.deeprelax.nn.layers.Sequential} does.
     *
     * @param <M> its type
     * @param m the child
     * @return the child
     */
    protected final <M extends Module> M child(M m) {
        return child(String.valueOf(children.size()), m);
    }

    private void checkName(String what, String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(this + ": " + what + " name '" + name
                    + "' must be non-empty and without dots (dots join the names of a path)");
        }
    }

    /**
     * Lists what this module declares itself.
     *
     * @return the parameters and buffers this module declares (not its children's), in declaration order
     */
    public final List<Parameter> ownParameters() {
        return Collections.unmodifiableList(parameters);
    }

    /**
     * Lists the direct children.
     *
     * @return the children, in registration order
     */
    public final List<Module> children() {
        return List.copyOf(children.values());
    }

    /**
     * Lists the direct children with their names.
     *
     * @return name to child, in registration order
     */
    public final Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Every module of the tree, depth first, each before its children: this module first.
     *
     * @return the modules
     * @throws IllegalStateException if a module appears twice in the tree
     */
    public final List<Module> modules() {
        return List.copyOf(namedModules().values());
    }

    /**
     * Every module of the tree by its path ({@code ""} for this one, then {@code features},
     * {@code features.conv1}, …), depth first, each before its children.
     *
     * @return path to module, in that order
     * @throws IllegalStateException if a module appears twice in the tree, naming both paths
     */
    public final Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        walk("", out, new IdentityHashMap<>());
        return Collections.unmodifiableMap(out);
    }

    private void walk(String path, Map<String, Module> out, Map<Module, String> seen) {
        String earlier = seen.putIfAbsent(this, path);
        if (earlier != null) {
            throw new IllegalStateException("module " + this + " appears twice in the tree, at '" + earlier + "' and '"
                    + path + "'; each place needs its own module (sharing weights is not supported)");
        }
        out.put(path, this);
        for (Map.Entry<String, Module> c : children.entrySet()) {
            c.getValue().walk(path.isEmpty() ? c.getKey() : path + "." + c.getKey(), out, seen);
        }
    }

    /**
     * Calls {@code fn} on every module of the tree, in the order of {@link #modules()}.
     *
     * @param fn what to do with each module
     */
    public final void apply(Consumer<? super Module> fn) {
        modules().forEach(fn);
    }

    /**
     * Tells the mode.
     *
     * @return whether in training mode (batch statistics, dropout on)
     */
    public final boolean isTraining() {
        return training;
    }

    /**
     * Sets training or evaluation mode here and in every descendant.
     *
     * @param on true for training
     */
    public final void train(boolean on) {
        apply(m -> m.training = on);
    }

    /**
     * The model this module is bound to.
     *
     * @return the model built from the tree holding this module, or null before one is built
     */
    public final Model model() {
        return owner;
    }

    /** Binds this module to {@code model}; {@link Model} has checked that no module of the tree is bound. */
    final void bindTo(Model model) {
        owner = model;
    }

    /**
     * Called once by {@link Model#build} for every module, in the order of {@link #modules()}, so that
     * layers needing model-wide state (dropout's random stream) can take it.
     *
     * @param model the model being built
     */
    protected void attach(Model model) {
    }

    /**
     * Describes the module in one line.
     *
     * @return a description, such as {@code Linear(784 → 1024)}
     */
    @Override
    public String toString() {
        return getClass().getSimpleName();
    }
}
