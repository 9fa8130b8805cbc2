package org.deeprelax.optim;

import java.util.List;
import java.util.Map;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.update.EntropyOuterStep;
import org.deeprelax.core.update.LangevinStep;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;

/**
 * Entropy-SGD (Chaudhari et al., ICLR 2017, Algorithm 1): gradient descent on the local entropy, whose
 * gradient (x − ⟨y⟩)/γ is estimated by L steps of Langevin dynamics started at the anchor x.
 *
 * <pre>
 *   y, μ ← x
 *   repeat L times:  g ← ∇f_mb(y);  y ← y − η'·(g + γ(y − x)) + noise;  μ ← (1 − α)μ + αy
 *   x ← x − η·(x − μ)
 *   γ ← γ0·(1 + γ1)^t,  t = outer steps so far
 * </pre>
 *
 * <p>{@link #printed()} is the algorithm as printed. The authors' implementations differ from it, and from
 * each other, in ways that change results; each difference is a setting of the {@link Builder}: the noise
 * convention, the averaging weight, inner and outer momentum and where the inner momentum sits, weight
 * decay, and whether the inner momentum restarts each outer step. Scoping counts t (the ucla-vision
 * PyTorch port never increments it, so its γ never grows).
 *
 * <pre>{@code
 * EntropySgd esgd = EntropySgd.printed().lr(1f).innerSteps(20).scoping(new Scoping(1e-4f, 1e-3f))
 *         .noise(1e-3f).noiseConvention(EntropySgd.Noise.CODE).alpha(0.25f)
 *         .innerMomentum(Momentum.nesterov(0.9f))
 *         .build().create(model.parameters());
 * }</pre>
 *
 * <p>Each inner step is one fused pass per parameter group ({@code FusedUpdates.langevin}) and the outer
 * step one more; the parameters are y during the inner loop and x between outer steps, so evaluation
 * after a step sees the anchor. Every evaluation needs a fresh minibatch
 * ({@link #freshMinibatchEachEvaluation()}); the Langevin noise of the evaluation with index k is
 * drawn at Philox indices k·n + i (n the arena's size), so a resumed run draws what an uninterrupted one
 * would. The step reports the loss of its last inner evaluation.
 */
public final class EntropySgd extends Optimizer {

    /** How the Langevin noise is scaled. */
    public enum Noise {
        /** As printed in Algorithm 1: √η'·ε·N(0, I) added to y (stationary temperature 2/ε²). */
        PRINTED,
        /** As the authors' code: ε·√(2η')·N(0, I) (temperature 1/ε²; "line 5 should have a factor of 2"). */
        CODE
    }

    /**
     * Every setting of Entropy-SGD. Build with {@link #printed()} and the {@link Builder}'s setters.
     *
     * @param lr η, the outer learning rate ≥ 0
     * @param innerSteps L, gradient evaluations per outer step (≥ 1)
     * @param innerLr η', the Langevin step (&gt; 0)
     * @param scoping γ0 and γ1 of γ = γ0(1 + γ1)^t
     * @param noise ε, the thermal noise (≥ 0)
     * @param noiseConvention how ε is scaled
     * @param alpha α ∈ (0, 1], weight of the new iterate in μ (0.75 in the text; the code's 0.25)
     * @param innerMomentum the inner loop's momentum
     * @param placement where the inner momentum sits
     * @param resetInnerMomentum whether the inner momentum restarts at zero each outer step (ucla) or
     *     persists (hamilton-jacobi)
     * @param outerMomentum the outer step's momentum
     * @param weightDecay λ ≥ 0 added to the inner gradient
     * @param outerWeightDecay λ ≥ 0 added to the outer direction (the ucla PyTorch port does)
     * @param seed the seed of the Langevin noise, or null to use the arena's (the model's seed)
     * @param groups the options of named parameter groups
     */
    public record Settings(float lr, int innerSteps, float innerLr, Scoping scoping, float noise,
                           Noise noiseConvention, float alpha, Momentum innerMomentum, MomentumPlacement placement,
                           boolean resetInnerMomentum, Momentum outerMomentum, float weightDecay,
                           float outerWeightDecay, Long seed, Map<String, GroupOptions> groups)
            implements OptimizerSettings {

        /**
         * Checks every value, naming the parameter, its value and the allowed range.
         *
         * @param lr η
         * @param innerSteps L
         * @param innerLr η'
         * @param scoping γ0, γ1
         * @param noise ε
         * @param noiseConvention the convention
         * @param alpha α
         * @param innerMomentum inner momentum
         * @param placement its placement
         * @param resetInnerMomentum whether it restarts
         * @param outerMomentum outer momentum
         * @param weightDecay inner λ
         * @param outerWeightDecay outer λ
         * @param seed the noise seed or null
         * @param groups the group options
         */
        public Settings {
            Validate.nonNegative("learning rate", lr);
            Validate.atLeastOne("L", innerSteps);
            Validate.positive("inner learning rate η'", innerLr);
            Validate.nonNegative("noise ε", noise);
            if (!(alpha > 0 && alpha <= 1)) {
                throw new IllegalArgumentException("α = " + alpha + " is not allowed; it must be in (0, 1]");
            }
            Validate.nonNegative("weight decay", weightDecay);
            Validate.nonNegative("outer weight decay", outerWeightDecay);
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
            return innerSteps;
        }

        @Override
        public EntropySgd create(ParameterArena params) {
            return new EntropySgd(params, this);
        }

        /**
         * The factor of ξ inside the step direction, so that η'·factor·ξ is the noise added to y.
         *
         * @return ε/√η' (printed) or ε/√(η'/2) (code)
         */
        float noiseScale() {
            return switch (noiseConvention) {
                case PRINTED -> (float) (noise / Math.sqrt(innerLr));
                case CODE -> (float) (noise / Math.sqrt(0.5 * innerLr));
            };
        }
    }

    /** Builds {@link Settings}; each setter replaces one value. */
    public static final class Builder extends SettingsBuilder<Builder, Settings> {
        private int innerSteps;
        private float innerLr;
        private Scoping scoping;
        private float noise;
        private Noise noiseConvention;
        private float alpha;
        private Momentum innerMomentum;
        private MomentumPlacement placement;
        private boolean resetInnerMomentum;
        private Momentum outerMomentum;
        private float outerWeightDecay;
        private Long seed;

        private Builder(Settings s) {
            super(s.lr(), s.weightDecay(), s.groups());
            innerSteps = s.innerSteps();
            innerLr = s.innerLr();
            scoping = s.scoping();
            noise = s.noise();
            noiseConvention = s.noiseConvention();
            alpha = s.alpha();
            innerMomentum = s.innerMomentum();
            placement = s.placement();
            resetInnerMomentum = s.resetInnerMomentum();
            outerMomentum = s.outerMomentum();
            outerWeightDecay = s.outerWeightDecay();
            seed = s.seed();
        }

        /**
         * Sets L.
         *
         * @param l gradient evaluations per outer step, ≥ 1
         * @return this builder
         */
        public Builder innerSteps(int l) {
            innerSteps = l;
            return this;
        }

        /**
         * Sets η'.
         *
         * @param lr the Langevin step, &gt; 0
         * @return this builder
         */
        public Builder innerLr(float lr) {
            innerLr = lr;
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
         * Sets ε.
         *
         * @param eps the thermal noise, ≥ 0
         * @return this builder
         */
        public Builder noise(float eps) {
            noise = eps;
            return this;
        }

        /**
         * Sets how ε is scaled.
         *
         * @param convention printed or the code's
         * @return this builder
         */
        public Builder noiseConvention(Noise convention) {
            noiseConvention = convention;
            return this;
        }

        /**
         * Sets α.
         *
         * @param a the weight of the new iterate in the running average, in (0, 1]
         * @return this builder
         */
        public Builder alpha(float a) {
            alpha = a;
            return this;
        }

        /**
         * Sets the inner loop's momentum.
         *
         * @param m the momentum
         * @return this builder
         */
        public Builder innerMomentum(Momentum m) {
            innerMomentum = m;
            return this;
        }

        /**
         * Sets where the inner momentum sits.
         *
         * @param where on the gradient only, or on everything
         * @return this builder
         */
        public Builder momentumPlacement(MomentumPlacement where) {
            placement = where;
            return this;
        }

        /**
         * Sets whether the inner momentum restarts at zero each outer step.
         *
         * @param reset true to restart it (ucla), false to keep it (hamilton-jacobi)
         * @return this builder
         */
        public Builder resetInnerMomentum(boolean reset) {
            resetInnerMomentum = reset;
            return this;
        }

        /**
         * Sets the outer step's momentum.
         *
         * @param m the momentum
         * @return this builder
         */
        public Builder outerMomentum(Momentum m) {
            outerMomentum = m;
            return this;
        }

        /**
         * Sets λ of the outer direction.
         *
         * @param lambda ≥ 0
         * @return this builder
         */
        public Builder outerWeightDecay(float lambda) {
            outerWeightDecay = lambda;
            return this;
        }

        /**
         * Sets the seed of the Langevin noise; by default it is the arena's (the model's seed).
         *
         * @param s the seed
         * @return this builder
         */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        @Override
        public Settings build() {
            return new Settings(lr, innerSteps, innerLr, scoping, noise, noiseConvention, alpha, innerMomentum,
                    placement, resetInnerMomentum, outerMomentum, weightDecay, outerWeightDecay, seed, groups);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }

    /**
     * A builder holding Algorithm 1 as printed: η = 1, L = 20, η' = 0.1, γ0 = 1e-4, γ1 = 1e-3, ε = 1e-4
     * (printed convention), α = 0.75, no momentum, no weight decay, the noise seed the arena's.
     *
     * @return the builder
     */
    public static Builder printed() {
        return new Builder(new Settings(1f, 20, 0.1f, new Scoping(1e-4f, 1e-3f), 1e-4f, Noise.PRINTED, 0.75f,
                Momentum.NONE, MomentumPlacement.GRADIENT, true, Momentum.NONE, 0f, 0f, null, Map.of()));
    }

    /** The Philox stream of the Langevin noise ("LANG" in the upper half, clear of other users of the seed). */
    static final long NOISE_STREAM = 0x4C41_4E47L << 32;

    private final long noiseSeed;
    private final Tensor anchor;
    private final Tensor average;
    private final Tensor innerMomentumBuffer;
    private final Tensor outerMomentumBuffer;

    /**
     * Binds Entropy-SGD to its parameters, whose current values become the first anchor.
     *
     * @param params the parameters
     * @param settings the settings
     */
    public EntropySgd(ParameterArena params, Settings settings) {
        super(params, settings);
        this.noiseSeed = settings().seed() != null ? settings().seed() : params.seed();
        anchor = buffer("anchor", params.values());
        average = buffer("average", params.values());
        innerMomentumBuffer = buffer("innerMomentum", null);
        outerMomentumBuffer = buffer("outerMomentum", null);
    }

    /**
     * The coupling of the next outer step.
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

    /**
     * The seed the Langevin noise is drawn from: the settings' if set, else the arena's.
     *
     * @return the seed
     */
    public long noiseSeed() {
        return noiseSeed;
    }


    @Override
    public boolean freshMinibatchEachEvaluation() {
        return true;
    }

    @Override
    protected Tensor doStep(Closure closure) {
        List<ParameterArena.Group> groups = params.groups();
        Tensor y = params.values();
        Tensor g = params.grads();
        float gamma = gamma();
        float noiseScale = settings().noiseScale();
        Momentum inner = settings().innerMomentum();
        long n = params.size();
        Tensor loss = null;
        for (int l = 0; l < settings().innerSteps(); l++) {
            long index = evaluations();
            loss = evaluate(closure);
            for (int i = 0; i < groups.size(); i++) {
                ParameterArena.Group grp = groups.get(i);
                LangevinStep step = new LangevinStep(settings().innerLr(), gamma, noiseScale, settings().alpha(),
                        inner.rho(), inner.nesterov(), weightDecay(i, settings().weightDecay()), settings().placement());
                updates.langevin(step, grp.view(y), grp.view(g), grp.view(anchor), grp.view(innerMomentumBuffer),
                        grp.view(average), noiseSeed, NOISE_STREAM, index * n + grp.offset());
            }
        }
        Momentum outer = settings().outerMomentum();
        for (int i = 0; i < groups.size(); i++) {
            ParameterArena.Group grp = groups.get(i);
            updates.entropyOuter(new EntropyOuterStep(learningRate(i), outer.rho(), outer.nesterov(),
                            weightDecay(i, settings().outerWeightDecay()), settings().resetInnerMomentum()),
                    grp.view(anchor), grp.view(y), grp.view(average), grp.view(innerMomentumBuffer),
                    grp.view(outerMomentumBuffer));
        }
        return loss;
    }
}
