package org.deeprelax.core;

/**
 * Batch normalisation over the channels of {@code [n, c, h, w]} or the features of {@code [n, c]}.
 * Training mode normalises with the batch's statistics and updates the running averages; evaluation
 * mode uses the running averages.
 */
public final class BatchNorm {

    private BatchNorm() {
    }

    /**
     * Normalises each channel over the batch (training) or with running averages (evaluation).
     *
     * @param x input, rank 2 or 4
     * @param gamma scale {@code [c]}
     * @param beta shift {@code [c]}
     * @param runningMean {@code [c]}, updated in training mode
     * @param runningVar {@code [c]}, updated in training mode
     * @param training whether to use (and update from) batch statistics
     * @param momentum weight of the batch in the running averages (PyTorch's default is 0.1)
     * @param eps added to the variance
     * @return the normalised tensor
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   boolean training, float momentum, float eps) {
        Checks.rank("batchNorm", "input", x, 2, 4);
        Checks.sameBackend("batchNorm", x, gamma, beta, runningMean, runningVar);
        int c = x.dim(1);
        for (Tensor p : new Tensor[] {gamma, beta, runningMean, runningVar}) {
            if (p.rank() != 1 || p.dim(0) != c) {
                throw new IllegalArgumentException("batchNorm: input " + x.shape() + " has " + c
                        + " channels but a per-channel tensor has shape " + p.shape());
            }
        }
        Backend be = x.backend();
        Tensor y = Tensor.zeros(be, x.shape());
        Shape perChannel = Shape.of(c);
        if (training) {
            if (x.size() / c < 2) {
                throw new IllegalArgumentException("batchNorm: input " + x.shape()
                        + " has one value per channel; training mode needs at least two to estimate a variance");
            }
            Tensor mean = Tensor.zeros(be, perChannel);
            Tensor invStd = Tensor.zeros(be, perChannel);
            be.batchNormForwardTraining(x, gamma, beta, eps, momentum, runningMean, runningVar, y, mean, invStd);
            return Autograd.record("batchNorm", y, dy -> {
                Tensor dx = Tensor.zeros(be, x.shape());
                Tensor dgamma = Tensor.zeros(be, perChannel);
                Tensor dbeta = Tensor.zeros(be, perChannel);
                be.batchNormBackward(x, dy, gamma, mean, invStd, eps, dx, dgamma, dbeta);
                return new Tensor[] {dx, dgamma, dbeta};
            }, x, gamma, beta);
        }
        be.batchNormForwardInference(x, gamma, beta, runningMean, runningVar, eps, y);
        return Autograd.record("batchNorm", y, dy -> {
            // Evaluation mode is an affine map per channel; the inference primitive itself computes the
            // pieces: dx = γ·dy/σ, and x̂ = (x − μ)/σ for dγ = Σ dy·x̂.
            Tensor zeros = Tensor.zeros(be, perChannel);
            Tensor ones = Tensor.ones(be, perChannel);
            Tensor dx = Tensor.zeros(be, x.shape());
            be.batchNormForwardInference(dy, gamma, zeros, zeros, runningVar, eps, dx);
            Tensor xhat = Tensor.zeros(be, x.shape());
            be.batchNormForwardInference(x, ones, zeros, runningMean, runningVar, eps, xhat);
            Tensor dgamma = channelSum(Elementwise.apply(BinaryOp.MUL, dy, xhat), c);
            Tensor dbeta = channelSum(dy, c);
            return new Tensor[] {dx, dgamma, dbeta};
        }, x, gamma, beta);
    }

    private static Tensor channelSum(Tensor t, int c) {
        int[] kept = new int[t.rank()];
        java.util.Arrays.fill(kept, 1);
        kept[1] = c;
        Tensor out = Tensor.zeros(t.backend(), Shape.of(kept));
        t.backend().reduceSum(t, out);
        return new Tensor(out.storage(), 0, Shape.of(c));
    }
}
