package org.deeprelax.optim;

import org.deeprelax.core.LangevinStep;
import org.deeprelax.core.LangevinStep.MomentumPlacement;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;

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
 * <p>The defaults are the algorithm as printed. The authors' implementations differ from it, and from
 * each other, in ways that change results; each difference is an option of {@link Options}: the noise
 * convention, the averaging weight, inner and outer momentum and where the inner momentum sits, weight
 * decay, and whether the inner momentum restarts each outer step. Scoping counts t (the ucla-vision
 * PyTorch port never increments it, so its γ never grows).
 *
 * <p>Each inner step is one fused pass over the arena ({@link org.deeprelax.core.Backend#langevinStep})
 * and the outer step one more; the model's parameters are y during the inner loop and x between outer
 * steps, so evaluation after a step sees the anchor.
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
     * Every setting of Entropy-SGD. Build with {@link #printed()} and the {@code with…} methods.
     *
     * @param innerSteps L, gradient evaluations per outer step (≥ 1)
     * @param innerLr η', the Langevin step (&gt; 0)
     * @param gamma γ0, the initial coupling (&gt; 0)
     * @param scoping γ1: γ grows as γ0(1 + γ1)^t (≥ 0)
     * @param noise ε, the thermal noise (≥ 0)
     * @param noiseConvention how ε is scaled
     * @param alpha α ∈ (0, 1], weight of the new iterate in μ (0.75 in the text; the code's 0.25)
     * @param innerMomentum ρ ∈ [0, 1] of the inner loop
     * @param innerNesterov Nesterov's form in the inner loop
     * @param placement where the inner momentum sits
     * @param resetInnerMomentum whether the inner momentum restarts at zero each outer step (ucla) or persists (hamilton-jacobi)
     * @param outerMomentum momentum ∈ [0, 1] of the outer step
     * @param outerNesterov Nesterov's form in the outer step
     * @param weightDecay λ ≥ 0 added to the inner gradient
     * @param outerWeightDecay λ ≥ 0 added to the outer direction (the ucla PyTorch port does)
     * @param seed seed of the Langevin noise
     */
    public record Options(int innerSteps, float innerLr, float gamma, float scoping, float noise, Noise noiseConvention,
                          float alpha, float innerMomentum, boolean innerNesterov, MomentumPlacement placement,
                          boolean resetInnerMomentum, float outerMomentum, boolean outerNesterov, float weightDecay,
                          float outerWeightDecay, long seed) {

        /** Checks every value, naming the parameter, its value and the allowed range. */
        public Options {
            if (innerSteps < 1) {
                throw new IllegalArgumentException("L = " + innerSteps + " is not allowed; it must be an integer ≥ 1");
            }
            positive("inner learning rate η'", innerLr);
            positive("γ", gamma);
            Validate.nonNegative("scoping γ1", scoping);
            Validate.nonNegative("noise ε", noise);
            if (!(alpha > 0 && alpha <= 1)) {
                throw new IllegalArgumentException("α = " + alpha + " is not allowed; it must be in (0, 1]");
            }
            Validate.inRange("inner momentum", innerMomentum, 0, 1);
            Validate.inRange("outer momentum", outerMomentum, 0, 1);
            Validate.nonNegative("weight decay", weightDecay);
            Validate.nonNegative("outer weight decay", outerWeightDecay);
        }

        private static void positive(String name, float v) {
            if (!(v > 0) || Float.isInfinite(v)) {
                throw new IllegalArgumentException(name + " = " + v + " is not allowed; it must be a finite number > 0");
            }
        }

        /** @return Algorithm 1 as printed: L = 20, η' = 0.1, γ0 = 1e-4, γ1 = 1e-3, ε = 1e-4, α = 0.75, no momentum */
        public static Options printed() {
            return new Options(20, 0.1f, 1e-4f, 1e-3f, 1e-4f, Noise.PRINTED, 0.75f, 0f, false,
                    MomentumPlacement.GRADIENT, true, 0f, false, 0f, 0f, 0L);
        }

        /** @param l L @return a copy */
        public Options withInnerSteps(int l) {
            return new Options(l, innerLr, gamma, scoping, noise, noiseConvention, alpha, innerMomentum, innerNesterov,
                    placement, resetInnerMomentum, outerMomentum, outerNesterov, weightDecay, outerWeightDecay, seed);
        }

        /** @param lr η' @return a copy */
        public Options withInnerLr(float lr) {
            return new Options(innerSteps, lr, gamma, scoping, noise, noiseConvention, alpha, innerMomentum,
                    innerNesterov, placement, resetInnerMomentum, outerMomentum, outerNesterov, weightDecay,
                    outerWeightDecay, seed);
        }

        /** @param g0 γ0 @param g1 γ1 @return a copy */
        public Options withGamma(float g0, float g1) {
            return new Options(innerSteps, innerLr, g0, g1, noise, noiseConvention, alpha, innerMomentum, innerNesterov,
                    placement, resetInnerMomentum, outerMomentum, outerNesterov, weightDecay, outerWeightDecay, seed);
        }

        /** @param eps ε @param convention how it is scaled @return a copy */
        public Options withNoise(float eps, Noise convention) {
            return new Options(innerSteps, innerLr, gamma, scoping, eps, convention, alpha, innerMomentum,
                    innerNesterov, placement, resetInnerMomentum, outerMomentum, outerNesterov, weightDecay,
                    outerWeightDecay, seed);
        }

        /** @param a α @return a copy */
        public Options withAlpha(float a) {
            return new Options(innerSteps, innerLr, gamma, scoping, noise, noiseConvention, a, innerMomentum,
                    innerNesterov, placement, resetInnerMomentum, outerMomentum, outerNesterov, weightDecay,
                    outerWeightDecay, seed);
        }

        /**
         * @param rho inner momentum
         * @param nesterov Nesterov's form
         * @param where where it sits
         * @param reset whether it restarts each outer step
         * @return a copy
         */
        public Options withInnerMomentum(float rho, boolean nesterov, MomentumPlacement where, boolean reset) {
            return new Options(innerSteps, innerLr, gamma, scoping, noise, noiseConvention, alpha, rho, nesterov,
                    where, reset, outerMomentum, outerNesterov, weightDecay, outerWeightDecay, seed);
        }

        /** @param rho outer momentum @param nesterov Nesterov's form @return a copy */
        public Options withOuterMomentum(float rho, boolean nesterov) {
            return new Options(innerSteps, innerLr, gamma, scoping, noise, noiseConvention, alpha, innerMomentum,
                    innerNesterov, placement, resetInnerMomentum, rho, nesterov, weightDecay, outerWeightDecay, seed);
        }

        /** @param inner λ on the inner gradient @param outer λ on the outer direction @return a copy */
        public Options withWeightDecay(float inner, float outer) {
            return new Options(innerSteps, innerLr, gamma, scoping, noise, noiseConvention, alpha, innerMomentum,
                    innerNesterov, placement, resetInnerMomentum, outerMomentum, outerNesterov, inner, outer, seed);
        }

        /** @param s seed of the noise @return a copy */
        public Options withSeed(long s) {
            return new Options(innerSteps, innerLr, gamma, scoping, noise, noiseConvention, alpha, innerMomentum,
                    innerNesterov, placement, resetInnerMomentum, outerMomentum, outerNesterov, weightDecay,
                    outerWeightDecay, s);
        }

        /** @return the factor of ξ inside the step direction, so that η'·factor·ξ is the noise added to y */
        float noiseScale() {
            return switch (noiseConvention) {
                case PRINTED -> (float) (noise / Math.sqrt(innerLr));
                case CODE -> (float) (noise / Math.sqrt(0.5 * innerLr));
            };
        }
    }

    /** The Philox stream of the Langevin noise ("LANG" in the upper half, clear of other users of the seed). */
    static final long NOISE_STREAM = 0x4C41_4E47L << 32;

    private final Options options;
    private final Tensor anchor;
    private final Tensor average;
    private final Tensor innerMomentumBuffer;
    private final Tensor outerMomentumBuffer;

    /**
     * @param model the model; its current parameters become the first anchor
     * @param lr η, the outer learning rate
     * @param options everything else
     */
    public EntropySgd(Model model, float lr, Options options) {
        super(model, lr);
        this.options = options;
        anchor = buffer("anchor", model.parameters());
        average = buffer("average", model.parameters());
        innerMomentumBuffer = buffer("innerMomentum", null);
        outerMomentumBuffer = buffer("outerMomentum", null);
    }

    /** @return γ for the next outer step: γ0·(1 + γ1)^t */
    public float gamma() {
        return (float) (options.gamma() * Math.pow(1 + options.scoping(), steps()));
    }

    /** @return the settings */
    public Options options() {
        return options;
    }

    @Override
    public int evaluationsPerStep() {
        return options.innerSteps();
    }

    @Override
    protected float doStep(Closure closure) {
        Tensor y = model.parameters();
        int n = y.size();
        LangevinStep step = new LangevinStep(options.innerLr(), gamma(), options.noiseScale(), options.alpha(),
                options.innerMomentum(), options.innerNesterov(), options.weightDecay(), options.placement());
        float loss = 0;
        for (int l = 0; l < options.innerSteps(); l++) {
            loss = evaluate(closure, l);
            long first = (steps() * options.innerSteps() + l) * (long) n;
            backend.langevinStep(y, model.gradients(), anchor, innerMomentumBuffer, average, step, options.seed(),
                    NOISE_STREAM, first);
        }
        backend.entropyOuterStep(anchor, y, average, innerMomentumBuffer, outerMomentumBuffer, learningRate(),
                options.outerMomentum(), options.outerNesterov(), options.outerWeightDecay(),
                options.resetInnerMomentum());
        checkFinite(anchor, options.innerSteps());
        return loss;
    }
}
