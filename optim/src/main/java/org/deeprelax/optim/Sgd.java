package org.deeprelax.optim;

import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;

/**
 * Stochastic gradient descent with momentum (optionally Nesterov's) and weight decay, as
 * {@code torch.optim.SGD} defines them; the update is one fused pass over the arena.
 */
public final class Sgd extends Optimizer {

    private final float momentum;
    private final float weightDecay;
    private final boolean nesterov;
    private final Tensor velocity;

    /**
     * @param model the model
     * @param lr learning rate
     * @param momentum momentum μ in [0, 1]
     * @param weightDecay L2 coefficient λ ≥ 0
     * @param nesterov Nesterov's form (needs μ &gt; 0)
     */
    public Sgd(Model model, float lr, float momentum, float weightDecay, boolean nesterov) {
        super(model, lr);
        Validate.inRange("momentum", momentum, 0, 1);
        Validate.nonNegative("weight decay", weightDecay);
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("nesterov = true needs momentum > 0, got momentum = 0");
        }
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.velocity = buffer("velocity", null);
    }

    @Override
    protected float doStep(Closure closure) {
        float loss = evaluate(closure, 0);
        backend.sgdUpdate(model.parameters(), model.gradients(), velocity, learningRate(), momentum, weightDecay,
                nesterov);
        return loss;
    }
}
