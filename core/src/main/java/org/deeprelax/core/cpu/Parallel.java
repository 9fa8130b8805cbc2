package org.deeprelax.core.cpu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Splits a loop over {@code [0, n)} into contiguous chunks run on the machine's cores.
 *
 * <p>The pool holds {@code threads() - 1} daemon workers; the calling thread runs the first chunk
 * itself, so a two-core machine uses both cores without a context switch for the caller. A call made
 * from inside a chunk (a worker's or the caller's own) runs sequentially: nested parallelism would only
 * add scheduling cost, and waiting on the pool from its own thread could deadlock.
 */
public final class Parallel {

    /** The body of a parallel loop: handles indices {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeBody {
        /**
         * Processes one chunk.
         *
         * @param from first index, inclusive
         * @param to last index, exclusive
         */
        void run(int from, int to);
    }

    private static final int THREADS = Math.max(1,
            Integer.getInteger("deeprelax.threads", Runtime.getRuntime().availableProcessors()));
    private static final ThreadLocal<Boolean> IN_WORKER = ThreadLocal.withInitial(() -> false);
    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(() -> {
            IN_WORKER.set(true);
            r.run();
        }, "deeprelax-cpu");
        t.setDaemon(true);
        return t;
    });

    private Parallel() {
    }

    /**
     * Returns the number of threads a parallel loop uses (the system property {@code deeprelax.threads} overrides it).
     *
     * @return the number of threads a parallel loop uses (the system property {@code deeprelax.threads} overrides it)
     */
    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #threads()} chunks of at least
     * {@code minChunk} indices each, and returns when all are done. An exception in any chunk is
     * rethrown here.
     *
     * @param n the number of indices
     * @param minChunk the smallest chunk worth a thread of its own
     * @param body the loop body
     */
    public static void forRange(int n, int minChunk, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = (int) Math.min(THREADS, Math.max(1, n / (long) Math.max(1, minChunk)));
        if (chunks == 1 || POOL == null || IN_WORKER.get()) {
            body.run(0, n);
            return;
        }
        CountDownLatch done = new CountDownLatch(chunks - 1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 1; i < chunks; i++) {
            int from = (int) ((long) n * i / chunks);
            int to = (int) ((long) n * (i + 1) / chunks);
            POOL.execute(() -> {
                try {
                    body.run(from, to);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            });
        }
        // The caller's own chunk counts as inside the loop too: a nested forRange from it must run
        // sequentially, or its extra chunks would queue behind the busy workers and serialise.
        IN_WORKER.set(true);
        try {
            body.run(0, (int) ((long) n / chunks));
        } catch (Throwable e) {
            failure.compareAndSet(null, e);
        } finally {
            IN_WORKER.set(false);
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a parallel loop", e);
        }
        Throwable t = failure.get();
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
    }
}
