package org.deeprelax.optim;

import java.util.Map;

import org.deeprelax.core.ParameterArena;

/**
 * Every setting of one optimizer, an immutable record built by the optimizer's builder (for example
 * {@code Sgd.defaults().lr(0.1f).momentum(Momentum.nesterov(0.9f)).build()}), and the factory of
 * optimizers so configured: {@link #create} may be called once per arena, so that n replicas of a model
 * each get their own optimizer with the same settings.
 */
public interface OptimizerSettings {

    /**
     * The learning rate the optimizer starts with (a schedule may change it with
     * {@link Optimizer#setLearningRate}).
     *
     * @return the learning rate
     */
    float lr();

    /**
     * The options of named parameter groups; groups not named here use {@link GroupOptions#DEFAULT}.
     *
     * @return the options by group name
     */
    Map<String, GroupOptions> groups();

    /**
     * Gradient evaluations (closure calls) per step: the factor from epochs to effective epochs.
     *
     * @return the evaluations per step
     */
    int evaluationsPerStep();

    /**
     * A new optimizer with these settings over {@code params}, which it starts from.
     *
     * @param params the parameters to update
     * @return the optimizer
     * @throws IllegalArgumentException if a group named in {@link #groups()} is not one of the arena's
     */
    Optimizer create(ParameterArena params);
}
