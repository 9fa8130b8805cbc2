package org.deeprelax.cuda.bindings;

/** A native library or one of its symbols could not be found or loaded; the message says which and where. */
public final class CudaLibraryException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A library or symbol that could not be found.
     *
     * @param message what is missing and where it was looked for
     */
    public CudaLibraryException(String message) {
        super(message);
    }

    /**
     * A library that could not be loaded, with the loader's error.
     *
     * @param message what is missing
     * @param cause the loader's error
     */
    public CudaLibraryException(String message, Throwable cause) {
        super(message, cause);
    }
}
