package org.deeprelax.cuda.bindings;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.deeprelax.core.natives.SearchPath;

/**
 * One opened shared library and a way to bind its functions. Each binding class ({@link Driver},
 * {@link Nvrtc}, {@link Cublas}, {@link Cudnn}) holds one and creates every downcall up front, so a missing
 * symbol is reported when the library is opened, naming the library and the symbol, not at the first call.
 *
 * <p><b>Companions.</b> Some libraries open others by bare name at run time: NVRTC opens
 * {@code libnvrtc-builtins.so.X.Y} when it compiles, cuDNN 9 opens its sub-libraries
 * ({@code libcudnn_graph.so.9}, {@code libcudnn_ops.so.9}, {@code libcudnn_cnn.so.9}, the engines) on first
 * use, cuBLAS needs {@code libcublasLt}. A library found by path in a directory the dynamic loader does not
 * search would then fail later, with an opaque status or (as cuDNN 8 did) by aborting the process. So the
 * companions are preloaded here, by full path, from the library's own directory first (then the other search
 * directories, then the loader by name): the loader matches a later bare-name request against the
 * {@code DT_SONAME} of what is already loaded. A companion found nowhere is an error at open time that names
 * it and where it was looked for. (The alternative, the launcher putting the libraries' directories on
 * {@code LD_LIBRARY_PATH} before the JVM starts, would need the search repeated in shell, and would not
 * help a program that uses the library directly.)
 */
final class NativeLibrary {

    private static final Linker LINKER = Linker.nativeLinker();

    private final String name;
    private final Path path;
    private final Symbols symbols;
    private final List<Path> searched;
    private final List<String> companions = new ArrayList<>();

    /** Resolves an exported function: the loaded library's symbol table, or a stand-in in tests. */
    @FunctionalInterface
    interface Symbols {
        /**
         * Looks a symbol up.
         *
         * @param symbol the exported name
         * @param fd the C signature the binding will call it with
         * @return its address, or empty when the library does not export it
         */
        Optional<MemorySegment> find(String symbol, FunctionDescriptor fd);
    }

    /**
     * An opened library.
     *
     * @param name the library's file name
     * @param path where it was loaded from, or null when the dynamic loader found it by name
     * @param symbols its functions
     * @param searched the directories companions are looked for in, after the library's own
     * @param companions the companions preloaded before it, with where each came from
     */
    NativeLibrary(String name, Path path, Symbols symbols, List<Path> searched, List<String> companions) {
        this.name = name;
        this.path = path;
        this.symbols = symbols;
        this.searched = searched;
        this.companions.addAll(companions);
    }

    /**
     * Finds and opens the first of {@code names}; the library stays loaded for the life of the JVM.
     *
     * @param names file names, most preferred first
     * @return the library
     * @throws CudaLibraryException naming the libraries, every directory searched, and the loader's message
     */
    static NativeLibrary open(String... names) {
        return open(NativeLibraries.searchDirectories(System.getenv()), List.of(names), found -> List.of());
    }

    /**
     * Opens the first of {@code names} found in {@code dirs}, else the first the dynamic loader opens by
     * name, after preloading its companions.
     *
     * @param dirs the directories to search, in order
     * @param names file names, most preferred first
     * @param companionsOf for the file name found, the libraries it opens by bare name, in load order
     * @return the library
     * @throws CudaLibraryException when the library or a companion is found nowhere, or does not load
     */
    static NativeLibrary open(List<Path> dirs, List<String> names, Function<String, List<String>> companionsOf) {
        var file = SearchPath.find(dirs, names);
        if (file.isPresent()) {
            Path p = file.get();
            String found = p.getFileName().toString();
            List<String> loaded = preload(found, p.getParent(), companionsOf.apply(found), dirs);
            return new NativeLibrary(found, p, symbolsOf(load(p.toString())), dirs, loaded);
        }
        for (String n : names) {
            SymbolLookup l = tryLoad(n);
            if (l != null) {
                return new NativeLibrary(n, null, symbolsOf(l), dirs, preload(n, null, companionsOf.apply(n), dirs));
            }
        }
        throw new CudaLibraryException(NativeLibraries.notFound(String.join(" or ", names), dirs,
                SearchPath.loaderError(names.getFirst())));
    }

    /**
     * Preloads a library this one opens by bare name (see the class comment), once it is known which.
     *
     * @param companion its file name, e.g. {@code libnvrtc-builtins.so.13.0}
     */
    void preloadCompanion(String companion) {
        companions.addAll(preload(name, path == null ? null : path.getParent(), List.of(companion), searched));
    }

    /**
     * Returns the companions preloaded, each with where it came from.
     *
     * @return the companions preloaded, each with where it came from
     */
    List<String> companions() {
        return List.copyOf(companions);
    }

    /**
     * Finds every companion first and loads them only when none is missing, so that a missing one is
     * reported with the others and nothing half-loaded is left behind.
     *
     * @return each companion with where it came from
     */
    private static List<String> preload(String owner, Path ownerDir, List<String> wanted, List<Path> dirs) {
        List<Path> where = new ArrayList<>();
        if (ownerDir != null) {
            where.add(ownerDir);
        }
        for (Path d : dirs) {
            if (!where.contains(d)) {
                where.add(d);
            }
        }
        List<Path> files = new ArrayList<>();
        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String c : wanted) {
            var file = SearchPath.find(where, List.of(c));
            if (file.isPresent()) {
                files.add(file.get());
            } else if (tryLoad(c) != null) {
                loaded.add(c + " by the dynamic loader");
            } else {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            StringBuilder msg = new StringBuilder(owner).append(" opens ").append(String.join(", ", wanted))
                    .append(" by bare name, so DeepRelax preloads them by full path from ")
                    .append(ownerDir == null ? "the search directories" : ownerDir + " and the search directories")
                    .append(", but ").append(String.join(", ", missing)).append(missing.size() == 1 ? " is" : " are")
                    .append(" in none of them:");
            for (Path d : where) {
                msg.append("\n  ").append(d);
            }
            msg.append("\nand the dynamic loader cannot open ").append(missing.size() == 1 ? "it" : "them")
                    .append(" by name: ").append(SearchPath.loaderError(missing.getFirst()))
                    .append("\nInstall the missing files beside ").append(owner).append(", or set ")
                    .append(NativeLibraries.ENV).append(" (or LD_LIBRARY_PATH) to the directory that holds them.");
            throw new CudaLibraryException(msg.toString());
        }
        for (Path f : files) {
            load(f.toString());
            loaded.add(f.getFileName() + " from " + f);
        }
        return loaded;
    }

    private static Symbols symbolsOf(SymbolLookup lookup) {
        return (symbol, fd) -> lookup.find(symbol);
    }

    private static SymbolLookup load(String pathOrName) {
        try {
            return SymbolLookup.libraryLookup(pathOrName, Arena.global());
        } catch (IllegalArgumentException e) {
            String reason = SearchPath.loaderError(pathOrName);
            String hint = reason.contains("cannot open shared object file")
                    ? " (a library it depends on is not on the loader's path: put that library's directory on"
                    + " LD_LIBRARY_PATH before Java starts)" : "";
            throw new CudaLibraryException("found " + pathOrName + " but could not load it: " + reason + hint, e);
        }
    }

    private static SymbolLookup tryLoad(String bareName) {
        try {
            return SymbolLookup.libraryLookup(bareName, Arena.global());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Returns where the library was loaded from, or that the dynamic loader found it by name.
     *
     * @return where the library was loaded from, or that the dynamic loader found it by name
     */
    String location() {
        return path != null ? path.toString() : name + " (found by the dynamic loader)";
    }

    /**
     * A downcall handle to an exported function.
     *
     * @param symbol the exported name (e.g. {@code cuMemAlloc_v2})
     * @param fd its C signature
     * @return the downcall handle
     * @throws CudaLibraryException naming the library and the symbol when it is not exported
     */
    MethodHandle function(String symbol, FunctionDescriptor fd) {
        MemorySegment addr = symbols.find(symbol, fd).orElseThrow(() -> new CudaLibraryException(
                "symbol " + symbol + " not found in " + location() + " (an older or newer version of the library?)"));
        return LINKER.downcallHandle(addr, fd);
    }

}
