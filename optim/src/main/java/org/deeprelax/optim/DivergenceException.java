package org.deeprelax.optim;

/**
 * Thrown by {@link Optimizer#step} when training diverged, by the rule {@link Optimizer} states: a loss
 * that is NaN or infinite, a loss that grew by more than {@link Optimizer#DIVERGENCE_GROWTH} times the
 * first one, or parameters that hold a NaN or an infinity. It names the step and the evaluation.
 */
public final class DivergenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** What went wrong, without the step. */
    private final String what;
    /** The optimizer step (0-based) it went wrong in. */
    private final long step;
    /** The evaluation within that step. */
    private final int innerStep;

    /**
     * Creates the exception.
     *
     * @param what what went wrong
     * @param step the optimizer step (0-based) it went wrong in
     * @param innerStep the evaluation within that step (0 for single-evaluation optimizers)
     */
    public DivergenceException(String what, long step, int innerStep) {
        super(what + " at optimizer step " + step + ", inner step " + innerStep);
        this.what = what;
        this.step = step;
        this.innerStep = innerStep;
    }

    /**
     * What went wrong, as the message says it before naming the step.
     *
     * @return the description
     */
    public String what() {
        return what;
    }

    /**
     * The optimizer step it went wrong in.
     *
     * @return the step, from 0
     */
    public long step() {
        return step;
    }

    /**
     * The evaluation within the step.
     *
     * @return the inner step, from 0
     */
    public int innerStep() {
        return innerStep;
    }
}
