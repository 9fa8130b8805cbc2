package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.deeprelax.core.io.StateFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged checkpoint is never used: flipped bytes, out-of-range fields and unreadable settings stop
 * {@code eval} and {@code --resume} with the file, the section and the byte offset, and change nothing.
 */
@Tag("reliability")
class CheckpointDamageTest {

    @TempDir
    static Path shared;
    static Path data;
    static Path run;
    static byte[] good;

    @BeforeAll
    static void oneRun() throws Exception {
        data = TinyData.mnist(shared.resolve("tiny"), 128, 64);
        run = shared.resolve("run");
        MainTest.Outcome o = MainTest.run("train", "--model", "mnistfc", "--data", "mnist:" + data, "--epochs", "2",
                "--batch-size", "32", "--out", run.toString());
        assertEquals(0, o.code(), o.err());
        good = Files.readAllBytes(run.resolve("checkpoint.state"));
    }

    /** A copy of the run with its checkpoint replaced. */
    private static Path runWith(Path tmp, byte[] checkpoint) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("copy"));
        for (String f : new String[] {"metrics.csv", "summary.json"}) {
            Files.copy(run.resolve(f), dir.resolve(f));
        }
        Files.write(dir.resolve("checkpoint.state"), checkpoint);
        return dir;
    }

    /** The checkpoint with one section replaced, written with valid checksums: damage a checksum cannot see. */
    private static byte[] rewritten(String section, long[] value) throws Exception {
        StateFile s = StateFile.read(Files.write(Files.createTempFile(shared, "c", ".state"), good));
        s.putLongs(section, value);
        return s.toBytes();
    }

    private static void assertRefusedAndUnchanged(Path dir, MainTest.Outcome o, String... phrases) throws Exception {
        byte[] before = Files.readAllBytes(dir.resolve("checkpoint.state"));
        assertEquals(1, o.code(), o.out() + o.err());
        for (String p : phrases) {
            assertTrue(o.err().contains(p), "'" + p + "' in: " + o.err());
        }
        assertFalse(o.out().contains("epoch 3"), "no training happened: " + o.out());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("checkpoint.state"))));
    }

    @Test
    void flippedBytesInTheWeightsStopEvalAndResume(@TempDir Path tmp) throws Exception {
        byte[] bad = good.clone();
        for (int i = 0; i < 16; i++) {
            bad[bad.length / 4 + i] ^= (byte) 0xff;
        }
        Path dir = runWith(tmp, bad);
        Path file = dir.resolve("checkpoint.state");
        MainTest.Outcome eval = MainTest.run("eval", "--checkpoint", file.toString(), "--data", "mnist:" + data);
        assertRefusedAndUnchanged(dir, eval, file + ": section 'model.parameters.values' (byte offsets ", "is damaged");
        MainTest.Outcome resume = MainTest.run("train", "--resume", dir.toString(), "--epochs", "3");
        assertRefusedAndUnchanged(dir, resume, file + ": section 'model.parameters.values'", "is damaged");
    }

    @Test
    void anEpochCounterOutOfRangeIsRefused(@TempDir Path tmp) throws Exception {
        for (long epoch : new long[] {-1, 0, 99}) {
            Path dir = runWith(tmp.resolve("e" + (epoch + 1)), rewritten("train.epoch", new long[] {epoch}));
            MainTest.Outcome o = MainTest.run("train", "--resume", dir.toString(), "--epochs", "4");
            assertRefusedAndUnchanged(dir, o, dir.resolve("checkpoint.state") + ": section 'train.epoch' at byte offset ",
                    "it holds " + epoch + ", outside the allowed [1, 2]");
        }
    }

    @Test
    void aStepCountThatDoesNotMatchTheEpochsIsRefused(@TempDir Path tmp) throws Exception {
        long[] counts = StateFile.read(run.resolve("checkpoint.state")).getLongs("optimizer.counts").clone();
        counts[0] = 5;
        counts[1] = 5;
        Path dir = runWith(tmp, rewritten("optimizer.counts", counts));
        MainTest.Outcome o = MainTest.run("train", "--resume", dir.toString(), "--epochs", "3");
        assertRefusedAndUnchanged(dir, o, "section 'optimizer.counts'", "it holds 5 steps, but 2 epochs of 4 steps make 8");
    }

    @Test
    void unreadableSettingsNameTheFileAndSection(@TempDir Path tmp) throws Exception {
        StateFile s = StateFile.read(Files.write(Files.createTempFile(shared, "s", ".state"), good));
        s.putString("train.config", s.getString("train.config").replace("\"model\":\"mnistfc\"", "\"model\":"));
        Path dir = runWith(tmp, s.toBytes());
        Path file = dir.resolve("checkpoint.state");
        MainTest.Outcome resume = MainTest.run("train", "--resume", dir.toString());
        assertRefusedAndUnchanged(dir, resume, file + ": section 'train.config' at byte offset ", "not readable");
        MainTest.Outcome eval = MainTest.run("eval", "--checkpoint", file.toString());
        assertRefusedAndUnchanged(dir, eval, file + ": section 'train.config'");
    }

    @Test
    void settingsOutOfRangeNameTheFileAndSection(@TempDir Path tmp) throws Exception {
        StateFile s = StateFile.read(Files.write(Files.createTempFile(shared, "s", ".state"), good));
        String json = s.getString("train.config");
        assertTrue(json.contains("\"batchSize\":32"), json);
        s.putString("train.config", json.replace("\"batchSize\":32", "\"batchSize\":-3"));
        Path dir = runWith(tmp, s.toBytes());
        MainTest.Outcome resume = MainTest.run("train", "--resume", dir.toString(), "--epochs", "3");
        assertRefusedAndUnchanged(dir, resume, dir.resolve("checkpoint.state") + ": section 'train.config' at byte offset ",
                "batch size -3 must be at least 1");
    }
}
