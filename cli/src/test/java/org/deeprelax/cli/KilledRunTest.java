package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.deeprelax.core.io.StateFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training in a separate process that is stopped the hard ways: SIGTERM and SIGKILL during training,
 * SIGKILL during the checkpoint write, and a disk that fills at the first or at a later checkpoint.
 * Each leaves a directory that says what happened, and resuming it ends with exactly the numbers of the
 * uninterrupted run.
 *
 * <p>The full disk is a file-size limit ({@code prlimit --fsize}, RLIMIT_FSIZE) on the training process:
 * the kernel then fails the write that would pass the limit with EFBIG ("File too large"), at the same
 * point and through the same code as ENOSPC on a full disk, without needing root to mount a small file
 * system. The limit applies to every file the process writes; the checkpoint is by far the largest.
 */
@Tag("reliability")
class KilledRunTest {

    private static final int EPOCHS = 4;

    @TempDir
    static Path shared;
    static Path data;
    /** The uninterrupted run every interrupted one must end equal to. */
    static Path reference;

    @BeforeAll
    static void referenceRun() throws Exception {
        data = TinyData.mnist(shared.resolve("tiny"), 128, 64);
        reference = shared.resolve("reference");
        MainTest.Outcome o = MainTest.run(args(reference));
        assertEquals(0, o.code(), o.err());
    }

    private static String[] args(Path out) {
        return new String[] {"train", "--model", "mnistfc", "--data", "mnist:" + data, "--epochs", String.valueOf(EPOCHS),
                "--batch-size", "16", "--seed", "3", "--out", out.toString()};
    }

    /** A training process into {@code out}, its output in {@code out}.log, optionally under a file-size limit. */
    private static Process start(Path out, long fileSizeLimit) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>();
        if (fileSizeLimit > 0) {
            cmd.addAll(List.of("prlimit", "--fsize=" + fileSizeLimit));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Xmx1g",
                "-cp", classpath, Main.class.getName()));
        cmd.addAll(List.of(args(out)));
        File log = out.resolveSibling(out.getFileName() + ".log").toFile();
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
    }

    private static String log(Path out) throws IOException {
        return Files.readString(out.resolveSibling(out.getFileName() + ".log"));
    }

    /** Waits until the process has logged {@code line}, failing if it ends first. */
    private static void awaitLog(Process p, Path out, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!log(out).contains(line)) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("the training process ended or stalled before '" + line + "': " + log(out));
            }
            Thread.sleep(2);
        }
    }

    /** Sends a signal; SIGSTOP freezes the process so that a fast machine cannot finish the run before the test acts. */
    private static void signal(Process p, String name) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, String.valueOf(p.pid())).start().waitFor());
    }

    private static List<String> metricsWithoutSeconds(Path dir) throws IOException {
        return Files.readAllLines(dir.resolve("metrics.csv")).stream().map(l -> l.substring(0, l.lastIndexOf(','))).toList();
    }

    /** Resumes {@code dir} in this JVM and checks it ends exactly as the reference did. */
    private static void resumeAndCompare(Path dir) throws Exception {
        MainTest.Outcome o = MainTest.run("train", "--resume", dir.toString());
        assertEquals(0, o.code(), o.out() + o.err());
        assertEquals(metricsWithoutSeconds(reference), metricsWithoutSeconds(dir));
        assertArrayEquals(StateFile.read(reference.resolve("checkpoint.state")).getFloats("model.parameters.values"),
                StateFile.read(dir.resolve("checkpoint.state")).getFloats("model.parameters.values"));
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"status\" : \"finished\""));
        assertEquals(List.of(), temporaryFiles(dir));
    }

    private static List<Path> temporaryFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @Test
    void sigtermLeavesASummarySayingSoAndTheRunResumesExactly(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Process p = start(dir, 0);
        awaitLog(p, dir, "epoch 2/" + EPOCHS);
        signal(p, "STOP");
        // While it runs, a second run into its directory is refused, naming it.
        MainTest.Outcome second = MainTest.run(args(dir));
        assertEquals(2, second.code());
        assertTrue(second.err().contains("is in use by another training run (process " + p.pid() + ")"), second.err());
        p.destroy();
        signal(p, "CONT");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue(), "killed by SIGTERM: " + log(dir));
        String summary = Files.readString(dir.resolve("summary.json"));
        assertTrue(summary.contains("\"status\" : \"interrupted\"") && summary.contains("stopped by a signal")
                && summary.contains("--resume " + dir), summary);
        resumeAndCompare(dir);
    }

    @Test
    void sigkillDuringTrainingResumesExactly(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Process p = start(dir, 0);
        awaitLog(p, dir, "epoch 3/" + EPOCHS);
        signal(p, "STOP");
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"status\" : \"running\""),
                "nothing can write on SIGKILL: the summary is the last epoch's");
        resumeAndCompare(dir);
    }

    @Test
    void sigkillDuringTheCheckpointWriteKeepsTheLastCheckpointAndResumesExactly(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Process p = start(dir, 0);
        awaitLog(p, dir, "epoch 2/" + EPOCHS);
        // Watch for the checkpoint's temporary file and kill the moment it appears: mid-write or mid-sync.
        while (temporaryFiles(dir).stream().noneMatch(f -> f.getFileName().toString().startsWith(".checkpoint.state."))) {
            if (!p.isAlive()) {
                fail("never caught a checkpoint being written: " + log(dir));
            }
            Thread.onSpinWait();
        }
        p.destroyForcibly();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        Assumptions.assumeFalse(temporaryFiles(dir).isEmpty(), "the write finished before the kill landed; nothing to test");
        StateFile kept = StateFile.read(dir.resolve("checkpoint.state"));
        assertTrue(kept.getLong("train.epoch", 1, EPOCHS) < EPOCHS, "an earlier, whole checkpoint is kept");
        resumeAndCompare(dir);
    }

    @Test
    void aDiskFullAtTheFirstCheckpointLeavesNoCheckpointAndSaysSo(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/prlimit").canExecute() || new File("/bin/prlimit").canExecute(),
                "prlimit (util-linux) is not installed");
        Path dir = tmp.resolve("run");
        Process p = start(dir, 4 << 20);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), log(dir));
        assertTrue(log(dir).contains("epoch 1 could not be saved: could not write " + dir.resolve("checkpoint.state"))
                && log(dir).contains("File too large") && log(dir).contains("no checkpoint was written"), log(dir));
        assertFalse(Files.exists(dir.resolve("checkpoint.state")));
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"status\" : \"failed\""));
        assertEquals(List.of(), temporaryFiles(dir));
    }

    @Test
    void aDiskFullAtALaterCheckpointKeepsTheEarlierOneAndResumesExactly(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(new File("/usr/bin/prlimit").canExecute() || new File("/bin/prlimit").canExecute(),
                "prlimit (util-linux) is not installed");
        // Each epoch adds one row of metrics (7 longs) to the checkpoint: a limit half a row above the first
        // epoch's size lets it be written and stops the second.
        long row = 8L * EpochMetrics.FIELDS;
        long first = Files.size(reference.resolve("checkpoint.state")) - (EPOCHS - 1) * row;
        Path dir = tmp.resolve("run");
        Process p = start(dir, first + row / 2);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), log(dir));
        assertTrue(log(dir).contains("epoch 2 could not be saved") && log(dir).contains("File too large")
                && log(dir).contains("the checkpoint after epoch 1 is kept"), log(dir));
        assertEquals(1, StateFile.read(dir.resolve("checkpoint.state")).getLong("train.epoch", 1, EPOCHS));
        String summary = Files.readString(dir.resolve("summary.json"));
        assertTrue(summary.contains("\"status\" : \"failed\"") && summary.contains("\"epochs\" : 1"), summary);
        assertEquals(List.of(), temporaryFiles(dir));
        resumeAndCompare(dir);
    }
}
