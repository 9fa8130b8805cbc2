package org.deeprelax.cuda.bindings;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where the NVIDIA shared libraries are looked for. Opening by bare name ({@code dlopen("libcublas.so.13")})
 * fails with an opaque message when the library sits in a directory the loader does not search (the usual
 * state of a CUDA toolkit or a Python wheel), so the explicit directories below come first; when none holds
 * the library, it is left to the dynamic loader by bare name ({@code /etc/ld.so.cache}, the
 * {@code LD_LIBRARY_PATH} the process started with); and when that fails too, the error names the library,
 * every directory tried, the loader's own message, and the variable to set.
 *
 * <p>Search order: the directories of {@value #ENV} (separated by {@code :}), then {@code LD_LIBRARY_PATH},
 * then {@code /usr/local/cuda*}{@code /targets/x86_64-linux/lib} and {@code /usr/local/cuda*}{@code /lib64}
 * (CUDA toolkits), {@code /usr/local/nvidia/lib64} and {@code /usr/local/nvidia/lib} (the driver's folder
 * in NVIDIA's containers), {@code /usr/lib/x86_64-linux-gnu}, {@code /usr/lib64}, {@code /lib/x86_64-linux-gnu},
 * and the {@code site-packages/nvidia/*}{@code /lib} directories of Python environments ({@code $VIRTUAL_ENV},
 * {@code /opt/torch/.venv}, {@code /usr/lib/python3*}, {@code /usr/local/lib/python3*},
 * {@code ~/.local/lib/python3*}), where NVIDIA's wheels put cuBLAS, NVRTC and cuDNN.
 */
public final class NativeLibraries {

    /** The environment variable naming directories searched first. */
    public static final String ENV = "DEEPRELAX_CUDA_LIB_PATH";

    private NativeLibraries() {
    }

    /**
     * The existing directories searched for this process's environment, in order.
     *
     * @param env the environment variables
     * @return the directories, without duplicates
     */
    public static List<Path> searchDirectories(Map<String, String> env) {
        return searchDirectories(env, Path.of("/"));
    }

    /**
     * As {@link #searchDirectories(Map)}, with the fixed system directories taken under {@code root}
     * (tests lay out a fake file system there; the directories named by variables are used as they are).
     *
     * @param env the environment variables
     * @param root {@code /}, or a directory standing for it
     * @return the existing directories, in order, without duplicates
     */
    static List<Path> searchDirectories(Map<String, String> env, Path root) {
        Set<Path> out = new LinkedHashSet<>();
        addPathList(out, env.get(ENV));
        addPathList(out, env.get("LD_LIBRARY_PATH"));
        for (Path cuda : glob(root.resolve("usr/local"), "cuda*")) {
            out.add(cuda.resolve("targets/x86_64-linux/lib"));
            out.add(cuda.resolve("lib64"));
        }
        for (String dir : List.of("usr/local/nvidia/lib64", "usr/local/nvidia/lib", "usr/lib/x86_64-linux-gnu",
                "usr/lib64", "lib/x86_64-linux-gnu")) {
            out.add(root.resolve(dir));
        }
        List<Path> sitePackages = new ArrayList<>();
        String venv = env.get("VIRTUAL_ENV");
        List<Path> venvs = new ArrayList<>();
        if (venv != null && !venv.isBlank()) {
            venvs.add(Path.of(venv));
        }
        venvs.add(root.resolve("opt/torch/.venv"));
        for (Path v : venvs) {
            for (Path py : glob(v.resolve("lib"), "python3*")) {
                sitePackages.add(py.resolve("site-packages"));
            }
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        for (Path lib : List.of(root.resolve("usr/lib"), root.resolve("usr/local/lib"), Path.of(home, ".local/lib"))) {
            for (Path py : glob(lib, "python3*")) {
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

    /**
     * Finds the first of {@code names} in {@code dirs}: the name's preference comes first (a {@code .13}
     * anywhere beats a {@code .12}), then the directory order.
     *
     * @param dirs the directories, in order
     * @param names file names, most preferred first
     * @return the file found, or empty
     */
    static Optional<Path> find(List<Path> dirs, List<String> names) {
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
     * @param what the libraries wanted, e.g. {@code libcublas.so.13 or libcublas.so.12}
     * @param dirs every directory searched
     * @param loaderError what the dynamic loader said when asked for it by bare name
     * @return the text of the error: what is missing, where it was looked for, and how to point at it
     */
    static String notFound(String what, List<Path> dirs, String loaderError) {
        StringBuilder msg = new StringBuilder("cannot find ").append(what).append("; searched:");
        for (Path d : dirs) {
            msg.append("\n  ").append(d);
        }
        if (dirs.isEmpty()) {
            msg.append(" (no candidate directory exists)");
        }
        msg.append("\nand the dynamic loader cannot open it by name: ").append(loaderError)
                .append("\nInstall it, or set ").append(ENV)
                .append(" to the directory that holds it (several directories separated by ':').");
        return msg.toString();
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
