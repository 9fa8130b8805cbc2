package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.deeprelax.core.io.StateFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run per directory: the lock, refusing to mix runs, --overwrite, and --out checked before training. */
@Tag("reliability")
class RunOwnershipTest {

    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void tinyData() throws Exception {
        data = TinyData.mnist(shared.resolve("tiny"), 128, 64);
    }

    static MainTest.Outcome train(Path out, String... more) {
        String[] base = {"train", "--model", "mnistfc", "--data", "mnist:" + data, "--epochs", "1", "--batch-size", "32",
                "--out", out.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return MainTest.run(args);
    }

    @Test
    void aSecondRunIntoADirectoryInUseIsRefusedNamingTheHolder(@TempDir Path tmp) {
        Path dir = tmp.resolve("run");
        try (RunFiles held = RunFiles.claim(dir, "--out", RunFiles.Claim.FRESH)) {
            MainTest.Outcome o = train(dir);
            assertEquals(2, o.code(), o.err());
            assertTrue(o.err().contains("--out " + dir + " is in use by another training run")
                    && o.err().contains(String.valueOf(ProcessHandle.current().pid())), o.err());
            assertFalse(o.out().contains("training mnistfc"), "refused before training: " + o.out());
        }
        assertEquals(0, train(dir).code(), "free again once the holder closed it");
    }

    @Test
    void aFreshRunIntoADirectoryHoldingAnotherIsRefusedUnlessOverwrite(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        assertEquals(0, train(dir).code());
        byte[] first = Files.readAllBytes(dir.resolve("checkpoint.state"));
        MainTest.Outcome again = train(dir, "--seed", "2");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("holds another run (checkpoint.state, metrics.csv, summary.json, loss.png, error.png)")
                && again.err().contains("--resume " + dir) && again.err().contains("--overwrite"), again.err());
        assertTrue(java.util.Arrays.equals(first, Files.readAllBytes(dir.resolve("checkpoint.state"))), "nothing changed");

        // --overwrite removes every file of the old run first: a new run that fails early leaves no old checkpoint.
        MainTest.Outcome replaced = train(dir, "--seed", "2", "--lr", "1e30", "--overwrite");
        assertEquals(1, replaced.code(), replaced.err());
        assertFalse(Files.exists(dir.resolve("checkpoint.state")), "the old run's checkpoint is gone");
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"status\" : \"diverged\""));
        assertTrue(Files.readString(dir.resolve("summary.json")).contains("\"seed\" : 2"));
    }

    @Test
    void outIsCheckedBeforeTraining(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        MainTest.Outcome isFile = train(file);
        assertEquals(2, isFile.code());
        assertTrue(isFile.err().contains("--out " + file + " is a file, not a directory"), isFile.err());
        MainTest.Outcome under = train(file.resolve("run"));
        assertEquals(2, under.code());
        assertTrue(under.err().contains("--out " + file.resolve("run") + " cannot be used: " + file
                + " is a file, not a directory"), under.err());
        MainTest.Outcome empty = MainTest.run("train", "--out", "");
        assertEquals(2, empty.code());
        assertTrue(empty.err().contains("--out is empty"), empty.err());
        for (MainTest.Outcome o : new MainTest.Outcome[] {isFile, under, empty}) {
            assertFalse(o.out().contains("training "), o.out());
        }
    }

    @Test
    void anUnwritableOutSaysPermissionDenied(@TempDir Path tmp) throws Exception {
        Path locked = Files.createDirectory(tmp.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Assumptions.assumeFalse(Files.isWritable(locked), "running as root: permissions do not stop it from writing");
            MainTest.Outcome o = train(locked.resolve("run"));
            assertEquals(2, o.code());
            assertTrue(o.err().contains("permission denied"), o.err());
        } finally {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void temporaryFilesAKilledRunLeftAreRemoved(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("run"));
        Path stale = Files.write(dir.resolve(".checkpoint.state.1f2e3d4c5b6a7988.tmp"), new byte[100]);
        Path mine = Files.writeString(dir.resolve("notes.txt"), "kept");
        assertEquals(0, train(dir).code());
        assertFalse(Files.exists(stale));
        assertTrue(Files.exists(mine));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }

    @Test
    void aFailedCheckpointWriteLeavesASummarySayingSo(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        try (RunFiles files = RunFiles.claim(dir, "--out", RunFiles.Claim.FRESH)) {
            // A non-empty directory where the checkpoint goes: the rename over it fails, as a full disk would fail it.
            Files.createDirectories(files.checkpoint().resolve("blocker"));
            Trainer t = new Trainer(TrainerTest.config("mnistfc", 2, "1:0.1"), DataSource.load("mnist:" + data),
                    org.deeprelax.core.Backends.cpu(), files, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), false);
            Trainer.Stopped e = assertThrows(Trainer.Stopped.class, () -> t.run(null));
            assertTrue(e.getMessage().contains("epoch 1 could not be saved: could not write " + files.checkpoint())
                    && e.getMessage().contains("no checkpoint was written"), e.getMessage());
        }
        String summary = Files.readString(dir.resolve("summary.json"));
        assertTrue(summary.contains("\"status\" : \"failed\"") && summary.contains("could not write"), summary);
        assertFalse(Files.exists(dir.resolve("metrics.csv")), "no metrics of an epoch that was not saved");
    }

    @Test
    void resumeNeedsARunAndRefusesOut(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        assertEquals(0, train(dir).code());
        MainTest.Outcome withOut = MainTest.run("train", "--resume", dir.toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, withOut.code());
        assertTrue(withOut.err().contains("--out cannot be combined with --resume"), withOut.err());
        MainTest.Outcome none = MainTest.run("train", "--resume", tmp.resolve("missing").toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("no such directory"), none.err());
        StateFile.read(dir.resolve("checkpoint.state"));
    }
}
