package org.deeprelax.core.comm;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * A job of p "processes" that are threads of this JVM, exchanging arrays through shared slots: for testing
 * code written against {@link Communicator} (the chunking of {@link ReplicaAverage}) without MPI. It has the
 * float collectives only.
 */
final class InMemoryJob {

    private final int size;
    private final CyclicBarrier barrier;
    private final float[][] slots;

    private InMemoryJob(int size) {
        this.size = size;
        this.barrier = new CyclicBarrier(size);
        this.slots = new float[size][];
    }

    /**
     * Runs {@code body} on each of p processes, each in its own thread, and returns what each returned.
     *
     * @param p the number of processes
     * @param body the program, given its process's communicator
     * @param <T> what it returns
     * @return the results, by rank
     * @throws Exception if a process failed
     */
    static <T> List<T> run(int p, Function<Communicator, T> body) throws Exception {
        InMemoryJob job = new InMemoryJob(p);
        ExecutorService pool = Executors.newFixedThreadPool(p);
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int r = 0; r < p; r++) {
                Communicator c = job.new Member(r);
                futures.add(pool.submit(() -> body.apply(c)));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private void await() {
        try {
            barrier.await();
        } catch (InterruptedException | BrokenBarrierException e) {
            throw new CommunicationException("in-memory job: " + e);
        }
    }

    /** One process's view of the job. */
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
            return "in-memory rank " + rank + " of " + size;
        }

        @Override
        public void allgather(float[] send, float[] receive) {
            Communicators.checkLength(send.length, receive.length, size);
            slots[rank] = send.clone();
            await();
            for (int r = 0; r < size; r++) {
                System.arraycopy(slots[r], 0, receive, r * send.length, send.length);
            }
            await();
        }

        @Override
        public void alltoall(float[] send, float[] receive) {
            Communicators.checkBlocks(send.length, receive.length, size);
            int block = send.length / size;
            slots[rank] = send.clone();
            await();
            for (int r = 0; r < size; r++) {
                System.arraycopy(slots[r], rank * block, receive, r * block, block);
            }
            await();
        }

        @Override
        public void allgather(double[] send, double[] receive) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void allgather(long[] send, long[] receive) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void broadcast(byte[] data, int root) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void barrier() {
            await();
        }

        @Override
        public void abort(int status) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }
}
