package org.deeprelax.cli;

import org.deeprelax.core.LangevinStep.MomentumPlacement;
import org.deeprelax.nn.Model;
import org.deeprelax.optim.EntropySgd;
import org.deeprelax.optim.Hj;
import org.deeprelax.optim.Optimizer;

/**
 * The settings of Entropy-SGD and HJ beyond those they share with SGD (outer learning rate, outer
 * momentum, weight decay).
 *
 * @param innerSteps L
 * @param gamma γ0
 * @param scoping γ1
 * @param noise ε (Entropy-SGD)
 * @param noiseConvention printed or code (Entropy-SGD)
 * @param innerLr η' (Entropy-SGD and HJB)
 * @param alpha α (Entropy-SGD)
 * @param innerMomentum inner-loop momentum (Entropy-SGD)
 * @param innerNesterov Nesterov's form of the inner momentum (Entropy-SGD)
 * @param placement where the inner momentum sits (Entropy-SGD)
 * @param resetInnerMomentum whether it restarts each outer step (Entropy-SGD)
 * @param outerWeightDecay λ on the outer direction (Entropy-SGD)
 * @param hjForm HJB or FP (HJ)
 * @param bnRefresh whether batch-norm statistics are re-estimated on training data before each validation
 */
public record Relaxation(int innerSteps, float gamma, float scoping, float noise, EntropySgd.Noise noiseConvention,
                         float innerLr, float alpha, float innerMomentum, boolean innerNesterov,
                         MomentumPlacement placement,
                         boolean resetInnerMomentum, float outerWeightDecay, Hj.Form hjForm, boolean bnRefresh) {

    /**
     * @param name {@code entropy-sgd} or {@code hj}
     * @param model the model
     * @param lr the first outer learning rate
     * @param c the whole configuration
     * @return the optimizer these settings describe
     */
    Optimizer build(String name, Model model, float lr, TrainConfig c) {
        return name.equals("hj") ? Hj.create(model, lr, hjOptions(c)) : new EntropySgd(model, lr, entropySgdOptions(c));
    }

    /**
     * Checks every value by building the optimizer's options.
     *
     * @param name {@code entropy-sgd} or {@code hj}
     * @param c the whole configuration
     * @throws IllegalArgumentException naming the parameter, its value and the allowed range
     */
    void validate(String name, TrainConfig c) {
        if (name.equals("hj")) {
            hjOptions(c);
        } else {
            entropySgdOptions(c);
        }
    }

    private Hj.Options hjOptions(TrainConfig c) {
        return new Hj.Options(hjForm, innerSteps, gamma, scoping, innerLr, 0.25f, c.momentum(), c.nesterov(),
                c.weightDecay());
    }

    private EntropySgd.Options entropySgdOptions(TrainConfig c) {
        return EntropySgd.Options.printed()
                .withInnerSteps(innerSteps)
                .withInnerLr(innerLr)
                .withGamma(gamma, scoping)
                .withNoise(noise, noiseConvention)
                .withAlpha(alpha)
                .withInnerMomentum(innerMomentum, innerNesterov && innerMomentum > 0, placement, resetInnerMomentum)
                .withOuterMomentum(c.momentum(), c.nesterov() && c.momentum() > 0)
                .withWeightDecay(c.weightDecay(), outerWeightDecay)
                .withSeed(c.seed());
    }
}
