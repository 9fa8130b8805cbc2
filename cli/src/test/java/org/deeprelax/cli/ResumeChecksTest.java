package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.deeprelax.core.io.StateFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumed run checks what it is told: flags that conflict with the saved settings are refused naming
 * the saved value, the few that may change are validated as in a fresh run, and no fake result is
 * recorded. And a fresh run refuses flags and schedules that cannot mean what they say.
 */
@Tag("reliability")
class ResumeChecksTest {

    @TempDir
    static Path shared;
    static Path data;
    /** A finished two-epoch run, never changed: each test works on a copy. */
    static Path run;

    @BeforeAll
    static void oneRun() throws Exception {
        data = TinyData.mnist(shared.resolve("tiny"), 128, 64);
        run = shared.resolve("run");
        MainTest.Outcome o = MainTest.run("train", "--model", "mnistfc", "--data", "mnist:" + data, "--epochs", "2",
                "--batch-size", "32", "--out", run.toString());
        assertEquals(0, o.code(), o.err());
    }

    private static Path copy(Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("copy"));
        for (String f : new String[] {"checkpoint.state", "metrics.csv", "summary.json"}) {
            Files.copy(run.resolve(f), dir.resolve(f));
        }
        return dir;
    }

    private static MainTest.Outcome resume(Path dir, String... flags) {
        String[] args = Arrays.copyOf(new String[] {"train", "--resume", dir.toString()}, 3 + flags.length);
        System.arraycopy(flags, 0, args, 3, flags.length);
        return MainTest.run(args);
    }

    private static void assertRefusedAndUnchanged(Path dir, MainTest.Outcome o, String... phrases) throws Exception {
        assertEquals(2, o.code(), o.out() + o.err());
        for (String p : phrases) {
            assertTrue(o.err().contains(p), "'" + p + "' in: " + o.err());
        }
        assertFalse(o.out().contains("wrote"), o.out());
        assertTrue(Arrays.equals(Files.readAllBytes(run.resolve("checkpoint.state")),
                Files.readAllBytes(dir.resolve("checkpoint.state"))), "the checkpoint is unchanged");
    }

    @Test
    void aFlagThatConflictsWithTheSavedRunIsRefusedNamingTheSavedValue(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        String[][] cases = {
                {"--lr", "5"}, {"--lr 5.0 conflicts with the run in " + dir + ", which has lrSchedule = 1:0.1,3:0.01"},
                {"--seed", "99"}, {"--seed 99 conflicts", "seed = 1"},
                {"--batch-size", "7"}, {"--batch-size 7 conflicts", "batchSize = 32"},
                {"--momentum", "0.5"}, {"--momentum 0.5 conflicts", "settings.momentum.rho = 0.9"},
                {"--optimizer", "entropy-sgd"}, {"--optimizer entropy-sgd conflicts", "a run of optimizer sgd"},
                {"--model", "lenet"}, {"--model lenet conflicts", "a run of model mnistfc"},
                {"--data", "mnist-10k"}, {"--data mnist-10k is not the kind of data", "mnist:" + data}};
        for (int i = 0; i < cases.length; i += 2) {
            MainTest.Outcome o = resume(dir, "--epochs", "3", cases[i][0], cases[i][1]);
            assertRefusedAndUnchanged(dir, o, cases[i + 1]);
        }
        MainTest.Outcome o = resume(dir, "--epochs", "3", "--lr", "5");
        assertTrue(o.err().contains("only --epochs, --device, --data may be given"), o.err());
    }

    @Test
    void theFlagsThatMayChangeAreValidatedAsInAFreshRun(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        assertRefusedAndUnchanged(dir, resume(dir, "--epochs", "3", "--device", "nonsense"),
                "--device 'nonsense' is not one of cpu, cuda, cuda:N, auto");
        assertRefusedAndUnchanged(dir, resume(dir, "--epochs", "-5"), "--epochs -5 must be at least 1");
        assertRefusedAndUnchanged(dir, resume(dir, "--epochs", "1"),
                "--epochs 1: the run in " + dir + " has done 2 epochs already; give more than 2");
        assertRefusedAndUnchanged(dir, resume(dir, "--epochs", "2"), "has done 2 epochs already");
        assertRefusedAndUnchanged(dir, resume(dir), "the run in " + dir + " has finished its 2 epochs; give --epochs above 2");
        assertRefusedAndUnchanged(dir, resume(dir, "--epochs", "3", "--L", "0"), "--L does not apply to --optimizer sgd");
    }

    @Test
    void flagsThatAgreeWithTheSavedRunAndThoseThatMayChangeAreAccepted(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        MainTest.Outcome o = resume(dir, "--epochs", "3", "--model", "mnistfc", "--seed", "1", "--batch-size", "32",
                "--lr-schedule", "1:0.1,3:0.01", "--device", "cpu", "--momentum", "0.9");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("resuming " + dir + " after epoch 2 of 3"), o.out());
        assertEquals(3, StateFile.read(dir.resolve("checkpoint.state")).getLong("train.epoch", 1, 3));
    }

    @Test
    void dataPathsAreSavedAbsoluteAndMayMoveOnResume(@TempDir Path tmp) throws Exception {
        Path relative = Path.of("").toAbsolutePath().relativize(data);
        Path dir = tmp.resolve("rel");
        MainTest.Outcome fresh = MainTest.run("train", "--model", "mnistfc", "--data", "mnist:" + relative, "--epochs", "1",
                "--batch-size", "32", "--out", dir.toString());
        assertEquals(0, fresh.code(), fresh.err());
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"data\" : \"mnist:" + data + "\""),
                "saved absolute, so it resumes from any working directory");
        Path moved = Files.move(TinyData.mnist(tmp.resolve("elsewhere"), 128, 64), tmp.resolve("moved"));
        MainTest.Outcome gone = resume(dir, "--epochs", "2", "--data", "mnist:" + tmp.resolve("nowhere"));
        assertEquals(1, gone.code(), gone.err());
        MainTest.Outcome o = resume(dir, "--epochs", "2", "--data", "mnist:" + moved);
        assertEquals(0, o.code(), o.err());
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"data\" : \"mnist:" + moved + "\""));
    }

    @Test
    void flagsOfAnotherOptimizerOrFormAndRepeatedScheduleEpochsAreRefused(@TempDir Path tmp) {
        String out = tmp.resolve("r").toString();
        String[][] cases = {
                {"--optimizer", "entropy-sgd", "--hj-form", "hjb"}, {"--hj-form does not apply to --optimizer entropy-sgd"},
                {"--optimizer", "hj", "--alpha", "2"}, {"--alpha does not apply to --optimizer hj"},
                {"--lr-schedule", "1:0.1,3:0.01,3:0.001"}, {"--lr-schedule 1:0.1,3:0.01,3:0.001: ", "epoch 3 appears twice"}};
        for (int i = 0; i < cases.length; i += 2) {
            String[] args = Arrays.copyOf(new String[] {"train", "--out", out}, 3 + cases[i].length);
            System.arraycopy(cases[i], 0, args, 3, cases[i].length);
            MainTest.Outcome o = MainTest.run(args);
            assertEquals(2, o.code(), String.join(" ", cases[i]));
            for (String p : cases[i + 1]) {
                assertTrue(o.err().contains(p), "'" + p + "' in: " + o.err());
            }
            assertFalse(o.out().contains("training "), o.out());
        }
    }

    @Test
    void hyperParameterErrorsNameTheFlag(@TempDir Path tmp) {
        String out = tmp.resolve("r").toString();
        String[][] cases = {
                {"--optimizer", "hj", "--L", "0"}, {"--L 0: L = 0 is not allowed"},
                {"--optimizer", "entropy-sgd", "--gamma", "-1"}, {"--gamma -1.0: "},
                {"--optimizer", "entropy-sgd", "--alpha", "1.5"}, {"--alpha 1.5: α = 1.5 is not allowed; it must be in (0, 1]"},
                {"--lr", "-1"}, {"--lr -1.0: "}};
        for (int i = 0; i < cases.length; i += 2) {
            String[] args = Arrays.copyOf(new String[] {"train", "--out", out}, 3 + cases[i].length);
            System.arraycopy(cases[i], 0, args, 3, cases[i].length);
            MainTest.Outcome o = MainTest.run(args);
            assertEquals(2, o.code(), String.join(" ", cases[i]));
            assertTrue(o.err().contains(cases[i + 1][0]), "'" + cases[i + 1][0] + "' in: " + o.err());
        }
    }
}
