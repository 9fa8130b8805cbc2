package org.deeprelax.core.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Turns an I/O failure into words a user can act on. The JDK's file-system exceptions carry only the
 * path as their message ({@code AccessDeniedException: /data/x}), so a bare {@code getMessage()} reads
 * as if the path itself were the error; the reason is in the exception's type.
 */
public final class IoErrors {

    private IoErrors() {
    }

    /**
     * Describes an I/O failure in words, with the file it concerns.
     *
     * @param e an I/O failure
     * @return the file concerned (where the exception names one) and the reason, e.g.
     *         {@code "/data/x: permission denied"}; never null
     */
    public static String describe(IOException e) {
        String reason = reason(e);
        if (e instanceof FileSystemException fs && fs.getFile() != null) {
            String other = fs.getOtherFile() != null ? " (and " + fs.getOtherFile() + ")" : "";
            return fs.getFile() + other + ": " + reason;
        }
        return reason;
    }

    /**
     * Describes the reason for an I/O failure in words.
     *
     * @param e an I/O failure
     * @return the reason alone, e.g. {@code "permission denied"} or {@code "No space left on device"}
     */
    public static String reason(IOException e) {
        return switch (e) {
            case AccessDeniedException x -> "permission denied";
            case NoSuchFileException x -> "no such file or directory";
            case NotDirectoryException x -> "not a directory";
            case FileAlreadyExistsException x -> "it already exists";
            case DirectoryNotEmptyException x -> "the directory is not empty";
            case FileSystemException x when x.getReason() != null -> x.getReason();
            case FileSystemException x -> x.getClass().getSimpleName();
            default -> e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        };
    }
}
