package org.deeprelax.optim;

import java.util.LinkedHashMap;
import java.util.Map;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;
import org.deeprelax.core.io.StateFile;

/**
 * An optimizer over a model's flat arenas. {@link #step} zeroes the gradient arena before each call
 * of the closure, so closures only run forward and backward.
 */
public abstract class Optimizer {

    /** The model whose parameter arena is updated. */
    protected final Model model;
    /** The backend of the arenas; every update is one of its fused primitives. */
    protected final Backend backend;
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private float learningRate;
    private long steps;

    /**
     * @param model the model
     * @param learningRate the initial learning rate
     */
    protected Optimizer(Model model, float learningRate) {
        this.model = model;
        this.backend = model.backend();
        setLearningRate(learningRate);
    }

    /**
     * Takes one step.
     *
     * @param closure evaluates the loss and its gradient at the current parameters
     * @return the loss the closure returned (for Entropy-SGD, that of the last inner evaluation)
     * @throws DivergenceException if a loss or the parameters become NaN or infinite
     */
    public final float step(Closure closure) {
        float loss = doStep(closure);
        steps++;
        return loss;
    }

    /**
     * The optimizer's own step.
     *
     * @param closure the closure
     * @return the loss to report
     */
    protected abstract float doStep(Closure closure);

    /**
     * Zeroes the gradients, evaluates the closure and checks the loss is finite.
     *
     * @param closure the closure
     * @param inner which inner evaluation this is (0 for single-evaluation optimizers), for messages
     * @return the loss
     */
    protected final float evaluate(Closure closure, int inner) {
        model.zeroGrad();
        float loss = closure.evaluate();
        if (!Float.isFinite(loss)) {
            throw new DivergenceException(loss, steps, inner);
        }
        return loss;
    }

    /**
     * Fails if the arena holds a NaN or an infinity, naming the step; one reduction pass.
     *
     * @param t the arena to check
     * @param inner the inner step reached, for the message
     * @throws DivergenceException if it does
     */
    protected final void checkFinite(Tensor t, int inner) {
        double norm = backend.norm2(t);
        if (!Double.isFinite(norm)) {
            throw new DivergenceException("the parameters hold a NaN or an infinity", steps(), inner);
        }
    }

    /** @return gradient evaluations (closure calls) per step: the factor from epochs to effective epochs */
    public int evaluationsPerStep() {
        return 1;
    }

    /** @return the current learning rate */
    public float learningRate() {
        return learningRate;
    }

    /**
     * @param lr the new learning rate
     * @throws IllegalArgumentException if negative or not finite
     */
    public void setLearningRate(float lr) {
        Validate.nonNegative("learning rate", lr);
        this.learningRate = lr;
    }

    /** @return the number of steps taken */
    public long steps() {
        return steps;
    }

    /** @return the model optimised */
    public Model model() {
        return model;
    }

    /**
     * Allocates a state buffer of the arena's layout, saved and restored with the optimizer.
     *
     * @param name its name in checkpoints
     * @param initial the values to start from (copied), or null for zeros
     * @return the buffer
     */
    protected final Tensor buffer(String name, Tensor initial) {
        Tensor t = Tensor.zeros(backend, model.parameters().shape());
        if (initial != null) {
            backend.copy(initial, t);
        }
        buffers.put(name, t);
        return t;
    }

    /**
     * Saves the step count, the learning rate and every buffer.
     *
     * @param out the state being assembled
     */
    public final void saveState(StateFile out) {
        out.putLongs("optimizer.steps", new long[] {steps});
        out.putFloats("optimizer.learningRate", new float[] {learningRate});
        buffers.forEach((name, t) -> out.putFloats("optimizer." + name, t.toArray()));
    }

    /**
     * Restores what {@link #saveState} wrote.
     *
     * @param in the state read
     * @throws IllegalArgumentException if a buffer is missing or of another size, naming it
     */
    public final void loadState(StateFile in) {
        buffers.forEach((name, t) -> {
            float[] data = in.getFloats("optimizer." + name);
            if (data.length != t.size()) {
                throw new IllegalArgumentException(in.source() + ": optimizer buffer '" + name + "' has " + data.length
                        + " values, the model has " + t.size() + " parameters");
            }
            t.backend().write(data, 0, t);
        });
        steps = in.getLongs("optimizer.steps")[0];
        learningRate = in.getFloats("optimizer.learningRate")[0];
    }
}
