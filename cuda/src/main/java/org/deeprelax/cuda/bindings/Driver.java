package org.deeprelax.cuda.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.deeprelax.core.natives.NativeCalls.call;
import static org.deeprelax.core.natives.NativeCalls.callObject;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The CUDA driver API ({@code libcuda.so.1}), the calls the backend needs, bound by hand with FFM.
 *
 * <p>Types as in {@code cuda.h} (CUDA 13.0): {@code CUresult}, {@code CUdevice} and enums are C {@code int};
 * {@code CUdeviceptr} is {@code unsigned long long}, held here as a Java {@code long}; contexts, streams,
 * modules, functions and events are opaque pointers, held as {@link MemorySegment}s; {@code size_t} is
 * {@code long}. Symbol names are the exported ones that {@code cuda.h}'s macros map to ({@code cuMemAlloc_v2},
 * {@code cuEventElapsedTime_v2}, ...), without the per-thread-default-stream variants: every call names its
 * stream explicitly.
 *
 * <p>Every method checks the status and throws {@link CudaException} with {@code cuGetErrorString}'s text.
 * Methods are thread-safe in the sense that the driver's are; out-parameters use a confined arena per call,
 * and the hot calls ({@link #launchKernel}, the copies) take none.
 */
public final class Driver {

    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR}. */
    public static final int ATTR_CC_MAJOR = 75;
    /** {@code CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR}. */
    public static final int ATTR_CC_MINOR = 76;
    /** {@code CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT}. */
    public static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    /** {@code CU_STREAM_NON_BLOCKING}: no implicit synchronisation with the legacy default stream. */
    public static final int STREAM_NON_BLOCKING = 1;
    /** {@code CU_EVENT_DEFAULT}. */
    public static final int EVENT_DEFAULT = 0;
    /** {@code CU_EVENT_DISABLE_TIMING}: cheaper events used only for ordering. */
    public static final int EVENT_DISABLE_TIMING = 2;
    /** {@code CUDA_ERROR_NOT_READY}, returned by {@link #eventQuery} for a pending event. */
    public static final int ERROR_NOT_READY = 600;

    private static volatile Driver instance;

    private final NativeLibrary lib;
    private final MethodHandle cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet, cuDeviceGetAttribute,
            cuDeviceGetName, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease, cuCtxSetCurrent, cuStreamCreate,
            cuStreamDestroy, cuStreamSynchronize, cuMemAlloc, cuMemFree, cuMemAllocHost, cuMemFreeHost,
            cuMemcpyHtoDAsync, cuMemcpyDtoHAsync, cuMemcpyDtoDAsync, cuMemsetD32Async, cuModuleLoadData,
            cuModuleUnload, cuModuleGetFunction, cuLaunchKernel, cuGetErrorString, cuEventCreate, cuEventRecord,
            cuEventSynchronize, cuEventQuery, cuEventDestroy, cuEventElapsedTime;

    /**
     * Binds the driver API of an opened library.
     *
     * @param lib the opened {@code libcuda.so.1} (or a stand-in, in tests)
     */
    Driver(NativeLibrary lib) {
        this.lib = lib;
        FunctionDescriptor i_i = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
        FunctionDescriptor i_p = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        cuInit = lib.function("cuInit", i_i);
        cuDriverGetVersion = lib.function("cuDriverGetVersion", i_p);
        cuDeviceGetCount = lib.function("cuDeviceGetCount", i_p);
        cuDeviceGet = lib.function("cuDeviceGet", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        cuDeviceGetAttribute = lib.function("cuDeviceGetAttribute",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        cuDeviceGetName = lib.function("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        cuDevicePrimaryCtxRetain = lib.function("cuDevicePrimaryCtxRetain",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        cuDevicePrimaryCtxRelease = lib.function("cuDevicePrimaryCtxRelease_v2", i_i);
        cuCtxSetCurrent = lib.function("cuCtxSetCurrent", i_p);
        cuStreamCreate = lib.function("cuStreamCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        cuStreamDestroy = lib.function("cuStreamDestroy_v2", i_p);
        cuStreamSynchronize = lib.function("cuStreamSynchronize", i_p);
        cuMemAlloc = lib.function("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        cuMemFree = lib.function("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        cuMemAllocHost = lib.function("cuMemAllocHost_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        cuMemFreeHost = lib.function("cuMemFreeHost", i_p);
        cuMemcpyHtoDAsync = lib.function("cuMemcpyHtoDAsync_v2",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS));
        cuMemcpyDtoHAsync = lib.function("cuMemcpyDtoHAsync_v2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
        cuMemcpyDtoDAsync = lib.function("cuMemcpyDtoDAsync_v2",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS));
        cuMemsetD32Async = lib.function("cuMemsetD32Async",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS));
        cuModuleLoadData = lib.function("cuModuleLoadData", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cuModuleUnload = lib.function("cuModuleUnload", i_p);
        cuModuleGetFunction = lib.function("cuModuleGetFunction",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        // CUresult cuLaunchKernel(CUfunction f, unsigned gridDimX, gridDimY, gridDimZ, blockDimX, blockDimY,
        //     blockDimZ, unsigned sharedMemBytes, CUstream hStream, void **kernelParams, void **extra)
        cuLaunchKernel = lib.function("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        cuGetErrorString = lib.function("cuGetErrorString", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        cuEventCreate = lib.function("cuEventCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        cuEventRecord = lib.function("cuEventRecord", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cuEventSynchronize = lib.function("cuEventSynchronize", i_p);
        cuEventQuery = lib.function("cuEventQuery", i_p);
        cuEventDestroy = lib.function("cuEventDestroy_v2", i_p);
        cuEventElapsedTime = lib.function("cuEventElapsedTime_v2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    }

    /**
     * Opens {@code libcuda.so.1} and calls {@code cuInit(0)}, once per JVM.
     *
     * @return the driver
     * @throws CudaLibraryException if the driver library is not installed
     * @throws CudaException if {@code cuInit} fails (no device, driver too old)
     */
    public static Driver get() {
        Driver d = instance;
        if (d == null) {
            synchronized (Driver.class) {
                d = instance;
                if (d == null) {
                    Driver fresh = new Driver(NativeLibrary.open("libcuda.so.1"));
                    fresh.check("cuInit", call(() -> (int) fresh.cuInit.invokeExact(0)));
                    instance = fresh;
                    d = fresh;
                }
            }
        }
        return d;
    }

    /**
     * Returns where {@code libcuda.so.1} was loaded from (a path, or that the dynamic loader found it by name).
     *
     * @return where {@code libcuda.so.1} was loaded from (a path, or that the dynamic loader found it by name)
     */
    public String libraryPath() {
        return lib.location();
    }

    // ---- errors -------------------------------------------------------------------------------

    @FunctionalInterface
    interface OutCall {
        int run(MemorySegment out) throws Throwable;
    }

    /** Runs a call whose first argument receives a handle, checks its status, and returns the handle. */
    private MemorySegment outHandle(String what, OutCall c) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check(what, call(() -> c.run(v)));
            return v.get(ADDRESS, 0);
        }
    }

    /**
     * The driver's text for a status code.
     *
     * @param status a {@code CUresult}
     * @return {@code cuGetErrorString}'s text for it
     */
    public String errorString(int status) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int r = call(() -> (int) cuGetErrorString.invokeExact(status, out));
            MemorySegment s = out.get(ADDRESS, 0);
            return r != 0 || s.equals(MemorySegment.NULL) ? "unknown CUresult" : s.reinterpret(4096).getString(0);
        }
    }

    void check(String what, int status) {
        if (status != 0) {
            throw new CudaException("cuda", what, status, errorString(status));
        }
    }

    // ---- device and context -------------------------------------------------------------------

    /**
     * Returns {@code cuDriverGetVersion}, e.g. 13000 for CUDA 13.0.
     *
     * @return {@code cuDriverGetVersion}, e.g. 13000 for CUDA 13.0
     */
    public int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDriverGetVersion", call(() -> (int) cuDriverGetVersion.invokeExact(v)));
            return v.get(JAVA_INT, 0);
        }
    }

    /**
     * Returns the number of CUDA devices.
     *
     * @return the number of CUDA devices
     */
    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDeviceGetCount", call(() -> (int) cuDeviceGetCount.invokeExact(v)));
            return v.get(JAVA_INT, 0);
        }
    }

    /**
     * Returns the {@code CUdevice} handle.
     *
     * @param ordinal device number
     * @return the {@code CUdevice} handle
     */
    public int deviceGet(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDeviceGet(" + ordinal + ")", call(() -> (int) cuDeviceGet.invokeExact(v, ordinal)));
            return v.get(JAVA_INT, 0);
        }
    }

    /**
     * Reads a device attribute ({@code cuDeviceGetAttribute}).
     *
     * @param attribute a {@code CUdevice_attribute}
     * @param device the device
     * @return its value
     */
    public int deviceAttribute(int attribute, int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check("cuDeviceGetAttribute(" + attribute + ")",
                    call(() -> (int) cuDeviceGetAttribute.invokeExact(v, attribute, device)));
            return v.get(JAVA_INT, 0);
        }
    }

    /**
     * Returns its marketing name.
     *
     * @param device the device
     * @return its marketing name
     */
    public String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            check("cuDeviceGetName", call(() -> (int) cuDeviceGetName.invokeExact(buf, 256, device)));
            return buf.getString(0);
        }
    }

    /**
     * Retains a device's primary context.
     *
     * @param device the {@code CUdevice} handle from {@link #deviceGet}, not the ordinal
     * @return its primary context (release it with {@link #primaryCtxRelease} and the same handle)
     */
    public MemorySegment primaryCtxRetain(int device) {
        return outHandle("cuDevicePrimaryCtxRetain", v -> (int) cuDevicePrimaryCtxRetain.invokeExact(v, device));
    }

    /**
     * Releases a primary context retained by {@link #primaryCtxRetain}.
     *
     * @param device the {@code CUdevice} handle from {@link #deviceGet}, not the ordinal
     */
    public void primaryCtxRelease(int device) {
        check("cuDevicePrimaryCtxRelease_v2", call(() -> (int) cuDevicePrimaryCtxRelease.invokeExact(device)));
    }

    /**
     * Makes a context current on the calling thread ({@code cuCtxSetCurrent}).
     *
     * @param ctx made current on the calling thread
     */
    public void ctxSetCurrent(MemorySegment ctx) {
        check("cuCtxSetCurrent", call(() -> (int) cuCtxSetCurrent.invokeExact(ctx)));
    }

    // ---- streams and events -------------------------------------------------------------------

    /**
     * Returns a new stream.
     *
     * @param flags e.g. {@link #STREAM_NON_BLOCKING}
     * @return a new stream
     */
    public MemorySegment streamCreate(int flags) {
        return outHandle("cuStreamCreate", v -> (int) cuStreamCreate.invokeExact(v, flags));
    }

    /**
     * Destroys a stream ({@code cuStreamDestroy_v2}).
     *
     * @param stream destroyed (pending work still completes)
     */
    public void streamDestroy(MemorySegment stream) {
        check("cuStreamDestroy_v2", call(() -> (int) cuStreamDestroy.invokeExact(stream)));
    }

    /**
     * Waits until a stream has finished its work ({@code cuStreamSynchronize}).
     *
     * @param stream waited for; errors of earlier asynchronous work surface here
     */
    public void streamSynchronize(MemorySegment stream) {
        check("cuStreamSynchronize", call(() -> (int) cuStreamSynchronize.invokeExact(stream)));
    }

    /**
     * Returns a new event.
     *
     * @param flags e.g. {@link #EVENT_DISABLE_TIMING}
     * @return a new event
     */
    public MemorySegment eventCreate(int flags) {
        return outHandle("cuEventCreate", v -> (int) cuEventCreate.invokeExact(v, flags));
    }

    /**
     * Records an event in a stream ({@code cuEventRecord}).
     *
     * @param event recorded
     * @param stream at this point of the stream
     */
    public void eventRecord(MemorySegment event, MemorySegment stream) {
        check("cuEventRecord", call(() -> (int) cuEventRecord.invokeExact(event, stream)));
    }

    /**
     * Waits on the host until an event has happened ({@code cuEventSynchronize}).
     *
     * @param event waited for by the host
     */
    public void eventSynchronize(MemorySegment event) {
        check("cuEventSynchronize", call(() -> (int) cuEventSynchronize.invokeExact(event)));
    }

    /**
     * Returns whether all work before it has completed.
     *
     * @param event queried
     * @return whether all work before it has completed
     */
    public boolean eventQuery(MemorySegment event) {
        int r = call(() -> (int) cuEventQuery.invokeExact(event));
        if (r == ERROR_NOT_READY) {
            return false;
        }
        check("cuEventQuery", r);
        return true;
    }

    /**
     * Destroys an event ({@code cuEventDestroy_v2}).
     *
     * @param event destroyed
     */
    public void eventDestroy(MemorySegment event) {
        check("cuEventDestroy_v2", call(() -> (int) cuEventDestroy.invokeExact(event)));
    }

    /**
     * The time between two completed events ({@code cuEventElapsedTime}).
     *
     * @param start earlier event
     * @param end later event (both completed)
     * @return milliseconds between them
     */
    public float eventElapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_FLOAT);
            check("cuEventElapsedTime_v2", call(() -> (int) cuEventElapsedTime.invokeExact(v, start, end)));
            return v.get(JAVA_FLOAT, 0);
        }
    }

    // ---- memory -------------------------------------------------------------------------------

    /**
     * Returns a device pointer.
     *
     * @param bytes size
     * @return a device pointer
     */
    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check("cuMemAlloc_v2(" + bytes + " bytes)", call(() -> (int) cuMemAlloc.invokeExact(v, bytes)));
            return v.get(JAVA_LONG, 0);
        }
    }

    /**
     * Frees device memory ({@code cuMemFree_v2}).
     *
     * @param ptr a device pointer from {@link #memAlloc}
     */
    public void memFree(long ptr) {
        check("cuMemFree_v2", call(() -> (int) cuMemFree.invokeExact(ptr)));
    }

    /**
     * Returns page-locked host memory of that size.
     *
     * @param bytes size
     * @return page-locked host memory of that size
     */
    public MemorySegment memAllocHost(long bytes) {
        return outHandle("cuMemAllocHost_v2(" + bytes + " bytes)", v -> (int) cuMemAllocHost.invokeExact(v, bytes))
                .reinterpret(bytes);
    }

    /**
     * Frees page-locked host memory ({@code cuMemFreeHost}).
     *
     * @param p page-locked memory from {@link #memAllocHost}
     */
    public void memFreeHost(MemorySegment p) {
        check("cuMemFreeHost", call(() -> (int) cuMemFreeHost.invokeExact(p)));
    }

    /**
     * Queues a host-to-device copy ({@code cuMemcpyHtoDAsync_v2}).
     *
     * @param dst device
     * @param src host (pinned for true asynchrony)
     * @param bytes size
     * @param stream stream
     */
    public void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        check("cuMemcpyHtoDAsync_v2", call(() -> (int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream)));
    }

    /**
     * Queues a device-to-host copy ({@code cuMemcpyDtoHAsync_v2}).
     *
     * @param dst host (pinned)
     * @param src device
     * @param bytes size
     * @param stream stream
     */
    public void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoHAsync_v2", call(() -> (int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream)));
    }

    /**
     * Queues a device-to-device copy ({@code cuMemcpyDtoDAsync_v2}).
     *
     * @param dst device
     * @param src device
     * @param bytes size
     * @param stream stream
     */
    public void memcpyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        check("cuMemcpyDtoDAsync_v2", call(() -> (int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream)));
    }

    /**
     * Queues a fill of 32-bit words ({@code cuMemsetD32Async}).
     *
     * @param dst device
     * @param value 32-bit pattern
     * @param count number of 32-bit words
     * @param stream stream
     */
    public void memsetD32Async(long dst, int value, long count, MemorySegment stream) {
        check("cuMemsetD32Async", call(() -> (int) cuMemsetD32Async.invokeExact(dst, value, count, stream)));
    }

    // ---- modules and launches -----------------------------------------------------------------

    /**
     * Returns the loaded module.
     *
     * @param image a cubin or NUL-terminated PTX image
     * @return the loaded module
     */
    public MemorySegment moduleLoadData(MemorySegment image) {
        return outHandle("cuModuleLoadData", v -> (int) cuModuleLoadData.invokeExact(v, image));
    }

    /**
     * Unloads a module ({@code cuModuleUnload}).
     *
     * @param module unloaded
     */
    public void moduleUnload(MemorySegment module) {
        check("cuModuleUnload", call(() -> (int) cuModuleUnload.invokeExact(module)));
    }

    /**
     * Looks a kernel up in a module ({@code cuModuleGetFunction}).
     *
     * @param module a loaded module
     * @param name an {@code extern "C"} kernel name
     * @return the function
     */
    public MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            MemorySegment cname = a.allocateFrom(name);
            check("cuModuleGetFunction(" + name + ")", call(() -> (int) cuModuleGetFunction.invokeExact(v, module, cname)));
            return v.get(ADDRESS, 0);
        }
    }

    /**
     * Launches a kernel; asynchronous. The driver copies the argument values before returning, so the
     * caller may rewrite {@code params} for the next launch at once.
     *
     * @param f the function
     * @param gx grid x
     * @param gy grid y
     * @param gz grid z
     * @param bx block x
     * @param by block y
     * @param bz block z
     * @param sharedBytes dynamic shared memory
     * @param stream stream
     * @param params a {@code void*[]} with one pointer per kernel parameter, each to its value
     * @param name the kernel's name, for the error message
     */
    public void launchKernel(MemorySegment f, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                             MemorySegment stream, MemorySegment params, String name) {
        int r = call(() -> (int) cuLaunchKernel.invokeExact(f, gx, gy, gz, bx, by, bz, sharedBytes, stream, params,
                MemorySegment.NULL));
        if (r != 0) {
            check("cuLaunchKernel(" + name + ", grid " + gx + "x" + gy + "x" + gz + ", block " + bx + "x" + by + "x"
                    + bz + ")", r);
        }
    }
}
