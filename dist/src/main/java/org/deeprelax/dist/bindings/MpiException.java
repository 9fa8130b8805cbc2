package org.deeprelax.dist.bindings;

import org.deeprelax.core.comm.CommunicationException;

/** An MPI call returned an error code; the message names the call, the code and MPI's own text for it. */
public final class MpiException extends CommunicationException {

    private static final long serialVersionUID = 1L;

    /** The function that failed. */
    private final String call;
    /** The error code it returned. */
    private final int code;

    /**
     * Creates the exception.
     *
     * @param call the function that failed
     * @param code its return code
     * @param text {@code MPI_Error_string}'s text for the code
     */
    public MpiException(String call, int code, String text) {
        super("mpi: " + call + " failed with error " + code + " (" + text + ")");
        this.call = call;
        this.code = code;
    }

    /**
     * Returns the function that failed.
     *
     * @return its name
     */
    public String call() {
        return call;
    }

    /**
     * Returns the error code the call returned.
     *
     * @return the code
     */
    public int code() {
        return code;
    }
}
