package org.deeprelax.optim;

import org.deeprelax.core.Tensor;

/**
 * What an optimizer calls to evaluate the objective: run the forward and the backward pass (the
 * optimizer has zeroed the gradient arena, so gradients accumulate from zero) and return the loss.
 *
 * <p><b>Which minibatch.</b> Each call gets its evaluation index: 0, 1, 2, … over every call this
 * optimizer has made, saved with its state, so a resumed run continues the count. An optimizer that
 * evaluates several times per step says what it needs through
 * {@link Optimizer#freshMinibatchEachEvaluation()}: Entropy-SGD and HJ need a fresh minibatch for every
 * call (their inner loops average over the data), which a closure draws by its index, for example
 * {@code loader.sample(evaluation)}, so that a resumed run draws exactly the batches of an uninterrupted
 * one; SGD, Adam and SAM use the step's one minibatch for every call (SAM's two evaluations must see the
 * same batch) and ignore the index.
 *
 * <p><b>No host synchronisation.</b> The loss is returned as a one-element tensor, not a number. The
 * optimizer reads the losses of a step only when the step's updates have been issued (to check them for
 * divergence and to return the reported one), so on a GPU the L evaluations and updates of an
 * Entropy-SGD step can be queued, or captured as a CUDA graph, without the host waiting once per
 * evaluation; the tensor must keep its value until {@link Optimizer#step} returns.
 *
 * <p><b>Its tensors end with the evaluation.</b> Each call runs in a
 * {@link org.deeprelax.core.TensorScope} of its own, so the tensors the closure makes are released when
 * it returns (the loss it returns when {@link Optimizer#step} does); read what the caller needs
 * afterwards (the loss as a float, the count of errors) inside the closure.
 */
@FunctionalInterface
public interface Closure {

    /**
     * Evaluates the loss and its gradient at the parameters' current values.
     *
     * @param evaluation the index of this call among all the optimizer has made, from 0
     * @return the minibatch loss, a one-element tensor (it may stay on the device)
     */
    Tensor evaluate(long evaluation);
}
