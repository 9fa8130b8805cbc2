package org.deeprelax.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes: no temporary file left on failure, stale ones removed, reasons in words. */
@Tag("reliability")
class AtomicFilesTest {

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void replacesTheFileAndLeavesNothingElse(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("summary.json");
        AtomicFiles.write(f, new byte[] {1});
        AtomicFiles.write(f, new byte[] {2, 3});
        assertArrayEquals(new byte[] {2, 3}, Files.readAllBytes(f));
        assertEquals(List.of("summary.json"), names(dir));
    }

    @Test
    void aFailedWriteNamesTheReasonAndKeepsTheOldFile(@TempDir Path dir) throws Exception {
        Path blocker = dir.resolve("file");
        Files.write(blocker, new byte[] {7});
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> AtomicFiles.write(blocker.resolve("x.json"), new byte[] {1}));
        assertTrue(e.getMessage().startsWith("could not write " + blocker.resolve("x.json") + " (")
                && e.getMessage().contains(blocker.toString()), e.getMessage());
        assertArrayEquals(new byte[] {7}, Files.readAllBytes(blocker));
        // The target is a directory: the rename fails after the temporary file was written, which is removed.
        Path target = Files.createDirectories(dir.resolve("target"));
        Files.write(target.resolve("inside"), new byte[] {1});
        assertThrows(UncheckedIOException.class, () -> AtomicFiles.write(target, new byte[] {1, 2}));
        assertEquals(List.of("file", "target"), names(dir));
    }

    @Test
    void removesTheTemporaryFilesAKilledWriterLeftAndNothingElse(@TempDir Path dir) throws Exception {
        for (String n : new String[] {".checkpoint.state.3f2a9c0b1d4e5f60.tmp", ".summary.json.1.tmp", "notes.tmp",
                ".hidden", "checkpoint.state"}) {
            Files.write(dir.resolve(n), new byte[] {1});
        }
        assertEquals(2, AtomicFiles.removeStale(dir));
        assertEquals(List.of(".hidden", "checkpoint.state", "notes.tmp"), names(dir));
    }

    @Test
    void reasonsAreWordsNotBarePaths() {
        assertEquals("/data/x: permission denied", IoErrors.describe(new AccessDeniedException("/data/x")));
        assertEquals("/data/x: no such file or directory", IoErrors.describe(new NoSuchFileException("/data/x")));
        assertEquals("EOFException", IoErrors.describe(new java.io.EOFException()));
        assertEquals("No space left on device", IoErrors.describe(new java.io.IOException("No space left on device")));
    }
}
