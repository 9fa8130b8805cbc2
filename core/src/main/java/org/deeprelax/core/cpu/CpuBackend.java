package org.deeprelax.core.cpu;

import org.deeprelax.core.Backend;
import org.deeprelax.core.BinaryOp;
import org.deeprelax.core.ConvGeometry;
import org.deeprelax.core.PoolGeometry;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Storage;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.UnaryOp;
import org.deeprelax.core.random.Philox;
import org.deeprelax.core.update.FusedUpdates;

/**
 * The pure-Java backend: the default, and the reference every other backend is tested against.
 * It adapts tensors to the kernel families ({@link CpuElementwise}, {@link CpuReduce}, {@link CpuIndexing},
 * {@link Sgemm}, {@link CpuSoftmax}, {@link CpuConv}, {@link CpuPool}, {@link CpuBatchNorm},
 * {@link CpuLayerNorm}; the fused optimizer updates through {@link CpuFusedUpdates}), which work on plain
 * arrays with offsets and spread across the machine's cores with {@link Parallel}.
 */
public final class CpuBackend implements Backend {

    /** The one instance, handed out by {@link #get()}. */
    static final CpuBackend INSTANCE = new CpuBackend();

    /** The JVM option without which the kernels cannot load; checked once, on first use. */
    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    private final CpuFusedUpdates updates = new CpuFusedUpdates(this);
    private final CpuArrayCache arrays = CpuArrayCache.quarterOfHeap();

    private CpuBackend() {
    }

    /**
     * The CPU backend, after checking that this JVM can run it: its kernels use the Vector API, an
     * incubator module that a JVM only loads when asked to. Without the check, the first operation
     * would fail on a worker thread with a bare {@code NoClassDefFoundError: jdk/incubator/vector/Vector}.
     *
     * @return the one instance
     * @throws IllegalStateException naming the JVM options to add, when the Vector API module is absent
     */
    public static CpuBackend get() {
        if (!VECTOR_API) {
            throw new IllegalStateException("the DeepRelax CPU backend needs the JDK's Vector API, which this JVM"
                    + " was started without: add the options --add-modules jdk.incubator.vector"
                    + " --enable-native-access=ALL-UNNAMED to the java command (for Maven's tests, to surefire's"
                    + " argLine; for exec:java, to MAVEN_OPTS or .mvn/jvm.config)");
        }
        return INSTANCE;
    }

    @Override
    public String name() {
        return "cpu";
    }

    /**
     * The array behind a CPU tensor (the view starts at {@code t.offset()}).
     *
     * @param t a tensor on this backend
     * @return its storage's array (the view starts at {@code t.offset()})
     */
    static float[] data(Tensor t) {
        if (!(t.storage() instanceof CpuStorage s)) {
            throw new IllegalArgumentException("cpu: a tensor of shape " + t.shape() + " lives on "
                    + t.backend().name() + ", not on the CPU; move it with Tensor.to(backend)");
        }
        return s.data();
    }

    /** The buffer cache behind {@link #allocate}, whose counters the tests read. */
    CpuArrayCache arrayCache() {
        return arrays;
    }

    @Override
    public Storage allocate(int size) {
        return new CpuStorage(arrays, size);
    }

    @Override
    public void read(Tensor t, float[] dst, int dstOffset) {
        System.arraycopy(data(t), t.offset(), dst, dstOffset, t.size());
    }

    @Override
    public void write(float[] src, int srcOffset, Tensor t) {
        System.arraycopy(src, srcOffset, data(t), t.offset(), t.size());
    }

    @Override
    public void fill(Tensor x, float value) {
        CpuElementwise.fill(data(x), x.offset(), x.size(), value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        sameSize("copy", src, dst);
        CpuElementwise.copy(data(src), src.offset(), data(dst), dst.offset(), src.size());
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        sameSize("axpy", x, y);
        CpuElementwise.axpy(alpha, data(x), x.offset(), data(y), y.offset(), x.size());
    }

    @Override
    public void scale(float alpha, Tensor x) {
        CpuElementwise.scale(alpha, data(x), x.offset(), x.size());
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Shape s = out.shape();
        CpuElementwise.binary(op, data(a), a.offset(), a.shape().broadcastStrides(s),
                data(b), b.offset(), b.shape().broadcastStrides(s), data(out), out.offset(), s.dims());
    }

    @Override
    public void unary(UnaryOp op, float a, float b, Tensor x, Tensor out) {
        sameSize("unary " + op, x, out);
        CpuElementwise.unary(op, a, b, data(x), x.offset(), data(out), out.offset(), x.size());
    }

    @Override
    public void unaryBackward(UnaryOp op, float a, float b, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        sameSize("unaryBackward " + op, x, y, dy, dx);
        CpuElementwise.unaryBackward(op, a, b, data(x), x.offset(), data(y), y.offset(), data(dy), dy.offset(),
                data(dx), dx.offset(), x.size());
    }

    @Override
    public void copyStrided(Tensor src, int srcStart, int[] srcStrides, Tensor dst, int dstStart, int[] dstStrides,
                            int[] dims) {
        inBounds("copyStrided", src, srcStart, srcStrides, dims);
        inBounds("copyStrided", dst, dstStart, dstStrides, dims);
        CpuElementwise.stridedCopy(data(src), src.offset() + srcStart, srcStrides, data(dst), dst.offset() + dstStart,
                dstStrides, dims);
    }

    @Override
    public void indexSelect(Tensor x, int axis, Tensor index, Tensor out) {
        int[] oli = x.shape().aroundAxis(axis);
        CpuIndexing.select(data(x), x.offset(), oli[0], oli[1], oli[2], data(index), index.offset(), index.size(),
                data(out), out.offset());
    }

    @Override
    public void indexAdd(Tensor src, int axis, Tensor index, Tensor out) {
        int[] oli = out.shape().aroundAxis(axis);
        CpuIndexing.add(data(src), src.offset(), oli[0], oli[1], oli[2], data(index), index.offset(), index.size(),
                data(out), out.offset());
    }

    @Override
    public void reduceSum(Tensor x, Tensor out) {
        CpuReduce.reduceSum(data(x), x.offset(), x.shape().dims(), data(out), out.offset(), out.shape().dims());
    }

    @Override
    public void maxAlongAxis(Tensor x, int axis, Tensor values, Tensor indices) {
        int[] oli = x.shape().aroundAxis(axis);
        CpuReduce.maxAlongAxis(data(x), x.offset(), oli[0], oli[1], oli[2], data(values), values.offset(),
                data(indices), indices.offset());
    }

    @Override
    public void maxAlongAxisBackward(Tensor indices, Tensor dy, int axis, Tensor dx) {
        int[] oli = dx.shape().aroundAxis(axis);
        CpuReduce.maxAlongAxisBackward(data(indices), indices.offset(), data(dy), dy.offset(), oli[0], oli[1], oli[2],
                data(dx), dx.offset());
    }

    @Override
    public double sum(Tensor x) {
        return CpuReduce.sum(data(x), x.offset(), x.size());
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        sameSize("dot", x, y);
        return CpuReduce.dot(data(x), x.offset(), data(y), y.offset(), x.size());
    }

    @Override
    public double norm2(Tensor x) {
        return Math.sqrt(dot(x, x));
    }

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        int m = c.dim(0);
        int n = c.dim(1);
        int k = transA ? a.dim(0) : a.dim(1);
        Sgemm.sgemm(transA, transB, m, n, k, alpha, data(a), a.offset(), a.dim(1), data(b), b.offset(), b.dim(1),
                beta, data(c), c.offset(), n);
    }

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor y) {
        int[] oli = x.shape().aroundAxis(axis);
        CpuSoftmax.forward(data(x), x.offset(), data(y), y.offset(), oli[0], oli[1], oli[2], log);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, int axis, boolean log, Tensor dx) {
        int[] oli = y.shape().aroundAxis(axis);
        CpuSoftmax.backward(data(y), y.offset(), data(dy), dy.offset(), data(dx), dx.offset(),
                oli[0], oli[1], oli[2], log);
    }

    @Override
    public void crossEntropyForward(Tensor logits, Tensor labels, Tensor probs, Tensor loss) {
        data(loss)[loss.offset()] = CpuSoftmax.crossEntropyForward(data(logits), logits.offset(), data(labels),
                labels.offset(), data(probs), probs.offset(), logits.dim(0), logits.dim(1));
    }

    @Override
    public void crossEntropyBackward(Tensor probs, Tensor labels, Tensor gradLoss, Tensor dlogits) {
        CpuSoftmax.crossEntropyBackward(data(probs), probs.offset(), data(labels), labels.offset(),
                data(gradLoss)[gradLoss.offset()], data(dlogits), dlogits.offset(), probs.dim(0), probs.dim(1));
    }

    @Override
    public void conv2dForward(ConvGeometry g, Tensor x, Tensor w, Tensor y) {
        CpuConv.forward(g, data(x), x.offset(), data(w), w.offset(), data(y), y.offset());
    }

    @Override
    public void conv2dBackwardData(ConvGeometry g, Tensor dy, Tensor w, Tensor dx) {
        CpuConv.backwardData(g, data(dy), dy.offset(), data(w), w.offset(), data(dx), dx.offset());
    }

    @Override
    public void conv2dBackwardFilter(ConvGeometry g, Tensor x, Tensor dy, Tensor dw) {
        CpuConv.backwardFilter(g, data(x), x.offset(), data(dy), dy.offset(), data(dw), dw.offset());
    }

    @Override
    public void maxPoolForward(PoolGeometry g, Tensor x, Tensor y) {
        CpuPool.maxForward(g, data(x), x.offset(), data(y), y.offset());
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        CpuPool.maxBackward(g, data(x), x.offset(), data(y), y.offset(), data(dy), dy.offset(), data(dx), dx.offset());
    }

    @Override
    public void avgPoolForward(PoolGeometry g, Tensor x, Tensor y) {
        CpuPool.avgForward(g, data(x), x.offset(), data(y), y.offset());
    }

    @Override
    public void avgPoolBackward(PoolGeometry g, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        CpuPool.avgBackward(g, data(dy), dy.offset(), data(dx), dx.offset());
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, float eps, float momentum,
                                         Tensor runningMean, Tensor runningVar, Tensor y, Tensor saveMean,
                                         Tensor saveInvStd) {
        CpuBatchNorm.forwardTraining(data(x), x.offset(), x.dim(0), x.dim(1), plane(x), data(gamma), gamma.offset(),
                data(beta), beta.offset(), eps, momentum, data(runningMean), runningMean.offset(),
                data(runningVar), runningVar.offset(), data(y), y.offset(), data(saveMean), saveMean.offset(),
                data(saveInvStd), saveInvStd.offset());
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                          Tensor runningVar, float eps, Tensor y) {
        CpuBatchNorm.forwardInference(data(x), x.offset(), x.dim(0), x.dim(1), plane(x), data(gamma), gamma.offset(),
                data(beta), beta.offset(), data(runningMean), runningMean.offset(), data(runningVar),
                runningVar.offset(), eps, data(y), y.offset());
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, float eps,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        CpuBatchNorm.backward(data(x), x.offset(), data(dy), dy.offset(), x.dim(0), x.dim(1), plane(x),
                data(gamma), gamma.offset(), data(saveMean), saveMean.offset(), data(saveInvStd),
                saveInvStd.offset(), data(dx), dx.offset(), data(dgamma), dgamma.offset(), data(dbeta), dbeta.offset());
    }

    @Override
    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor saveMean,
                                 Tensor saveInvStd) {
        int cols = gamma.size();
        CpuLayerNorm.forward(data(x), x.offset(), x.size() / cols, cols, data(gamma), gamma.offset(), data(beta),
                beta.offset(), eps, data(y), y.offset(), data(saveMean), saveMean.offset(), data(saveInvStd),
                saveInvStd.offset());
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor dx,
                                  Tensor dgamma, Tensor dbeta) {
        int cols = gamma.size();
        CpuLayerNorm.backward(data(x), x.offset(), data(dy), dy.offset(), x.size() / cols, cols, data(gamma),
                gamma.offset(), data(saveMean), saveMean.offset(), data(saveInvStd), saveInvStd.offset(), data(dx),
                dx.offset(), data(dgamma), dgamma.offset(), data(dbeta), dbeta.offset());
    }

    @Override
    public FusedUpdates updates() {
        return updates;
    }

    @Override
    public void fillUniform(Tensor x, float lo, float hi, long seed, long stream, long first) {
        float[] d = data(x);
        int off = x.offset();
        float range = hi - lo;
        Parallel.forRange(x.size(), CpuElementwise.GRAIN, (from, to) -> {
            Philox.fillUniform(d, off + from, to - from, seed, stream, first + from);
            for (int i = from; i < to; i++) {
                d[off + i] = lo + range * d[off + i];
            }
        });
    }

    @Override
    public void fillNormal(Tensor x, float mean, float std, long seed, long stream, long first) {
        float[] d = data(x);
        int off = x.offset();
        Parallel.forRange(x.size(), CpuElementwise.GRAIN, (from, to) -> {
            Philox.fillNormal(d, off + from, to - from, seed, stream, first + from);
            for (int i = from; i < to; i++) {
                d[off + i] = mean + std * d[off + i];
            }
        });
    }

    @Override
    public void dropoutMask(Tensor mask, float p, long seed, long stream, long first) {
        float[] d = data(mask);
        int off = mask.offset();
        float keep = 1f / (1f - p);
        Parallel.forRange(mask.size(), CpuElementwise.GRAIN, (from, to) -> {
            Philox.fillUniform(d, off + from, to - from, seed, stream, first + from);
            for (int i = from; i < to; i++) {
                d[off + i] = d[off + i] >= p ? keep : 0f;
            }
        });
    }

    /** Throws unless every position a strided copy reaches lies inside {@code t}. */
    private static void inBounds(String op, Tensor t, int start, int[] strides, int[] dims) {
        long lo = start;
        long hi = start;
        for (int d = 0; d < dims.length; d++) {
            long reach = (long) (dims[d] - 1) * strides[d];
            lo += Math.min(0, reach);
            hi += Math.max(0, reach);
        }
        if (lo < 0 || hi >= t.size()) {
            throw new IllegalArgumentException(op + ": positions " + lo + " to " + hi + " fall outside a tensor of "
                    + t.size() + " elements " + t.shape());
        }
    }

    private static int plane(Tensor x) {
        return x.rank() == 4 ? x.dim(2) * x.dim(3) : 1;
    }


    private static void sameSize(String op, Tensor first, Tensor... others) {
        for (Tensor t : others) {
            if (t.size() != first.size()) {
                throw new IllegalArgumentException(op + ": sizes differ, " + first.shape() + " and " + t.shape());
            }
        }
    }
}
