package org.deeprelax.core.natives;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * The pieces every search for a native library is made of (CUDA's in {@code cuda}, Open MPI's in {@code dist}):
 * a {@code :}-separated list of directories from a variable, the subdirectories matching a glob, the
 * directories that exist, the first file of a preferred name, and an error that names every place tried.
 * Opening by bare name fails with an opaque message when the library sits where the dynamic loader does not
 * look, so the bindings search explicit directories first and say where they looked.
 */
public final class SearchPath {

    private SearchPath() {
    }

    /**
     * Splits a list of directories such as {@code LD_LIBRARY_PATH}'s.
     *
     * @param list directories separated by {@code :}, or null
     * @return the directories named, in order; none for null or blank
     */
    public static List<Path> pathList(String list) {
        List<Path> out = new ArrayList<>();
        if (list != null) {
            for (String s : list.split(":")) {
                if (!s.isBlank()) {
                    out.add(Path.of(s.trim()));
                }
            }
        }
        return out;
    }

    /**
     * Lists the subdirectories whose names match a glob, such as {@code cuda*} under {@code /usr/local}.
     *
     * @param dir the directory to list
     * @param glob the pattern
     * @return the matching subdirectories, sorted; none if {@code dir} does not exist or cannot be read
     */
    public static List<Path> subdirectories(Path dir, String glob) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, glob)) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    found.add(p);
                }
            }
        } catch (IOException | SecurityException e) {
            // An unreadable directory is simply not a candidate.
        }
        found.sort(null);
        return found;
    }

    /**
     * Keeps the directories that exist, each once, in their first place.
     *
     * @param dirs candidate directories, in search order
     * @return the existing ones
     */
    public static List<Path> existing(Collection<Path> dirs) {
        List<Path> out = new ArrayList<>();
        for (Path p : new LinkedHashSet<>(dirs)) {
            if (Files.isDirectory(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Finds the first of {@code names} in {@code dirs}: the name's preference comes first (a {@code .13}
     * anywhere beats a {@code .12}), then the directory order.
     *
     * @param dirs the directories, in order
     * @param names file names, most preferred first
     * @return the file found, or empty
     */
    public static Optional<Path> find(List<Path> dirs, List<String> names) {
        for (String name : names) {
            for (Path d : dirs) {
                Path p = d.resolve(name);
                if (Files.isRegularFile(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Says that a library was found nowhere.
     *
     * @param what the libraries wanted, e.g. {@code libcublas.so.13 or libcublas.so.12}
     * @param dirs every directory searched
     * @param loaderError what the dynamic loader said when asked for it by bare name
     * @param remedy the last line: how to install it or point at it
     * @return the text of the error
     */
    public static String notFound(String what, List<Path> dirs, String loaderError, String remedy) {
        StringBuilder msg = new StringBuilder("cannot find ").append(what).append("; searched:");
        for (Path d : dirs) {
            msg.append("\n  ").append(d);
        }
        if (dirs.isEmpty()) {
            msg.append(" (no candidate directory exists)");
        }
        return msg.append("\nand the dynamic loader cannot open it by name: ").append(loaderError).append('\n')
                .append(remedy).toString();
    }

    /**
     * Asks the dynamic loader itself why a library does not open: the JDK's lookup says only that it did
     * not, while {@code dlerror} names the missing file or dependency.
     *
     * @param pathOrName what to open
     * @return {@code dlerror}'s text, or a note that it could not be had
     */
    public static String loaderError(String pathOrName) {
        try {
            Linker linker = Linker.nativeLinker();
            SymbolLookup libc = linker.defaultLookup();
            MethodHandle dlopen = linker.downcallHandle(libc.find("dlopen").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
            MethodHandle dlerror = linker.downcallHandle(libc.find("dlerror").orElseThrow(),
                    FunctionDescriptor.of(ADDRESS));
            MethodHandle dlclose = linker.downcallHandle(libc.find("dlclose").orElseThrow(),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS));
            try (Arena a = Arena.ofConfined()) {
                MemorySegment handle = (MemorySegment) dlopen.invokeExact(a.allocateFrom(pathOrName), 1 /* RTLD_LAZY */);
                if (!handle.equals(MemorySegment.NULL)) {
                    int closed = (int) dlclose.invokeExact(handle);
                    return "none now: it opens when asked again" + (closed == 0 ? "" : " (dlclose failed)");
                }
                MemorySegment text = (MemorySegment) dlerror.invokeExact();
                return text.equals(MemorySegment.NULL) ? "no reason given" : text.reinterpret(4096).getString(0);
            }
        } catch (Throwable t) {
            return "(dlerror not available: " + t + ")";
        }
    }
}
