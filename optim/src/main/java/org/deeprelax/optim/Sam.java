package org.deeprelax.optim;

import java.util.List;
import java.util.Map;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.update.SamAscent;
import org.deeprelax.core.update.SgdStep;

/**
 * Sharpness-aware minimisation (SAM, Foret et al., ICLR 2021) and its adaptive form (ASAM, Kwon et al.,
 * ICML 2021), with SGD (momentum, weight decay) as the base step, the flat-minima method Entropy-SGD is
 * most often compared with. Each step evaluates the gradient twice on the same minibatch:
 *
 * <pre>
 *   g ← ∇f(w)                                        evaluation 1 (the loss reported)
 *   ε = ρ·T²g / ‖T·g‖₂,  T = I (SAM) or diag(|w| + η) (ASAM), over the whole arena
 *   g ← ∇f(w + ε)                                     evaluation 2, at the worst point of the neighbourhood
 *   w ← w − lr·d,  d the SGD direction of g + λw (momentum as {@code torch.optim.SGD})
 * </pre>
 *
 * The descent starts from w exactly (saved by the ascent, not recovered as (w + ε) − ε), as the reference
 * implementation {@code davda54/sam} does; the weight decay is the base optimizer's, on w. ASAM scales
 * every element by |w| + η (the authors' code exempts tensors not named {@code weight}, its biases).
 * A step is a norm reduction and one pass for the ascent (the norm stays on the device), and one pass
 * per parameter group for the descent. Effective epochs count two evaluations per step.
 *
 * <pre>{@code
 * Sam sam = Sam.defaults().lr(0.1f).rho(0.05f).momentum(Momentum.nesterov(0.9f)).build().create(model.parameters());
 * for (Batch b : loader.epoch(epoch)) {
 *     sam.step(evaluation -> loss(model, b));   // both evaluations see the step's batch b
 * }
 * }</pre>
 */
public final class Sam extends Optimizer {

    /**
     * Every setting of SAM and ASAM.
     *
     * @param lr the base step's learning rate ≥ 0
     * @param rho ρ ≥ 0, the radius of the neighbourhood
     * @param adaptive ASAM's neighbourhood, scaled by |w| + η
     * @param eta η ≥ 0 of ASAM (unused by SAM)
     * @param momentum the base step's momentum
     * @param weightDecay λ ≥ 0 of the base step
     * @param groups the options of named parameter groups
     */
    public record Settings(float lr, float rho, boolean adaptive, float eta, Momentum momentum, float weightDecay,
                           Map<String, GroupOptions> groups) implements OptimizerSettings {

        /**
         * Checks every value, naming the parameter, its value and the allowed range.
         *
         * @param lr the learning rate
         * @param rho ρ
         * @param adaptive ASAM
         * @param eta η
         * @param momentum the momentum
         * @param weightDecay λ
         * @param groups the group options
         */
        public Settings {
            Validate.nonNegative("learning rate", lr);
            Validate.nonNegative("ρ", rho);
            Validate.nonNegative("η", eta);
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
            return 2;
        }

        @Override
        public Sam create(ParameterArena params) {
            return new Sam(params, this);
        }
    }

    /** Builds {@link Settings}; each setter replaces one value. */
    public static final class Builder extends SettingsBuilder<Builder, Settings> {
        private float rho;
        private boolean adaptive;
        private float eta;
        private Momentum momentum;

        private Builder(Settings s) {
            super(s.lr(), s.weightDecay(), s.groups());
            rho = s.rho();
            adaptive = s.adaptive();
            eta = s.eta();
            momentum = s.momentum();
        }

        /**
         * Sets ρ.
         *
         * @param r the neighbourhood's radius, ≥ 0
         * @return this builder
         */
        public Builder rho(float r) {
            rho = r;
            return this;
        }

        /**
         * Makes it ASAM with offset η, or SAM again.
         *
         * @param on ASAM's adaptive neighbourhood
         * @param offset η ≥ 0
         * @return this builder
         */
        public Builder adaptive(boolean on, float offset) {
            adaptive = on;
            eta = offset;
            return this;
        }

        /**
         * Sets the base step's momentum.
         *
         * @param m the momentum
         * @return this builder
         */
        public Builder momentum(Momentum m) {
            momentum = m;
            return this;
        }

        @Override
        public Settings build() {
            return new Settings(lr, rho, adaptive, eta, momentum, weightDecay, groups);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }

    /**
     * A builder for SAM with ρ = 0.05 (Foret et al.'s and {@code davda54/sam}'s default) over SGD with
     * {@code torch.optim.SGD}'s defaults (learning rate 1e-3, no momentum, no weight decay).
     *
     * @return the builder
     */
    public static Builder defaults() {
        return new Builder(new Settings(1e-3f, 0.05f, false, 0.01f, Momentum.NONE, 0f, Map.of()));
    }

    /**
     * A builder for ASAM with Kwon et al.'s defaults, ρ = 0.5 and η = 0.01, over the same SGD.
     *
     * @return the builder
     */
    public static Builder adaptive() {
        return defaults().rho(0.5f).adaptive(true, 0.01f);
    }

    private final Tensor anchor;      // w before the ascent; rewritten every step, so not part of the state
    private final Tensor velocity;

    /**
     * Binds SAM to its parameters.
     *
     * @param params the parameters
     * @param settings the settings
     */
    public Sam(ParameterArena params, Settings settings) {
        super(params, settings);
        anchor = params.newBuffer();
        velocity = buffer("velocity", null);
    }

    @Override
    public Settings settings() {
        return (Settings) super.settings();
    }


    @Override
    protected Tensor doStep(Closure closure) {
        Tensor loss = evaluate(closure);
        updates.samAscent(new SamAscent(settings().rho(), settings().adaptive(), settings().eta()), params.values(),
                params.grads(), anchor);
        evaluate(closure);
        List<ParameterArena.Group> groups = params.groups();
        Momentum m = settings().momentum();
        for (int i = 0; i < groups.size(); i++) {
            ParameterArena.Group g = groups.get(i);
            updates.sgd(new SgdStep(learningRate(i), m.rho(), m.nesterov(), weightDecay(i, settings().weightDecay())),
                    g.view(anchor), g.view(params.grads()), g.view(velocity), g.view(params.values()));
        }
        return loss;
    }
}
