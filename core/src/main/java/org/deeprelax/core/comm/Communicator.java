package org.deeprelax.core.comm;

/**
 * The processes of one job and the collectives they call together: every process calls the same collectives
 * in the same order, with the same lengths, and each returns once all have taken part. A job of one process
 * ({@link Communicators#single()}) is the trivial case; a job started by {@code mpirun} is the other
 * ({@link Communicators#forThisProcess}).
 *
 * <p>No collective waits forever: an implementation that talks to other processes bounds each wait and,
 * when a process of the job has stopped answering, throws {@link CommunicationException} saying which call
 * waited and for how long. After that the communicator is broken: the caller ends the job with
 * {@link #abort}, since the others may be waiting inside a collective that can no longer complete.
 * Collectives are called from the thread that created the communicator.
 */
public interface Communicator extends AutoCloseable {

    /**
     * Returns this process's place in the job.
     *
     * @return the rank, from 0 to {@link #size()} − 1
     */
    int rank();

    /**
     * Returns the number of processes in the job.
     *
     * @return the size, at least 1
     */
    int size();

    /**
     * Describes the job for logs, such as {@code Open MPI v4.1.4, rank 1 of 3 on host vm}.
     *
     * @return one line
     */
    String description();

    /**
     * Gathers every process's {@code send} into every process's {@code receive}, rank r's values at
     * {@code r · send.length}.
     *
     * @param send this process's values; the same length on every process
     * @param receive filled; its length is {@link #size()} × {@code send.length}
     * @throws IllegalArgumentException if {@code receive} has another length
     * @throws CommunicationException if the collective fails or a process stops answering
     */
    void allgather(float[] send, float[] receive);

    /**
     * Gathers every process's {@code send} into every process's {@code receive}, as
     * {@link #allgather(float[], float[])} does.
     *
     * @param send this process's values; the same length on every process
     * @param receive filled; its length is {@link #size()} × {@code send.length}
     * @throws IllegalArgumentException if {@code receive} has another length
     * @throws CommunicationException if the collective fails or a process stops answering
     */
    void allgather(double[] send, double[] receive);

    /**
     * Gathers every process's {@code send} into every process's {@code receive}, as
     * {@link #allgather(float[], float[])} does.
     *
     * @param send this process's values; the same length on every process
     * @param receive filled; its length is {@link #size()} × {@code send.length}
     * @throws IllegalArgumentException if {@code receive} has another length
     * @throws CommunicationException if the collective fails or a process stops answering
     */
    void allgather(long[] send, long[] receive);

    /**
     * Sends block r of {@code send} to rank r and receives rank r's block for this process into block r of
     * {@code receive}; a block is {@code send.length / size()} values.
     *
     * @param send {@link #size()} blocks, one for each rank
     * @param receive filled with {@link #size()} blocks, one from each rank; the same length as {@code send}
     * @throws IllegalArgumentException if the lengths differ or are not a multiple of {@link #size()}
     * @throws CommunicationException if the collective fails or a process stops answering
     */
    void alltoall(float[] send, float[] receive);

    /**
     * Copies {@code root}'s bytes into every other process's array.
     *
     * @param data sent from {@code root}, overwritten elsewhere; the same length on every process
     * @param root the rank that sends
     * @throws IllegalArgumentException if {@code root} is not a rank of the job
     * @throws CommunicationException if the collective fails or a process stops answering
     */
    void broadcast(byte[] data, int root);

    /**
     * Returns once every process has called it.
     *
     * @throws CommunicationException if the collective fails or a process stops answering
     */
    void barrier();

    /**
     * Ends every process of the job now, with an exit status; used when this process cannot go on and the
     * others would otherwise wait for it. A job of one process just exits.
     *
     * @param status the exit status of the job, 1 to 255
     */
    void abort(int status);

    /**
     * Leaves the job in order; every process calls it once all collectives are done. A broken communicator
     * aborts the job instead.
     */
    @Override
    void close();
}
