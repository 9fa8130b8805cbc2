package org.deeprelax.cuda.bindings;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeprelax.core.natives.SearchPath;

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
        List<Path> out = new ArrayList<>(SearchPath.pathList(env.get(ENV)));
        out.addAll(SearchPath.pathList(env.get("LD_LIBRARY_PATH")));
        for (Path cuda : SearchPath.subdirectories(root.resolve("usr/local"), "cuda*")) {
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
            for (Path py : SearchPath.subdirectories(v.resolve("lib"), "python3*")) {
                sitePackages.add(py.resolve("site-packages"));
            }
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        for (Path lib : List.of(root.resolve("usr/lib"), root.resolve("usr/local/lib"), Path.of(home, ".local/lib"))) {
            for (Path py : SearchPath.subdirectories(lib, "python3*")) {
                sitePackages.add(py.resolve("site-packages"));
                sitePackages.add(py.resolve("dist-packages"));
            }
        }
        for (Path sp : sitePackages) {
            for (Path pkg : SearchPath.subdirectories(sp.resolve("nvidia"), "*")) {
                out.add(pkg.resolve("lib"));
            }
        }
        return SearchPath.existing(out);
    }

    /**
     * The message of a library that could not be found.
     *
     * @param what the libraries wanted, e.g. {@code libcublas.so.13 or libcublas.so.12}
     * @param dirs every directory searched
     * @param loaderError what the dynamic loader said when asked for it by bare name
     * @return the text of the error: what is missing, where it was looked for, and how to point at it
     */
    static String notFound(String what, List<Path> dirs, String loaderError) {
        return SearchPath.notFound(what, dirs, loaderError, "Install it, or set " + ENV
                + " to the directory that holds it (several directories separated by ':').");
    }
}
