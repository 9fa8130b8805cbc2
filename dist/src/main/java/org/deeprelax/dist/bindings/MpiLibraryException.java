package org.deeprelax.dist.bindings;

/** Open MPI's library or one of its symbols could not be found or loaded; the message says which and where. */
public final class MpiLibraryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is missing and where it was looked for
     */
    public MpiLibraryException(String message) {
        super(message);
    }

    /**
     * Creates the exception with the loader's error as its cause.
     *
     * @param message what is missing
     * @param cause the loader's error
     */
    public MpiLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
