package org.deeprelax.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes a file so that no reader, and no crash, ever sees half of it, and so that once {@link #write}
 * returns the new contents survive a power cut: the bytes go to a temporary file in the same directory,
 * which is synced to the disk, renamed over the target (atomically where the file system can), and then
 * the directory is synced so the rename itself is on the disk.
 *
 * <p>A process killed in the middle leaves its temporary file behind; whoever next owns the directory
 * removes such leftovers with {@link #removeStale}.
 */
public final class AtomicFiles {

    /** {@code .NAME.HEX.tmp}: the temporary names {@link #write} uses, and nothing a user would name a file. */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9a-f]{1,16}\\.tmp");

    private AtomicFiles() {
    }

    /**
     * Replaces a file's contents atomically: written to a temporary name, synced, then renamed.
     *
     * @param target the file to (re)write
     * @param bytes its new contents
     * @throws UncheckedIOException naming the file and the reason if it cannot be written; the old file is
     *         then untouched and no temporary file is left
     */
    public static void write(Path target, byte[] bytes) {
        Path dir = target.toAbsolutePath().getParent();
        // A plain new file (not Files.createTempFile, which makes it owner-only) keeps the usual permissions.
        Path tmp = dir.resolve("." + target.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            Files.createDirectories(dir);
            try {
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    while (b.hasRemaining()) {
                        out.write(b);
                    }
                    out.force(true);
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
                syncDirectory(dir);
            } catch (IOException e) {
                deleteQuietly(tmp, e);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + target + " (" + IoErrors.describe(e) + ")", e);
        }
    }

    /**
     * Removes the temporary files that {@link #write} leaves when its process is killed mid-write. Call it
     * only on a directory no other process writes to (one whose lock you hold).
     *
     * @param dir the directory
     * @return how many were removed
     * @throws UncheckedIOException naming the file if one cannot be removed
     */
    public static int removeStale(Path dir) {
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path p : files) {
                if (TEMPORARY.matcher(p.getFileName().toString()).matches() && Files.isRegularFile(p)) {
                    Files.delete(p);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not remove stale temporary files in " + dir + " ("
                    + IoErrors.describe(e) + ")", e);
        }
        return removed;
    }

    /**
     * Makes a rename in {@code dir} durable. POSIX systems sync a directory through a descriptor opened on
     * it; where the platform cannot open a directory (Windows) the rename is durable by other means and
     * this does nothing.
     */
    private static void syncDirectory(Path dir) throws IOException {
        FileChannel d;
        try {
            d = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException | UnsupportedOperationException e) {
            return;
        }
        try (d) {
            d.force(true);
        }
    }

    private static void deleteQuietly(Path tmp, IOException cause) {
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
