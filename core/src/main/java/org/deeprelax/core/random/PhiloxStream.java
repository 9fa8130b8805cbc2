package org.deeprelax.core.random;

/**
 * A sequential cursor over one Philox stream: the triple (seed, stream, position), where position is
 * the index of the next word to be consumed. Every value equals the corresponding stateless
 * {@link Philox} function at the current position, so saving {@link #position()} in a checkpoint and
 * restoring it with {@link #setPosition(long)} (on a stream built with the same seed and stream)
 * reproduces the rest of the sequence exactly.
 *
 * <p>Word consumption: {@link #nextInt()} and {@link #nextFloat()} consume one word;
 * {@link #nextNormal()} consumes one word (the position's Box-Muller branch, as {@link Philox#normal});
 * {@link #nextInt(int)} consumes one word, or more when it rejects a draw.
 *
 * <p>Not thread-safe: each thread should own its own stream (usually with its own stream number).
 */
public final class PhiloxStream {

    private final long seed;
    private final long stream;
    private long position;

    /** The block containing the current position is cached: sequential draws compute one block per four words. */
    private final int[] words = new int[4];
    private long cachedCounter = -1;

    /**
     * A stream positioned at index 0.
     *
     * @param seed the generator's seed
     * @param stream the stream number
     */
    public PhiloxStream(long seed, long stream) {
        this(seed, stream, 0);
    }

    /**
     * A stream positioned at {@code position}.
     *
     * @param seed the generator's seed
     * @param stream the stream number
     * @param position the index of the next word, {@code >= 0}
     * @throws IllegalArgumentException if {@code position < 0}
     */
    public PhiloxStream(long seed, long stream, long position) {
        this.seed = seed;
        this.stream = stream;
        setPosition(position);
    }

    /**
     * Returns the seed.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * Returns the stream number.
     *
     * @return the stream number
     */
    public long stream() {
        return stream;
    }

    /**
     * Returns the index of the next word to be consumed; save it to checkpoint the stream.
     *
     * @return the index of the next word to be consumed; save it to checkpoint the stream
     */
    public long position() {
        return position;
    }

    /**
     * Moves the cursor, e.g. to restore a checkpoint.
     *
     * @param position the index of the next word, {@code >= 0}
     * @throws IllegalArgumentException if {@code position < 0}
     */
    public void setPosition(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("Philox stream position " + position + " is negative");
        }
        // The cached block stays valid: it is keyed by counter, and seed and stream never change.
        this.position = position;
    }

    /**
     * Returns the next 32-bit word, {@code Philox.bits(seed, stream, position)}.
     *
     * @return the next 32-bit word, {@code Philox.bits(seed, stream, position)}
     */
    public int nextInt() {
        return words[lane()];
    }

    /**
     * Returns the next uniform in {@code [0, 1)}, {@code Philox.uniform(seed, stream, position)}.
     *
     * @return the next uniform in {@code [0, 1)}, {@code Philox.uniform(seed, stream, position)}
     */
    public float nextFloat() {
        return Philox.toUniform(words[lane()]);
    }

    /**
     * Returns the next standard normal, {@code Philox.normal(seed, stream, position)}.
     *
     * @return the next standard normal, {@code Philox.normal(seed, stream, position)}
     */
    public float nextNormal() {
        int lane = lane();
        int first = lane & 2;
        return Philox.normalFromWords(words[first], words[first + 1], (lane & 1) != 0);
    }

    /**
     * An unbiased integer in {@code [0, bound)}, by Lemire's multiply-and-reject method (ACM TOMACS
     * 2019): the high half of {@code word * bound} is uniform once the few low halves that would
     * over-represent some results are rejected. Rejection happens with probability below
     * {@code bound / 2^32}, so it usually consumes exactly one word.
     *
     * @param bound the exclusive upper bound, {@code > 0}
     * @return the integer
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound " + bound + " must be positive");
        }
        long m = (nextInt() & 0xFFFFFFFFL) * bound;
        long low = m & 0xFFFFFFFFL;
        if (low < bound) {
            // 2^32 mod bound: the number of low halves to reject so each result has equally many words.
            long threshold = (0x1_0000_0000L - bound) % bound;
            while (low < threshold) {
                m = (nextInt() & 0xFFFFFFFFL) * bound;
                low = m & 0xFFFFFFFFL;
            }
        }
        return (int) (m >>> 32);
    }

    /** Loads the block of the current position if needed, advances, and returns the consumed lane. */
    private int lane() {
        long p = position;
        if (p < 0) {
            // Only reachable by running past Long.MAX_VALUE.
            throw new IllegalStateException("Philox stream exhausted");
        }
        long counter = p >>> 2;
        if (counter != cachedCounter) {
            Philox.blockAt(seed, stream, counter, words);
            cachedCounter = counter;
        }
        position = p + 1;
        return (int) p & 3;
    }
}
