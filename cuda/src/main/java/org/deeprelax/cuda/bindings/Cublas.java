package org.deeprelax.cuda.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
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
 * cuBLAS ({@code libcublas.so.13}, falling back to {@code .12}), the few calls the backend needs, bound by hand
 * with FFM after {@code cublas_api.h} of CUDA 13.0. {@code cublasStatus_t}, {@code cublasOperation_t} and
 * {@code cublasMath_t} are C {@code int}s; the handle and {@code cudaStream_t} are opaque pointers (a driver
 * {@code CUstream} is the same object). The pointer mode stays the default, host: alpha and beta are host
 * pointers, read when the call is made.
 */
public final class Cublas {

    /** {@code CUBLAS_OP_N}. */
    public static final int OP_N = 0;
    /** {@code CUBLAS_OP_T}. */
    public static final int OP_T = 1;
    /** {@code CUBLAS_DEFAULT_MATH}: fp32 GEMM in fp32 (no TF32 unless forced by NVIDIA_TF32_OVERRIDE). */
    public static final int DEFAULT_MATH = 0;
    /** {@code CUBLAS_PEDANTIC_MATH}: the reference-precision path, never a reduced-precision one. */
    public static final int PEDANTIC_MATH = 2;
    /** {@code CUBLAS_TF32_TENSOR_OP_MATH}: fp32 GEMM on TF32 tensor cores. */
    public static final int TF32_TENSOR_OP_MATH = 3;

    private static volatile Cublas instance;

    private final NativeLibrary lib;
    private final MethodHandle create, destroy, setStream, setMathMode, sgemm, statusString, setWorkspace;

    /**
     * Binds the cuBLAS API of an opened library.
     *
     * @param lib the opened {@code libcublas} (or a stand-in, in tests)
     */
    Cublas(NativeLibrary lib) {
        this.lib = lib;
        create = lib.function("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        destroy = lib.function("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        setStream = lib.function("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setMathMode = lib.function("cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        // cublasSgemm_v2(handle, transa, transb, m, n, k, const float *alpha, const float *A, int lda,
        //                const float *B, int ldb, const float *beta, float *C, int ldc)
        sgemm = lib.function("cublasSgemm_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
        statusString = lib.function("cublasGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        // cublasSetWorkspace_v2(handle, void *workspace, size_t bytes): a user workspace, needed for graph capture.
        setWorkspace = lib.function("cublasSetWorkspace_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }

    /**
     * Returns the library, opened once per JVM.
     *
     * @return the library, opened once per JVM
     */
    public static Cublas get() {
        Cublas c = instance;
        if (c == null) {
            synchronized (Cublas.class) {
                if (instance == null) {
                    // libcublas needs libcublasLt of the same version (a DT_NEEDED entry, by bare name).
                    instance = new Cublas(NativeLibrary.open(NativeLibraries.searchDirectories(System.getenv()),
                            List.of("libcublas.so.13", "libcublas.so.12"),
                            found -> List.of(found.replace("libcublas.", "libcublasLt."))));
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
     * Returns cuBLAS's text for it.
     *
     * @param status a {@code cublasStatus_t}
     * @return cuBLAS's text for it
     */
    public String statusString(int status) {
        MemorySegment s = (MemorySegment) callObject(() -> (MemorySegment) statusString.invokeExact(status));
        return s.equals(MemorySegment.NULL) ? "unknown cublasStatus_t" : s.reinterpret(4096).getString(0);
    }

    private void check(String what, int status) {
        if (status != 0) {
            throw new CudaException("cublas", what, status, statusString(status));
        }
    }

    /**
     * Returns a new handle (call on the thread whose context is current).
     *
     * @return a new handle (call on the thread whose context is current)
     */
    public MemorySegment create() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check("cublasCreate_v2", call(() -> (int) create.invokeExact(h)));
            return h.get(ADDRESS, 0);
        }
    }

    /**
     * Destroys a handle ({@code cublasDestroy_v2}).
     *
     * @param handle destroyed
     */
    public void destroy(MemorySegment handle) {
        check("cublasDestroy_v2", call(() -> (int) destroy.invokeExact(handle)));
    }

    /**
     * Queues every later call of a handle on a stream ({@code cublasSetStream_v2}).
     *
     * @param handle the handle
     * @param stream every later call is queued on it
     */
    public void setStream(MemorySegment handle, MemorySegment stream) {
        check("cublasSetStream_v2", call(() -> (int) setStream.invokeExact(handle, stream)));
    }

    /**
     * Sets a handle's math mode ({@code cublasSetMathMode}).
     *
     * @param handle the handle
     * @param mode a {@code cublasMath_t}
     */
    public void setMathMode(MemorySegment handle, int mode) {
        check("cublasSetMathMode", call(() -> (int) setMathMode.invokeExact(handle, mode)));
    }

    /**
     * Gives a handle its workspace ({@code cublasSetWorkspace_v2}), as graph capture requires.
     *
     * @param handle the handle
     * @param ptr device workspace
     * @param bytes its size
     */
    public void setWorkspace(MemorySegment handle, long ptr, long bytes) {
        check("cublasSetWorkspace_v2", call(() -> (int) setWorkspace.invokeExact(handle, ptr, bytes)));
    }

    /**
     * Column-major {@code C = alpha·op(A)·op(B) + beta·C}; asynchronous on the handle's stream.
     *
     * @param handle the handle
     * @param transa {@link #OP_N} or {@link #OP_T}
     * @param transb likewise
     * @param m rows of op(A) and C
     * @param n columns of op(B) and C
     * @param k columns of op(A)
     * @param alpha host pointer to a float
     * @param a device pointer
     * @param lda leading dimension of A
     * @param b device pointer
     * @param ldb leading dimension of B
     * @param beta host pointer to a float
     * @param c device pointer
     * @param ldc leading dimension of C
     */
    public void sgemm(MemorySegment handle, int transa, int transb, int m, int n, int k, MemorySegment alpha, long a,
                      int lda, long b, int ldb, MemorySegment beta, long c, int ldc) {
        int r = call(() -> (int) sgemm.invokeExact(handle, transa, transb, m, n, k, alpha, a, lda, b, ldb, beta,
                c, ldc));
        if (r != 0) {
            check("cublasSgemm_v2(m=" + m + ", n=" + n + ", k=" + k + ")", r);
        }
    }
}
