package org.deeprelax.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.io.StateFile;

/**
 * A module tree placed on a backend, with all its trainable parameters in one flat arena, their
 * gradients in a second arena of the same layout, and its buffers in a third.
 * An optimizer then updates the whole model in one pass over {@link #parameters()} and
 * {@link #gradients()}.
 *
 * <p>The model also owns the random state of its forward passes: a seed and a count of forward calls,
 * from which each dropout layer addresses its Philox draws. Saving that count with the parameters is
 * what makes a resumed run draw the same masks as an uninterrupted one.
 */
public final class Model {

    /** Philox streams below this are for initialisation (one per tensor); dropout layers count up from it. */
    static final long DROPOUT_STREAM_BASE = 1L << 32;

    private final String name;
    private final Module root;
    private final Backend backend;
    private final long seed;
    private final Map<String, Parameter> named = new LinkedHashMap<>();
    private final Tensor paramArena;
    private final Tensor gradArena;
    private final Tensor bufferArena;
    private long dropoutLayers;
    private long forwardCount;

    private Model(String name, Module root, Backend backend, long seed) {
        this.name = name;
        this.root = root;
        this.backend = backend;
        this.seed = seed;
        Map<String, Module> modules = root.namedModules();
        modules.forEach((path, m) -> {
            if (m.model() != null) {
                throw new IllegalStateException("Model.build('" + name + "'): module " + m + " at '"
                        + (path.isEmpty() ? "(root)" : path) + "' already belongs to model '" + m.model().name()
                        + "'; its parameters are views into that model's arena, so a module tree serves one model."
                        + " Build a fresh tree for each model (for the built-in networks, Models.create again)");
            }
        });
        modules.forEach((path, m) -> {
            for (Parameter p : m.ownParameters()) {
                named.put(path.isEmpty() ? p.name() : path + "." + p.name(), p);
            }
        });
        int paramSize = 0;
        int bufferSize = 0;
        for (Parameter p : named.values()) {
            if (p.trainable()) {
                paramSize += p.shape().size();
            } else {
                bufferSize += p.shape().size();
            }
        }
        paramArena = Tensor.zeros(backend, Shape.of(Math.max(1, paramSize)));
        gradArena = Tensor.zeros(backend, Shape.of(Math.max(1, paramSize)));
        bufferArena = Tensor.zeros(backend, Shape.of(Math.max(1, bufferSize)));
        int po = 0;
        int bo = 0;
        long stream = 0;
        for (Parameter p : named.values()) {
            Shape s = p.shape();
            if (p.trainable()) {
                Tensor view = paramArena.region(po, s);
                view.requiresGrad(true);
                view.setGrad(gradArena.region(po, s));
                p.bind(view, po);
                po += s.size();
            } else {
                p.bind(bufferArena.region(bo, s), bo);
                bo += s.size();
            }
            p.init().fill(p.value(), seed, stream++);
        }
        for (Module m : modules.values()) {
            m.bindTo(this);
        }
    }

    /**
     * Places {@code root} on {@code backend}: allocates the arenas and initialises every parameter
     * from {@code seed}.
     *
     * @param name the model's name, saved in checkpoints and checked on load
     * @param root the module tree
     * @param backend where the arenas live
     * @param seed the seed of initialisation and dropout
     * @return the model, in training mode
     * @throws IllegalStateException if a module of the tree already belongs to a model, or appears twice
     */
    public static Model build(String name, Module root, Backend backend, long seed) {
        Model m = new Model(name, root, backend, seed);
        root.apply(module -> module.attach(m));
        root.train(true);
        return m;
    }

    /**
     * Runs the model. Each call advances the forward count that dropout draws from.
     *
     * @param x a batch
     * @return the output (logits for the classifiers)
     */
    public Tensor forward(Tensor x) {
        forwardCount++;
        return root.forward(x);
    }

    /** Switches to training mode: batch statistics, dropout on. */
    public void train() {
        root.train(true);
    }

    /** Switches to evaluation mode: running averages, dropout off. */
    public void eval() {
        root.train(false);
    }

    /** @return whether in training mode */
    public boolean isTraining() {
        return root.isTraining();
    }

    /** Sets every gradient to zero, in one pass over the gradient arena. */
    public void zeroGrad() {
        backend.fill(gradArena, 0f);
    }

    /** @return the parameter arena: every trainable value, flat */
    public Tensor parameters() {
        return paramArena;
    }

    /** @return the gradient arena, same layout as {@link #parameters()} */
    public Tensor gradients() {
        return gradArena;
    }

    /** @return the buffer arena (batch-norm running averages) */
    public Tensor buffers() {
        return bufferArena;
    }

    /** @return the number of trainable scalars */
    public int parameterCount() {
        int n = 0;
        for (Parameter p : named.values()) {
            n += p.trainable() ? p.shape().size() : 0;
        }
        return n;
    }

    /**
     * Every parameter and buffer by its path: the children's names down the tree and the parameter's own,
     * such as {@code features.conv1.weight}.
     *
     * @return path to parameter, in arena order
     */
    public Map<String, Parameter> namedParameters() {
        return Collections.unmodifiableMap(named);
    }

    /** @return the module tree */
    public Module root() {
        return root;
    }

    /** @return the backend holding the arenas */
    public Backend backend() {
        return backend;
    }

    /** @return the model's name */
    public String name() {
        return name;
    }

    /** @return the seed of initialisation and dropout */
    public long seed() {
        return seed;
    }

    /** @return how many forward passes have run; dropout addresses its draws by it */
    public long forwardCount() {
        return forwardCount;
    }

    /**
     * Hands a layer its own Philox stream for random masks; layers call it from {@link Module#attach}.
     *
     * @return a stream no other layer of this model has
     */
    public long nextDropoutStream() {
        return DROPOUT_STREAM_BASE + dropoutLayers++;
    }

    /** @return the model's name and every tensor's path and shape: two models load each other's state only if equal */
    public String signature() {
        List<String> parts = new ArrayList<>();
        named.forEach((k, p) -> parts.add(k + p.shape()));
        return name + " {" + String.join(", ", parts) + "}";
    }

    /**
     * Writes the parameters, buffers and forward count into {@code out} under the prefix {@code model.}.
     *
     * @param out the state being assembled
     */
    public void saveState(StateFile out) {
        out.putString("model.signature", signature());
        out.putFloats("model.parameters", paramArena.toArray());
        out.putFloats("model.buffers", bufferArena.toArray());
        out.putLongs("model.forwardCount", new long[] {forwardCount});
    }

    /**
     * Restores what {@link #saveState} wrote.
     *
     * @param in the state read
     * @throws IllegalArgumentException if it holds another model, naming both
     */
    public void loadState(StateFile in) {
        String theirs = in.getString("model.signature");
        if (!theirs.equals(signature())) {
            throw new IllegalArgumentException(in.source() + " holds a different model: " + shortSignature(theirs)
                    + ", not " + shortSignature(signature()));
        }
        backend.write(in.getFloats("model.parameters"), 0, paramArena);
        backend.write(in.getFloats("model.buffers"), 0, bufferArena);
        forwardCount = in.getLongs("model.forwardCount")[0];
    }

    private static String shortSignature(String sig) {
        return sig.length() <= 160 ? sig : sig.substring(0, 160) + "…";
    }
}
