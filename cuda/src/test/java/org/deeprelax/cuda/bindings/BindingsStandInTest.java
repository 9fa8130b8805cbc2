package org.deeprelax.cuda.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The four binding classes against {@link StandIn} libraries (upcall stubs with each binding's own C
 * signatures), so their downcalls run for real on this machine without a GPU: every public method calls
 * its functions with matching types, and every error path keeps the library's own text (the status
 * description, and NVRTC's compile log), which an {@code invokeExact} whose call-site type differs from
 * the handle's would lose to a {@code WrongMethodTypeException}.
 */
class BindingsStandInTest {

    private static final Arena TEXT = Arena.ofAuto();

    @BeforeEach
    void clear() {
        StandIn.FAILURES.clear();
        StandIn.CALLS.clear();
    }

    private static Object defaultArgument(Class<?> type, Arena arena) {
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == float.class) {
            return 0f;
        }
        if (type == double.class) {
            return 0d;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type == MemorySegment.class) {
            return arena.allocate(64, 8);
        }
        if (type == String.class) {
            return "k";
        }
        if (type == List.class) {
            return List.of();
        }
        if (type == Map.class) {
            return Map.of();
        }
        if (type == Arena.class) {
            return arena;
        }
        if (type.isEnum()) {
            return type.getEnumConstants()[0];
        }
        throw new AssertionError("no default argument for " + type);
    }

    /** Calls every public instance method once; with every function returning success, none may throw. */
    private static int callEverything(Object binding) throws Exception {
        int called = 0;
        List<String> problems = new ArrayList<>();
        for (Method m : binding.getClass().getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            Class<?>[] types = m.getParameterTypes();
            List<Object[]> argumentSets = new ArrayList<>();
            int enumAt = -1;
            for (int i = 0; i < types.length; i++) {
                enumAt = types[i].isEnum() ? i : enumAt;
            }
            try (Arena arena = Arena.ofConfined()) {
                Object[] base = new Object[types.length];
                for (int i = 0; i < types.length; i++) {
                    base[i] = defaultArgument(types[i], arena);
                }
                argumentSets.add(base);
                if (enumAt >= 0) {
                    // One call per constant: switch arms bind different functions.
                    for (Object constant : types[enumAt].getEnumConstants()) {
                        Object[] a = base.clone();
                        a[enumAt] = constant;
                        argumentSets.add(a);
                    }
                }
                for (Object[] a : argumentSets) {
                    try {
                        m.invoke(binding, a);
                        called++;
                    } catch (InvocationTargetException e) {
                        problems.add(m.getName() + ": " + e.getCause());
                    }
                }
            }
        }
        assertEquals(List.of(), problems, binding.getClass().getSimpleName() + " methods that failed");
        assertEquals(List.of(), StandIn.FAILURES, "stand-in handlers that failed");
        return called;
    }

    @Test
    void everyPublicMethodCallsItsFunctionsWithTheirOwnSignature() throws Exception {
        StandIn.Handler success = (symbol, args) -> null;
        int calls = callEverything(new Driver(StandIn.library("libcuda.so.1", success)))
                + callEverything(new Nvrtc(StandIn.library("libnvrtc.so.13", success)))
                + callEverything(new Cublas(StandIn.library("libcublas.so.13", success)))
                + callEverything(new Cudnn(StandIn.library("libcudnn.so.9", success)));
        assertTrue(calls >= 70, "only " + calls + " binding methods were called");
        for (String symbol : List.of("cuLaunchKernel", "nvrtcCompileProgram", "cublasSgemm_v2",
                "cudnnConvolutionBackwardFilter", "cudnnBatchNormalizationBackward", "cudnnPoolingBackward")) {
            assertTrue(StandIn.CALLS.contains(symbol), symbol + " was never called");
        }
    }

    @Test
    void nvrtcKeepsItsErrorTextAndTheCompileLog() {
        String log = "elementwise.cu(12): error: identifier \"undefined_thing\" is undefined";
        Nvrtc nvrtc = new Nvrtc(StandIn.library("libnvrtc.so.13", (symbol, args) -> switch (symbol) {
            case "nvrtcGetErrorString" -> (int) args[0] == 6 ? TEXT.allocateFrom("NVRTC_ERROR_COMPILATION")
                    : (int) args[0] == 3 ? TEXT.allocateFrom("NVRTC_ERROR_INVALID_INPUT") : MemorySegment.NULL;
            case "nvrtcCompileProgram" -> 6;
            case "nvrtcVersion" -> 3;
            case "nvrtcGetProgramLogSize" -> {
                StandIn.at(args[1], 8).set(JAVA_LONG, 0, log.length() + 1);
                yield 0;
            }
            case "nvrtcGetProgramLog" -> {
                StandIn.at(args[1], log.length() + 1).setString(0, log);
                yield 0;
            }
            default -> null;
        }));
        assertEquals("NVRTC_ERROR_COMPILATION", nvrtc.errorString(6));
        assertEquals("unknown nvrtcResult", nvrtc.errorString(99), "a NULL text");
        CudaException compile = assertThrows(CudaException.class,
                () -> nvrtc.compile("source", "elementwise.cu", List.of("--std=c++17"), Map.of(), true));
        assertEquals(6, compile.status());
        assertTrue(compile.getMessage().contains("NVRTC_ERROR_COMPILATION") && compile.getMessage().contains(log),
                compile.getMessage());
        assertTrue(compile.getMessage().contains("elementwise.cu") && compile.getMessage().contains("--std=c++17"),
                compile.getMessage());
        CudaException version = assertThrows(CudaException.class, nvrtc::version);
        assertEquals("nvrtc: nvrtcVersion failed with status 3 (NVRTC_ERROR_INVALID_INPUT)", version.getMessage());
        assertTrue(StandIn.CALLS.contains("nvrtcDestroyProgram"), "the failed program is destroyed");
        assertEquals(List.of(), StandIn.FAILURES);
    }

    @Test
    void cublasKeepsItsStatusText() {
        Cublas cublas = new Cublas(StandIn.library("libcublas.so.13", (symbol, args) -> switch (symbol) {
            case "cublasGetStatusString" -> (int) args[0] == 1 ? TEXT.allocateFrom("CUBLAS_STATUS_NOT_INITIALIZED")
                    : MemorySegment.NULL;
            case "cublasCreate_v2" -> 1;
            case "cublasSgemm_v2" -> 7;
            default -> null;
        }));
        CudaException e = assertThrows(CudaException.class, cublas::create);
        assertEquals("cublas: cublasCreate_v2 failed with status 1 (CUBLAS_STATUS_NOT_INITIALIZED)", e.getMessage());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment one = a.allocate(4);
            CudaException g = assertThrows(CudaException.class,
                    () -> cublas.sgemm(MemorySegment.NULL, 0, 0, 2, 3, 4, one, 0, 2, 0, 4, one, 0, 2));
            assertEquals("cublas: cublasSgemm_v2(m=2, n=3, k=4) failed with status 7 (unknown cublasStatus_t)",
                    g.getMessage());
        }
        assertEquals(List.of(), StandIn.FAILURES);
    }

    @Test
    void cudnnKeepsItsErrorText() {
        Cudnn cudnn = new Cudnn(StandIn.library("libcudnn.so.9", (symbol, args) -> switch (symbol) {
            case "cudnnGetErrorString" -> (int) args[0] == 2000 ? TEXT.allocateFrom("CUDNN_STATUS_BAD_PARAM")
                    : MemorySegment.NULL;
            case "cudnnCreate" -> 2000;
            case "cudnnPoolingBackward" -> 3000;
            default -> null;
        }));
        CudaException e = assertThrows(CudaException.class, cudnn::create);
        assertEquals("cudnn: cudnnCreate failed with status 2000 (CUDNN_STATUS_BAD_PARAM)", e.getMessage());
        CudaException p = assertThrows(CudaException.class, () -> cudnn.poolingBackward(MemorySegment.NULL,
                MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, 0, 0, MemorySegment.NULL, 0,
                MemorySegment.NULL, 0));
        assertEquals("cudnn: cudnnPoolingBackward failed with status 3000 (unknown cudnnStatus_t)", p.getMessage());
        assertEquals(List.of(), StandIn.FAILURES);
    }

    @Test
    void theDriverKeepsItsErrorText() {
        Driver driver = new Driver(StandIn.library("libcuda.so.1", (symbol, args) -> switch (symbol) {
            case "cuGetErrorString" -> {
                StandIn.at(args[1], 8).set(ADDRESS, 0, TEXT.allocateFrom("no CUDA-capable device is detected"));
                yield 0;
            }
            case "cuDeviceGetCount" -> 100;
            case "cuDeviceGet" -> {
                StandIn.at(args[0], 4).set(JAVA_INT, 0, 7);
                yield 0;
            }
            default -> null;
        }));
        CudaException e = assertThrows(CudaException.class, driver::deviceCount);
        assertEquals("cuda: cuDeviceGetCount failed with status 100 (no CUDA-capable device is detected)",
                e.getMessage());
        assertEquals(7, driver.deviceGet(0), "the out-parameter is read back");
        assertEquals(List.of(), StandIn.FAILURES);
    }
}
