package org.deeprelax.optim;

/** Thrown when a loss or the parameters become NaN or infinite; it names the step and the inner step. */
public final class DivergenceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final long step;
    private final int innerStep;

    /**
     * @param loss the offending loss
     * @param step the outer step (0-based) of the optimizer
     * @param innerStep the inner evaluation within that step (0 for single-evaluation optimizers)
     */
    public DivergenceException(float loss, long step, int innerStep) {
        this("the loss became " + loss, step, innerStep);
    }

    /**
     * @param what what went wrong
     * @param step the outer step (0-based) of the optimizer
     * @param innerStep the inner step within it
     */
    public DivergenceException(String what, long step, int innerStep) {
        super(what + " at optimizer step " + step + ", inner step " + innerStep);
        this.step = step;
        this.innerStep = innerStep;
    }

    /** @return the outer step */
    public long step() {
        return step;
    }

    /** @return the inner step */
    public int innerStep() {
        return innerStep;
    }
}
