package org.deeprelax.core.comm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * A job whose processes are threads of this JVM: {@link #run} starts n members, each running the same body
 * with a {@link Communicator} of its own rank, and returns what each returned. It is how n replicas train in
 * one process with exactly the code, and so exactly the numbers, of n processes under {@code mpirun}: the
 * members exchange values through the same collectives, which here copy between arrays.
 *
 * <p>A member that throws ends the job: the others' pending or next collective throws
 * {@link CommunicationException} naming it, and {@link #run} rethrows the first member's failure once every
 * thread has ended. A collective that waits longer than the timeout for the others fails the same way, so a
 * stuck member cannot hang the job; time in which the whole process was stopped does not count
 * ({@link WaitClock}).
 */
public final class InProcessJob {

    private final int size;
    private final long timeoutNanos;
    private final Object[] slots;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int arrived;
    private long generation;
    private RuntimeException failure;
    private int failedRank = -1;

    private InProcessJob(int size, Duration timeout) {
        this.size = size;
        this.timeoutNanos = timeout.toNanos();
        this.slots = new Object[size];
    }

    /**
     * Runs {@code body} on each of {@code size} members, each in its own thread, and waits for all.
     *
     * @param size the number of members, at least 1
     * @param timeout the longest a collective waits for the other members
     * @param body the program of one member, given its communicator
     * @param <T> what it returns
     * @return the results, by rank
     * @throws RuntimeException the first member's failure (an {@link Error} is rethrown as it is)
     */
    public static <T> List<T> run(int size, Duration timeout, Function<Communicator, T> body) {
        if (size < 1) {
            throw new IllegalArgumentException("an in-process job needs at least 1 member, not " + size);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the communication timeout must be positive, not " + timeout);
        }
        InProcessJob job = new InProcessJob(size, timeout);
        List<T> results = new ArrayList<>();
        Throwable[] errors = new Throwable[size];
        Thread[] threads = new Thread[size];
        for (int r = 0; r < size; r++) {
            results.add(null);
            int rank = r;
            threads[r] = new Thread(() -> {
                try {
                    results.set(rank, body.apply(job.new Member(rank)));
                } catch (Throwable t) {
                    errors[rank] = t;
                    job.fail(rank, t);
                }
            }, "replica-" + r);
            threads[r].start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                job.fail(-1, e);
            }
        }
        int first = job.failedRank;
        if (first >= 0 && errors[first] != null) {
            Throwable t = errors[first];
            if (t instanceof Error e) {
                throw e;
            }
            throw t instanceof RuntimeException re ? re : new IllegalStateException("member " + first + " failed", t);
        }
        return results;
    }

    private void fail(int rank, Throwable t) {
        lock.lock();
        try {
            if (failure == null) {
                failedRank = rank;
                failure = new CommunicationException("in-process job: member " + rank + " of " + size + " failed ("
                        + t + "); the others stop too");
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until every member has arrived here, or the job has failed, or the timeout has passed. */
    private void rendezvous(int rank, String what) {
        lock.lock();
        try {
            if (failure != null) {
                throw failure;
            }
            long mine = generation;
            if (++arrived == size) {
                arrived = 0;
                generation++;
                changed.signalAll();
                return;
            }
            WaitClock clock = new WaitClock();
            while (generation == mine && failure == null) {
                long left = timeoutNanos - clock.waited();
                if (left <= 0) {
                    failedRank = rank;
                    failure = new CommunicationException(String.format("in-process job: member %d of %d waited %.1f s"
                            + " in %s for the others and gave up: one of them is stuck; the limit is the job's timeout",
                            rank, size, timeoutNanos / 1e9, what));
                    changed.signalAll();
                    break;
                }
                try {
                    changed.awaitNanos(Math.min(left, WaitClock.LONGEST_LOOK_NANOS / 4));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CommunicationException("in-process job: member " + rank + " interrupted in " + what);
                }
            }
            if (generation == mine) {
                throw failure;
            }
        } finally {
            lock.unlock();
        }
    }

    /** One member's view of the job. */
    private final class Member implements Communicator {
        private final int rank;

        Member(int rank) {
            this.rank = rank;
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
            return "in-process job, member " + rank + " of " + size;
        }

        @Override
        public void allgather(float[] send, float[] receive) {
            Communicators.checkLength(send.length, receive.length, size);
            gather(send.clone(), receive, send.length, "allgather of " + send.length + " floats");
        }

        @Override
        public void allgather(double[] send, double[] receive) {
            Communicators.checkLength(send.length, receive.length, size);
            gather(send.clone(), receive, send.length, "allgather of " + send.length + " doubles");
        }

        @Override
        public void allgather(long[] send, long[] receive) {
            Communicators.checkLength(send.length, receive.length, size);
            gather(send.clone(), receive, send.length, "allgather of " + send.length + " longs");
        }

        /** Every member puts its copy in its slot, then each copies every slot out in rank order. */
        private void gather(Object mine, Object receive, int count, String what) {
            slots[rank] = mine;
            rendezvous(rank, what);
            for (int r = 0; r < size; r++) {
                System.arraycopy(slots[r], 0, receive, r * count, count);
            }
            rendezvous(rank, what);
        }

        @Override
        public void alltoall(float[] send, float[] receive) {
            Communicators.checkBlocks(send.length, receive.length, size);
            int block = send.length / size;
            String what = "alltoall of " + send.length + " floats";
            slots[rank] = send.clone();
            rendezvous(rank, what);
            for (int r = 0; r < size; r++) {
                System.arraycopy(slots[r], rank * block, receive, r * block, block);
            }
            rendezvous(rank, what);
        }

        @Override
        public void broadcast(byte[] data, int root) {
            Communicators.checkRoot(root, size);
            String what = "broadcast of " + data.length + " bytes from member " + root;
            if (rank == root) {
                slots[rank] = data.clone();
            }
            rendezvous(rank, what);
            if (rank != root) {
                System.arraycopy(slots[root], 0, data, 0, data.length);
            }
            rendezvous(rank, what);
        }

        @Override
        public void barrier() {
            rendezvous(rank, "barrier");
        }

        @Override
        public void abort(int status) {
            CommunicationException e = new CommunicationException("in-process job: member " + rank + " aborted the job"
                    + " with status " + status);
            fail(rank, e);
            throw e;
        }

        @Override
        public void close() {
        }
    }
}
