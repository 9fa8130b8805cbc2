package org.deeprelax.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeprelax.core.Autograd;
import org.deeprelax.core.Backend;
import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.TensorScope;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.nn.data.Batch;

/**
 * A module tree placed on a backend, with all its trainable parameters in one {@link ParameterArena} (a
 * flat arena of values and a second of gradients, laid out by parameter group) and its buffers in a third
 * arena. An optimizer then updates the whole model in one pass per group over {@link #parameters()}.
 *
 * <p>The model also owns the random state of its forward passes: a seed and a count of training forward
 * passes, from which each dropout layer addresses its Philox draws. Saving that count with the
 * parameters is what makes a resumed run draw the same masks as an uninterrupted one. Forward passes in
 * evaluation mode, and the batch-norm re-estimation pass, draw nothing and do not advance the count, so
 * validating between epochs never changes how training goes on.
 */
public final class Model {

    /** Philox streams below this are for initialisation (one per tensor); dropout layers count up from it. */
    static final long DROPOUT_STREAM_BASE = 1L << 32;

    private final String name;
    private final Module root;
    private final Backend backend;
    private final long seed;
    private final Map<String, Parameter> named = new LinkedHashMap<>();
    private final ParameterArena arena;
    private final Tensor bufferArena;
    private long dropoutLayers;
    private long forwardCount;
    private boolean estimatingStatistics;

    private Model(String name, Module root, Backend backend, long seed, Grouping grouping) {
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
        ParameterArena.Builder params = ParameterArena.builder(backend, seed);
        int bufferSize = 0;
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            Parameter p = e.getValue();
            if (p.trainable()) {
                params.group(grouping.groupOf(e.getKey(), p)).add(e.getKey(), p.shape());
            } else {
                bufferSize += p.shape().size();
            }
        }
        arena = params.build();
        bufferArena = Tensor.zeros(backend, Shape.of(Math.max(1, bufferSize)));
        int bo = 0;
        long stream = 0;
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            Parameter p = e.getValue();
            if (p.trainable()) {
                ParameterArena.Slice s = arena.slice(e.getKey());
                p.bind(s.value(), s.offset());
            } else {
                p.bind(bufferArena.region(bo, p.shape()), bo);
                bo += p.shape().size();
            }
            // Streams follow declaration order, so a tensor's first values do not depend on the grouping.
            p.init().fill(p.value(), seed, stream++);
        }
        for (Module m : modules.values()) {
            m.bindTo(this);
        }
    }

    /**
     * Places {@code root} on {@code backend} with every parameter in one group: allocates the arenas and
     * initialises every parameter from {@code seed}.
     *
     * @param name the model's name, saved in checkpoints and checked on load
     * @param root the module tree
     * @param backend where the arenas live
     * @param seed the seed of initialisation, dropout and (unless an optimizer is told otherwise) its noise
     * @return the model, in training mode
     * @throws IllegalStateException if a module of the tree already belongs to a model, or appears twice
     */
    public static Model build(String name, Module root, Backend backend, long seed) {
        return build(name, root, backend, seed, Grouping.single());
    }

    /**
     * Places {@code root} on {@code backend} with its parameters in the groups {@code grouping} names,
     * for example {@link Grouping#byDecay()} to keep biases and batch-norm parameters out of weight decay.
     * The grouping changes the arena's layout, never a parameter's initial values.
     *
     * @param name the model's name, saved in checkpoints and checked on load
     * @param root the module tree
     * @param backend where the arenas live
     * @param seed the seed of initialisation, dropout and (unless an optimizer is told otherwise) its noise
     * @param grouping the group of each trainable tensor
     * @return the model, in training mode
     * @throws IllegalStateException if a module of the tree already belongs to a model, or appears twice
     */
    public static Model build(String name, Module root, Backend backend, long seed, Grouping grouping) {
        Model m = new Model(name, root, backend, seed, grouping);
        root.apply(module -> module.attach(m));
        root.train(true);
        return m;
    }

    /**
     * Runs the model. A forward pass in training mode advances the count that dropout draws from; one in
     * evaluation mode does not.
     *
     * @param x a batch
     * @return the output (logits for the classifiers)
     */
    public Tensor forward(Tensor x) {
        if (isTraining()) {
            forwardCount++;
        }
        return root.forward(x);
    }

    /**
     * Re-estimates the batch-norm running statistics at the current parameters by a pass over
     * {@code batches} in training mode with dropout off and no graph recorded (the reference code's "dry
     * feed"): an optimizer that evaluates gradients away from the parameters it returns, as Entropy-SGD's
     * inner loop does, leaves running averages that describe those other points. The pass draws no
     * dropout mask and leaves the forward count, and the mode, as they were.
     *
     * @param batches the data, typically the training set in order ({@code BatchLoader.inOrder()})
     */
    public void reestimateBatchNorm(Iterable<Batch> batches) {
        boolean wasTraining = isTraining();
        root.train(true);
        estimatingStatistics = true;
        try (var scope = Autograd.noGrad()) {
            TensorScope.forEach(batches, b -> root.forward(b.images()));
        } finally {
            estimatingStatistics = false;
            root.train(wasTraining);
        }
    }

    /**
     * Whether a forward pass now draws random masks: in training mode, except during
     * {@link #reestimateBatchNorm}. Layers that draw (dropout) ask before drawing.
     *
     * @return whether to draw
     */
    public boolean drawsMasks() {
        return isTraining() && !estimatingStatistics;
    }

    /** Switches to training mode: batch statistics, dropout on. */
    public void train() {
        root.train(true);
    }

    /** Switches to evaluation mode: running averages, dropout off. */
    public void eval() {
        root.train(false);
    }

    /**
     * Whether the model is in training mode.
     *
     * @return true in training mode
     */
    public boolean isTraining() {
        return root.isTraining();
    }

    /**
     * The trainable parameters: the arena an optimizer takes.
     *
     * @return the parameter arena, its slices named by path ({@code 3.weight})
     */
    public ParameterArena parameters() {
        return arena;
    }

    /**
     * The buffer arena: the batch-norm running averages, saved with the model but not trained.
     *
     * @return the buffers, flat
     */
    public Tensor buffers() {
        return bufferArena;
    }

    /**
     * Every parameter and buffer by its path: the children's names down the tree and the parameter's own,
     * such as {@code features.conv1.weight}, in declaration order.
     *
     * @return path to parameter
     */
    public Map<String, Parameter> namedParameters() {
        return Collections.unmodifiableMap(named);
    }

    /**
     * The module tree.
     *
     * @return the root module
     */
    public Module root() {
        return root;
    }

    /**
     * The backend holding the arenas.
     *
     * @return the backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * The model's name, saved in checkpoints and checked on load.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * The seed of initialisation and dropout, also the parameter arena's seed.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * How many training forward passes have run; dropout addresses its draws by it.
     *
     * @return the count
     */
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

    /**
     * The model's name and every tensor's path and shape, then the parameter arena's layout by group:
     * two models load each other's state only if their signatures are equal.
     *
     * @return the signature
     */
    public String signature() {
        List<String> parts = new ArrayList<>();
        named.forEach((k, p) -> parts.add(k + p.shape()));
        return name + " {" + String.join(", ", parts) + "} groups {" + arena.layout() + "}";
    }

    /**
     * Writes the parameters (with the seed), buffers and forward count into {@code out} under the prefix
     * {@code model.}.
     *
     * @param out the state being assembled
     */
    public void saveState(StateFile out) {
        out.putString("model.signature", signature());
        arena.saveState(out, "model.parameters");
        out.putFloats("model.buffers", bufferArena.toArray());
        out.putLongs("model.forwardCount", new long[] {forwardCount});
    }

    /**
     * Restores what {@link #saveState} wrote.
     *
     * @param in the state read
     * @throws IllegalArgumentException if it holds another model (naming both), one built with another seed
     *     (naming both seeds), or a section of the wrong length or with a non-finite value (naming it and the
     *     byte offset); the model is then unchanged
     */
    public void loadState(StateFile in) {
        String theirs = in.getString("model.signature");
        if (!theirs.equals(signature())) {
            throw new IllegalArgumentException(in.source() + " holds a different model: " + shortSignature(theirs)
                    + ", not " + shortSignature(signature()));
        }
        float[] buffers = in.getFiniteFloats("model.buffers", bufferArena.size());
        long forwards = in.getLong("model.forwardCount", 0, Long.MAX_VALUE);
        arena.loadState(in, "model.parameters");
        backend.write(buffers, 0, bufferArena);
        forwardCount = forwards;
    }

    private static String shortSignature(String sig) {
        return sig.length() <= 160 ? sig : sig.substring(0, 160) + "…";
    }
}
