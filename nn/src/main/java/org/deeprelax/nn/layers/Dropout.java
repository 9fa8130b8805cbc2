package org.deeprelax.nn.layers;

import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.Module;

/**
 * Inverted dropout. Each layer has its own Philox stream; within it, training forward pass t draws from
 * index {@code t·2³²}, so the mask depends only on (model seed, layer, forward count) and a resumed run
 * draws exactly what the uninterrupted one would. It draws only when the model does
 * ({@link Model#drawsMasks()}: not in evaluation mode, nor while batch-norm statistics are re-estimated).
 */
public final class Dropout extends Module {

    private final float p;
    private Model model;
    private long stream;

    /**
     * Creates the layer.
     *
     * @param p drop probability in [0, 1)
     */
    public Dropout(float p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: probability " + p + " is outside [0, 1)");
        }
        this.p = p;
    }

    @Override
    protected void attach(Model model) {
        this.model = model;
        this.stream = model.nextDropoutStream();
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        if (model == null) {
            throw new IllegalStateException("Dropout in training mode needs a model: build one with Model.build");
        }
        if (!model.drawsMasks()) {
            return x;
        }
        return org.deeprelax.core.Dropout.dropout(x, p, true, model.seed(), stream, model.forwardCount() << 32);
    }

    @Override
    public String toString() {
        return "Dropout(" + p + ")";
    }
}
