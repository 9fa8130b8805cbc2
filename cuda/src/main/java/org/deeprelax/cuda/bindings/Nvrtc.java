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
 * NVRTC, the run-time CUDA C++ compiler ({@code libnvrtc.so.13}, falling back to {@code .12}), bound by hand
 * with FFM after {@code nvrtc.h} of CUDA 13.0. {@code nvrtcResult} is a C {@code int}, {@code nvrtcProgram}
 * an opaque pointer, {@code size_t} a {@code long}.
 */
public final class Nvrtc {

    private static volatile Nvrtc instance;

    private final NativeLibrary lib;
    private final MethodHandle create, compile, logSize, log, cubinSize, cubin, ptxSize, ptx, destroy, errorString,
            version;

    /**
     * Binds the NVRTC API of an opened library.
     *
     * @param lib the opened {@code libnvrtc} (or a stand-in, in tests)
     */
    Nvrtc(NativeLibrary lib) {
        this.lib = lib;
        // nvrtcCreateProgram(nvrtcProgram *prog, const char *src, const char *name, int numHeaders,
        //                    const char * const *headers, const char * const *includeNames)
        create = lib.function("nvrtcCreateProgram",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        // nvrtcCompileProgram(nvrtcProgram prog, int numOptions, const char * const *options)
        compile = lib.function("nvrtcCompileProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
        FunctionDescriptor sizeOut = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
        logSize = lib.function("nvrtcGetProgramLogSize", sizeOut);
        log = lib.function("nvrtcGetProgramLog", sizeOut);
        cubinSize = lib.function("nvrtcGetCUBINSize", sizeOut);
        cubin = lib.function("nvrtcGetCUBIN", sizeOut);
        ptxSize = lib.function("nvrtcGetPTXSize", sizeOut);
        ptx = lib.function("nvrtcGetPTX", sizeOut);
        destroy = lib.function("nvrtcDestroyProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        errorString = lib.function("nvrtcGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        version = lib.function("nvrtcVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    }

    /**
     * Returns the library, opened once per JVM.
     *
     * @return the library, opened once per JVM
     */
    public static Nvrtc get() {
        Nvrtc n = instance;
        if (n == null) {
            synchronized (Nvrtc.class) {
                if (instance == null) {
                    Nvrtc fresh = new Nvrtc(NativeLibrary.open("libnvrtc.so.13", "libnvrtc.so.12"));
                    // NVRTC opens libnvrtc-builtins.so.MAJOR.MINOR, of its own version, by bare name when it
                    // compiles: preload it now, so its absence is named here and not as a failed compile.
                    int[] v = fresh.version();
                    fresh.lib.preloadCompanion(builtinsName(v[0], v[1]));
                    instance = fresh;
                }
                n = instance;
            }
        }
        return n;
    }

    /**
     * The builtins library NVRTC of a version loads by bare name.
     *
     * @param major NVRTC's major version
     * @param minor its minor version
     * @return the file name of the builtins library that NVRTC of that version opens
     */
    static String builtinsName(int major, int minor) {
        return "libnvrtc-builtins.so." + major + "." + minor;
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
     * Returns NVRTC's text for it.
     *
     * @param status an {@code nvrtcResult}
     * @return NVRTC's text for it
     */
    public String errorString(int status) {
        MemorySegment s = (MemorySegment) callObject(() -> (MemorySegment) errorString.invokeExact(status));
        return s.equals(MemorySegment.NULL) ? "unknown nvrtcResult" : s.reinterpret(4096).getString(0);
    }

    private void check(String what, int status) {
        if (status != 0) {
            throw new CudaException("nvrtc", what, status, errorString(status));
        }
    }

    /**
     * Returns {@code {major, minor}} of the library.
     *
     * @return {@code {major, minor}} of the library
     */
    public int[] version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ma = a.allocate(JAVA_INT);
            MemorySegment mi = a.allocate(JAVA_INT);
            check("nvrtcVersion", call(() -> (int) version.invokeExact(ma, mi)));
            return new int[] {ma.get(JAVA_INT, 0), mi.get(JAVA_INT, 0)};
        }
    }

    /**
     * Compiles one translation unit to a cubin for the architecture named in the options.
     *
     * @param source CUDA C++ source
     * @param name file name used in diagnostics
     * @param options compiler options, e.g. {@code --gpu-architecture=sm_90}
     * @param headers headers the source may {@code #include}, by include name
     * @param wantCubin true for a cubin (needs an {@code sm_XY} architecture), false for PTX
     * @return the image; PTX is NUL-terminated, ready for {@code cuModuleLoadData}
     * @throws CudaException on a compile error, whose message holds the full compile log
     */
    public byte[] compile(String source, String name, List<String> options, java.util.Map<String, String> headers,
                          boolean wantCubin) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ADDRESS);
            MemorySegment src = a.allocateFrom(source);
            MemorySegment nm = a.allocateFrom(name);
            int nh = headers.size();
            MemorySegment hdrs = a.allocate(ADDRESS, Math.max(1, nh));
            MemorySegment names = a.allocate(ADDRESS, Math.max(1, nh));
            int h = 0;
            for (var e : headers.entrySet()) {
                names.setAtIndex(ADDRESS, h, a.allocateFrom(e.getKey()));
                hdrs.setAtIndex(ADDRESS, h, a.allocateFrom(e.getValue()));
                h++;
            }
            check("nvrtcCreateProgram(" + name + ")", call(() -> (int) create.invokeExact(progOut, src, nm, nh,
                    hdrs, names)));
            MemorySegment prog = progOut.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) {
                    opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                }
                int n = options.size();
                int r = call(() -> (int) compile.invokeExact(prog, n, opts));
                if (r != 0) {
                    String logText = programLog(a, prog);
                    throw new CudaException("nvrtc", "nvrtcCompileProgram(" + name + ", " + options + ")", r,
                            errorString(r) + "; compile log:\n" + logText);
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                MethodHandle sz = wantCubin ? cubinSize : ptxSize;
                MethodHandle get = wantCubin ? cubin : ptx;
                check(wantCubin ? "nvrtcGetCUBINSize" : "nvrtcGetPTXSize", call(() -> (int) sz.invokeExact(prog, size)));
                long bytes = size.get(JAVA_LONG, 0);
                MemorySegment out = a.allocate(bytes);
                check(wantCubin ? "nvrtcGetCUBIN" : "nvrtcGetPTX", call(() -> (int) get.invokeExact(prog, out)));
                return out.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            } finally {
                call(() -> (int) destroy.invokeExact(progOut));
            }
        }
    }

    private String programLog(Arena a, MemorySegment prog) {
        MemorySegment size = a.allocate(JAVA_LONG);
        if (call(() -> (int) logSize.invokeExact(prog, size)) != 0) {
            return "(no log)";
        }
        long n = size.get(JAVA_LONG, 0);
        MemorySegment buf = a.allocate(Math.max(1, n));
        if (call(() -> (int) log.invokeExact(prog, buf)) != 0) {
            return "(no log)";
        }
        return buf.getString(0);
    }
}
