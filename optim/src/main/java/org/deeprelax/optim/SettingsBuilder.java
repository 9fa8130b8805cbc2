package org.deeprelax.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every optimizer's settings builder shares: the learning rate, the weight decay and the options of
 * parameter groups.
 *
 * @param <B> the concrete builder, returned by each setter for chaining
 * @param <S> the settings it builds
 */
public abstract class SettingsBuilder<B extends SettingsBuilder<B, S>, S extends OptimizerSettings> {

    /** The learning rate. */
    protected float lr;
    /** The weight decay λ (for Entropy-SGD, that of the inner gradient). */
    protected float weightDecay;
    /** The options by group name, in the order given. */
    protected final Map<String, GroupOptions> groups = new LinkedHashMap<>();

    /**
     * Starts from existing values.
     *
     * @param lr the learning rate
     * @param weightDecay the weight decay
     * @param groups the options by group name (copied)
     */
    protected SettingsBuilder(float lr, float weightDecay, Map<String, GroupOptions> groups) {
        this.lr = lr;
        this.weightDecay = weightDecay;
        this.groups.putAll(groups);
    }

    /**
     * Sets the learning rate the optimizer starts with.
     *
     * @param lr the learning rate, ≥ 0
     * @return this builder
     */
    public final B lr(float lr) {
        this.lr = lr;
        return self();
    }

    /**
     * Sets the weight decay λ: an L2 term λ·x in the gradient (for AdamW, its decoupled decay; for
     * Entropy-SGD, the inner gradient's).
     *
     * @param lambda ≥ 0
     * @return this builder
     */
    public final B weightDecay(float lambda) {
        this.weightDecay = lambda;
        return self();
    }

    /**
     * Sets the options of one parameter group of the arena the optimizer will take.
     *
     * @param name the group's name (see {@code ParameterArena.Builder.group})
     * @param options its learning-rate scale and weight-decay scale
     * @return this builder
     */
    public final B group(String name, GroupOptions options) {
        groups.put(name, options);
        return self();
    }

    /**
     * Checks every value and makes the settings.
     *
     * @return the settings
     * @throws IllegalArgumentException naming a value outside its range
     */
    public abstract S build();

    /**
     * This builder, as its concrete type.
     *
     * @return this
     */
    protected abstract B self();

    /**
     * The group options, validated and made unmodifiable, for a settings record.
     *
     * @param groups the options
     * @return an unmodifiable copy
     */
    static Map<String, GroupOptions> frozen(Map<String, GroupOptions> groups) {
        for (Map.Entry<String, GroupOptions> e : groups.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty() || e.getValue() == null) {
                throw new IllegalArgumentException("group options need a group name and options, got " + e);
            }
        }
        return java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }
}
