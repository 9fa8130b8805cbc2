package org.deeprelax.cuda.bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * One opened shared library and a way to bind its functions. Each binding class ({@link Driver},
 * {@link Nvrtc}, {@link Cublas}, {@link Cudnn}) holds one and creates every downcall up front, so a missing
 * symbol is reported when the library is opened, naming the library and the symbol, not at the first call.
 */
final class NativeLibrary {

    private static final Linker LINKER = Linker.nativeLinker();

    private final Path path;
    private final SymbolLookup lookup;

    private NativeLibrary(Path path, SymbolLookup lookup) {
        this.path = path;
        this.lookup = lookup;
    }

    /**
     * Finds and opens the first of {@code names}; the library stays loaded for the life of the JVM.
     *
     * @param names file names, most preferred first
     * @return the library
     */
    static NativeLibrary open(String... names) {
        Path p = NativeLibraries.find(names);
        try {
            return new NativeLibrary(p, SymbolLookup.libraryLookup(p, Arena.global()));
        } catch (IllegalArgumentException e) {
            throw new CudaLibraryException("found " + p + " but could not load it: " + e.getMessage()
                    + " (a dependency of it may be missing from the loader's path; set LD_LIBRARY_PATH or "
                    + NativeLibraries.ENV + ")", e);
        }
    }

    /** @return where the library was loaded from */
    Path path() {
        return path;
    }

    /**
     * @param symbol the exported name (e.g. {@code cuMemAlloc_v2})
     * @param fd its C signature
     * @return the downcall handle
     * @throws CudaLibraryException naming the library and the symbol when it is not exported
     */
    MethodHandle function(String symbol, FunctionDescriptor fd) {
        MemorySegment addr = lookup.find(symbol).orElseThrow(() -> new CudaLibraryException(
                "symbol " + symbol + " not found in " + path + " (an older or newer version of the library?)"));
        return LINKER.downcallHandle(addr, fd);
    }

    /** @param symbol an exported name @return whether the library exports it */
    boolean has(String symbol) {
        return lookup.find(symbol).isPresent();
    }
}
