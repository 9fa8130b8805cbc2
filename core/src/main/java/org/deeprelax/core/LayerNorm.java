package org.deeprelax.core;

/**
 * Layer normalisation (Ba, Kiros and Hinton, 2016): each example is normalised over its trailing axes by
 * its own mean and variance, then scaled and shifted elementwise. Unlike batch normalisation it has no
 * running statistics and behaves the same in training and evaluation.
 */
public final class LayerNorm {

    private LayerNorm() {
    }

    /**
     * Normalises {@code x} over its trailing axes, those of {@code gamma}'s shape:
     * {@code y = (x − mean)/√(var + eps)·gamma + beta}, with the mean and the biased variance taken over
     * those axes separately for every leading index.
     *
     * @param x input, whose shape ends with {@code gamma}'s
     * @param gamma scale, the normalised shape (ones for none)
     * @param beta shift, the same shape (zeros for none)
     * @param eps added to the variance (PyTorch's default is 1e-5)
     * @return the normalised tensor, {@code x}'s shape
     * @throws IllegalArgumentException if the shapes do not fit, naming all three
     */
    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, float eps) {
        Checks.sameBackend("layerNorm", x, gamma, beta);
        Shape normalized = gamma.shape();
        boolean fits = beta.shape().equals(normalized) && x.rank() >= normalized.rank();
        for (int i = 1; fits && i <= normalized.rank(); i++) {
            fits = x.dim(x.rank() - i) == normalized.dim(normalized.rank() - i);
        }
        if (!fits) {
            throw new IllegalArgumentException("layerNorm: input " + x.shape() + " must end with the normalised"
                    + " shape of gamma " + normalized + ", and beta " + beta.shape() + " must equal it");
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("layerNorm: eps " + eps + " must be >= 0");
        }
        Backend be = x.backend();
        Shape perRow = Shape.of(x.size() / normalized.size());
        Tensor y = Tensor.zeros(be, x.shape());
        Tensor mean = Tensor.zeros(be, perRow);
        Tensor invStd = Tensor.zeros(be, perRow);
        be.layerNormForward(x, gamma, beta, eps, y, mean, invStd);
        return Autograd.record("layerNorm", y, dy -> {
            Tensor dx = Tensor.zeros(be, x.shape());
            Tensor dgamma = Tensor.zeros(be, normalized);
            Tensor dbeta = Tensor.zeros(be, normalized);
            be.layerNormBackward(x, dy, gamma, mean, invStd, dx, dgamma, dbeta);
            return new Tensor[] {dx, dgamma, dbeta};
        }, x, gamma, beta);
    }
}
