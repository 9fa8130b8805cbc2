package org.deeprelax.core.comm;

/**
 * The time a collective has waited for the other members, leaving out the stretches in which this process
 * was not running (stopped with {@code SIGSTOP} or Ctrl-Z, or its machine suspended). A waiting loop looks
 * at the clock at least every {@link #LONGEST_LOOK_NANOS} ns; a longer gap between two looks means the
 * process was not running, and counts as one look's worth. Without this, a job stopped for longer than its
 * timeout and then continued fails at once: its members had not been waiting for each other, they had all
 * been stopped together.
 *
 * <p>Not thread-safe: one per wait.
 */
public final class WaitClock {

    /** The longest gap between two looks that counts in full. */
    public static final long LONGEST_LOOK_NANOS = 1_000_000_000L;

    private long last = System.nanoTime();
    private long waited;

    /** A clock that starts now, at zero. */
    public WaitClock() {
    }

    /**
     * Looks at the clock.
     *
     * @return the nanoseconds waited since this clock was made, less the time this process was not running
     */
    public long waited() {
        long now = System.nanoTime();
        waited += Math.min(now - last, LONGEST_LOOK_NANOS);
        last = now;
        return waited;
    }
}
