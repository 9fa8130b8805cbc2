package org.deeprelax.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.TensorScope;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.core.update.FusedUpdates;

/**
 * An optimizer over a {@link ParameterArena}: {@link #step} calls the closure (after zeroing the
 * gradients each time) as often as the optimizer needs and updates the parameters with the backend's
 * fused updates, one pass per parameter group, each group with its own {@link GroupOptions}.
 *
 * <p><b>Divergence.</b> When a step's updates have been issued, {@link #step} reads the losses of its
 * evaluations and checks the parameters, and throws {@link DivergenceException} naming the step and the
 * evaluation if
 * <ul>
 *   <li>a loss is NaN or infinite;</li>
 *   <li>a loss grew by orders of magnitude: its magnitude exceeds {@link #DIVERGENCE_GROWTH} (10⁴) times
 *       that of the first loss this optimizer evaluated (its reference, saved with its state, so a
 *       resumed run keeps it; while the reference is 0 this test is off); or</li>
 *   <li>the parameters hold a NaN or an infinity (one reduction over the arena).</li>
 * </ul>
 * A cross-entropy starts near log(classes), about 2.3 for ten classes, so the rule stops training once a
 * minibatch loss passes about 2.3·10⁴, which no training that still converges reaches.
 *
 * <p><b>Memory.</b> A step runs inside a {@link TensorScope}, and each evaluation of the closure inside
 * one of its own: every tensor the closure makes (activations, their gradients) gives its memory back
 * when its evaluation returns, and the losses when {@link #step} returns, so the next evaluation reuses
 * that memory instead of allocating afresh and a step of L evaluations holds one evaluation's at a time. A closure that wants a tensor afterwards keeps it with
 * {@code scope.keep} of a scope of its own, or copies what it needs out (as a float) before returning.
 *
 * <p><b>State.</b> {@link #saveState} writes the step and evaluation counts, the learning rate, the
 * divergence reference and every state buffer (arenas of the parameters' layout), under a prefix, and
 * {@link #loadState} checks that the arena is laid out as the saved one before restoring; the parameters
 * themselves are saved by their owner ({@code Model.saveState}, or {@link ParameterArena#saveState}).
 */
public abstract class Optimizer {

    /** The factor by which a loss may exceed the first loss before {@link #step} reports divergence. */
    public static final double DIVERGENCE_GROWTH = 1e4;

    /** The parameters updated. */
    protected final ParameterArena params;
    /** The backend's fused updates; every update of a subclass is one of them. */
    protected final FusedUpdates updates;
    private final OptimizerSettings settings;
    private final GroupOptions[] groupOptions;
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final List<Tensor> stepLosses = new ArrayList<>();
    private float learningRate;
    private long steps;
    private long evaluations;
    private double referenceLoss = Double.NaN;

    /**
     * Binds the optimizer to its parameters.
     *
     * @param params the parameters; their current values are where the optimizer starts
     * @param settings the learning rate and group options (the rest is the subclass's)
     * @throws IllegalArgumentException if the learning rate is negative or a named group is not the arena's
     */
    protected Optimizer(ParameterArena params, OptimizerSettings settings) {
        this.params = params;
        this.settings = settings;
        this.updates = params.backend().updates();
        setLearningRate(settings.lr());
        List<String> names = params.groups().stream().map(ParameterArena.Group::name).toList();
        for (String g : settings.groups().keySet()) {
            if (!names.contains(g)) {
                throw new IllegalArgumentException("the settings name parameter group '" + g
                        + "', which these parameters do not have; their groups are " + names);
            }
        }
        groupOptions = new GroupOptions[names.size()];
        for (int i = 0; i < names.size(); i++) {
            groupOptions[i] = settings.groups().getOrDefault(names.get(i), GroupOptions.DEFAULT);
        }
    }

    /**
     * Takes one step: evaluates the closure {@link #evaluationsPerStep()} times, updates the parameters,
     * then checks for divergence.
     *
     * @param closure evaluates the loss and its gradient at the current parameters
     * @return the loss the optimizer reports for the step (see each optimizer)
     * @throws DivergenceException by the rule of the class comment
     */
    public final float step(Closure closure) {
        stepLosses.clear();
        try (var scope = TensorScope.open()) {
            Tensor reported = doStep(closure);
            for (int i = 0; i < stepLosses.size(); i++) {
                checkLoss(stepLosses.get(i).item(), i);
            }
            if (!Double.isFinite(params.backend().norm2(params.values()))) {
                throw new DivergenceException("the parameters hold a NaN or an infinity", steps, stepLosses.size() - 1);
            }
            steps++;
            return reported.item();
        } finally {
            stepLosses.clear();
        }
    }

    /**
     * Checks the losses of the step's evaluations so far by the rule of the class comment, before the step
     * ends (the step checks them again, with the same outcome): for an optimizer that must agree with others
     * on divergence before it exchanges state with them, as Parle's replicas do, so that all stop at the
     * same step.
     *
     * @throws DivergenceException by the rule of the class comment
     */
    protected final void checkLossesSoFar() {
        for (int i = 0; i < stepLosses.size(); i++) {
            checkLoss(stepLosses.get(i).item(), i);
        }
    }

    private void checkLoss(float loss, int inner) {
        if (!Float.isFinite(loss)) {
            throw new DivergenceException("the loss became " + loss, steps, inner);
        }
        if (Double.isNaN(referenceLoss)) {
            referenceLoss = Math.abs(loss);
        }
        if (referenceLoss > 0 && Math.abs(loss) > DIVERGENCE_GROWTH * referenceLoss) {
            throw new DivergenceException("the loss grew to " + loss + ", more than " + (long) DIVERGENCE_GROWTH
                    + " times the first loss (" + (float) referenceLoss + ")", steps, inner);
        }
    }

    /**
     * The optimizer's own step: its evaluations (through {@link #evaluate}) and updates.
     *
     * @param closure the closure
     * @return the loss to report, one of those {@link #evaluate} returned
     */
    protected abstract Tensor doStep(Closure closure);

    /**
     * Zeroes the gradients and evaluates the closure at the next evaluation index; the loss is checked
     * when the step ends.
     *
     * @param closure the closure
     * @return the loss it returned
     * @throws IllegalArgumentException if the closure returned no one-element tensor
     */
    protected final Tensor evaluate(Closure closure) {
        params.zeroGrad();
        // One scope per evaluation, not only per step: Entropy-SGD's L evaluations would otherwise hold
        // L forward passes' memory at once (20 GB for All-CNN-BN at L = 20). Only the loss outlives it.
        try (var evaluationTensors = TensorScope.open()) {
            Tensor loss = closure.evaluate(evaluations);
            if (loss == null || loss.size() != 1) {
                throw new IllegalArgumentException("the closure must return the loss, a one-element tensor;"
                        + " it returned " + (loss == null ? "null" : "a tensor of shape " + loss.shape()));
            }
            evaluations++;
            stepLosses.add(evaluationTensors.keep(loss));
            return loss;
        }
    }

    /**
     * Gradient evaluations (closure calls) per step: the factor from epochs to effective epochs.
     *
     * @return the evaluations per step, as the settings say
     */
    public final int evaluationsPerStep() {
        return settings.evaluationsPerStep();
    }

    /**
     * The settings the optimizer was created with (its learning rate is the first; see
     * {@link #learningRate()} for the current one).
     *
     * @return the settings
     */
    public OptimizerSettings settings() {
        return settings;
    }

    /**
     * Whether every evaluation of a step needs its own, fresh minibatch (Entropy-SGD, HJ), rather than
     * the step's one minibatch for all of them (SGD, Adam, SAM); see {@link Closure}.
     *
     * @return true if each evaluation should draw a new minibatch by its index
     */
    public boolean freshMinibatchEachEvaluation() {
        return false;
    }

    /**
     * The learning rate of the next step (a group's is this times its {@link GroupOptions#lrScale()}).
     *
     * @return the learning rate
     */
    public float learningRate() {
        return learningRate;
    }

    /**
     * Sets the learning rate, as a schedule does between epochs.
     *
     * @param lr the new learning rate
     * @throws IllegalArgumentException if negative or not finite
     */
    public void setLearningRate(float lr) {
        Validate.nonNegative("learning rate", lr);
        this.learningRate = lr;
    }

    /**
     * The number of steps taken.
     *
     * @return the steps
     */
    public long steps() {
        return steps;
    }

    /**
     * The number of closure calls made; the next call gets this index.
     *
     * @return the evaluations
     */
    public long evaluations() {
        return evaluations;
    }

    /**
     * The parameters updated.
     *
     * @return the arena
     */
    public ParameterArena parameters() {
        return params;
    }

    /**
     * The learning rate of one group.
     *
     * @param group its index in {@link ParameterArena#groups()}
     * @return the learning rate times the group's scale
     */
    protected final float learningRate(int group) {
        return learningRate * groupOptions[group].lrScale();
    }

    /**
     * A weight-decay coefficient as it applies to one group.
     *
     * @param group its index in {@link ParameterArena#groups()}
     * @param weightDecay the optimizer's coefficient
     * @return the coefficient times the group's scale
     */
    protected final float weightDecay(int group, float weightDecay) {
        return weightDecay * groupOptions[group].weightDecayScale();
    }

    /**
     * Allocates a state buffer of the arena's layout, saved and restored with the optimizer.
     *
     * @param name its name in checkpoints
     * @param initial the values to start from (copied), or null for zeros
     * @return the buffer
     */
    protected final Tensor buffer(String name, Tensor initial) {
        Tensor t = params.newBuffer();
        if (initial != null) {
            params.backend().copy(initial, t);
        }
        buffers.put(name, t);
        return t;
    }

    /**
     * Saves the state under the prefix {@code optimizer}, as {@link #saveState(StateFile, String)} does.
     *
     * @param out the state being assembled
     */
    public final void saveState(StateFile out) {
        saveState(out, "optimizer");
    }

    /**
     * Saves the arena's layout, the step and evaluation counts, the learning rate, the divergence
     * reference and every buffer under {@code prefix}, so that several optimizers (one per replica) can
     * share a file.
     *
     * @param out the state being assembled
     * @param prefix the sections' prefix
     */
    public final void saveState(StateFile out, String prefix) {
        out.putString(prefix + ".layout", params.layout());
        out.putLongs(prefix + ".counts", new long[] {steps, evaluations, Double.doubleToRawLongBits(referenceLoss)});
        out.putFloats(prefix + ".learningRate", new float[] {learningRate});
        buffers.forEach((name, t) -> out.putFloats(prefix + "." + name, t.toArray()));
    }

    /**
     * Restores what {@link #saveState(StateFile)} wrote.
     *
     * @param in the state read
     */
    public final void loadState(StateFile in) {
        loadState(in, "optimizer");
    }

    /**
     * Restores what {@link #saveState(StateFile, String)} wrote under {@code prefix}.
     *
     * @param in the state read
     * @param prefix the prefix it was saved under
     * @throws IllegalArgumentException if it was saved for parameters of another layout, or a buffer is
     *     missing, of another size or holds a non-finite value, or a count or the learning rate is out of
     *     range, naming the section and the byte offset; the optimizer is then unchanged
     */
    public final void loadState(StateFile in, String prefix) {
        String layout = in.getString(prefix + ".layout");
        if (!layout.equals(params.layout())) {
            throw new IllegalArgumentException(in.source() + ": the optimizer state under '" + prefix
                    + "' is for parameters laid out as " + shorten(layout) + ", not " + shorten(params.layout()));
        }
        Map<String, float[]> data = new LinkedHashMap<>();
        buffers.forEach((name, t) -> data.put(name, in.getFiniteFloats(prefix + "." + name, t.size())));
        String countsName = prefix + ".counts";
        long[] counts = in.getLongs(countsName);
        if (counts.length != 3) {
            throw in.invalid(countsName, -1, "it has " + counts.length
                    + " values, not 3 (steps, evaluations, divergence reference)");
        }
        if (counts[0] < 0 || counts[1] < counts[0]) {
            throw in.invalid(countsName, 0, counts[0] + " steps and " + counts[1]
                    + " gradient evaluations are impossible: each step evaluates the gradient at least once");
        }
        double reference = Double.longBitsToDouble(counts[2]);
        if (!(Double.isNaN(reference) && counts[1] == 0 || reference >= 0 && Double.isFinite(reference))) {
            throw in.invalid(countsName, 16, "the divergence reference loss " + reference + " is not a finite number ≥ 0"
                    + " (or NaN before the first step)");
        }
        float lr = in.getFiniteFloats(prefix + ".learningRate", 1)[0];
        if (lr < 0) {
            throw in.invalid(prefix + ".learningRate", 0, "the learning rate " + lr + " is negative");
        }
        buffers.forEach((name, t) -> t.backend().write(data.get(name), 0, t));
        steps = counts[0];
        evaluations = counts[1];
        referenceLoss = reference;
        learningRate = lr;
    }

    private static String shorten(String s) {
        return s.length() <= 160 ? s : s.substring(0, 160) + "…";
    }
}
