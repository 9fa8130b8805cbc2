package org.deeprelax.optim;

import org.deeprelax.core.LangevinStep.MomentumPlacement;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;

/**
 * HJ, the non-viscous (proximal) relaxation of Deep Relaxation: a step along the gradient of the Moreau
 * envelope, (x − prox_{f/γ}(x))·γ, whose prox is estimated stochastically. The authors' code has two
 * forms (DESIGN.md):
 *
 * <ul>
 *   <li>{@link Form#HJB}: L steps of gradient descent on f(y) + (γ/2)|y − x|² from y = x, then
 *       x ← x − η(x − y_L). That is Entropy-SGD with no noise, η' = 0.25 and no averaging, so
 *       {@link #hjb} returns an {@link EntropySgd} so configured.</li>
 *   <li>{@link Form#FP}: the damped fixed point p ← 0.75p + 0.25·∇f_mb(x − p/γ) (p = ∇f(x) + λx to
 *       start, a fresh minibatch each time, L iterations), then x ← x − η·p with Nesterov momentum.
 *       This class. Each iteration is one fused pass, the outer step another.</li>
 * </ul>
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
     * Settings of HJ.
     *
     * @param form which form
     * @param innerSteps L (≥ 1)
     * @param gamma γ0 &gt; 0; the proximal time is 1/γ
     * @param scoping γ1 ≥ 0: γ grows as γ0(1 + γ1)^t
     * @param innerLr η' of HJB's inner descent (0.25 in the authors' code)
     * @param damping weight of the new gradient in FP's fixed point (0.25 in the authors' code), in (0, 1]
     * @param momentum outer momentum in [0, 1] (and HJB's inner momentum, as the authors' code)
     * @param nesterov Nesterov's form
     * @param weightDecay λ ≥ 0
     */
    public record Options(Form form, int innerSteps, float gamma, float scoping, float innerLr, float damping,
                          float momentum, boolean nesterov, float weightDecay) {

        /** Checks every value, naming the parameter, its value and the allowed range. */
        public Options {
            if (innerSteps < 1) {
                throw new IllegalArgumentException("L = " + innerSteps + " is not allowed; it must be an integer ≥ 1");
            }
            if (!(gamma > 0) || Float.isInfinite(gamma)) {
                throw new IllegalArgumentException("γ = " + gamma + " is not allowed; it must be a finite number > 0");
            }
            Validate.nonNegative("scoping γ1", scoping);
            Validate.nonNegative("inner learning rate η'", innerLr);
            if (!(damping > 0 && damping <= 1)) {
                throw new IllegalArgumentException("damping = " + damping + " is not allowed; it must be in (0, 1]");
            }
            Validate.inRange("momentum", momentum, 0, 1);
            Validate.nonNegative("weight decay", weightDecay);
        }

        /**
         * @param form which form
         * @return the authors' defaults: L = 10 (FP) or 20 (HJB), γ0 = 1e-4, γ1 = 1e-3, η' = 0.25, damping 0.25,
         *     Nesterov momentum 0.9, no weight decay
         */
        public static Options defaults(Form form) {
            return new Options(form, form == Form.FP ? 10 : 20, 1e-4f, 1e-3f, 0.25f, 0.25f, 0.9f, true, 0f);
        }
    }

    /**
     * HJ in its HJB form: Entropy-SGD with ε = 0, η' as given, α = 1 (μ is the last iterate), the inner
     * momentum on everything and never reset, as in the authors' code.
     *
     * @param model the model
     * @param lr η
     * @param o the settings ({@code damping} unused)
     * @return the optimizer
     */
    public static EntropySgd hjb(Model model, float lr, Options o) {
        EntropySgd.Options es = EntropySgd.Options.printed()
                .withInnerSteps(o.innerSteps())
                .withInnerLr(o.innerLr())
                .withGamma(o.gamma(), o.scoping())
                .withNoise(0f, EntropySgd.Noise.CODE)
                .withAlpha(1f)
                .withInnerMomentum(o.momentum(), o.nesterov() && o.momentum() > 0, MomentumPlacement.ALL, false)
                .withOuterMomentum(o.momentum(), o.nesterov() && o.momentum() > 0)
                .withWeightDecay(o.weightDecay(), 0f);
        return new EntropySgd(model, lr, es);
    }

    /**
     * @param model the model
     * @param lr η
     * @param o the settings
     * @return HJ in the requested form
     */
    public static Optimizer create(Model model, float lr, Options o) {
        return o.form() == Form.HJB ? hjb(model, lr, o) : new Hj(model, lr, o);
    }

    private final Options options;
    private final Tensor anchor;
    private final Tensor direction;
    private final Tensor momentumBuffer;

    /**
     * HJ in its FP form.
     *
     * @param model the model; its parameters are the first anchor
     * @param lr η
     * @param options the settings (form FP)
     */
    public Hj(Model model, float lr, Options options) {
        super(model, lr);
        if (options.form() != Form.FP) {
            throw new IllegalArgumentException("new Hj(...) is the FP form; use Hj.create or Hj.hjb for " + options.form());
        }
        this.options = options;
        anchor = buffer("anchor", model.parameters());
        direction = buffer("direction", null);
        momentumBuffer = buffer("outerMomentum", null);
    }

    /** @return γ for the next step: γ0·(1 + γ1)^t */
    public float gamma() {
        return (float) (options.gamma() * Math.pow(1 + options.scoping(), steps()));
    }

    @Override
    public int evaluationsPerStep() {
        return options.innerSteps() + 1;
    }

    @Override
    protected float doStep(Closure closure) {
        Tensor w = model.parameters();
        float gamma = gamma();
        float loss = evaluate(closure, 0);
        backend.fixedPointStep(w, model.gradients(), anchor, direction, 1f, gamma, options.weightDecay());
        for (int l = 1; l <= options.innerSteps(); l++) {
            loss = evaluate(closure, l);
            backend.fixedPointStep(w, model.gradients(), anchor, direction, options.damping(), gamma,
                    options.weightDecay());
        }
        backend.fixedPointOuterStep(anchor, direction, momentumBuffer, w, learningRate(), options.momentum(),
                options.nesterov() && options.momentum() > 0);
        checkFinite(anchor, options.innerSteps());
        return loss;
    }
}
