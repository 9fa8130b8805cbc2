package org.deeprelax.optim;

import java.util.List;
import java.util.Map;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.update.SgdStep;

/**
 * Stochastic gradient descent with momentum (optionally Nesterov's) and weight decay, as
 * {@code torch.optim.SGD} defines them (no dampening); the update is one fused pass per parameter group.
 *
 * <pre>{@code
 * Sgd sgd = Sgd.defaults().lr(0.1f).momentum(Momentum.nesterov(0.9f)).weightDecay(5e-4f)
 *         .build().create(model.parameters());
 * }</pre>
 */
public final class Sgd extends Optimizer {

    /**
     * Every setting of SGD.
     *
     * @param lr the learning rate η ≥ 0
     * @param momentum the momentum ρ and its form
     * @param weightDecay λ ≥ 0, added to the gradient as λ·x
     * @param groups the options of named parameter groups
     */
    public record Settings(float lr, Momentum momentum, float weightDecay, Map<String, GroupOptions> groups)
            implements OptimizerSettings {

        /**
         * Checks every value, naming the parameter, its value and the allowed range.
         *
         * @param lr η
         * @param momentum the momentum
         * @param weightDecay λ
         * @param groups the group options
         */
        public Settings {
            Validate.nonNegative("learning rate", lr);
            Validate.nonNegative("weight decay", weightDecay);
            groups = SettingsBuilder.frozen(groups);
        }

        /**
         * A builder starting from these settings.
         *
         * @return the builder
         */
        public Builder toBuilder() {
            return new Builder(this);
        }

        @Override
        public int evaluationsPerStep() {
            return 1;
        }

        @Override
        public Sgd create(ParameterArena params) {
            return new Sgd(params, this);
        }
    }

    /** Builds {@link Settings}; each setter replaces one value. */
    public static final class Builder extends SettingsBuilder<Builder, Settings> {
        private Momentum momentum;

        private Builder(Settings s) {
            super(s.lr(), s.weightDecay(), s.groups());
            momentum = s.momentum();
        }

        /**
         * Sets the momentum.
         *
         * @param momentum ρ and its form, such as {@code Momentum.nesterov(0.9f)}
         * @return this builder
         */
        public Builder momentum(Momentum momentum) {
            this.momentum = momentum;
            return this;
        }

        @Override
        public Settings build() {
            return new Settings(lr, momentum, weightDecay, groups);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }

    /**
     * A builder with {@code torch.optim.SGD}'s defaults: learning rate 1e-3, no momentum, no weight decay.
     *
     * @return the builder
     */
    public static Builder defaults() {
        return new Builder(new Settings(1e-3f, Momentum.NONE, 0f, Map.of()));
    }

    private final Tensor velocity;

    /**
     * Binds SGD to its parameters.
     *
     * @param params the parameters
     * @param settings the settings
     */
    public Sgd(ParameterArena params, Settings settings) {
        super(params, settings);
        this.velocity = buffer("velocity", null);
    }

    @Override
    public Settings settings() {
        return (Settings) super.settings();
    }


    /** One evaluation, then one pass per group; reports its loss. */
    @Override
    protected Tensor doStep(Closure closure) {
        Tensor loss = evaluate(closure);
        List<ParameterArena.Group> groups = params.groups();
        for (int i = 0; i < groups.size(); i++) {
            ParameterArena.Group g = groups.get(i);
            Tensor x = g.view(params.values());
            updates.sgd(new SgdStep(learningRate(i), settings().momentum().rho(), settings().momentum().nesterov(),
                    weightDecay(i, settings().weightDecay())), x, g.view(params.grads()), g.view(velocity), x);
        }
        return loss;
    }
}
