package org.deeprelax.cuda;

import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

import org.deeprelax.core.Backend;
import org.deeprelax.core.BinaryOp;
import org.deeprelax.core.ConvGeometry;
import org.deeprelax.core.PoolGeometry;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Storage;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.UnaryOp;
import org.deeprelax.core.update.FusedUpdates;
import org.deeprelax.cuda.bindings.Cublas;
import org.deeprelax.cuda.bindings.Cudnn;
import org.deeprelax.cuda.bindings.Driver;
import org.deeprelax.cuda.bindings.Nvrtc;

/**
 * The CUDA backend: every {@link Backend} primitive on one GPU. cuBLAS runs GEMM, cuDNN convolution,
 * pooling and batch-norm, and our own kernels ({@code kernels/*.cu}, compiled by NVRTC for the device)
 * everything else, including layer-norm, the strided copies of the layout operations, and the fused
 * optimizer updates ({@link CudaUpdates}) with Philox noise drawn inside the kernel.
 *
 * <p><b>Designed for CUDA graphs</b> (the next step captures whole Entropy-SGD inner steps):
 * <ul>
 *   <li>one stream per backend, non-blocking; every kernel, copy, cuBLAS and cuDNN call is queued on it;</li>
 *   <li>no host synchronisation inside a training step: only {@link #read}, {@link #sum}, {@link #dot} and
 *       {@link #norm2} wait, because they return data to the host, and the cross-entropy label check does
 *       unless {@link CudaOptions#checkLabelsSynchronously()} is off; {@link #write} is asynchronous through
 *       a ring of pinned buffers;</li>
 *   <li>no allocation outside the {@link CachingAllocator} (workspaces and scratch included), so a step's
 *       device memory is the same blocks every iteration; cuDNN's algorithm search and the kernel compile
 *       happen on first use of a shape and a family, before any capture;</li>
 *   <li>kernel arguments are laid out once: each {@link Kernel} owns a fixed argument block that a launch
 *       rewrites in place; per-shape state (cuDNN descriptors and algorithms per {@link ConvGeometry}, pooling
 *       and batch-norm descriptors per shape) is built once and cached;</li>
 *   <li>cuBLAS would allocate its own workspace on first use; it is given one from the allocator instead
 *       ({@code cublasSetWorkspace_v2}), as graph capture requires.</li>
 * </ul>
 *
 * <p>Not thread-safe: use a backend from one thread at a time (the context is made current on whichever
 * thread calls). {@link #close()} waits for the stream, then frees every device block and handle.
 */
public final class CudaBackend implements Backend, AutoCloseable {

    static final int THREADS = 256;
    static final int PARTIALS = 1024;
    private static final long CUBLAS_WORKSPACE = 32L << 20;

    private final int cuDevice;
    private final String name;
    private final String deviceName;
    private final CudaOptions options;
    private final Driver driver;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final Arena arena = Arena.ofShared();
    private final CachingAllocator allocator;
    private final Staging staging;
    private final Cublas cublas;
    private final MemorySegment cublasHandle;
    private final Cudnn cudnn;
    private final MemorySegment cudnnHandle;
    private final ConvPlans conv;
    private final PoolNormPlans poolNorm;
    private final Map<String, MemorySegment> modules = new HashMap<>();
    private final Map<String, Kernel> kernels = new HashMap<>();
    private final KernelCompiler compiler;
    private final int maxGrid;
    private final CachingAllocator.Block reduceScratch;    // PARTIALS doubles, then the result double
    private final CachingAllocator.Block labelError;       // one int: first bad row, or Integer.MAX_VALUE
    private final CachingAllocator.Block cublasWorkspace;
    private final CudaUpdates updates = new CudaUpdates(this);
    private int labelClasses = -1;
    private Thread current;
    private boolean closed;

    /**
     * Opens device {@code device} with the default options.
     *
     * @param device the ordinal
     */
    public CudaBackend(int device) {
        this(device, CudaOptions.defaults());
    }

    /**
     * Opens a device: driver, primary context, stream, cuBLAS and cuDNN handles, the allocator.
     * Kernels are compiled (or read from the disk cache) on first use of each family.
     *
     * @param device the ordinal
     * @param options how to compute
     * @throws org.deeprelax.cuda.bindings.CudaLibraryException naming a missing library and where it looked
     * @throws org.deeprelax.cuda.bindings.CudaException from the first failing call (no device, ...)
     */
    public CudaBackend(int device, CudaOptions options) {
        this.name = "cuda:" + device;
        this.options = options;
        this.driver = Driver.get();
        int count = driver.deviceCount();
        if (device < 0 || device >= count) {
            throw new IllegalArgumentException("cuda: no device " + device + " (the driver at " + driver.libraryPath()
                    + " sees " + count + ")");
        }
        int dev = driver.deviceGet(device);
        this.cuDevice = dev;
        this.deviceName = driver.deviceName(dev);
        this.context = driver.primaryCtxRetain(dev);
        driver.ctxSetCurrent(context);
        current = Thread.currentThread();
        this.stream = driver.streamCreate(Driver.STREAM_NON_BLOCKING);
        int major = driver.deviceAttribute(Driver.ATTR_CC_MAJOR, dev);
        int minor = driver.deviceAttribute(Driver.ATTR_CC_MINOR, dev);
        this.maxGrid = 8 * Math.max(1, driver.deviceAttribute(Driver.ATTR_MULTIPROCESSOR_COUNT, dev));
        this.allocator = new CachingAllocator(new DeviceMemory() {
            @Override
            public long allocate(long bytes) {
                return driver.memAlloc(bytes);
            }

            @Override
            public void free(long ptr) {
                driver.memFree(ptr);
            }
        });
        this.staging = new Staging(driver, stream);
        this.cublas = Cublas.get();
        this.cublasHandle = cublas.create();
        cublas.setStream(cublasHandle, stream);
        cublas.setMathMode(cublasHandle, options.tf32() ? Cublas.TF32_TENSOR_OP_MATH : Cublas.DEFAULT_MATH);
        this.cublasWorkspace = allocator.allocate(CUBLAS_WORKSPACE);
        cublas.setWorkspace(cublasHandle, cublasWorkspace.ptr(), cublasWorkspace.bytes());
        this.cudnn = Cudnn.get();
        this.cudnnHandle = cudnn.create();
        cudnn.setStream(cudnnHandle, stream);
        this.conv = new ConvPlans(cudnn, cudnnHandle, options.tf32(), options.deterministicConvolution());
        this.poolNorm = new PoolNormPlans(cudnn, cudnnHandle);
        this.compiler = new KernelCompiler(Nvrtc.get(), options.kernelCache(), major, minor);
        this.reduceScratch = allocator.allocate(8L * (PARTIALS + 1));
        this.labelError = allocator.allocate(4);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Returns the GPU's name, e.g. {@code NVIDIA H100 80GB HBM3}.
     *
     * @return the GPU's name, e.g. {@code NVIDIA H100 80GB HBM3}
     */
    public String deviceName() {
        return deviceName;
    }

    /**
     * Returns the options this backend computes with.
     *
     * @return the options this backend computes with
     */
    public CudaOptions options() {
        return options;
    }

    /**
     * Returns the device allocator's counters (test-visible: the steady state of training allocates nothing).
     *
     * @return the device allocator's counters (test-visible: the steady state of training allocates nothing)
     */
    public AllocatorStats memoryStats() {
        return allocator.stats();
    }

    /** Waits until every queued operation has finished (for timing; the Backend calls never need it). */
    public void synchronize() {
        enter();
        driver.streamSynchronize(stream);
    }

    /**
     * Returns the backend's stream, for callers that time it with events or capture it.
     *
     * @return the backend's stream, for callers that time it with events or capture it
     */
    public MemorySegment stream() {
        return stream;
    }

    // ---- plumbing -------------------------------------------------------------------------------

    void enter() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        Thread t = Thread.currentThread();
        if (t != current) {
            driver.ctxSetCurrent(context);
            current = t;
        }
    }

    CachingAllocator.Block scratch(long bytes) {
        return allocator.allocate(bytes);
    }

    void release(CachingAllocator.Block b) {
        if (!closed) {
            allocator.release(b);
        }
    }

    /**
     * The device address of a tensor's first element.
     *
     * @param t a tensor on this backend
     * @return the device address of its first element
     */
    long ptr(Tensor t) {
        if (!(t.storage() instanceof CudaStorage s) || s.backend() != this) {
            throw new IllegalArgumentException(name + ": a tensor of shape " + t.shape() + " lives on "
                    + t.backend().name() + ", not on this backend; move it with Tensor.to(backend)");
        }
        return s.pointer() + 4L * t.offset();
    }

    Kernel kernel(String family, String function) {
        String key = family + "/" + function;
        Kernel k = kernels.get(key);
        if (k == null) {
            MemorySegment module = modules.get(family);
            if (module == null) {
                byte[] cubin = compiler.cubin(family);
                MemorySegment image = arena.allocate(cubin.length + 1L, 16);
                MemorySegment.copy(cubin, 0, image, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, cubin.length);
                module = driver.moduleLoadData(image);
                modules.put(family, module);
            }
            k = new Kernel(driver, driver.moduleGetFunction(module, function), function, stream, arena);
            kernels.put(key, k);
        }
        return k.args();
    }

    int grid(long n) {
        return (int) Math.max(1, Math.min(maxGrid, (n + THREADS - 1) / THREADS));
    }

    private static void sameSize(String op, Tensor first, Tensor... others) {
        for (Tensor t : others) {
            if (t.size() != first.size()) {
                throw new IllegalArgumentException(op + ": sizes differ, " + first.shape() + " and " + t.shape());
            }
        }
    }

    // ---- memory -------------------------------------------------------------------------------

    @Override
    public Storage allocate(int size) {
        enter();
        if (size < 0) {
            throw new IllegalArgumentException(name + ": negative size " + size);
        }
        CachingAllocator.Block b = allocator.allocate(4L * Math.max(1, size));
        driver.memsetD32Async(b.ptr(), 0, Math.max(1, size), stream);
        return new CudaStorage(this, b, size);
    }

    @Override
    public void read(Tensor t, float[] dst, int dstOffset) {
        enter();
        java.util.Objects.checkFromIndexSize(dstOffset, t.size(), dst.length);
        checkDeferredLabels();
        staging.download(ptr(t), dst, dstOffset, t.size());
    }

    @Override
    public void write(float[] src, int srcOffset, Tensor t) {
        enter();
        java.util.Objects.checkFromIndexSize(srcOffset, t.size(), src.length);
        staging.upload(src, srcOffset, t.size(), ptr(t));
    }

    @Override
    public void fill(Tensor x, float value) {
        enter();
        if (x.size() > 0) {
            driver.memsetD32Async(ptr(x), Float.floatToRawIntBits(value), x.size(), stream);
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        enter();
        sameSize("copy", src, dst);
        if (src.size() > 0) {
            driver.memcpyDtoDAsync(ptr(dst), ptr(src), 4L * src.size(), stream);
        }
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        enter();
        sameSize("axpy", x, y);
        int n = x.size();
        kernel("elementwise", "axpy_f32").ptr(ptr(x)).ptr(ptr(y)).i32(n).f32(alpha).launch(grid(n), THREADS);
    }

    @Override
    public void scale(float alpha, Tensor x) {
        enter();
        int n = x.size();
        kernel("elementwise", "scale_f32").ptr(ptr(x)).i32(n).f32(alpha).launch(grid(n), THREADS);
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        enter();
        Shape s = out.shape();
        int[] layout = BroadcastLayout.of(s.dims(), a.shape().broadcastStrides(s), b.shape().broadcastStrides(s));
        int n = out.size();
        kernel("elementwise", "binary_f32").ptr(ptr(a)).ptr(ptr(b)).ptr(ptr(out)).i32(n).i32(OpCodes.of(op))
                .intStruct(layout).launch(grid(n), THREADS);
    }

    @Override
    public void unary(UnaryOp op, float a, float b, Tensor x, Tensor out) {
        enter();
        sameSize("unary " + op, x, out);
        int n = x.size();
        kernel("elementwise", "unary_f32").ptr(ptr(x)).ptr(ptr(out)).i32(n).i32(OpCodes.of(op)).f32(a).f32(b)
                .launch(grid(n), THREADS);
    }

    @Override
    public void unaryBackward(UnaryOp op, float a, float b, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        enter();
        sameSize("unaryBackward " + op, x, y, dy, dx);
        int n = x.size();
        kernel("elementwise", "unary_backward_f32").ptr(ptr(x)).ptr(ptr(y)).ptr(ptr(dy)).ptr(ptr(dx)).i32(n)
                .i32(OpCodes.of(op)).f32(a).f32(b).launch(grid(n), THREADS);
    }

    @Override
    public void copyStrided(Tensor src, int srcStart, int[] srcStrides, Tensor dst, int dstStart, int[] dstStrides,
                            int[] dims) {
        enter();
        int[] layout = BroadcastLayout.of(dims, srcStrides, dstStrides);
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        kernel("elementwise", "strided_copy_f32").ptr(ptr(src) + 4L * srcStart).ptr(ptr(dst) + 4L * dstStart)
                .i32((int) n).intStruct(layout).launch(grid(n), THREADS);
    }

    @Override
    public void indexSelect(Tensor x, int axis, Tensor index, Tensor out) {
        enter();
        int[] oli = x.shape().aroundAxis(axis);
        int k = index.size();
        kernel("elementwise", "index_select_f32").ptr(ptr(x)).ptr(ptr(index)).ptr(ptr(out)).i32(oli[0]).i32(oli[1])
                .i32(oli[2]).i32(k).launch(grid(out.size()), THREADS);
    }

    @Override
    public void indexAdd(Tensor src, int axis, Tensor index, Tensor out) {
        enter();
        int[] oli = out.shape().aroundAxis(axis);
        kernel("elementwise", "index_add_f32").ptr(ptr(src)).ptr(ptr(index)).ptr(ptr(out)).i32(oli[0]).i32(oli[1])
                .i32(oli[2]).i32(index.size()).launch(grid((long) oli[0] * oli[2]), THREADS);
    }

    // ---- reductions -----------------------------------------------------------------------------

    @Override
    public void reduceSum(Tensor x, Tensor out) {
        enter();
        int[] layout = BroadcastLayout.reduce(x.shape().dims(), out.shape().dims());
        int outSize = out.size();
        kernel("reduce", "reduce_sum_axes").ptr(ptr(x)).ptr(ptr(out)).i32(outSize).intStruct(layout)
                .launch(Math.max(1, Math.min(outSize, 65535)), THREADS);
    }

    @Override
    public void maxAlongAxis(Tensor x, int axis, Tensor values, Tensor indices) {
        enter();
        int[] oli = x.shape().aroundAxis(axis);
        kernel("reduce", "max_along_axis").ptr(ptr(x)).ptr(ptr(values)).ptr(ptr(indices)).i32(oli[0]).i32(oli[1])
                .i32(oli[2]).launch(grid((long) oli[0] * oli[2]), THREADS);
    }

    @Override
    public void maxAlongAxisBackward(Tensor indices, Tensor dy, int axis, Tensor dx) {
        enter();
        int[] oli = dx.shape().aroundAxis(axis);
        kernel("reduce", "max_along_axis_backward").ptr(ptr(indices)).ptr(ptr(dy)).ptr(ptr(dx)).i32(oli[0])
                .i32(oli[1]).i32(oli[2]).launch(grid(dx.size()), THREADS);
    }

    @Override
    public double sum(Tensor x) {
        enter();
        int n = x.size();
        int g = Math.max(1, Math.min(PARTIALS, (n + THREADS - 1) / THREADS));
        kernel("reduce", "sum_partial").ptr(ptr(x)).i32(n).ptr(reduceScratch.ptr()).launch(g, THREADS);
        return finishReduction(g);
    }

    @Override
    public double dot(Tensor x, Tensor y) {
        enter();
        sameSize("dot", x, y);
        int n = x.size();
        int g = Math.max(1, Math.min(PARTIALS, (n + THREADS - 1) / THREADS));
        kernel("reduce", "dot_partial").ptr(ptr(x)).ptr(ptr(y)).i32(n).ptr(reduceScratch.ptr()).launch(g, THREADS);
        return finishReduction(g);
    }

    /**
     * The device scratch of whole-tensor reductions: {@link #PARTIALS} doubles, then the result double.
     *
     * @return its device address
     */
    long reductionScratch() {
        return reduceScratch.ptr();
    }

    private double finishReduction(int partials) {
        long result = reduceScratch.ptr() + 8L * PARTIALS;
        kernel("reduce", "sum_final").ptr(reduceScratch.ptr()).i32(partials).ptr(result).launch(1, THREADS);
        checkDeferredLabels();
        return staging.downloadRaw(result, 8).get(JAVA_DOUBLE, 0);
    }

    @Override
    public double norm2(Tensor x) {
        return Math.sqrt(dot(x, x));
    }

    // ---- GEMM -----------------------------------------------------------------------------------

    @Override
    public void gemm(boolean transA, boolean transB, float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        enter();
        int m = c.dim(0);
        int n = c.dim(1);
        int k = transA ? a.dim(0) : a.dim(1);
        // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: a row-major matrix read as column-major
        // is its transpose, so pass B first, then A, with their own transpose flags and row lengths as ld.
        try (Arena scalars = Arena.ofConfined()) {
            MemorySegment al = scalars.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, alpha);
            MemorySegment be = scalars.allocateFrom(java.lang.foreign.ValueLayout.JAVA_FLOAT, beta);
            cublas.sgemm(cublasHandle, transB ? Cublas.OP_T : Cublas.OP_N, transA ? Cublas.OP_T : Cublas.OP_N, n, m, k,
                    al, ptr(b), b.dim(1), ptr(a), a.dim(1), be, ptr(c), n);
        }
    }

    // ---- softmax and cross-entropy --------------------------------------------------------------

    @Override
    public void softmax(Tensor x, int axis, boolean log, Tensor y) {
        enter();
        int[] oli = x.shape().aroundAxis(axis);
        int rows = oli[0] * oli[2];
        kernel("softmax", "softmax_forward").ptr(ptr(x)).ptr(ptr(y)).i32(rows).i32(oli[1]).i32(oli[2]).i32(log ? 1 : 0)
                .launch(grid(rows), THREADS);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor dy, int axis, boolean log, Tensor dx) {
        enter();
        int[] oli = y.shape().aroundAxis(axis);
        int rows = oli[0] * oli[2];
        kernel("softmax", "softmax_backward").ptr(ptr(y)).ptr(ptr(dy)).ptr(ptr(dx)).i32(rows).i32(oli[1]).i32(oli[2])
                .i32(log ? 1 : 0).launch(grid(rows), THREADS);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Labels are validated by the kernel, which records the first bad row in device memory. With
     * {@link CudaOptions#checkLabelsSynchronously()} (the default) the backend waits for that flag and throws
     * here, naming the label, the row and the range, as the CPU does; otherwise the next call that reads data
     * back to the host throws instead, naming the row.
     */
    @Override
    public void crossEntropyForward(Tensor logits, Tensor labels, Tensor probs, Tensor loss) {
        enter();
        int n = logits.dim(0);
        int c = logits.dim(1);
        driver.memsetD32Async(labelError.ptr(), Integer.MAX_VALUE, 1, stream);
        kernel("softmax", "cross_entropy_forward").ptr(ptr(logits)).ptr(ptr(labels)).ptr(ptr(probs)).ptr(ptr(loss))
                .i32(n).i32(c).ptr(labelError.ptr()).launch(1, THREADS);
        labelClasses = c;
        if (options.checkLabelsSynchronously()) {
            int row = staging.downloadRaw(labelError.ptr(), 4).get(JAVA_INT, 0);
            labelClasses = -1;
            if (row != Integer.MAX_VALUE) {
                float[] bad = new float[1];
                staging.download(ptr(labels) + 4L * row, bad, 0, 1);
                throw new IllegalArgumentException("crossEntropy: label " + bad[0] + " at row " + row
                        + " is not a class index in [0, " + c + ")");
            }
        }
    }

    private void checkDeferredLabels() {
        if (labelClasses < 0) {
            return;
        }
        int c = labelClasses;
        labelClasses = -1;
        int row = staging.downloadRaw(labelError.ptr(), 4).get(JAVA_INT, 0);
        if (row != Integer.MAX_VALUE) {
            throw new IllegalArgumentException("crossEntropy: the label at row " + row + " of the last batch"
                    + " is not a class index in [0, " + c + ") (detected after the fact: labels are checked on the"
                    + " device)");
        }
    }

    @Override
    public void crossEntropyBackward(Tensor probs, Tensor labels, Tensor gradLoss, Tensor dlogits) {
        enter();
        int n = probs.dim(0);
        int c = probs.dim(1);
        kernel("softmax", "cross_entropy_backward").ptr(ptr(probs)).ptr(ptr(labels)).ptr(ptr(gradLoss))
                .ptr(ptr(dlogits)).i32(n).i32(c).launch(grid((long) n * c), THREADS);
    }

    // ---- convolution and pooling ----------------------------------------------------------------

    @Override
    public void conv2dForward(ConvGeometry g, Tensor x, Tensor w, Tensor y) {
        enter();
        conv.run(this, g, Cudnn.Pass.FORWARD, ptr(x), ptr(w), ptr(y));
    }

    @Override
    public void conv2dBackwardData(ConvGeometry g, Tensor dy, Tensor w, Tensor dx) {
        enter();
        conv.run(this, g, Cudnn.Pass.BACKWARD_DATA, ptr(dx), ptr(w), ptr(dy));
    }

    @Override
    public void conv2dBackwardFilter(ConvGeometry g, Tensor x, Tensor dy, Tensor dw) {
        enter();
        conv.run(this, g, Cudnn.Pass.BACKWARD_FILTER, ptr(x), ptr(dw), ptr(dy));
    }

    @Override
    public void maxPoolForward(PoolGeometry g, Tensor x, Tensor y) {
        enter();
        poolNorm.poolForward(g, true, ptr(x), ptr(y));
    }

    @Override
    public void maxPoolBackward(PoolGeometry g, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        enter();
        poolNorm.poolBackward(g, true, ptr(x), ptr(y), ptr(dy), ptr(dx));
    }

    @Override
    public void avgPoolForward(PoolGeometry g, Tensor x, Tensor y) {
        enter();
        poolNorm.poolForward(g, false, ptr(x), ptr(y));
    }

    @Override
    public void avgPoolBackward(PoolGeometry g, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        enter();
        poolNorm.poolBackward(g, false, ptr(x), ptr(y), ptr(dy), ptr(dx));
    }

    // ---- batch normalisation --------------------------------------------------------------------

    private static int[] nchw(Tensor x) {
        return x.rank() == 4 ? new int[] {x.dim(0), x.dim(1), x.dim(2), x.dim(3)} : new int[] {x.dim(0), x.dim(1), 1, 1};
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, float eps, float momentum,
                                         Tensor runningMean, Tensor runningVar, Tensor y, Tensor saveMean,
                                         Tensor saveInvStd) {
        enter();
        poolNorm.forwardTraining(nchw(x), ptr(x), ptr(gamma), ptr(beta), eps, momentum, ptr(runningMean),
                ptr(runningVar), ptr(y), ptr(saveMean), ptr(saveInvStd));
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                          Tensor runningVar, float eps, Tensor y) {
        enter();
        poolNorm.forwardInference(nchw(x), ptr(x), ptr(gamma), ptr(beta), ptr(runningMean), ptr(runningVar), eps,
                ptr(y));
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, float eps,
                                  Tensor dx, Tensor dgamma, Tensor dbeta) {
        enter();
        poolNorm.backward(nchw(x), ptr(x), ptr(dy), ptr(gamma), ptr(saveMean), ptr(saveInvStd), eps, ptr(dx),
                ptr(dgamma), ptr(dbeta));
    }

    // ---- layer normalisation --------------------------------------------------------------------

    @Override
    public void layerNormForward(Tensor x, Tensor gamma, Tensor beta, float eps, Tensor y, Tensor saveMean,
                                 Tensor saveInvStd) {
        enter();
        int cols = gamma.size();
        int rows = x.size() / cols;
        kernel("layernorm", "layer_norm_forward").ptr(ptr(x)).ptr(ptr(gamma)).ptr(ptr(beta)).ptr(ptr(y))
                .ptr(ptr(saveMean)).ptr(ptr(saveInvStd)).i32(rows).i32(cols).f32(eps)
                .launch(Math.min(rows, 65535), THREADS);
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor dy, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor dx,
                                  Tensor dgamma, Tensor dbeta) {
        enter();
        int cols = gamma.size();
        int rows = x.size() / cols;
        kernel("layernorm", "layer_norm_backward_data").ptr(ptr(x)).ptr(ptr(dy)).ptr(ptr(gamma)).ptr(ptr(saveMean))
                .ptr(ptr(saveInvStd)).ptr(ptr(dx)).i32(rows).i32(cols).launch(Math.min(rows, 65535), THREADS);
        kernel("layernorm", "layer_norm_backward_params").ptr(ptr(x)).ptr(ptr(dy)).ptr(ptr(saveMean))
                .ptr(ptr(saveInvStd)).ptr(ptr(dgamma)).ptr(ptr(dbeta)).i32(rows).i32(cols)
                .launch(grid(cols), THREADS);
    }

    // ---- fused updates --------------------------------------------------------------------------

    @Override
    public FusedUpdates updates() {
        return updates;
    }

    // ---- random ---------------------------------------------------------------------------------

    @Override
    public void fillUniform(Tensor x, float lo, float hi, long seed, long streamId, long first) {
        enter();
        int n = x.size();
        kernel("random", "fill_uniform").ptr(ptr(x)).i32(n).f32(lo).f32(hi - lo).u64(seed).u64(streamId).u64(first)
                .launch(grid(n), THREADS);
    }

    @Override
    public void fillNormal(Tensor x, float mean, float std, long seed, long streamId, long first) {
        enter();
        int n = x.size();
        kernel("random", "fill_normal").ptr(ptr(x)).i32(n).f32(mean).f32(std).u64(seed).u64(streamId).u64(first)
                .launch(grid(n), THREADS);
    }

    @Override
    public void dropoutMask(Tensor mask, float p, long seed, long streamId, long first) {
        enter();
        int n = mask.size();
        kernel("random", "dropout_mask").ptr(ptr(mask)).i32(n).f32(p).f32(1f / (1f - p)).u64(seed).u64(streamId)
                .u64(first).launch(grid(n), THREADS);
    }

    /**
     * The raw Philox words {@code bits(seed, stream, first + i)} drawn on the device, for tests that compare
     * them with the CPU generator.
     *
     * @param n how many
     * @param seed Philox key
     * @param streamId Philox stream
     * @param first index of the first word
     * @return the words, as unsigned values in ints
     */
    public int[] philoxWords(int n, long seed, long streamId, long first) {
        enter();
        CachingAllocator.Block b = allocator.allocate(4L * Math.max(1, n));
        try {
            kernel("random", "philox_words").ptr(b.ptr()).i32(n).u64(seed).u64(streamId).u64(first)
                    .launch(grid(n), THREADS);
            float[] f = new float[n];
            staging.download(b.ptr(), f, 0, n);
            int[] out = new int[n];
            for (int i = 0; i < n; i++) {
                out[i] = Float.floatToRawIntBits(f[i]);
            }
            return out;
        } finally {
            allocator.release(b);
        }
    }


    /** Waits for the stream, then destroys the handles and modules and frees all device and pinned memory. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        enter();
        driver.streamSynchronize(stream);
        closed = true;
        conv.close();
        poolNorm.close();
        cudnn.destroy(cudnnHandle);
        cublas.destroy(cublasHandle);
        for (MemorySegment m : modules.values()) {
            driver.moduleUnload(m);
        }
        modules.clear();
        kernels.clear();
        staging.close();
        allocator.close();
        driver.streamDestroy(stream);
        driver.primaryCtxRelease(cuDevice);
        arena.close();
    }
}
