package org.deeprelax.cuda;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

import org.deeprelax.core.PoolGeometry;
import org.deeprelax.cuda.bindings.Cudnn;

/**
 * cuDNN pooling and batch normalisation with descriptors created once per shape and cached.
 *
 * <p>Pooling: max uses {@code CUDNN_POOLING_MAX_DETERMINISTIC} (a deterministic backward), average uses
 * {@code CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING}, matching {@link PoolGeometry}'s contract.
 * Batch-norm: {@code CUDNN_BATCHNORM_SPATIAL} over an NCHW tensor; a {@code [n, c]} input is described as
 * {@code [n, c, 1, 1]}, where spatial statistics per channel are exactly per-feature statistics. cuDNN's
 * conventions match the Backend contract: {@code exponentialAverageFactor} is the momentum (weight of the
 * batch), the running variance is updated with the unbiased batch variance, and the saved
 * "inverse variance" is {@code 1/sqrt(biased variance + eps)}, the inverse standard deviation.
 */
final class PoolNormPlans implements AutoCloseable {

    private record PoolKey(PoolGeometry g, int mode) {
    }

    private record Pool(MemorySegment desc, MemorySegment x, MemorySegment y) {
    }

    private record NormKey(int n, int c, int h, int w) {
    }

    private record Norm(MemorySegment x, MemorySegment param) {
    }

    private final Cudnn cudnn;
    private final MemorySegment handle;
    private final Map<PoolKey, Pool> pools = new HashMap<>();
    private final Map<NormKey, Norm> norms = new HashMap<>();

    PoolNormPlans(Cudnn cudnn, MemorySegment handle) {
        this.cudnn = cudnn;
        this.handle = handle;
    }

    private Pool pool(PoolGeometry g, int mode) {
        return pools.computeIfAbsent(new PoolKey(g, mode), k -> new Pool(
                cudnn.pooling2d(mode, g.kernelH(), g.kernelW(), g.padH(), g.padW(), g.strideH(), g.strideW()),
                cudnn.tensor4d(g.n(), g.c(), g.h(), g.w()), cudnn.tensor4d(g.n(), g.c(), g.p(), g.q())));
    }

    /**
     * Runs a max- or average-pooling forward pass.
     *
     * @param g sizes
     * @param max max or average
     * @param x input
     * @param y output
     */
    void poolForward(PoolGeometry g, boolean max, long x, long y) {
        Pool p = pool(g, max ? Cudnn.POOLING_MAX_DETERMINISTIC : Cudnn.POOLING_AVERAGE_COUNT_INCLUDE_PADDING);
        cudnn.poolingForward(handle, p.desc(), Constants.ONE, p.x(), x, Constants.ZERO, p.y(), y);
    }

    /**
     * Runs a max- or average-pooling backward pass.
     *
     * @param g sizes
     * @param max max or average
     * @param x forward input
     * @param y forward output
     * @param dy output gradient
     * @param dx input gradient
     */
    void poolBackward(PoolGeometry g, boolean max, long x, long y, long dy, long dx) {
        Pool p = pool(g, max ? Cudnn.POOLING_MAX_DETERMINISTIC : Cudnn.POOLING_AVERAGE_COUNT_INCLUDE_PADDING);
        cudnn.poolingBackward(handle, p.desc(), Constants.ONE, p.y(), y, dy, p.x(), x, Constants.ZERO, dx);
    }

    private Norm norm(int n, int c, int h, int w) {
        return norms.computeIfAbsent(new NormKey(n, c, h, w), k -> new Norm(cudnn.tensor4d(n, c, h, w),
                cudnn.tensor4d(1, c, 1, 1)));
    }

    /** See {@link org.deeprelax.core.Backend#batchNormForwardTraining}; dims {n, c, h, w}. */
    void forwardTraining(int[] nchw, long x, long gamma, long beta, double eps, double momentum, long runningMean,
                         long runningVar, long y, long saveMean, long saveInvStd) {
        Norm d = norm(nchw[0], nchw[1], nchw[2], nchw[3]);
        cudnn.batchNormTraining(handle, Cudnn.BATCHNORM_SPATIAL, Constants.ONE, Constants.ZERO, d.x(), x, y, d.param(),
                gamma, beta, momentum, runningMean, runningVar, eps, saveMean, saveInvStd);
    }

    /** See {@link org.deeprelax.core.Backend#batchNormForwardInference}. */
    void forwardInference(int[] nchw, long x, long gamma, long beta, long mean, long var, double eps, long y) {
        Norm d = norm(nchw[0], nchw[1], nchw[2], nchw[3]);
        cudnn.batchNormInference(handle, Cudnn.BATCHNORM_SPATIAL, Constants.ONE, Constants.ZERO, d.x(), x, y,
                d.param(), gamma, beta, mean, var, eps);
    }

    /** See {@link org.deeprelax.core.Backend#batchNormBackward}. */
    void backward(int[] nchw, long x, long dy, long gamma, long saveMean, long saveInvStd, double eps, long dx,
                  long dgamma, long dbeta) {
        Norm d = norm(nchw[0], nchw[1], nchw[2], nchw[3]);
        cudnn.batchNormBackward(handle, Cudnn.BATCHNORM_SPATIAL, Constants.ONE, Constants.ZERO, d.x(), x, dy, dx,
                d.param(), gamma, dgamma, dbeta, eps, saveMean, saveInvStd);
    }

    @Override
    public void close() {
        for (Pool p : pools.values()) {
            cudnn.destroyPooling(p.desc());
            cudnn.destroyTensor(p.x());
            cudnn.destroyTensor(p.y());
        }
        for (Norm n : norms.values()) {
            cudnn.destroyTensor(n.x());
            cudnn.destroyTensor(n.param());
        }
        pools.clear();
        norms.clear();
    }
}
