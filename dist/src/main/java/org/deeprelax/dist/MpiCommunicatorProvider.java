package org.deeprelax.dist;

import java.time.Duration;
import java.util.Map;

import org.deeprelax.core.comm.Communicator;
import org.deeprelax.core.comm.CommunicatorProvider;

/**
 * Registers the MPI communicator with {@link org.deeprelax.core.comm.Communicators}: a process started by Open
 * MPI's {@code mpirun} (which sets {@code OMPI_COMM_WORLD_SIZE}) or by a PMIx launcher ({@code PMIX_RANK})
 * joins its job through MPI.
 */
public final class MpiCommunicatorProvider implements CommunicatorProvider {

    /** Creates the provider (ServiceLoader needs a public no-argument constructor). */
    public MpiCommunicatorProvider() {
    }

    @Override
    public String name() {
        return "mpi";
    }

    @Override
    public boolean launched(Map<String, String> env) {
        return env.containsKey("OMPI_COMM_WORLD_SIZE") || env.containsKey("PMIX_RANK");
    }

    @Override
    public Communicator create(Duration timeout) {
        return MpiCommunicator.join(timeout);
    }
}
