package org.deeprelax.optim;

import java.util.List;
import java.util.Map;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.update.FixedPointOuterStep;
import org.deeprelax.core.update.FixedPointStep;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;

/**
 * HJ, the non-viscous (proximal) relaxation of Deep Relaxation: a step along the gradient of the Moreau
 * envelope, (x − prox_{f/γ}(x))·γ, whose prox is estimated stochastically. The authors' code has two
 * forms:
 *
 * <ul>
 *   <li>{@link Form#HJB}: L steps of gradient descent on f(y) + (γ/2)|y − x|² from y = x, then
 *       x ← x − η(x − y_L). That is Entropy-SGD with no noise, η' = 0.25 and no averaging, so
 *       {@link Settings#create} returns an {@link EntropySgd} so configured
 *       ({@link Settings#asEntropySgd()}).</li>
 *   <li>{@link Form#FP}: the damped fixed point p ← 0.75p + 0.25·∇f_mb(x − p/γ) (p = ∇f(x) + λx to
 *       start, a fresh minibatch each time, L iterations: L + 1 gradient evaluations a step), then
 *       x ← x − η·p with Nesterov momentum. This class. Each iteration is one fused pass per parameter
 *       group, the outer step another; the step reports the loss of its last evaluation.</li>
 * </ul>
 *
 * <pre>{@code
 * Optimizer hj = Hj.defaults(Hj.Form.FP).build().create(model.parameters());
 * }</pre>
 */
public final class Hj extends Optimizer {

    /** The two forms of HJ in the authors' code. */
    public enum Form {
        /** Gradient descent on the proximal objective, then a step toward its end point. */
        HJB,
        /** A damped fixed point for p = ∇f(x − p/γ), then a step along p. */
        FP
    }

    /**
     * Every setting of HJ.
     *
     * @param form which form
     * @param lr η, the outer learning rate ≥ 0
     * @param innerSteps L (≥ 1)
     * @param scoping γ0 and γ1 of γ = γ0(1 + γ1)^t; the proximal time is 1/γ
     * @param innerLr η' of HJB's inner descent (&gt; 0; 0.25 in the authors' code; unused by FP)
     * @param damping weight of the new gradient in FP's fixed point, in (0, 1] (0.25 in the authors' code;
     *     unused by HJB)
     * @param momentum the outer momentum (and HJB's inner momentum, as the authors' code)
     * @param weightDecay λ ≥ 0
     * @param groups the options of named parameter groups
     */
    public record Settings(Form form, float lr, int innerSteps, Scoping scoping, float innerLr, float damping,
                           Momentum momentum, float weightDecay, Map<String, GroupOptions> groups)
            implements OptimizerSettings {

        /**
         * Checks every value, naming the parameter, its value and the allowed range.
         *
         * @param form the form
         * @param lr η
         * @param innerSteps L
         * @param scoping γ0, γ1
         * @param innerLr η'
         * @param damping the damping
         * @param momentum the momentum
         * @param weightDecay λ
         * @param groups the group options
         */
        public Settings {
            Validate.nonNegative("learning rate", lr);
            Validate.atLeastOne("L", innerSteps);
            Validate.positive("inner learning rate η'", innerLr);
            if (!(damping > 0 && damping <= 1)) {
                throw new IllegalArgumentException("damping = " + damping + " is not allowed; it must be in (0, 1]");
            }
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
            return form == Form.FP ? innerSteps + 1 : innerSteps;
        }

        /**
         * HJ in the settings' form: an {@link Hj} for FP, the {@link EntropySgd} of
         * {@link #asEntropySgd()} for HJB.
         *
         * @param params the parameters
         * @return the optimizer
         */
        @Override
        public Optimizer create(ParameterArena params) {
            return form == Form.FP ? new Hj(params, this) : asEntropySgd().create(params);
        }

        /**
         * HJ in its HJB form as Entropy-SGD: ε = 0, η' as given, α = 1 (μ is the last iterate), the
         * momentum on everything in the inner loop and never reset, and the same momentum outside, as the
         * authors' code.
         *
         * @return the Entropy-SGD settings
         */
        public EntropySgd.Settings asEntropySgd() {
            EntropySgd.Builder b = EntropySgd.printed().lr(lr).innerSteps(innerSteps).innerLr(innerLr)
                    .scoping(scoping).noise(0f).noiseConvention(EntropySgd.Noise.CODE).alpha(1f)
                    .innerMomentum(momentum).momentumPlacement(MomentumPlacement.ALL).resetInnerMomentum(false)
                    .outerMomentum(momentum).weightDecay(weightDecay).outerWeightDecay(0f);
            groups.forEach(b::group);
            return b.build();
        }
    }

    /** Builds {@link Settings}; each setter replaces one value. */
    public static final class Builder extends SettingsBuilder<Builder, Settings> {
        private Form form;
        private int innerSteps;
        private Scoping scoping;
        private float innerLr;
        private float damping;
        private Momentum momentum;

        private Builder(Settings s) {
            super(s.lr(), s.weightDecay(), s.groups());
            form = s.form();
            innerSteps = s.innerSteps();
            scoping = s.scoping();
            innerLr = s.innerLr();
            damping = s.damping();
            momentum = s.momentum();
        }

        /**
         * Sets the form.
         *
         * @param f HJB or FP
         * @return this builder
         */
        public Builder form(Form f) {
            form = f;
            return this;
        }

        /**
         * Sets L.
         *
         * @param l inner iterations, ≥ 1
         * @return this builder
         */
        public Builder innerSteps(int l) {
            innerSteps = l;
            return this;
        }

        /**
         * Sets γ0 and γ1.
         *
         * @param s the scoping
         * @return this builder
         */
        public Builder scoping(Scoping s) {
            scoping = s;
            return this;
        }

        /**
         * Sets η' of HJB's inner descent.
         *
         * @param lr η' &gt; 0
         * @return this builder
         */
        public Builder innerLr(float lr) {
            innerLr = lr;
            return this;
        }

        /**
         * Sets FP's damping.
         *
         * @param a the weight of the new gradient, in (0, 1]
         * @return this builder
         */
        public Builder damping(float a) {
            damping = a;
            return this;
        }

        /**
         * Sets the momentum.
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
            return new Settings(form, lr, innerSteps, scoping, innerLr, damping, momentum, weightDecay, groups);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }

    /**
     * A builder with the settings of the authors' code that train as they are: η = 0.1, γ0 = 1 (a
     * proximal time of 1), γ1 = 1e-3, η' = 0.25, damping 0.25, Nesterov momentum 0.9, no weight decay, and
     * L = 10 (FP) or 20 (HJB).
     *
     * @param form the form
     * @return the builder
     */
    public static Builder defaults(Form form) {
        return new Builder(new Settings(form, 0.1f, form == Form.FP ? 10 : 20, new Scoping(1f, 1e-3f), 0.25f, 0.25f,
                Momentum.nesterov(0.9f), 0f, Map.of()));
    }

    private final Tensor anchor;
    private final Tensor direction;
    private final Tensor momentumBuffer;

    /**
     * HJ in its FP form, bound to its parameters, whose current values are the first anchor.
     *
     * @param params the parameters
     * @param settings the settings (form FP)
     * @throws IllegalArgumentException for the HJB form, which {@link Settings#create} builds
     */
    public Hj(ParameterArena params, Settings settings) {
        super(params, settings);
        if (settings().form() != Form.FP) {
            throw new IllegalArgumentException("new Hj(...) is the FP form; for " + settings().form()
                    + " use settings.create(params)");
        }
        anchor = buffer("anchor", params.values());
        direction = buffer("direction", null);
        momentumBuffer = buffer("outerMomentum", null);
    }

    /**
     * The coupling of the next step.
     *
     * @return γ0·(1 + γ1)^t
     */
    public float gamma() {
        return settings().scoping().gamma(steps());
    }

    @Override
    public Settings settings() {
        return (Settings) super.settings();
    }


    @Override
    public boolean freshMinibatchEachEvaluation() {
        return true;
    }

    @Override
    protected Tensor doStep(Closure closure) {
        float gamma = gamma();
        Tensor loss = evaluate(closure);
        fixedPoint(1f, gamma);
        for (int l = 1; l <= settings().innerSteps(); l++) {
            loss = evaluate(closure);
            fixedPoint(settings().damping(), gamma);
        }
        List<ParameterArena.Group> groups = params.groups();
        Momentum m = settings().momentum();
        for (int i = 0; i < groups.size(); i++) {
            ParameterArena.Group g = groups.get(i);
            updates.fixedPointOuter(new FixedPointOuterStep(learningRate(i), m.rho(), m.nesterov()), g.view(anchor),
                    g.view(direction), g.view(momentumBuffer), g.view(params.values()));
        }
        return loss;
    }

    private void fixedPoint(float damping, float gamma) {
        List<ParameterArena.Group> groups = params.groups();
        for (int i = 0; i < groups.size(); i++) {
            ParameterArena.Group g = groups.get(i);
            updates.fixedPoint(new FixedPointStep(damping, gamma, weightDecay(i, settings().weightDecay())),
                    g.view(params.values()), g.view(params.grads()), g.view(anchor), g.view(direction));
        }
    }
}
