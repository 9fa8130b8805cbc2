package org.deeprelax.core.comm;

import java.time.Duration;
import java.util.Map;

/**
 * A service that joins this process to a job of several, found at run time with {@link java.util.ServiceLoader}
 * so that {@code core} never depends on the module that implements it (the {@code dist} module registers
 * its MPI provider in {@code META-INF/services}).
 */
public interface CommunicatorProvider {

    /**
     * Names the transport, such as {@code mpi}.
     *
     * @return its name
     */
    String name();

    /**
     * Tells whether this process was started by this transport's launcher (for MPI, {@code mpirun}, which sets
     * variables such as {@code OMPI_COMM_WORLD_SIZE}).
     *
     * @param env the process's environment
     * @return whether to join the job through this provider
     */
    boolean launched(Map<String, String> env);

    /**
     * Joins the job.
     *
     * @param timeout the longest any collective waits for the other processes
     * @return the communicator; the caller closes it
     * @throws RuntimeException naming what is missing (library, launcher) and where it was looked for
     */
    Communicator create(Duration timeout);
}
