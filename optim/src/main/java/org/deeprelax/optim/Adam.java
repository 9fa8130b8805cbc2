package org.deeprelax.optim;

import java.util.List;
import java.util.Map;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.update.AdamStep;

/**
 * Adam (Kingma and Ba, 2015, Algorithm 1, with the bias corrections of the moments) and AdamW
 * (Loshchilov and Hutter, 2019, decoupled weight decay), as {@code torch.optim.Adam} and
 * {@code torch.optim.AdamW} compute them: with g the gradient, t the step from 1 and η, λ the group's
 * learning rate and weight decay,
 *
 * <pre>
 *   Adam:   g ← g + λ·x               AdamW:  x ← x·(1 − η·λ)
 *   m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²
 *   x ← x − η·m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ)
 * </pre>
 *
 * One fused pass per parameter group and step ({@code FusedUpdates.adam}); the step reports its loss.
 *
 * <pre>{@code
 * Model model = Model.build("lenet", Models.create("lenet"), Backends.cpu(), 1, Grouping.byDecay());
 * Adam adamw = Adam.adamW().lr(1e-3f).weightDecay(0.05f).group(Grouping.NO_DECAY, GroupOptions.noWeightDecay())
 *         .build().create(model.parameters());
 * }</pre>
 */
public final class Adam extends Optimizer {

    /**
     * Every setting of Adam and AdamW.
     *
     * @param lr η ≥ 0
     * @param beta1 β₁ ∈ [0, 1)
     * @param beta2 β₂ ∈ [0, 1)
     * @param eps ε &gt; 0
     * @param weightDecay λ ≥ 0
     * @param decoupled AdamW's decoupled decay (true) or Adam's L2 term in the gradient (false)
     * @param groups the options of named parameter groups
     */
    public record Settings(float lr, float beta1, float beta2, float eps, float weightDecay, boolean decoupled,
                           Map<String, GroupOptions> groups) implements OptimizerSettings {

        /**
         * Checks every value, naming the parameter, its value and the allowed range.
         *
         * @param lr η
         * @param beta1 β₁
         * @param beta2 β₂
         * @param eps ε
         * @param weightDecay λ
         * @param decoupled AdamW's decay
         * @param groups the group options
         */
        public Settings {
            Validate.nonNegative("learning rate", lr);
            Validate.below("β1", beta1, 0, 1);
            Validate.below("β2", beta2, 0, 1);
            Validate.positive("ε", eps);
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
        public Adam create(ParameterArena params) {
            return new Adam(params, this);
        }
    }

    /** Builds {@link Settings}; each setter replaces one value. */
    public static final class Builder extends SettingsBuilder<Builder, Settings> {
        private float beta1;
        private float beta2;
        private float eps;
        private boolean decoupled;

        private Builder(Settings s) {
            super(s.lr(), s.weightDecay(), s.groups());
            beta1 = s.beta1();
            beta2 = s.beta2();
            eps = s.eps();
            decoupled = s.decoupled();
        }

        /**
         * Sets β₁ and β₂.
         *
         * @param b1 the first moment's decay, in [0, 1)
         * @param b2 the second moment's decay, in [0, 1)
         * @return this builder
         */
        public Builder betas(float b1, float b2) {
            beta1 = b1;
            beta2 = b2;
            return this;
        }

        /**
         * Sets ε.
         *
         * @param e added to √v̂, &gt; 0
         * @return this builder
         */
        public Builder eps(float e) {
            eps = e;
            return this;
        }

        /**
         * Chooses AdamW's decoupled decay or Adam's L2 term.
         *
         * @param on true for AdamW
         * @return this builder
         */
        public Builder decoupledWeightDecay(boolean on) {
            decoupled = on;
            return this;
        }

        @Override
        public Settings build() {
            return new Settings(lr, beta1, beta2, eps, weightDecay, decoupled, groups);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }

    /**
     * A builder with {@code torch.optim.Adam}'s defaults: η = 1e-3, β = (0.9, 0.999), ε = 1e-8, no weight
     * decay.
     *
     * @return the builder
     */
    public static Builder defaults() {
        return new Builder(new Settings(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false, Map.of()));
    }

    /**
     * A builder with {@code torch.optim.AdamW}'s defaults: Adam's, with decoupled weight decay λ = 1e-2.
     *
     * @return the builder
     */
    public static Builder adamW() {
        return defaults().decoupledWeightDecay(true).weightDecay(1e-2f);
    }

    private final Tensor firstMoment;
    private final Tensor secondMoment;

    /**
     * Binds Adam to its parameters.
     *
     * @param params the parameters
     * @param settings the settings
     */
    public Adam(ParameterArena params, Settings settings) {
        super(params, settings);
        firstMoment = buffer("firstMoment", null);
        secondMoment = buffer("secondMoment", null);
    }

    @Override
    public Settings settings() {
        return (Settings) super.settings();
    }


    @Override
    protected Tensor doStep(Closure closure) {
        Tensor loss = evaluate(closure);
        long t = steps() + 1;
        List<ParameterArena.Group> groups = params.groups();
        for (int i = 0; i < groups.size(); i++) {
            ParameterArena.Group g = groups.get(i);
            updates.adam(new AdamStep(learningRate(i), settings().beta1(), settings().beta2(), settings().eps(),
                            weightDecay(i, settings().weightDecay()), settings().decoupled(), t),
                    g.view(params.values()), g.view(params.grads()), g.view(firstMoment), g.view(secondMoment));
        }
        return loss;
    }
}
