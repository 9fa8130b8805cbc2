package org.deeprelax.cuda.bindings;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the NVIDIA shared libraries on disk. Opening by bare name ({@code dlopen("libcublas.so.13")}) fails
 * with an opaque message when the library sits in a directory the loader does not search (the usual state
 * of a CUDA toolkit or a Python wheel), so this class walks an explicit list of directories and, when
 * nothing matches, says which library it wanted, every directory it tried, and how to point at the right one.
 *
 * <p>Search order: the directories of {@value #ENV} (separated by {@code :}), then {@code LD_LIBRARY_PATH},
 * then {@code /usr/local/cuda*}{@code /targets/x86_64-linux/lib}, {@code /usr/local/cuda*}{@code /lib64},
 * {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}, {@code /lib/x86_64-linux-gnu}, and the
 * {@code site-packages/nvidia/*}{@code /lib} directories of Python environments ({@code $VIRTUAL_ENV},
 * {@code /usr/lib/python3*}, {@code /usr/local/lib/python3*}, {@code ~/.local/lib/python3*}).
 */
public final class NativeLibraries {

    /** The environment variable naming directories searched first. */
    public static final String ENV = "DEEPRELAX_CUDA_LIB_PATH";

    private NativeLibraries() {
    }

    /**
     * Finds the first of {@code names} (in order of preference, e.g. {@code libcublas.so.13} then
     * {@code .12}) in the search directories.
     *
     * @param names file names, most preferred first
     * @return the path of the file found
     * @throws CudaLibraryException naming the libraries, every directory searched, and the variable to set
     */
    public static Path find(String... names) {
        return find(System.getenv(), List.of(names));
    }

    /**
     * As {@link #find(String...)} with an explicit environment (for tests).
     *
     * @param env the environment variables
     * @param names file names, most preferred first
     * @return the path found
     */
    public static Path find(Map<String, String> env, List<String> names) {
        List<Path> dirs = searchDirectories(env);
        // Preference goes to the name (a .13 anywhere beats a .12), then to the directory order.
        for (String name : names) {
            for (Path d : dirs) {
                Path p = d.resolve(name);
                if (Files.isRegularFile(p) || Files.isSymbolicLink(p) && Files.exists(p)) {
                    return p;
                }
            }
        }
        StringBuilder msg = new StringBuilder("cannot find ").append(String.join(" or ", names))
                .append("; searched:");
        for (Path d : dirs) {
            msg.append("\n  ").append(d);
        }
        if (dirs.isEmpty()) {
            msg.append(" (no candidate directory exists)");
        }
        msg.append("\nInstall it, or set ").append(ENV)
                .append(" to the directory that holds it (several directories separated by ':').");
        throw new CudaLibraryException(msg.toString());
    }

    /**
     * @param env the environment
     * @return the existing directories searched, in order, without duplicates
     */
    public static List<Path> searchDirectories(Map<String, String> env) {
        Set<Path> out = new LinkedHashSet<>();
        addPathList(out, env.get(ENV));
        addPathList(out, env.get("LD_LIBRARY_PATH"));
        for (Path cuda : glob(Path.of("/usr/local"), "cuda*")) {
            out.add(cuda.resolve("targets/x86_64-linux/lib"));
            out.add(cuda.resolve("lib64"));
        }
        out.add(Path.of("/usr/lib/x86_64-linux-gnu"));
        out.add(Path.of("/usr/lib64"));
        out.add(Path.of("/lib/x86_64-linux-gnu"));
        List<Path> sitePackages = new ArrayList<>();
        String venv = env.get("VIRTUAL_ENV");
        if (venv != null && !venv.isBlank()) {
            for (Path py : glob(Path.of(venv, "lib"), "python3*")) {
                sitePackages.add(py.resolve("site-packages"));
            }
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        for (Path root : List.of(Path.of("/usr/lib"), Path.of("/usr/local/lib"), Path.of(home, ".local/lib"))) {
            for (Path py : glob(root, "python3*")) {
                sitePackages.add(py.resolve("site-packages"));
                sitePackages.add(py.resolve("dist-packages"));
            }
        }
        for (Path sp : sitePackages) {
            for (Path pkg : glob(sp.resolve("nvidia"), "*")) {
                out.add(pkg.resolve("lib"));
            }
        }
        List<Path> existing = new ArrayList<>();
        for (Path p : out) {
            if (Files.isDirectory(p)) {
                existing.add(p);
            }
        }
        return existing;
    }

    private static void addPathList(Set<Path> out, String list) {
        if (list == null) {
            return;
        }
        for (String s : list.split(":")) {
            if (!s.isBlank()) {
                out.add(Path.of(s.trim()));
            }
        }
    }

    private static List<Path> glob(Path dir, String pattern) {
        List<Path> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return found;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
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
}
