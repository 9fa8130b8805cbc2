package org.deeprelax.core.random;

import java.util.Objects;

/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw ("Parallel random
 * numbers: as easy as 1, 2, 3", SC 2011; the Random123 library), with a fixed addressing scheme so
 * that a CUDA kernel can reproduce the same integers, uniforms and (to a few ulp) normals.
 *
 * <h2>The bijection</h2>
 * {@link #block} maps a 128-bit counter {@code (c0, c1, c2, c3)} and a 64-bit key {@code (k0, k1)}
 * to four 32-bit words, exactly as Random123's {@code philox4x32_10}: ten rounds of
 * <pre>
 *   hi0:lo0 = 0xD2511F53 * c0      (full 64-bit unsigned product)
 *   hi1:lo1 = 0xCD9E8D57 * c2
 *   (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0)
 * </pre>
 * with the key bumped by the Weyl constants {@code k0 += 0x9E3779B9, k1 += 0xBB67AE85} (mod 2^32)
 * before each of rounds 2 to 10. All words are unsigned 32-bit values held in Java {@code int}s.
 *
 * <h2>Addressing</h2>
 * A generator is named by a {@code long seed}; independent sequences under one seed are named by a
 * {@code long stream}; positions in a sequence are {@code long index >= 0}. Word {@code index} of
 * stream {@code stream} under seed {@code seed} is lane {@code index & 3} of
 * <pre>
 *   block(c0 = (int) (index >>> 2),  c1 = (int) ((index >>> 2) >>> 32),
 *         c2 = (int) stream,         c3 = (int) (stream >>> 32),
 *         k0 = (int) seed,           k1 = (int) (seed >>> 32))
 * </pre>
 * that is, the low half of each 64-bit quantity comes first. Four consecutive indices share one block,
 * so bulk fills compute one block per four outputs.
 *
 * <h2>Derived values</h2>
 * <ul>
 *   <li>{@link #uniform}: {@code (w >>> 8) * 2^-24}, the top 24 bits of the word, exactly
 *       representable in a float and in {@code [0, 1)}.</li>
 *   <li>{@link #normal}: Box-Muller on the pair of words {@code 2j, 2j + 1} with {@code j = index >>> 1}
 *       (both lie in the same block): {@code u1 = ((w[2j] >>> 8) + 1) * 2^-24} in {@code (0, 1]} so the
 *       logarithm is finite, {@code u2 = (w[2j+1] >>> 8) * 2^-24}, {@code r = sqrt(-2 ln u1)},
 *       {@code theta = 2pi * u2}; an even index gives {@code r cos theta}, an odd index
 *       {@code r sin theta}. The logarithm, sine and cosine are {@link BoxMuller}'s: series evaluated with
 *       IEEE float operations only (add, multiply, divide, sqrt, fused multiply-add), accurate to a few
 *       ulp, and the same floats on every machine, in every JIT tier, in the scalar and the vectorised
 *       paths, and in a CUDA kernel running the same operations. Bits and uniforms are exact.</li>
 * </ul>
 *
 * <p>The class is stateless and thread-safe. {@link PhiloxStream} wraps one (seed, stream, position)
 * triple for sequential use.
 */
public final class Philox {

    /** Round multipliers of Philox4x32 (Random123's PHILOX_M4x32_0 and _1). */
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    /** Weyl key increments: the fractional parts of the golden ratio and of sqrt(3) - 1, in 32 bits. */
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;

    private static final long MASK32 = 0xFFFFFFFFL;
    private static final long M0L = M0 & MASK32;
    private static final long M1L = M1 & MASK32;

    /** 2^-24: scales the top 24 bits of a word into [0, 1); a power of two, so the product is exact. */
    private static final float INV_2_24 = 0x1p-24f;
    /** 2 pi rounded to float, the constant a CUDA kernel writes as 6.2831855f. */

    private Philox() {
    }

    /**
     * The raw Philox4x32-10 bijection: ten rounds on the counter under the key.
     *
     * @param c0 counter word 0 (unsigned)
     * @param c1 counter word 1
     * @param c2 counter word 2
     * @param c3 counter word 3
     * @param k0 key word 0
     * @param k1 key word 1
     * @param out4 receives the four output words in elements 0 to 3
     */
    public static void block(int c0, int c1, int c2, int c3, int k0, int k1, int[] out4) {
        // A counted loop keeps the round function in one place; the JIT unrolls it and keeps the six
        // words in registers.
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                // Random123 bumps the key before every round except the first.
                k0 += W0;
                k1 += W1;
            }
            // Unsigned 32x32 -> 64 products; the result can exceed Long.MAX_VALUE, hence >>> below.
            long p0 = M0L * (c0 & MASK32);
            long p1 = M1L * (c2 & MASK32);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
        }
        out4[0] = c0;
        out4[1] = c1;
        out4[2] = c2;
        out4[3] = c3;
    }

    /**
     * One 32-bit word of the stream, addressed as described in the class comment.
     *
     * @param seed the generator's seed, split into the key (low half = k0)
     * @param stream the stream, the upper half of the counter (low half = c2)
     * @param index the word's position in the stream, {@code >= 0}
     * @return the word, as an unsigned 32-bit value in an int
     * @throws IllegalArgumentException if {@code index < 0}
     */
    public static int bits(long seed, long stream, long index) {
        checkIndex(index);
        int[] w = new int[4];
        blockAt(seed, stream, index >>> 2, w);
        return w[(int) index & 3];
    }

    /**
     * A uniform float in {@code [0, 1)}: the top 24 bits of {@link #bits}, times 2^-24. Every value is
     * a multiple of 2^-24 and exact in float, so the CUDA kernel gets the same float.
     *
     * @param seed the generator's seed
     * @param stream the stream
     * @param index the position, {@code >= 0}
     * @return the uniform
     * @throws IllegalArgumentException if {@code index < 0}
     */
    public static float uniform(long seed, long stream, long index) {
        return toUniform(bits(seed, stream, index));
    }

    /**
     * A standard normal float by Box-Muller on the word pair {@code (2j, 2j + 1)}, {@code j = index >>> 1}:
     * an even index gives the cosine branch and an odd index the sine branch of the same pair (see the
     * class comment for the exact float formula).
     *
     * @param seed the generator's seed
     * @param stream the stream
     * @param index the position, {@code >= 0}
     * @return the normal deviate, finite, with magnitude at most about 5.77
     * @throws IllegalArgumentException if {@code index < 0}
     */
    public static float normal(long seed, long stream, long index) {
        checkIndex(index);
        int[] w = new int[4];
        blockAt(seed, stream, index >>> 2, w);
        // The pair occupies lanes (0, 1) or (2, 3) of the block.
        int first = (int) index & 2;
        return normalFromWords(w[first], w[first + 1], (index & 1) != 0);
    }

    /**
     * Fills {@code dst[off + i] = bits(seed, stream, firstIndex + i)} for {@code i} in {@code [0, len)},
     * computing each block once.
     *
     * @param dst the destination
     * @param off first element written
     * @param len number of elements written
     * @param seed the generator's seed
     * @param stream the stream
     * @param firstIndex the index of the value written to {@code dst[off]}, {@code >= 0}
     * @throws IndexOutOfBoundsException if the range lies outside {@code dst}
     * @throws IllegalArgumentException if an index of the range is negative or overflows
     */
    public static void fillBits(int[] dst, int off, int len, long seed, long stream, long firstIndex) {
        Objects.checkFromIndexSize(off, len, dst.length);
        checkRange(firstIndex, len);
        int[] w = new int[4];
        long index = firstIndex;
        int i = off;
        int end = off + len;
        while (i < end) {
            blockAt(seed, stream, index >>> 2, w);
            // The first and last blocks may be partial; the middle ones take all four lanes.
            int lane = (int) index & 3;
            int n = Math.min(4 - lane, end - i);
            for (int k = 0; k < n; k++) {
                dst[i + k] = w[lane + k];
            }
            i += n;
            index += n;
        }
    }

    /**
     * Fills {@code dst[off + i] = uniform(seed, stream, firstIndex + i)} for {@code i} in {@code [0, len)},
     * bit for bit, a vector of blocks at a time.
     *
     * @param dst the destination
     * @param off first element written
     * @param len number of elements written
     * @param seed the generator's seed
     * @param stream the stream
     * @param firstIndex the index of the value written to {@code dst[off]}, {@code >= 0}
     * @throws IndexOutOfBoundsException if the range lies outside {@code dst}
     * @throws IllegalArgumentException if an index of the range is negative or overflows
     */
    public static void fillUniform(float[] dst, int off, int len, long seed, long stream, long firstIndex) {
        fillFloats(dst, off, len, seed, stream, firstIndex, false);
    }

    /**
     * Fills {@code dst[off + i] = normal(seed, stream, firstIndex + i)} for {@code i} in {@code [0, len)},
     * bit for bit, a vector of blocks at a time.
     *
     * @param dst the destination
     * @param off first element written
     * @param len number of elements written
     * @param seed the generator's seed
     * @param stream the stream
     * @param firstIndex the index of the value written to {@code dst[off]}, {@code >= 0}
     * @throws IndexOutOfBoundsException if the range lies outside {@code dst}
     * @throws IllegalArgumentException if an index of the range is negative or overflows
     */
    public static void fillNormal(float[] dst, int off, int len, long seed, long stream, long firstIndex) {
        fillFloats(dst, off, len, seed, stream, firstIndex, true);
    }

    /**
     * Uniforms or normals by index: whole runs of aligned blocks through {@link PhiloxVector} (a chunk
     * of numbers a call), partial blocks and the rest one block at a time; both paths give the same floats.
     */
    private static void fillFloats(float[] dst, int off, int len, long seed, long stream, long firstIndex,
                                   boolean normal) {
        Objects.checkFromIndexSize(off, len, dst.length);
        checkRange(firstIndex, len);
        int[] w = new int[4];
        long index = firstIndex;
        int i = off;
        int end = off + len;
        PhiloxVector draws = null;   // looked up once, and only by fills long enough to use it
        while (i < end) {
            long blockIndex = index >>> 2;
            int lane = (int) index & 3;
            if (end - i >= PhiloxVector.CHUNK && PhiloxVector.canStartAt(index)) {
                if (draws == null) {
                    draws = PhiloxVector.forThisThread();
                }
                if (normal) {
                    draws.normals(seed, stream, index, dst, i);
                } else {
                    draws.uniforms(seed, stream, index, dst, i);
                }
                i += PhiloxVector.CHUNK;
                index += PhiloxVector.CHUNK;
                continue;
            }
            blockAt(seed, stream, blockIndex, w);
            int stop = Math.min(4, lane + (end - i));
            for (int k = lane; k < stop; k++) {
                int pair = k & 2;
                dst[i + k - lane] = normal ? BoxMuller.normal(w[pair], w[pair + 1], (k & 1) != 0) : toUniform(w[k]);
            }
            int n = stop - lane;
            i += n;
            index += n;
        }
    }

    /** Computes the block holding word {@code 4 * counter} of the stream. */
    static void blockAt(long seed, long stream, long counter, int[] out4) {
        block((int) counter, (int) (counter >>> 32), (int) stream, (int) (stream >>> 32),
                (int) seed, (int) (seed >>> 32), out4);
    }

    /** The uniform of one word; shared by the scalar, bulk and stream paths so they agree exactly. */
    static float toUniform(int word) {
        // word >>> 8 < 2^24 converts to float exactly, and the power-of-two scale is exact too.
        return (word >>> 8) * INV_2_24;
    }

    /**
     * Box-Muller on one pair of words: the single definition that the scalar, bulk and stream paths
     * all use, so they agree bit for bit.
     *
     * @param w0 the even word of the pair (gives u1, the radius)
     * @param w1 the odd word of the pair (gives u2, the angle)
     * @param odd whether to return the sine branch (odd index) rather than the cosine branch
     */
    static float normalFromWords(int w0, int w1, boolean odd) {
        return BoxMuller.normal(w0, w1, odd);
    }

    private static void checkIndex(long index) {
        if (index < 0) {
            throw new IllegalArgumentException("Philox index " + index + " is negative");
        }
    }

    private static void checkRange(long firstIndex, int len) {
        checkIndex(firstIndex);
        // The last index written is firstIndex + len - 1; it must not wrap past Long.MAX_VALUE.
        if (len > 0 && firstIndex > Long.MAX_VALUE - (len - 1)) {
            throw new IllegalArgumentException("Philox indices " + firstIndex + " + [0, " + len
                    + ") overflow a long");
        }
    }
}
