package org.deeprelax.dist;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Launches a Java main class of the test class path as a job of several processes under Open MPI's
 * {@code mpirun}, as a user would run {@code mpirun -np 3 ... java ...}; for the tests of this module and of
 * the modules that train across processes. Tests that need it skip, saying why, where {@code mpirun} is absent.
 */
public final class MpiRun {

    /** What a job printed and how it ended. */
    public record Result(int exitCode, String output, double seconds) {
    }

    /** The environment variable that makes a missing {@code mpirun} a failure rather than a skip. */
    public static final String REQUIRE = "DEEPRELAX_REQUIRE_MPI";

    private MpiRun() {
    }

    /**
     * Finds {@code mpirun} on {@code PATH}.
     *
     * @return its path, or null
     */
    public static Path mpirun() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir.isBlank() ? "." : dir, "mpirun");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /**
     * Skips the calling test, saying why, where {@code mpirun} is not installed; fails it instead where
     * {@value #REQUIRE} is set (CI, which installs Open MPI, sets it so that these tests cannot silently skip).
     */
    public static void assumeAvailable() {
        String why = "mpirun is not on PATH (install openmpi-bin and libopenmpi-dev; .ci/run does)";
        if (System.getenv(REQUIRE) != null) {
            assertNotNull(mpirun(), why + ", and " + REQUIRE + " is set");
        }
        assumeTrue(mpirun() != null, why);
    }

    /**
     * Runs {@code mainClass} in {@code processes} JVMs under {@code mpirun} and waits for the job to end.
     *
     * @param processes the number of processes
     * @param limit how long the job may run before it is killed (the test then fails on the exit code)
     * @param jvmOptions options for each JVM, before the class name
     * @param mainClass the class to run
     * @param args its arguments
     * @return the exit code, stdout and stderr together, and the seconds the job took
     * @throws IOException if mpirun cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static Result run(int processes, Duration limit, List<String> jvmOptions, String mainClass, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(mpirun().toString(), "--oversubscribe", "--bind-to", "none",
                "-np", Integer.toString(processes),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx512m",
                "-cp", System.getProperty("java.class.path")));
        cmd.addAll(jvmOptions);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // mpirun refuses to start as root without both variables (CI runs as root).
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT", "1");
        pb.environment().put("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
        Path log = Files.createTempFile("deeprelax-mpirun", ".log");
        pb.redirectOutput(log.toFile());
        long start = System.nanoTime();
        Process p = pb.start();
        try {
            if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                String out = Files.readString(log, StandardCharsets.UTF_8);
                return new Result(-1, out + "\n[the job ran past " + limit.toSeconds() + " s and was killed]",
                        (System.nanoTime() - start) / 1e9);
            }
            return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8), (System.nanoTime() - start) / 1e9);
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
