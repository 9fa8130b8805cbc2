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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
        try (Job job = start(processes, jvmOptions, mainClass, args)) {
            return job.await(limit);
        }
    }

    /**
     * Starts {@code mainClass} in {@code processes} JVMs under {@code mpirun}, without waiting.
     *
     * @param processes the number of processes
     * @param jvmOptions options for each JVM, before the class name
     * @param mainClass the class to run
     * @param args its arguments
     * @return the running job
     * @throws IOException if mpirun cannot be started
     */
    public static Job start(int processes, List<String> jvmOptions, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(mpirun().toString(), "--oversubscribe", "--bind-to", "none",
                "-np", Integer.toString(processes),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector",
                "-XX:+UseSerialGC", "-Xmx512m",
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
        return new Job(pb.start(), log, System.nanoTime());
    }

    /**
     * A job started by {@link #start}: its mpirun process and the file its output goes to. Closing it kills
     * whatever is left of its process tree, so a test that fails half-way leaves no process behind; a shutdown
     * hook does the same for jobs still open when the test JVM exits.
     */
    public static final class Job implements AutoCloseable {
        private final Process mpirun;
        private final Path log;
        private final long start;

        private Job(Process mpirun, Path log, long start) {
            this.mpirun = mpirun;
            this.log = log;
            this.start = start;
            OPEN.add(this);
        }

        /**
         * Returns what the job has printed so far.
         *
         * @return stdout and stderr together
         * @throws IOException if the log cannot be read
         */
        public String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /**
         * Kills the JVM of one rank with SIGKILL, as a crash or the kernel's out-of-memory killer would.
         *
         * @param rank the rank
         * @return whether a process of that rank was found
         */
        public boolean kill(int rank) {
            for (ProcessHandle p : mpirun.descendants().toList()) {
                try {
                    String env = Files.readString(Path.of("/proc", Long.toString(p.pid()), "environ"), StandardCharsets.ISO_8859_1);
                    if (env.contains("\0OMPI_COMM_WORLD_RANK=" + rank + "\0") && p.info().command().orElse("").endsWith("java")) {
                        return p.destroyForcibly();
                    }
                } catch (IOException e) {
                    // The process ended meanwhile, or is not ours to read.
                }
            }
            return false;
        }

        /**
         * Waits for the job to end, killing it after {@code limit}.
         *
         * @param limit how long it may still run
         * @return the exit code (-1 when it was killed for running too long), the output and the seconds since it started
         * @throws IOException if the log cannot be read
         * @throws InterruptedException if interrupted while waiting
         */
        public Result await(Duration limit) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            // mpirun may return while a rank it signalled is still shutting down (and holding its run
            // directory's lock); the job has ended only when every process under it has.
            List<ProcessHandle> ranks = mpirun.descendants().toList();
            boolean mpirunEnded = mpirun.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            boolean ranksEnded = mpirunEnded;
            for (ProcessHandle p : ranks) {
                long left = deadline - System.nanoTime();
                try {
                    ranksEnded &= left > 0 && p.onExit().get(left, TimeUnit.NANOSECONDS) != null;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    ranksEnded = false;
                }
            }
            if (!ranksEnded) {
                killTree(ranks);
                return new Result(-1, output() + "\n[" + (mpirunEnded ? "a process of the job outlived mpirun" : "the job")
                        + " ran past " + limit.toSeconds() + " s and was killed]", (System.nanoTime() - start) / 1e9);
            }
            return new Result(mpirun.exitValue(), output(), (System.nanoTime() - start) / 1e9);
        }

        /**
         * Kills what is left of the job (mpirun and every process under it) and removes its log.
         *
         * @throws IOException if the log cannot be removed
         */
        @Override
        public void close() throws IOException {
            killTree();
            OPEN.remove(this);
            Files.deleteIfExists(log);
        }

        /**
         * SIGKILL to every process under mpirun, found before any is killed (a killed mpirun's children are
         * no longer its descendants), then to mpirun; waits a bounded time for each to go.
         */
        private void killTree() {
            killTree(mpirun.descendants().toList());
        }

        private void killTree(List<ProcessHandle> ranks) {
            List<ProcessHandle> tree = new ArrayList<>(ranks);
            tree.add(mpirun.toHandle());
            tree.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle p : tree) {
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // Nothing more to do for a process that does not go within seconds of SIGKILL.
                }
            }
        }
    }

    /** The jobs not yet closed, killed by a shutdown hook if the test JVM exits first. */
    private static final Set<Job> OPEN = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> OPEN.forEach(Job::killTree), "mpirun-reaper"));
    }
}
