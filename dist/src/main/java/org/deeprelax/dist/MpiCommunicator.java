package org.deeprelax.dist;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import org.deeprelax.core.comm.CommunicationException;
import org.deeprelax.core.comm.Communicator;
import org.deeprelax.core.comm.Communicators;
import org.deeprelax.core.comm.WaitClock;
import org.deeprelax.dist.bindings.Mpi;

/**
 * A job of processes started by {@code mpirun}, on {@code MPI_COMM_WORLD}.
 *
 * <p>Each collective is started non-blocking and driven with {@code MPI_Test} until it completes or the
 * timeout passes, so a process of the job that is stuck or stopped (alive, so {@code mpirun} does not notice)
 * cannot hang the others: they throw {@link CommunicationException} naming the call and the wait, and the
 * caller aborts the job. A process that dies is noticed by {@code mpirun} itself, which ends the job within
 * seconds. Between tests the waiting thread spins briefly and then sleeps in growing steps up to
 * {@value #MAX_SLEEP_MICROS} µs, so processes waiting for a slower one leave it the CPU (the machine may hold
 * more processes than cores).
 *
 * <p>Values travel through native buffers owned by the communicator; every call copies the caller's array
 * in and out. MPI is initialised at {@code MPI_THREAD_FUNNELED}: only the thread that joined calls it.
 */
public final class MpiCommunicator implements Communicator {

    private static final int SPINS = 2000;
    private static final long MAX_SLEEP_MICROS = 1000;

    private final Mpi mpi;
    private final MemorySegment world;
    private final int rank;
    private final int size;
    private final String description;
    private final long timeoutNanos;
    private final Thread owner;
    private final Arena fixed = Arena.ofShared();
    private final MemorySegment request;
    private final MemorySegment flag;
    private Arena buffers = Arena.ofShared();
    private MemorySegment send;
    private MemorySegment receive;
    private boolean broken;
    private boolean closed;

    private MpiCommunicator(Mpi mpi, Duration timeout, Map<String, String> env) {
        this.mpi = mpi;
        if (mpi.initialized()) {
            throw new IllegalStateException("MPI is already initialised in this process; join the job once");
        }
        int provided = mpi.initThread(Mpi.THREAD_FUNNELED);
        world = mpi.commWorld();
        mpi.setErrorsReturn(world);
        if (provided < Mpi.THREAD_FUNNELED) {
            throw new IllegalStateException("MPI_Init_thread provided thread level " + provided + ", below"
                    + " MPI_THREAD_FUNNELED, which a JVM needs (it always runs several threads)");
        }
        rank = mpi.commRank(world);
        size = mpi.commSize(world);
        String launched = env.get("OMPI_COMM_WORLD_SIZE");
        if (launched != null && !launched.equals(Integer.toString(size))) {
            throw new IllegalStateException("mpirun started " + launched + " processes but MPI_Init in this one joined a job of "
                    + size + ": the mpirun on PATH and " + mpi.libraryPath() + " belong to different MPI installations");
        }
        String version = mpi.libraryVersion();
        int comma = version.indexOf(',');
        description = (comma > 0 ? version.substring(0, comma) : version.strip()) + ", rank " + rank + " of " + size
                + " on host " + mpi.processorName();
        timeoutNanos = timeout.toNanos();
        owner = Thread.currentThread();
        request = fixed.allocate(ADDRESS);
        flag = fixed.allocate(JAVA_INT);
        send = buffers.allocate(0);
        receive = buffers.allocate(0);
    }

    /**
     * Initialises MPI and joins {@code MPI_COMM_WORLD}, with errors returned rather than fatal.
     *
     * @param timeout the longest a collective waits for the other processes
     * @return the communicator; close it (or abort) before the process ends
     * @throws org.deeprelax.dist.bindings.MpiLibraryException if Open MPI's library is not found
     * @throws org.deeprelax.dist.bindings.MpiException if initialisation fails
     */
    public static MpiCommunicator join(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the communication timeout must be positive, not " + timeout);
        }
        return new MpiCommunicator(Mpi.get(), timeout, System.getenv());
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public void allgather(float[] values, float[] all) {
        gather(MemorySegment.ofArray(values), values.length, MemorySegment.ofArray(all), all.length, mpi.floatType(),
                "floats");
    }

    @Override
    public void allgather(double[] values, double[] all) {
        gather(MemorySegment.ofArray(values), values.length, MemorySegment.ofArray(all), all.length, mpi.doubleType(),
                "doubles");
    }

    @Override
    public void allgather(long[] values, long[] all) {
        gather(MemorySegment.ofArray(values), values.length, MemorySegment.ofArray(all), all.length, mpi.int64Type(),
                "longs");
    }

    /** Allgathers the values of a heap array into another, through the native buffers. */
    private void gather(MemorySegment values, int count, MemorySegment all, int total, MemorySegment type, String kind) {
        Communicators.checkLength(count, total, size);
        stage(values, all.byteSize());
        mpi.iallgather(send, count, type, receive, world, request);
        await("allgather of " + count + " " + kind);
        MemorySegment.copy(receive, 0, all, 0, all.byteSize());
    }

    @Override
    public void alltoall(float[] blocks, float[] received) {
        Communicators.checkBlocks(blocks.length, received.length, size);
        stage(MemorySegment.ofArray(blocks), received.length * JAVA_FLOAT.byteSize());
        mpi.ialltoall(send, blocks.length / size, mpi.floatType(), receive, world, request);
        await("alltoall of " + blocks.length + " floats");
        MemorySegment.copy(receive, JAVA_FLOAT, 0, received, 0, received.length);
    }

    @Override
    public void broadcast(byte[] data, int root) {
        Communicators.checkRoot(root, size);
        stage(MemorySegment.ofArray(data), 0);
        mpi.ibcast(send, data.length, mpi.byteType(), root, world, request);
        await("broadcast of " + data.length + " bytes from rank " + root);
        MemorySegment.copy(send, JAVA_BYTE, 0, data, 0, data.length);
    }

    @Override
    public void barrier() {
        usable();
        mpi.ibarrier(world, request);
        await("barrier");
    }

    @Override
    public void abort(int status) {
        closed = true;
        try {
            mpi.abort(world, status);
        } finally {
            // MPI_Abort does not return when it works; if it did, still end this process.
            Runtime.getRuntime().halt(status);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (broken) {
            abort(1);
        }
        closed = true;
        mpi.finalizeMpi();
        buffers.close();
        fixed.close();
    }

    /** Copies {@code values} into the send buffer, growing both buffers as needed. */
    private void stage(MemorySegment values, long receiveBytes) {
        usable();
        long sendBytes = values.byteSize();
        if (send.byteSize() < sendBytes || receive.byteSize() < receiveBytes) {
            buffers.close();
            buffers = Arena.ofShared();
            send = buffers.allocate(Math.max(sendBytes, send.byteSize()), 64);
            receive = buffers.allocate(Math.max(receiveBytes, receive.byteSize()), 64);
        }
        MemorySegment.copy(values, 0, send, 0, sendBytes);
    }

    private void usable() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("MPI is called only from the thread that joined the job (" + owner.getName()
                    + "), not from " + Thread.currentThread().getName());
        }
        if (closed) {
            throw new IllegalStateException("the communicator is closed");
        }
        if (broken) {
            throw new CommunicationException("mpi: rank " + rank + ": an earlier collective did not complete; abort the job");
        }
    }

    /**
     * Drives the started collective to completion, or throws once the timeout has passed; time in which this
     * process was stopped does not count, so a whole job stopped and continued goes on.
     */
    private void await(String what) {
        WaitClock clock = new WaitClock();
        long sleepMicros = 1;
        for (int polls = 0; !mpi.test(request, flag); polls++) {
            long waited = clock.waited();
            if (waited > timeoutNanos) {
                broken = true;
                throw new CommunicationException(String.format("mpi: rank %d of %d waited %.1f s in %s for the other"
                        + " processes of the job and gave up: one of them has stopped answering (stuck, stopped, or"
                        + " its host unreachable); the limit is the communicator's timeout, %.1f s", rank, size,
                        waited / 1e9, what, timeoutNanos / 1e9));
            }
            if (polls < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(sleepMicros * 1000);
                sleepMicros = Math.min(MAX_SLEEP_MICROS, sleepMicros * 2);
            }
        }
    }
}
