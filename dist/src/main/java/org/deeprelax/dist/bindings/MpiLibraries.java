package org.deeprelax.dist.bindings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.deeprelax.core.natives.SearchPath;

/**
 * Where Open MPI's {@code libmpi.so.40} is looked for: the directories of {@value #ENV} (separated by
 * {@code :}), then {@code LD_LIBRARY_PATH}, then {@code $OPAL_PREFIX/lib}, the {@code lib} directory beside
 * the {@code bin} that holds the {@code mpirun} found on {@code PATH} (an Open MPI built from source),
 * {@code /usr/lib/x86_64-linux-gnu/openmpi/lib} and {@code /usr/lib/x86_64-linux-gnu} (Debian, Ubuntu),
 * {@code /usr/lib64/openmpi/lib} and {@code /usr/lib64} (Fedora, RHEL), {@code /usr/local/lib} and
 * {@code /opt/openmpi*}{@code /lib}; last, the dynamic loader by bare name. When none has it, the error names
 * every directory tried and the variable to set.
 */
public final class MpiLibraries {

    /** The environment variable naming directories searched first. */
    public static final String ENV = "DEEPRELAX_MPI_LIB_PATH";

    /** The library's file name: Open MPI 3, 4 and 5 all keep this soname. */
    public static final String LIBRARY = "libmpi.so.40";

    private MpiLibraries() {
    }

    /**
     * Lists the directories searched, in order.
     *
     * @param env the environment variables
     * @return the existing directories, without duplicates
     */
    public static List<Path> directories(Map<String, String> env) {
        List<Path> out = new ArrayList<>(SearchPath.pathList(env.get(ENV)));
        out.addAll(SearchPath.pathList(env.get("LD_LIBRARY_PATH")));
        String prefix = env.get("OPAL_PREFIX");
        if (prefix != null && !prefix.isBlank()) {
            out.add(Path.of(prefix, "lib"));
        }
        for (String dir : env.getOrDefault("PATH", "").split(":")) {
            Path mpirun = dir.isBlank() ? null : Path.of(dir, "mpirun");
            if (mpirun != null && Files.isExecutable(mpirun)) {
                Path prefixOfBin = mpirun.toAbsolutePath().getParent().getParent();
                if (prefixOfBin != null) {
                    out.add(prefixOfBin.resolve("lib"));
                }
                break;
            }
        }
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu/openmpi/lib", "/usr/lib/x86_64-linux-gnu",
                "/usr/lib64/openmpi/lib", "/usr/lib64", "/usr/local/lib")) {
            out.add(Path.of(dir));
        }
        out.addAll(SearchPath.subdirectories(Path.of("/opt"), "openmpi*").stream().map(p -> p.resolve("lib")).toList());
        return SearchPath.existing(out);
    }

    /**
     * Says that the library was found nowhere.
     *
     * @param env the environment variables searched with
     * @param loaderError what the dynamic loader said when asked for it by name
     * @return the error's text: what is missing, every directory searched, how to install or point at it
     */
    static String notFound(Map<String, String> env, String loaderError) {
        return SearchPath.notFound(LIBRARY + " (Open MPI)", directories(env), loaderError, "Install Open MPI (Debian,"
                + " Ubuntu: apt-get install openmpi-bin libopenmpi-dev), or set " + ENV + " to the directory that holds "
                + LIBRARY + " (several directories separated by ':').");
    }
}
