package org.deeprelax.core.comm;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds the job this process belongs to: the one its launcher started, or a job of its own. */
public final class Communicators {

    /** Variables that MPI launchers (Open MPI's {@code mpirun}, PMIx, PMI) set in the processes they start. */
    static final List<String> LAUNCHER_VARIABLES = List.of("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE");

    private Communicators() {
    }

    /**
     * Returns a job of one process: rank 0 of 1, whose collectives copy.
     *
     * @return the communicator
     */
    public static Communicator single() {
        return new SingleProcess();
    }

    /**
     * Joins the job that started this process: through the provider whose launcher set this process's
     * environment (MPI's, under {@code mpirun}), or alone when no launcher did.
     *
     * @param timeout the longest any collective waits for the other processes
     * @return the communicator; the caller closes it
     * @throws IllegalStateException if an MPI launcher started this process but no provider is on the class path
     */
    public static Communicator forThisProcess(Duration timeout) {
        return forEnvironment(System.getenv(), ServiceLoader.load(CommunicatorProvider.class), timeout);
    }

    static Communicator forEnvironment(Map<String, String> env, Iterable<CommunicatorProvider> providers,
                                       Duration timeout) {
        for (CommunicatorProvider p : providers) {
            if (p.launched(env)) {
                return p.create(timeout);
            }
        }
        for (String v : LAUNCHER_VARIABLES) {
            if (env.containsKey(v)) {
                throw new IllegalStateException("this process was started by an MPI launcher (" + v + "=" + env.get(v)
                        + ") but no communicator provider is on the class path: add the deeprelax-dist module,"
                        + " or run without mpirun");
            }
        }
        return single();
    }

    /** The job of one process. */
    private static final class SingleProcess implements Communicator {

        @Override
        public int rank() {
            return 0;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public String description() {
            return "one process";
        }

        @Override
        public void allgather(float[] send, float[] receive) {
            gather(send, send.length, receive, receive.length);
        }

        @Override
        public void allgather(double[] send, double[] receive) {
            gather(send, send.length, receive, receive.length);
        }

        @Override
        public void allgather(long[] send, long[] receive) {
            gather(send, send.length, receive, receive.length);
        }

        /** A job of one gathers by copying its own values. */
        private static void gather(Object send, int sendLength, Object receive, int receiveLength) {
            checkLength(sendLength, receiveLength, 1);
            System.arraycopy(send, 0, receive, 0, sendLength);
        }

        @Override
        public void alltoall(float[] send, float[] receive) {
            checkBlocks(send.length, receive.length, 1);
            System.arraycopy(send, 0, receive, 0, send.length);
        }

        @Override
        public void broadcast(byte[] data, int root) {
            checkRoot(root, 1);
        }

        @Override
        public void barrier() {
        }

        @Override
        public void abort(int status) {
            Runtime.getRuntime().exit(status);
        }

        @Override
        public void close() {
        }
    }

    /**
     * Checks an allgather's receive length against size × send length.
     *
     * @param send the send length
     * @param receive the receive length
     * @param size the number of processes
     * @throws IllegalArgumentException naming both lengths
     */
    public static void checkLength(int send, int receive, int size) {
        if (receive != (long) send * size) {
            throw new IllegalArgumentException("allgather: the receive array holds " + receive + " values; it must hold "
                    + size + " processes × " + send + " = " + (long) send * size);
        }
    }

    /**
     * Checks an alltoall's lengths: equal, and a whole number of blocks per process.
     *
     * @param send the send length
     * @param receive the receive length
     * @param size the number of processes
     * @throws IllegalArgumentException naming the lengths
     */
    public static void checkBlocks(int send, int receive, int size) {
        if (send != receive || send % size != 0) {
            throw new IllegalArgumentException("alltoall: send and receive hold " + send + " and " + receive
                    + " values; they must hold the same number, a multiple of the " + size + " processes");
        }
    }

    /**
     * Checks that a root is a rank of the job.
     *
     * @param root the rank
     * @param size the number of processes
     * @throws IllegalArgumentException naming the root and the allowed range
     */
    public static void checkRoot(int root, int size) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("broadcast: root " + root + " is not a rank of the job (0 to " + (size - 1) + ")");
        }
    }
}
