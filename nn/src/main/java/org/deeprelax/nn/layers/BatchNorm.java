package org.deeprelax.nn.layers;

import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Init;
import org.deeprelax.nn.Module;
import org.deeprelax.nn.Parameter;

/**
 * Batch normalisation with PyTorch's defaults (momentum 0.1, ε = 1e-5, γ = 1, β = 0, running mean 0
 * and variance 1). {@link BatchNorm1d} takes {@code [n, c]}, {@link BatchNorm2d} takes {@code [n, c, h, w]}.
 */
public abstract sealed class BatchNorm extends Module permits BatchNorm1d, BatchNorm2d {

    private static final float MOMENTUM = 0.1f;
    private static final float EPS = 1e-5f;

    private final int channels;
    private final int rank;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;

    BatchNorm(int channels, int rank) {
        this.channels = channels;
        this.rank = rank;
        gamma = parameter("weight", Shape.of(channels), Init.constant(1f));
        beta = parameter("bias", Shape.of(channels), Init.constant(0f));
        runningMean = buffer("running_mean", Shape.of(channels), Init.constant(0f));
        runningVar = buffer("running_var", Shape.of(channels), Init.constant(1f));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != rank) {
            throw new IllegalArgumentException(this + ": input has shape " + x.shape() + "; expected rank " + rank);
        }
        return org.deeprelax.core.BatchNorm.batchNorm(x, gamma.value(), beta.value(), runningMean.value(),
                runningVar.value(), isTraining(), MOMENTUM, EPS);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + channels + ")";
    }
}
