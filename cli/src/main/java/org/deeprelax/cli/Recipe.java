package org.deeprelax.cli;

import org.deeprelax.core.LangevinStep.MomentumPlacement;
import org.deeprelax.optim.EntropySgd;
import org.deeprelax.optim.Hj;

/**
 * The reference recipe of each network and optimizer (DESIGN.md and
 * {@code shared/reference/entropy-sgd-notes.md}, §1.4–1.5): what {@code deeprelax train} uses for every
 * setting the command line leaves out.
 *
 * <ul>
 *   <li>SGD: mnistfc and LeNet, batch 128, Nesterov 0.9, lr 0.1 divided by 10 after epoch 2, 10 epochs;
 *       All-CNN-BN, 200 epochs, lr 0.1 × 0.2 every 60 epochs, weight decay 1e-3.</li>
 *   <li>Entropy-SGD, as the Lua code that ran the ICLR experiments: L = 20, η' = 0.1, α = 0.25 (the code's
 *       beta1 = 0.75), noise ε·√(2η'), Nesterov 0.9 on the inner gradient, no outer momentum, outer lr 1
 *       then ÷10 (MNIST: epochs 1–2, 3–7, 8–; γ0 = 1e-4, γ1 = 1e-3, ε = 1e-3, 5 epochs) or ×0.2 every 3
 *       epochs (All-CNN-BN: γ0 = 0.03, ε = 1e-4, 10 epochs, weight decay 1e-3).</li>
 *   <li>HJ, the FP form the authors' plots point to: L = 10 fixed-point iterations (11 gradient
 *       evaluations a step), γ0 = 1 (a proximal time of 1), γ1 = 1e-3, Nesterov 0.9; MNIST: lr 0.1 then
 *       0.01 from epoch 3, 5 epochs; All-CNN-BN: 20 epochs, lr × 0.2 every 6.</li>
 * </ul>
 *
 * @param data default data source (null: must be given)
 * @param epochs epochs
 * @param batchSize minibatch size
 * @param lrSchedule learning rate by epoch
 * @param momentum momentum (outer, for Entropy-SGD and HJ)
 * @param nesterov Nesterov momentum
 * @param weightDecay L2 coefficient
 * @param relaxation Entropy-SGD and HJ settings, null for SGD
 */
record Recipe(String data, int epochs, int batchSize, String lrSchedule, float momentum, boolean nesterov,
              float weightDecay, Relaxation relaxation) {

    static Recipe of(String model, String optimizer) {
        boolean cifar = model.equals("allcnn");
        String data = cifar ? null : "mnist-10k";
        float wd = cifar ? 1e-3f : 0f;
        return switch (optimizer) {
            case "entropy-sgd" -> new Recipe(data, cifar ? 10 : 5, 128, cifar ? "1:1,4:0.2,7:0.04" : "1:1,3:0.1,8:0.01",
                    0f, true, wd, new Relaxation(20, cifar ? 0.03f : 1e-4f, 1e-3f, cifar ? 1e-4f : 1e-3f,
                    EntropySgd.Noise.CODE, 0.1f, 0.25f, 0.9f, true, MomentumPlacement.GRADIENT, true, 0f, Hj.Form.FP, true));
            case "hj" -> new Recipe(data, cifar ? 20 : 5, 128, cifar ? "1:0.1,7:0.02,13:0.004" : "1:0.1,3:0.01",
                    0.9f, true, wd, new Relaxation(10, 1f, 1e-3f, 0f, EntropySgd.Noise.CODE, 0.25f, 1f, 0.9f,
                    true, MomentumPlacement.ALL, false, 0f, Hj.Form.FP, true));
            default -> new Recipe(data, cifar ? 200 : 10, 128, cifar ? "1:0.1,61:0.02,121:0.004,181:0.0008" : "1:0.1,3:0.01",
                    0.9f, true, wd, null);
        };
    }
}
