package org.deeprelax.optim;

/**
 * What an optimizer calls to evaluate the objective: draw a fresh minibatch, run the forward and the
 * backward pass (gradients accumulate into the model's zeroed gradient arena), and return the loss.
 * Entropy-SGD calls it L times per step, each time at a different point.
 */
@FunctionalInterface
public interface Closure {

    /** @return the minibatch loss at the model's current parameters */
    float evaluate();
}
