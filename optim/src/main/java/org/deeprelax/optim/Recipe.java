package org.deeprelax.optim;

import java.util.List;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;

/**
 * The training recipe of a network and an optimizer, with the settings of the papers' and the authors'
 * code where they exist, so that {@code Recipe.of("lenet", "entropy-sgd")} trains as the Entropy-SGD
 * experiments did. {@code deeprelax train} takes every setting its flags leave out from here.
 *
 * <ul>
 *   <li><b>sgd</b>: mnistfc and LeNet, batch 128, Nesterov 0.9, lr 0.1 divided by 10 after epoch 2, 10
 *       epochs; All-CNN-BN, 200 epochs, lr 0.1 × 0.2 every 60 epochs, weight decay 1e-3.</li>
 *   <li><b>entropy-sgd</b>, as the Lua code that ran the ICLR experiments: L = 20, η' = 0.1, α = 0.25
 *       (the code's beta1 = 0.75), noise ε·√(2η'), Nesterov 0.9 on the inner gradient, no outer momentum,
 *       outer lr 1 then ÷10 (MNIST: epochs 1–2, 3–7, 8–; γ0 = 1e-4, γ1 = 1e-3, ε = 1e-3, 5 epochs) or ×0.2
 *       every 3 epochs (All-CNN-BN: γ0 = 0.03, ε = 1e-4, 10 epochs, weight decay 1e-3).</li>
 *   <li><b>hj</b>, the FP form the authors' plots point to: L = 10 fixed-point iterations (11 gradient
 *       evaluations a step), γ0 = 1 (a proximal time of 1), γ1 = 1e-3, Nesterov 0.9; MNIST: lr 0.1 then
 *       0.01 from epoch 3, 5 epochs; All-CNN-BN: 20 epochs, lr × 0.2 every 6.</li>
 *   <li><b>adam</b> and <b>adamw</b>: {@code torch.optim}'s defaults (β = (0.9, 0.999), ε = 1e-8; AdamW's
 *       decoupled decay 1e-2, Adam's L2 term 1e-3 on All-CNN-BN as SGD's), lr 1e-3 on SGD's schedule
 *       (÷10 after epoch 2; All-CNN-BN × 0.2 every 60 epochs) and length.</li>
 *   <li><b>sam</b> (ρ = 0.05) and <b>asam</b> (ρ = 0.5, η = 0.01) over SGD's recipe, at half its epochs
 *       so that the gradient evaluations (two a step) are the same, with the schedule's steps at the
 *       same effective epochs (MNIST: ÷10 after epoch 1, 5 epochs; All-CNN-BN: 100 epochs, × 0.2 every
 *       30).</li>
 *   <li><b>parle</b>, distributed-ensembles' class defaults ({@link Parle#defaults()}: L = 25, η' = 0.1,
 *       γ from 0.01 to 1, ρ from 1 to 10, Nesterov 0.9), lr 0.1 then 0.01 from epoch 3, 5 epochs (the
 *       authors: "5-10 epochs are sufficient"; 125 effective epochs per replica); All-CNN-BN: 10 epochs,
 *       lr × 0.2 every 4, weight decay 1e-3.</li>
 *   <li><b>elastic-sgd</b>, {@link Parle#elasticSgd()} on SGD's schedule and length.</li>
 * </ul>
 *
 * <p>Parle and Elastic-SGD grow their couplings by ġ per outer step, which the reference code sets to
 * 0.5/nb, nb the minibatches of an epoch; a recipe cannot know nb, so its growth is 0 and the caller sets
 * it from the data ({@code deeprelax train} does: {@code settings.toBuilder().growth(0.5f / nb)}).
 *
 * <p>Batch-norm statistics are re-estimated before each evaluation ({@link #reestimateBatchNorm()}) for
 * the optimizers that evaluate gradients away from the parameters they return (Entropy-SGD and HJ in their
 * inner loops, SAM at its perturbed point), whose running averages describe those other points.
 *
 * <pre>{@code
 * Recipe recipe = Recipe.of("lenet", "entropy-sgd");
 * Optimizer esgd = recipe.create(model.parameters());
 * for (int epoch = 1; epoch <= recipe.epochs(); epoch++) {
 *     esgd.setLearningRate(recipe.schedule().at(epoch));
 *     ...
 * }
 * }</pre>
 *
 * @param network the network's name: mnistfc, lenet or allcnn
 * @param optimizer the optimizer's name, one of {@link #OPTIMIZERS}
 * @param settings the optimizer's settings (its learning rate is the schedule's first)
 * @param schedule the learning rate by epoch
 * @param epochs the number of epochs
 * @param batchSize the minibatch size
 * @param reestimateBatchNorm whether batch-norm statistics are re-estimated on training data before each
 *     evaluation
 */
public record Recipe(String network, String optimizer, OptimizerSettings settings, LearningRateSchedule schedule,
                     int epochs, int batchSize, boolean reestimateBatchNorm) {

    /** The networks with a recipe. */
    public static final List<String> NETWORKS = List.of("mnistfc", "lenet", "allcnn");

    /** The optimizers with a recipe. */
    public static final List<String> OPTIMIZERS = List.of("sgd", "entropy-sgd", "hj", "adam", "adamw", "sam", "asam",
            "parle", "elastic-sgd");

    /**
     * The recipe of a network and an optimizer.
     *
     * @param network mnistfc, lenet or allcnn
     * @param optimizer one of {@link #OPTIMIZERS}
     * @return the recipe
     * @throws IllegalArgumentException naming the choices if either name is unknown
     */
    public static Recipe of(String network, String optimizer) {
        if (!NETWORKS.contains(network)) {
            throw new IllegalArgumentException("no recipe for network '" + network + "'; there are recipes for "
                    + String.join(", ", NETWORKS));
        }
        boolean cifar = network.equals("allcnn");
        float wd = cifar ? 1e-3f : 0f;
        String sgdSchedule = cifar ? "1:0.1,61:0.02,121:0.004,181:0.0008" : "1:0.1,3:0.01";
        return switch (optimizer) {
            case "sgd" -> of(network, optimizer, Sgd.defaults().momentum(Momentum.nesterov(0.9f)).weightDecay(wd),
                    sgdSchedule, cifar ? 200 : 10, false);
            case "entropy-sgd" -> of(network, optimizer, EntropySgd.printed().innerSteps(20).innerLr(0.1f)
                            .scoping(new Scoping(cifar ? 0.03f : 1e-4f, 1e-3f)).noise(cifar ? 1e-4f : 1e-3f)
                            .noiseConvention(EntropySgd.Noise.CODE).alpha(0.25f).innerMomentum(Momentum.nesterov(0.9f))
                            .momentumPlacement(MomentumPlacement.GRADIENT).resetInnerMomentum(true)
                            .outerMomentum(Momentum.NONE).weightDecay(wd),
                    cifar ? "1:1,4:0.2,7:0.04" : "1:1,3:0.1,8:0.01", cifar ? 10 : 5, true);
            case "hj" -> of(network, optimizer, Hj.defaults(Hj.Form.FP).innerSteps(10).weightDecay(wd),
                    cifar ? "1:0.1,7:0.02,13:0.004" : "1:0.1,3:0.01", cifar ? 20 : 5, true);
            case "adam" -> of(network, optimizer, Adam.defaults().weightDecay(wd),
                    cifar ? "1:0.001,61:0.0002,121:0.00004,181:0.000008" : "1:0.001,3:0.0001", cifar ? 200 : 10, false);
            case "adamw" -> of(network, optimizer, Adam.adamW(),
                    cifar ? "1:0.001,61:0.0002,121:0.00004,181:0.000008" : "1:0.001,3:0.0001", cifar ? 200 : 10, false);
            case "sam", "asam" -> of(network, optimizer,
                    (optimizer.equals("sam") ? Sam.defaults() : Sam.adaptive()).momentum(Momentum.nesterov(0.9f))
                            .weightDecay(wd),
                    cifar ? "1:0.1,31:0.02,61:0.004,91:0.0008" : "1:0.1,2:0.01", cifar ? 100 : 5, true);
            case "parle" -> of(network, optimizer, Parle.defaults().weightDecay(wd),
                    cifar ? "1:0.1,5:0.02,9:0.004" : "1:0.1,3:0.01", cifar ? 10 : 5, true);
            case "elastic-sgd" -> of(network, optimizer, Parle.elasticSgd().weightDecay(wd), sgdSchedule,
                    cifar ? 200 : 10, false);
            default -> throw new IllegalArgumentException("no recipe for optimizer '" + optimizer
                    + "'; there are recipes for " + String.join(", ", OPTIMIZERS));
        };
    }

    private static Recipe of(String network, String optimizer, SettingsBuilder<?, ?> settings, String schedule,
                             int epochs, boolean reestimateBatchNorm) {
        LearningRateSchedule s = LearningRateSchedule.parse(schedule);
        return new Recipe(network, optimizer, settings.lr(s.at(1)).build(), s, epochs, 128, reestimateBatchNorm);
    }

    /**
     * An optimizer with the recipe's settings over {@code params}.
     *
     * @param params the parameters
     * @return the optimizer, at the schedule's first learning rate
     */
    public Optimizer create(ParameterArena params) {
        return settings.create(params);
    }

    /**
     * The recipe's length in effective epochs, gradient evaluations per training example.
     *
     * @return epochs × evaluations per step
     */
    public int effectiveEpochs() {
        return epochs * settings.evaluationsPerStep();
    }
}
