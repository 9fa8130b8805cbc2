package org.deeprelax.core.update;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Tensor;

/**
 * The fused optimizer updates of one backend: each is one pass over flat arenas that reads every operand
 * once and writes every result once, so an update costs its memory traffic and, on a GPU, one kernel
 * launch however many tensors the model has. A backend hands out its implementation from
 * {@link Backend#updates()}; the optimizers of module {@code optim} are written against these methods
 * only.
 *
 * <p>Every method checks its operands here, once for all backends: each tensor must live on this
 * backend and all must have the same number of elements (they are views of the same layout, such as a
 * parameter group's values, gradients and state). The formulas are those of the step records
 * ({@link SgdStep}, {@link LangevinStep}, {@link EntropyOuterStep}, {@link FixedPointStep},
 * {@link FixedPointOuterStep}, {@link AdamStep}, {@link SamAscent}, {@link ParleInnerStep},
 * {@link ParleOuterStep}); a backend implements the
 * {@code protected} methods, which may assume checked operands. Calls never return device data to the
 * host, so they queue without a synchronisation.
 */
public abstract class FusedUpdates {

    private final Backend backend;

    /**
     * Creates the updates of a backend.
     *
     * @param backend the backend whose tensors these updates take
     */
    protected FusedUpdates(Backend backend) {
        this.backend = backend;
    }

    /**
     * The backend whose tensors these updates take.
     *
     * @return the backend
     */
    public final Backend backend() {
        return backend;
    }

    /**
     * One SGD step, {@code x = from − η·d} as {@link SgdStep} defines it; {@code from} may be {@code x}
     * itself (plain SGD) or another point of the same layout (SAM's descent from its unperturbed anchor).
     *
     * @param step the scalars
     * @param from x₀, the point the step starts from, read
     * @param g the gradient, read
     * @param v the momentum buffer, updated (untouched when the momentum is 0)
     * @param x the result, written
     */
    public final void sgd(SgdStep step, Tensor from, Tensor g, Tensor v, Tensor x) {
        check("sgd", from, g, v, x);
        runSgd(step, from, g, v, x);
    }

    /**
     * One Entropy-SGD inner step as {@link LangevinStep} defines it. The noise ξᵢ = normal(seed, stream,
     * first + i) is drawn inside the pass and never stored.
     *
     * @param step the scalars
     * @param y the inner iterate (the model's parameters during the inner loop), updated
     * @param g its gradient, read
     * @param x the anchor, read
     * @param m the inner momentum buffer, updated (untouched when the step's momentum is 0)
     * @param mu the running average, updated
     * @param seed Philox key
     * @param stream Philox stream
     * @param first index of element 0's normal draw
     */
    public final void langevin(LangevinStep step, Tensor y, Tensor g, Tensor x, Tensor m, Tensor mu, long seed,
                               long stream, long first) {
        check("langevin", y, g, x, m, mu);
        runLangevin(step, y, g, x, m, mu, seed, stream, first);
    }

    /**
     * The outer step of Entropy-SGD as {@link EntropyOuterStep} defines it.
     *
     * @param step the scalars
     * @param x the anchor, updated
     * @param y the inner iterate, overwritten with the new anchor
     * @param mu the running average, read then overwritten with the new anchor
     * @param m the inner momentum buffer, zeroed when the step says so
     * @param outerMomentum M, updated (untouched when the momentum is 0)
     */
    public final void entropyOuter(EntropyOuterStep step, Tensor x, Tensor y, Tensor mu, Tensor m,
                                   Tensor outerMomentum) {
        check("entropyOuter", x, y, mu, m, outerMomentum);
        runEntropyOuter(step, x, y, mu, m, outerMomentum);
    }

    /**
     * One damped fixed-point iteration of HJ's FP form as {@link FixedPointStep} defines it.
     *
     * @param step the scalars
     * @param w the probe point (the model's parameters), read then overwritten with the next probe
     * @param g the gradient at w, read
     * @param x the anchor, read
     * @param p the fixed-point estimate, updated
     */
    public final void fixedPoint(FixedPointStep step, Tensor w, Tensor g, Tensor x, Tensor p) {
        check("fixedPoint", w, g, x, p);
        runFixedPoint(step, w, g, x, p);
    }

    /**
     * The outer step of HJ's FP form as {@link FixedPointOuterStep} defines it.
     *
     * @param step the scalars
     * @param x the anchor, updated
     * @param p the fixed-point direction, read
     * @param outerMomentum M, updated (untouched when the momentum is 0)
     * @param w the model's parameters, overwritten with the new anchor
     */
    public final void fixedPointOuter(FixedPointOuterStep step, Tensor x, Tensor p, Tensor outerMomentum, Tensor w) {
        check("fixedPointOuter", x, p, outerMomentum, w);
        runFixedPointOuter(step, x, p, outerMomentum, w);
    }

    /**
     * One Adam or AdamW step as {@link AdamStep} defines it.
     *
     * @param step the scalars
     * @param x the parameters, updated
     * @param g the gradient, read
     * @param m the first moment, updated
     * @param v the second moment, updated
     */
    public final void adam(AdamStep step, Tensor x, Tensor g, Tensor m, Tensor v) {
        check("adam", x, g, m, v);
        runAdam(step, x, g, m, v);
    }

    /**
     * SAM's (or ASAM's) ascent as {@link SamAscent} defines it: a reduction for ‖T·g‖ over every element
     * of {@code w}, then one pass. The norm stays on the backend (a GPU computes the factor on the device),
     * so the call does not synchronise.
     *
     * @param step the scalars
     * @param w the parameters, moved to the worst point of the neighbourhood
     * @param g the gradient at w, read
     * @param anchor overwritten with w as it was, for the descent to start from
     */
    public final void samAscent(SamAscent step, Tensor w, Tensor g, Tensor anchor) {
        check("samAscent", w, g, anchor);
        runSamAscent(step, w, g, anchor);
    }

    /**
     * One inner step of a Parle replica as {@link ParleInnerStep} defines it.
     *
     * @param step the scalars
     * @param y the replica's weights, updated
     * @param g their gradient, read
     * @param x the replica's anchor, read
     * @param c the inner momentum buffer, updated (untouched when the momentum is 0)
     * @param mu the running average, updated
     */
    public final void parleInner(ParleInnerStep step, Tensor y, Tensor g, Tensor x, Tensor c, Tensor mu) {
        check("parleInner", y, g, x, c, mu);
        runParleInner(step, y, g, x, c, mu);
    }

    /**
     * The outer step of a Parle or Elastic-SGD replica as {@link ParleOuterStep} defines it.
     *
     * @param step the scalars
     * @param x the replica's anchor, updated
     * @param y its weights, overwritten with the new anchor
     * @param mu its running average, read (Parle) and overwritten with the new anchor when the step says so
     * @param r the reference, the mean over all replicas, read
     * @param g the gradient at the anchor, read (Elastic-SGD only)
     * @param outerMomentum M, updated (untouched when the momentum is 0)
     */
    public final void parleOuter(ParleOuterStep step, Tensor x, Tensor y, Tensor mu, Tensor r, Tensor g,
                                 Tensor outerMomentum) {
        check("parleOuter", x, y, mu, r, g, outerMomentum);
        runParleOuter(step, x, y, mu, r, g, outerMomentum);
    }

    /**
     * Implements {@link #sgd} on checked operands.
     *
     * @param step the scalars
     * @param from x₀
     * @param g the gradient
     * @param v the momentum buffer
     * @param x the result
     */
    protected abstract void runSgd(SgdStep step, Tensor from, Tensor g, Tensor v, Tensor x);

    /**
     * Implements {@link #langevin} on checked operands.
     *
     * @param step the scalars
     * @param y the inner iterate
     * @param g its gradient
     * @param x the anchor
     * @param m the inner momentum
     * @param mu the running average
     * @param seed Philox key
     * @param stream Philox stream
     * @param first index of element 0's draw
     */
    protected abstract void runLangevin(LangevinStep step, Tensor y, Tensor g, Tensor x, Tensor m, Tensor mu,
                                        long seed, long stream, long first);

    /**
     * Implements {@link #entropyOuter} on checked operands.
     *
     * @param step the scalars
     * @param x the anchor
     * @param y the inner iterate
     * @param mu the running average
     * @param m the inner momentum
     * @param outerMomentum M
     */
    protected abstract void runEntropyOuter(EntropyOuterStep step, Tensor x, Tensor y, Tensor mu, Tensor m,
                                            Tensor outerMomentum);

    /**
     * Implements {@link #fixedPoint} on checked operands.
     *
     * @param step the scalars
     * @param w the probe point
     * @param g the gradient at w
     * @param x the anchor
     * @param p the fixed-point estimate
     */
    protected abstract void runFixedPoint(FixedPointStep step, Tensor w, Tensor g, Tensor x, Tensor p);

    /**
     * Implements {@link #fixedPointOuter} on checked operands.
     *
     * @param step the scalars
     * @param x the anchor
     * @param p the direction
     * @param outerMomentum M
     * @param w the model's parameters
     */
    protected abstract void runFixedPointOuter(FixedPointOuterStep step, Tensor x, Tensor p, Tensor outerMomentum,
                                               Tensor w);

    /**
     * Implements {@link #adam} on checked operands.
     *
     * @param step the scalars
     * @param x the parameters
     * @param g the gradient
     * @param m the first moment
     * @param v the second moment
     */
    protected abstract void runAdam(AdamStep step, Tensor x, Tensor g, Tensor m, Tensor v);

    /**
     * Implements {@link #samAscent} on checked operands.
     *
     * @param step the scalars
     * @param w the parameters
     * @param g the gradient
     * @param anchor the copy of w
     */
    protected abstract void runSamAscent(SamAscent step, Tensor w, Tensor g, Tensor anchor);

    /**
     * Implements {@link #parleInner} on checked operands.
     *
     * @param step the scalars
     * @param y the weights
     * @param g their gradient
     * @param x the anchor
     * @param c the inner momentum
     * @param mu the running average
     */
    protected abstract void runParleInner(ParleInnerStep step, Tensor y, Tensor g, Tensor x, Tensor c, Tensor mu);

    /**
     * Implements {@link #parleOuter} on checked operands.
     *
     * @param step the scalars
     * @param x the anchor
     * @param y the weights
     * @param mu the running average
     * @param r the reference
     * @param g the gradient
     * @param outerMomentum M
     */
    protected abstract void runParleOuter(ParleOuterStep step, Tensor x, Tensor y, Tensor mu, Tensor r, Tensor g,
                                          Tensor outerMomentum);

    private void check(String op, Tensor first, Tensor... others) {
        onThisBackend(op, first);
        for (Tensor t : others) {
            onThisBackend(op, t);
            if (t.size() != first.size()) {
                throw new IllegalArgumentException(op + ": operands differ in size, " + first.shape() + " and "
                        + t.shape() + "; every operand of a fused update has the arena's layout");
            }
        }
    }

    private void onThisBackend(String op, Tensor t) {
        if (t.backend() != backend) {
            throw new IllegalArgumentException(op + ": a tensor of shape " + t.shape() + " lives on "
                    + t.backend().name() + ", not on " + backend.name() + "; move it with Tensor.to(backend)");
        }
    }
}
