package org.deeprelax.nn.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data file (or the directory that should hold it) is missing, unreadable or malformed.
 *
 * <p>The message always names the file by its absolute path, and for a format error also the byte
 * offset where the problem lies. For a gzip-compressed file that offset counts bytes of the
 * <em>decompressed</em> stream, and the message says so: the compressed offset of a byte is not
 * something a user can look up, while the decompressed one matches the format's documentation.
 *
 * <p>It is an {@link IOException} so that one {@code catch} handles both a broken file and a failing
 * disk; the loaders in this package throw nothing else.
 */
public final class DataFileException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The file concerned, absolute. */
    private final transient Path file;
    /** Byte offset of the problem, or -1 when the problem has no position (a missing file). */
    private final long offset;

    /**
     * A problem at a byte offset of a data file.
     *
     * @param message the full message, which should name {@code file} (and {@code offset} if known)
     * @param file the file or directory concerned
     * @param offset the byte offset of the problem, or -1 if it has none
     */
    public DataFileException(String message, Path file, long offset) {
        this(message, file, offset, null);
    }

    /**
     * A problem at a byte offset of a data file, with its cause.
     *
     * @param message the full message
     * @param file the file concerned
     * @param offset the byte offset, or -1
     * @param cause the underlying I/O error, or null
     */
    public DataFileException(String message, Path file, long offset, Throwable cause) {
        super(message, cause);
        this.file = file == null ? null : file.toAbsolutePath();
        this.offset = offset;
    }

    /**
     * A format error at a position: the message is {@code "<file>: at byte offset N[ of the
     * decompressed gzip stream]: <problem>"}.
     *
     * @param file the file
     * @param offset where the problem lies
     * @param gzipped whether {@code offset} counts decompressed bytes of a gzip file
     * @param problem what is wrong there
     * @return the exception
     */
    static DataFileException at(Path file, long offset, boolean gzipped, String problem) {
        return new DataFileException(where(file, offset, gzipped) + problem, file, offset);
    }

    /** The common prefix of positioned messages, so that they all read the same way. */
    static String where(Path file, long offset, boolean gzipped) {
        return file.toAbsolutePath() + ": at byte offset " + offset
                + (gzipped ? " of the decompressed gzip stream" : "") + ": ";
    }

    /**
     * Returns the file or directory concerned, absolute.
     *
     * @return the file or directory concerned, absolute
     */
    public Path file() {
        return file;
    }

    /**
     * Returns the byte offset of the problem (decompressed for gzip files), or -1 if it has none.
     *
     * @return the byte offset of the problem (decompressed for gzip files), or -1 if it has none
     */
    public long offset() {
        return offset;
    }
}
