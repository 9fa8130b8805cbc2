package org.deeprelax.nn;

import org.deeprelax.core.ParameterArena;

/**
 * Which parameter group each trainable tensor of a model goes in, decided when the model is built: the
 * arena lays its groups out one after another, so that an optimizer can give each group its own
 * learning-rate scale and weight decay and still update it in one pass.
 */
@FunctionalInterface
public interface Grouping {

    /** The group of weights in {@link #byDecay()}: tensors of rank 2 or more. */
    String DECAY = "decay";

    /** The group of biases and batch-norm gains and shifts in {@link #byDecay()}: tensors of rank 1. */
    String NO_DECAY = "no_decay";

    /**
     * Names the group of one parameter.
     *
     * @param path the parameter's path in the model, such as {@code 3.weight}
     * @param parameter the parameter (its name and shape)
     * @return the group's name
     */
    String groupOf(String path, Parameter parameter);

    /**
     * Every parameter in one group, {@link ParameterArena#DEFAULT_GROUP}.
     *
     * @return the grouping
     */
    static Grouping single() {
        return (path, p) -> ParameterArena.DEFAULT_GROUP;
    }

    /**
     * Weights (tensors of rank 2 or more: linear and convolution kernels) in {@link #DECAY}, the rest
     * (rank 1: biases, batch-norm gains and shifts) in {@link #NO_DECAY}, the usual way of keeping biases
     * and normalisation parameters out of weight decay.
     *
     * @return the grouping
     */
    static Grouping byDecay() {
        return (path, p) -> p.shape().rank() >= 2 ? DECAY : NO_DECAY;
    }
}
