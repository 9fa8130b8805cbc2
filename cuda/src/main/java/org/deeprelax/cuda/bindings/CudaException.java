package org.deeprelax.cuda.bindings;

/**
 * A native call returned an error status. The message names the library, the call, the numeric status and
 * the library's own description of it (and, for NVRTC, the compile log).
 */
public final class CudaException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The library whose call failed, such as {@code cuda} or {@code cublas}. */
    private final String library;
    /** The function that failed. */
    private final String call;
    /** The status it returned. */
    private final int status;

    /**
     * A failed call of a CUDA library.
     *
     * @param library e.g. {@code cuda}, {@code cublas}
     * @param call the function that failed
     * @param status its return code
     * @param description the library's text for the code
     */
    public CudaException(String library, String call, int status, String description) {
        super(library + ": " + call + " failed with status " + status + " (" + description + ")");
        this.library = library;
        this.call = call;
        this.status = status;
    }

    /**
     * Returns the library's short name.
     *
     * @return the library's short name
     */
    public String library() {
        return library;
    }

    /**
     * Returns the function that failed.
     *
     * @return the function that failed
     */
    public String call() {
        return call;
    }

    /**
     * Returns the numeric status.
     *
     * @return the numeric status
     */
    public int status() {
        return status;
    }
}
