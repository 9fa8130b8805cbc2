package org.deeprelax.cuda.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.deeprelax.core.natives.NativeCalls.call;
import static org.deeprelax.core.natives.NativeCalls.callObject;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * cuDNN 9 ({@code libcudnn.so.9}), its legacy descriptor API for convolution, pooling and batch-norm, bound by
 * hand with FFM. No cuDNN header is installed where this was written: the signatures and enum values follow
 * the cuDNN 9 API reference ({@code cudnn_graph.h}, {@code cudnn_ops.h}, {@code cudnn_cnn.h} of cuDNN 9.x;
 * these legacy calls are unchanged since cuDNN 7/8, several are marked deprecated in 9 but still exported by
 * the {@code libcudnn.so.9} dispatch library, which opens its sub-libraries by bare name: see
 * {@link #SUBLIBRARIES}).
 *
 * <p>Types: {@code cudnnStatus_t} and every enum are C {@code int}; handles and descriptors are opaque
 * pointers; {@code size_t} is {@code long}; device data pointers are passed as {@code long} (a 64-bit
 * integer and a pointer travel in the same register class in the x86-64 and AArch64 C ABIs);
 * alpha/beta scaling factors are host pointers to a {@code float} for float data. The
 * {@code cudnnConvolution*AlgoPerf_t} structs are {@code {int algo; int status; float time; size_t memory;
 * int determinism; int mathType; int reserved[3];}}, 48 bytes with {@code memory} at offset 16.
 */
public final class Cudnn {

    /** {@code CUDNN_DATA_FLOAT}. */
    public static final int DATA_FLOAT = 0;
    /** {@code CUDNN_TENSOR_NCHW}. */
    public static final int TENSOR_NCHW = 0;
    /** {@code CUDNN_CROSS_CORRELATION}: what deep-learning frameworks call convolution (no filter flip). */
    public static final int CROSS_CORRELATION = 1;
    /** {@code CUDNN_DEFAULT_MATH}: on Ampere and later this permits TF32 for fp32 convolutions. */
    public static final int DEFAULT_MATH = 0;
    /** {@code CUDNN_TENSOR_OP_MATH}. */
    public static final int TENSOR_OP_MATH = 1;
    /** {@code CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION}. */
    public static final int TENSOR_OP_MATH_ALLOW_CONVERSION = 2;
    /** {@code CUDNN_FMA_MATH}: plain fp32 FMA kernels only, never TF32. */
    public static final int FMA_MATH = 3;
    /** {@code CUDNN_POOLING_MAX}. */
    public static final int POOLING_MAX = 0;
    /** {@code CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING}. */
    public static final int POOLING_AVERAGE_COUNT_INCLUDE_PADDING = 1;
    /** {@code CUDNN_POOLING_MAX_DETERMINISTIC}. */
    public static final int POOLING_MAX_DETERMINISTIC = 3;
    /** {@code CUDNN_PROPAGATE_NAN}. */
    public static final int PROPAGATE_NAN = 1;
    /** {@code CUDNN_BATCHNORM_PER_ACTIVATION}. */
    public static final int BATCHNORM_PER_ACTIVATION = 0;
    /** {@code CUDNN_BATCHNORM_SPATIAL}. */
    public static final int BATCHNORM_SPATIAL = 1;
    /** {@code CUDNN_DETERMINISTIC}, the {@code determinism} of an algorithm whose result bits never vary. */
    public static final int DETERMINISTIC = 1;
    /** Size in bytes of one {@code cudnnConvolution*AlgoPerf_t}. */
    public static final long PERF_SIZE = 48;

    /**
     * The sub-libraries {@code libcudnn.so.9} opens by bare name on first use, in dependency order (graph
     * first: the others link against it); preloaded by full path when the library is opened, so a missing
     * one is a clear error then rather than a failure, or an abort, inside a later call.
     */
    static final List<String> SUBLIBRARIES = List.of("libcudnn_graph.so.9", "libcudnn_engines_precompiled.so.9",
            "libcudnn_engines_runtime_compiled.so.9", "libcudnn_heuristic.so.9", "libcudnn_ops.so.9",
            "libcudnn_cnn.so.9");

    private static volatile Cudnn instance;

    private final NativeLibrary lib;
    private final MethodHandle create, destroy, setStream, errorString, version,
            createTensor, setTensor4d, destroyTensor, createFilter, setFilter4d, destroyFilter,
            createConv, setConv2d, setConvMath, destroyConv, createPool, setPool2d, destroyPool,
            findFwd, findBwdData, findBwdFilter, wsFwd, wsBwdData, wsBwdFilter,
            convFwd, convBwdData, convBwdFilter, poolFwd, poolBwd, bnTrain, bnInfer, bnBwd;

    /**
     * Binds the cuDNN API of an opened library.
     *
     * @param lib the opened {@code libcudnn.so.9} (or a stand-in, in tests)
     */
    Cudnn(NativeLibrary lib) {
        this.lib = lib;
        FunctionDescriptor i_p = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        FunctionDescriptor i_pp = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        create = lib.function("cudnnCreate", i_p);
        destroy = lib.function("cudnnDestroy", i_p);
        setStream = lib.function("cudnnSetStream", i_pp);
        errorString = lib.function("cudnnGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        version = lib.function("cudnnGetVersion", FunctionDescriptor.of(JAVA_LONG));
        createTensor = lib.function("cudnnCreateTensorDescriptor", i_p);
        // cudnnSetTensor4dDescriptor(desc, cudnnTensorFormat_t format, cudnnDataType_t dataType, n, c, h, w)
        setTensor4d = lib.function("cudnnSetTensor4dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        destroyTensor = lib.function("cudnnDestroyTensorDescriptor", i_p);
        createFilter = lib.function("cudnnCreateFilterDescriptor", i_p);
        // cudnnSetFilter4dDescriptor(desc, cudnnDataType_t dataType, cudnnTensorFormat_t format, k, c, h, w):
        // note the data type comes before the format here, unlike the tensor call.
        setFilter4d = lib.function("cudnnSetFilter4dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        destroyFilter = lib.function("cudnnDestroyFilterDescriptor", i_p);
        createConv = lib.function("cudnnCreateConvolutionDescriptor", i_p);
        // cudnnSetConvolution2dDescriptor(desc, pad_h, pad_w, u, v, dilation_h, dilation_w, mode, computeType)
        setConv2d = lib.function("cudnnSetConvolution2dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        setConvMath = lib.function("cudnnSetConvolutionMathType", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        destroyConv = lib.function("cudnnDestroyConvolutionDescriptor", i_p);
        createPool = lib.function("cudnnCreatePoolingDescriptor", i_p);
        // cudnnSetPooling2dDescriptor(desc, mode, maxpoolingNanOpt, windowH, windowW, padV, padH, strideV, strideH)
        setPool2d = lib.function("cudnnSetPooling2dDescriptor", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        destroyPool = lib.function("cudnnDestroyPoolingDescriptor", i_p);
        // cudnnFind...Algorithm(handle, d1, d2, convDesc, d3, int requested, int *returned, perf *results)
        FunctionDescriptor find = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                JAVA_INT, ADDRESS, ADDRESS);
        findFwd = lib.function("cudnnFindConvolutionForwardAlgorithm", find);
        findBwdData = lib.function("cudnnFindConvolutionBackwardDataAlgorithm", find);
        findBwdFilter = lib.function("cudnnFindConvolutionBackwardFilterAlgorithm", find);
        // cudnnGet...WorkspaceSize(handle, d1, d2, convDesc, d3, algo, size_t *bytes)
        FunctionDescriptor ws = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT,
                ADDRESS);
        wsFwd = lib.function("cudnnGetConvolutionForwardWorkspaceSize", ws);
        wsBwdData = lib.function("cudnnGetConvolutionBackwardDataWorkspaceSize", ws);
        wsBwdFilter = lib.function("cudnnGetConvolutionBackwardFilterWorkspaceSize", ws);
        // cudnnConvolutionForward(handle, alpha, xDesc, x, wDesc, w, convDesc, algo, ws, wsBytes, beta, yDesc, y)
        // BackwardData: (handle, alpha, wDesc, w, dyDesc, dy, convDesc, algo, ws, wsBytes, beta, dxDesc, dx)
        // BackwardFilter: (handle, alpha, xDesc, x, dyDesc, dy, convDesc, algo, ws, wsBytes, beta, dwDesc, dw)
        FunctionDescriptor conv = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS,
                JAVA_LONG, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG);
        convFwd = lib.function("cudnnConvolutionForward", conv);
        convBwdData = lib.function("cudnnConvolutionBackwardData", conv);
        convBwdFilter = lib.function("cudnnConvolutionBackwardFilter", conv);
        // cudnnPoolingForward(handle, poolDesc, alpha, xDesc, x, beta, yDesc, y)
        poolFwd = lib.function("cudnnPoolingForward", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        // cudnnPoolingBackward(handle, poolDesc, alpha, yDesc, y, dyDesc, dy, xDesc, x, beta, dxDesc, dx)
        poolBwd = lib.function("cudnnPoolingBackward", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
        // cudnnBatchNormalizationForwardTraining(handle, mode, alpha, beta, xDesc, x, yDesc, y, bnDesc, scale,
        //     bias, double expAvgFactor, runningMean, runningVar, double eps, saveMean, saveInvVariance)
        bnTrain = lib.function("cudnnBatchNormalizationForwardTraining", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_DOUBLE, JAVA_LONG, JAVA_LONG, JAVA_DOUBLE, JAVA_LONG, JAVA_LONG));
        // cudnnBatchNormalizationForwardInference(handle, mode, alpha, beta, xDesc, x, yDesc, y, bnDesc, scale,
        //     bias, estimatedMean, estimatedVariance, double eps)
        bnInfer = lib.function("cudnnBatchNormalizationForwardInference", FunctionDescriptor.of(JAVA_INT, ADDRESS,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, JAVA_LONG, JAVA_DOUBLE));
        // cudnnBatchNormalizationBackward(handle, mode, alphaData, betaData, alphaParam, betaParam, xDesc, x,
        //     dyDesc, dy, dxDesc, dx, bnDesc, scale, dScale, dBias, double eps, savedMean, savedInvVariance)
        bnBwd = lib.function("cudnnBatchNormalizationBackward", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS,
                JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_DOUBLE, JAVA_LONG, JAVA_LONG));
    }

    /**
     * Returns the library, opened once per JVM.
     *
     * @return the library, opened once per JVM
     */
    public static Cudnn get() {
        Cudnn c = instance;
        if (c == null) {
            synchronized (Cudnn.class) {
                if (instance == null) {
                    instance = new Cudnn(NativeLibrary.open(NativeLibraries.searchDirectories(System.getenv()),
                            List.of("libcudnn.so.9"), found -> SUBLIBRARIES));
                }
                c = instance;
            }
        }
        return c;
    }

    /**
     * Returns where the library was loaded from (a path, or that the dynamic loader found it by name).
     *
     * @return where the library was loaded from (a path, or that the dynamic loader found it by name)
     */
    public String libraryPath() {
        return lib.location();
    }

    /**
     * Returns cuDNN's text for it.
     *
     * @param status a {@code cudnnStatus_t}
     * @return cuDNN's text for it
     */
    public String errorString(int status) {
        MemorySegment s = (MemorySegment) callObject(() -> (MemorySegment) errorString.invokeExact(status));
        return s.equals(MemorySegment.NULL) ? "unknown cudnnStatus_t" : s.reinterpret(4096).getString(0);
    }

    private void check(String what, int status) {
        if (status != 0) {
            throw new CudaException("cudnn", what, status, errorString(status));
        }
    }

    /**
     * Returns {@code cudnnGetVersion()}, e.g. 91400 for 9.14.0.
     *
     * @return {@code cudnnGetVersion()}, e.g. 91400 for 9.14.0
     */
    public long version() {
        return (long) callObject(() -> (long) version.invokeExact());
    }

    private MemorySegment createOut(String what, MethodHandle h) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check(what, call(() -> (int) h.invokeExact(out)));
            return out.get(ADDRESS, 0);
        }
    }

    private void destroyWith(String what, MethodHandle h, MemorySegment p) {
        check(what, call(() -> (int) h.invokeExact(p)));
    }

    /**
     * Returns a new handle.
     *
     * @return a new handle
     */
    public MemorySegment create() {
        return createOut("cudnnCreate", create);
    }

    /**
     * Destroys a handle ({@code cudnnDestroy}).
     *
     * @param handle destroyed
     */
    public void destroy(MemorySegment handle) {
        destroyWith("cudnnDestroy", destroy, handle);
    }

    /**
     * Queues every later call of a handle on a stream ({@code cudnnSetStream}).
     *
     * @param handle the handle
     * @param stream every later call is queued on it
     */
    public void setStream(MemorySegment handle, MemorySegment stream) {
        check("cudnnSetStream", call(() -> (int) setStream.invokeExact(handle, stream)));
    }

    /**
     * Returns a float NCHW tensor descriptor.
     *
     * @param n batch
     * @param c channels
     * @param h height
     * @param w width
     * @return a float NCHW tensor descriptor
     */
    public MemorySegment tensor4d(int n, int c, int h, int w) {
        MemorySegment d = createOut("cudnnCreateTensorDescriptor", createTensor);
        check("cudnnSetTensor4dDescriptor([" + n + ", " + c + ", " + h + ", " + w + "])", call(
                () -> (int) setTensor4d.invokeExact(d, TENSOR_NCHW, DATA_FLOAT, n, c, h, w)));
        return d;
    }

    /**
     * Destroys a tensor descriptor.
     *
     * @param d destroyed
     */
    public void destroyTensor(MemorySegment d) {
        destroyWith("cudnnDestroyTensorDescriptor", destroyTensor, d);
    }

    /**
     * Returns a float KCRS filter descriptor.
     *
     * @param k filters
     * @param c channels
     * @param r height
     * @param s width
     * @return a float KCRS filter descriptor
     */
    public MemorySegment filter4d(int k, int c, int r, int s) {
        MemorySegment d = createOut("cudnnCreateFilterDescriptor", createFilter);
        check("cudnnSetFilter4dDescriptor", call(
                () -> (int) setFilter4d.invokeExact(d, DATA_FLOAT, TENSOR_NCHW, k, c, r, s)));
        return d;
    }

    /**
     * Destroys a filter descriptor.
     *
     * @param d destroyed
     */
    public void destroyFilter(MemorySegment d) {
        destroyWith("cudnnDestroyFilterDescriptor", destroyFilter, d);
    }

    /**
     * Creates a 2-D convolution descriptor.
     *
     * @param padH padding
     * @param padW padding
     * @param strideH stride
     * @param strideW stride
     * @param mathType a {@code cudnnMathType_t}
     * @return a float cross-correlation descriptor, dilation 1
     */
    public MemorySegment convolution2d(int padH, int padW, int strideH, int strideW, int mathType) {
        MemorySegment d = createOut("cudnnCreateConvolutionDescriptor", createConv);
        check("cudnnSetConvolution2dDescriptor", call(() -> (int) setConv2d.invokeExact(d, padH, padW, strideH,
                strideW, 1, 1, CROSS_CORRELATION, DATA_FLOAT)));
        setConvolutionMathType(d, mathType);
        return d;
    }

    /**
     * Sets a convolution's math type ({@code cudnnSetConvolutionMathType}).
     *
     * @param d a convolution descriptor
     * @param mathType a {@code cudnnMathType_t}
     */
    public void setConvolutionMathType(MemorySegment d, int mathType) {
        check("cudnnSetConvolutionMathType", call(() -> (int) setConvMath.invokeExact(d, mathType)));
    }

    /**
     * Destroys a convolution descriptor.
     *
     * @param d destroyed
     */
    public void destroyConvolution(MemorySegment d) {
        destroyWith("cudnnDestroyConvolutionDescriptor", destroyConv, d);
    }

    /**
     * Creates a 2-D pooling descriptor.
     *
     * @param mode a {@code cudnnPoolingMode_t}
     * @param kh window
     * @param kw window
     * @param padH padding
     * @param padW padding
     * @param sh stride
     * @param sw stride
     * @return a pooling descriptor that propagates NaN
     */
    public MemorySegment pooling2d(int mode, int kh, int kw, int padH, int padW, int sh, int sw) {
        MemorySegment d = createOut("cudnnCreatePoolingDescriptor", createPool);
        check("cudnnSetPooling2dDescriptor", call(
                () -> (int) setPool2d.invokeExact(d, mode, PROPAGATE_NAN, kh, kw, padH, padW, sh, sw)));
        return d;
    }

    /**
     * Destroys a pooling descriptor.
     *
     * @param d destroyed
     */
    public void destroyPooling(MemorySegment d) {
        destroyWith("cudnnDestroyPoolingDescriptor", destroyPool, d);
    }

    /** Which convolution pass an algorithm search or workspace query is for. */
    public enum Pass {
        /** y = conv(x, w). */
        FORWARD,
        /** dx from dy and w. */
        BACKWARD_DATA,
        /** dw from x and dy. */
        BACKWARD_FILTER
    }

    /**
     * Runs cuDNN's own benchmark of every algorithm for one pass ({@code cudnnFind...Algorithm}: it allocates
     * its own scratch buffers and synchronises, so it is called once per shape).
     *
     * @param handle the handle
     * @param pass which pass
     * @param x the input tensor descriptor (dx for the backward-data pass)
     * @param w the filter descriptor (dw for backward-filter)
     * @param conv the convolution descriptor
     * @param y the output descriptor (dy for the backward passes)
     * @param arena where the results are allocated
     * @param requested how many results at most
     * @return {@code requested} perf structs of {@link #PERF_SIZE} bytes, the first {@code returned} valid,
     *     fastest first; the count is in the last 4 bytes ({@link #returnedCount})
     */
    public MemorySegment find(MemorySegment handle, Pass pass, MemorySegment x, MemorySegment w, MemorySegment conv,
                              MemorySegment y, Arena arena, int requested) {
        MemorySegment results = arena.allocate(PERF_SIZE * requested + 8, 8);
        MemorySegment count = results.asSlice(PERF_SIZE * requested, 4);
        int r = switch (pass) {
            case FORWARD -> call(() -> (int) findFwd.invokeExact(handle, x, w, conv, y, requested, count, results));
            case BACKWARD_DATA -> call(
                    () -> (int) findBwdData.invokeExact(handle, w, y, conv, x, requested, count, results));
            case BACKWARD_FILTER -> call(
                    () -> (int) findBwdFilter.invokeExact(handle, x, y, conv, w, requested, count, results));
        };
        check("cudnnFindConvolution" + switch (pass) {
            case FORWARD -> "Forward";
            case BACKWARD_DATA -> "BackwardData";
            case BACKWARD_FILTER -> "BackwardFilter";
        } + "Algorithm", r);
        return results;
    }

    /**
     * How many entries of an algorithm search are valid.
     *
     * @param results from {@link #find}
     * @param requested the count asked for
     * @return how many are valid
     */
    public static int returnedCount(MemorySegment results, int requested) {
        return results.get(JAVA_INT, PERF_SIZE * requested);
    }

    /**
     * Returns its {@code algo}.
     *
     * @param results perf array
     * @param i index
     * @return its {@code algo}
     */
    public static int perfAlgo(MemorySegment results, int i) {
        return results.get(JAVA_INT, PERF_SIZE * i);
    }

    /**
     * Returns its {@code status}.
     *
     * @param results perf array
     * @param i index
     * @return its {@code status}
     */
    public static int perfStatus(MemorySegment results, int i) {
        return results.get(JAVA_INT, PERF_SIZE * i + 4);
    }

    /**
     * Returns its {@code time} in ms.
     *
     * @param results perf array
     * @param i index
     * @return its {@code time} in ms
     */
    public static float perfTime(MemorySegment results, int i) {
        return results.get(JAVA_FLOAT, PERF_SIZE * i + 8);
    }

    /**
     * Returns its {@code memory} (workspace bytes).
     *
     * @param results perf array
     * @param i index
     * @return its {@code memory} (workspace bytes)
     */
    public static long perfMemory(MemorySegment results, int i) {
        return results.get(JAVA_LONG, PERF_SIZE * i + 16);
    }

    /**
     * Returns its {@code determinism}.
     *
     * @param results perf array
     * @param i index
     * @return its {@code determinism}
     */
    public static int perfDeterminism(MemorySegment results, int i) {
        return results.get(JAVA_INT, PERF_SIZE * i + 24);
    }

    /**
     * Returns its {@code mathType}.
     *
     * @param results perf array
     * @param i index
     * @return its {@code mathType}
     */
    public static int perfMathType(MemorySegment results, int i) {
        return results.get(JAVA_INT, PERF_SIZE * i + 28);
    }

    /**
     * The workspace one convolution pass with one algorithm needs.
     *
     * @param handle the handle
     * @param pass the pass
     * @param x input (or dx)
     * @param w filter (or dw)
     * @param conv convolution
     * @param y output (or dy)
     * @param algo the algorithm
     * @return the workspace it needs, in bytes
     */
    public long workspaceSize(MemorySegment handle, Pass pass, MemorySegment x, MemorySegment w, MemorySegment conv,
                              MemorySegment y, int algo) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            int r = switch (pass) {
                case FORWARD -> call(() -> (int) wsFwd.invokeExact(handle, x, w, conv, y, algo, out));
                case BACKWARD_DATA -> call(() -> (int) wsBwdData.invokeExact(handle, w, y, conv, x, algo, out));
                case BACKWARD_FILTER -> call(
                        () -> (int) wsBwdFilter.invokeExact(handle, x, y, conv, w, algo, out));
            };
            check("cudnnGetConvolution" + pass + "WorkspaceSize(algo " + algo + ")", r);
            return out.get(JAVA_LONG, 0);
        }
    }

    /**
     * Runs one convolution pass; asynchronous on the handle's stream.
     *
     * @param handle the handle
     * @param pass the pass
     * @param alpha host float pointer
     * @param xDesc input (dx for backward data)
     * @param x its data
     * @param wDesc filter (dw for backward filter)
     * @param w its data
     * @param conv the convolution descriptor
     * @param algo the algorithm
     * @param ws workspace pointer (0 when none)
     * @param wsBytes its size
     * @param beta host float pointer
     * @param yDesc output (dy for backward passes)
     * @param y its data
     */
    public void convolution(MemorySegment handle, Pass pass, MemorySegment alpha, MemorySegment xDesc, long x,
                            MemorySegment wDesc, long w, MemorySegment conv, int algo, long ws, long wsBytes,
                            MemorySegment beta, MemorySegment yDesc, long y) {
        int r = switch (pass) {
            case FORWARD -> call(() -> (int) convFwd.invokeExact(handle, alpha, xDesc, x, wDesc, w, conv, algo,
                    ws, wsBytes, beta, yDesc, y));
            case BACKWARD_DATA -> call(() -> (int) convBwdData.invokeExact(handle, alpha, wDesc, w, yDesc, y,
                    conv, algo, ws, wsBytes, beta, xDesc, x));
            case BACKWARD_FILTER -> call(() -> (int) convBwdFilter.invokeExact(handle, alpha, xDesc, x, yDesc,
                    y, conv, algo, ws, wsBytes, beta, wDesc, w));
        };
        if (r != 0) {
            check("cudnnConvolution" + pass + "(algo " + algo + ")", r);
        }
    }

    /**
     * Pooling forward ({@code cudnnPoolingForward}).
     *
     * @param handle handle
     * @param pool descriptor
     * @param alpha host float
     * @param xDesc input
     * @param x data
     * @param beta host float
     * @param yDesc output
     * @param y data
     */
    public void poolingForward(MemorySegment handle, MemorySegment pool, MemorySegment alpha, MemorySegment xDesc,
                               long x, MemorySegment beta, MemorySegment yDesc, long y) {
        check("cudnnPoolingForward", call(
                () -> (int) poolFwd.invokeExact(handle, pool, alpha, xDesc, x, beta, yDesc, y)));
    }

    /**
     * Pooling backward ({@code cudnnPoolingBackward}).
     *
     * @param handle handle
     * @param pool descriptor
     * @param alpha host float
     * @param yDesc output desc
     * @param y data
     * @param dy output gradient (same descriptor)
     * @param xDesc input desc
     * @param x data
     * @param beta host float
     * @param dx input gradient (same descriptor as x)
     */
    public void poolingBackward(MemorySegment handle, MemorySegment pool, MemorySegment alpha, MemorySegment yDesc,
                                long y, long dy, MemorySegment xDesc, long x, MemorySegment beta, long dx) {
        check("cudnnPoolingBackward", call(() -> (int) poolBwd.invokeExact(handle, pool, alpha, yDesc, y,
                yDesc, dy, xDesc, x, beta, xDesc, dx)));
    }

    /**
     * Training batch-norm: y, running averages (weight {@code factor} on the batch, unbiased variance),
     * saved mean and saved inverse standard deviation {@code 1/sqrt(biased var + eps)}.
     *
     * @param handle handle
     * @param mode a {@code cudnnBatchNormMode_t}
     * @param one host float 1
     * @param zero host float 0
     * @param xDesc x and y descriptor
     * @param x input
     * @param y output
     * @param bnDesc [1,c,1,1]
     * @param scale gamma
     * @param bias beta
     * @param factor exponential average factor
     * @param runningMean updated
     * @param runningVar updated
     * @param eps epsilon
     * @param saveMean out
     * @param saveInvStd out
     */
    public void batchNormTraining(MemorySegment handle, int mode, MemorySegment one, MemorySegment zero,
                                  MemorySegment xDesc, long x, long y, MemorySegment bnDesc, long scale, long bias,
                                  double factor, long runningMean, long runningVar, double eps, long saveMean,
                                  long saveInvStd) {
        check("cudnnBatchNormalizationForwardTraining", call(() -> (int) bnTrain.invokeExact(handle, mode, one,
                zero, xDesc, x, xDesc, y, bnDesc, scale, bias, factor, runningMean, runningVar, eps, saveMean,
                saveInvStd)));
    }

    /**
     * Batch-norm forward with given statistics ({@code cudnnBatchNormalizationForwardInference}).
     *
     * @param handle handle
     * @param mode mode
     * @param one host 1
     * @param zero host 0
     * @param xDesc x and y desc
     * @param x input
     * @param y output
     * @param bnDesc [1,c,1,1]
     * @param scale gamma
     * @param bias beta
     * @param mean running mean
     * @param var running variance
     * @param eps epsilon
     */
    public void batchNormInference(MemorySegment handle, int mode, MemorySegment one, MemorySegment zero,
                                   MemorySegment xDesc, long x, long y, MemorySegment bnDesc, long scale, long bias,
                                   long mean, long var, double eps) {
        check("cudnnBatchNormalizationForwardInference", call(() -> (int) bnInfer.invokeExact(handle, mode, one,
                zero, xDesc, x, xDesc, y, bnDesc, scale, bias, mean, var, eps)));
    }

    /**
     * Batch-norm backward ({@code cudnnBatchNormalizationBackward}).
     *
     * @param handle handle
     * @param mode mode
     * @param one host 1
     * @param zero host 0
     * @param xDesc x, dy, dx desc
     * @param x input
     * @param dy output gradient
     * @param dx input gradient
     * @param bnDesc [1,c,1,1]
     * @param scale gamma
     * @param dScale out
     * @param dBias out
     * @param eps the forward's epsilon (cuDNN asks for the same value in both passes)
     * @param saveMean from the forward
     * @param saveInvStd from the forward
     */
    public void batchNormBackward(MemorySegment handle, int mode, MemorySegment one, MemorySegment zero,
                                  MemorySegment xDesc, long x, long dy, long dx, MemorySegment bnDesc, long scale,
                                  long dScale, long dBias, double eps, long saveMean, long saveInvStd) {
        check("cudnnBatchNormalizationBackward", call(() -> (int) bnBwd.invokeExact(handle, mode, one, zero,
                one, zero, xDesc, x, xDesc, dy, xDesc, dx, bnDesc, scale, dScale, dBias, eps, saveMean, saveInvStd)));
    }
}
