package org.deeprelax.core.comm;

/** A collective failed, or a process of the job stopped answering; the message says which call and why. */
public class CommunicationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed, on which rank, and what to check
     */
    public CommunicationException(String message) {
        super(message);
    }
}
