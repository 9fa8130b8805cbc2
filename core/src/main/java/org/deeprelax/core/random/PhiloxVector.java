package org.deeprelax.core.random;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Philox4x32-10 on a vector of consecutive counters: one lane per block, so a 16-lane vector computes 16
 * blocks (64 words) per pass of the ten rounds. The 32×32 → 64-bit products the rounds need come from
 * 64-bit lane multiplies, since the Vector API has no unsigned high multiply; every operation is an exact
 * integer one, so the words equal {@link Philox#block}'s bit for bit.
 */
final class PhiloxVector {

    /** Blocks per call: one per lane. */
    static final int BLOCKS = BoxMuller.IS.length();

    private static final IntVector LANE_INDEX = IntVector.zero(BoxMuller.IS).addIndex(1);
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[4 * BLOCKS]);
    private static final ThreadLocal<int[]> WORDS = ThreadLocal.withInitial(() -> new int[4 * BLOCKS]);

    private PhiloxVector() {
    }

    /** @return whether blocks [block, block + BLOCKS) share the high counter word (no carry between lanes) */
    static boolean fits(long block) {
        return Integer.compareUnsigned((int) block, -BLOCKS) <= 0;
    }

    /**
     * Runs the ten rounds for blocks [block, block + BLOCKS) and leaves word j of block l in
     * {@code words[j·BLOCKS + l]} (one vector per word position).
     *
     * @param seed Philox key
     * @param stream Philox stream
     * @param block first block; {@link #fits} must hold
     * @param words receives 4·BLOCKS words
     */
    static void words(long seed, long stream, long block, int[] words) {
        IntVector c0 = IntVector.broadcast(BoxMuller.IS, (int) block).add(LANE_INDEX);
        IntVector c1 = IntVector.broadcast(BoxMuller.IS, (int) (block >>> 32));
        IntVector c2 = IntVector.broadcast(BoxMuller.IS, (int) stream);
        IntVector c3 = IntVector.broadcast(BoxMuller.IS, (int) (stream >>> 32));
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            if (round > 0) {
                k0 += Philox.W0;
                k1 += Philox.W1;
            }
            IntVector hi0 = mulHigh(c0, Philox.M0);
            IntVector lo0 = c0.mul(Philox.M0);
            IntVector hi1 = mulHigh(c2, Philox.M1);
            IntVector lo1 = c2.mul(Philox.M1);
            c0 = hi1.lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, k0);
            c1 = lo1;
            c2 = hi0.lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, k1);
            c3 = lo0;
        }
        c0.intoArray(words, 0);
        c1.intoArray(words, BLOCKS);
        c2.intoArray(words, 2 * BLOCKS);
        c3.intoArray(words, 3 * BLOCKS);
    }

    /**
     * Writes the normals of indices [4·block, 4·(block + BLOCKS)) to {@code dst[off ...]}.
     *
     * @param seed Philox key
     * @param stream Philox stream
     * @param block first block; {@link #fits} must hold
     * @param dst destination
     * @param off first element written
     */
    static void normals(long seed, long stream, long block, float[] dst, int off) {
        int[] w = WORDS.get();
        words(seed, stream, block, w);
        float[] s = SCRATCH.get();
        // Scratch: [r·cos of pair A | r·sin of pair A | r·cos of pair B | r·sin of pair B], one lane a block.
        for (int pair = 0; pair < 2; pair++) {
            IntVector even = IntVector.fromArray(BoxMuller.IS, w, 2 * pair * BLOCKS);
            IntVector odd = IntVector.fromArray(BoxMuller.IS, w, (2 * pair + 1) * BLOCKS);
            BoxMuller.normals(BoxMuller.radius(even), odd, s, s, 2 * pair * BLOCKS, (2 * pair + 1) * BLOCKS);
        }
        interleave(s, dst, off);
    }

    /**
     * Writes the uniforms of indices [4·block, 4·(block + BLOCKS)) to {@code dst[off ...]}.
     *
     * @param seed Philox key
     * @param stream Philox stream
     * @param block first block; {@link #fits} must hold
     * @param dst destination
     * @param off first element written
     */
    static void uniforms(long seed, long stream, long block, float[] dst, int off) {
        int[] w = WORDS.get();
        words(seed, stream, block, w);
        float[] s = SCRATCH.get();
        for (int j = 0; j < 4; j++) {
            ((FloatVector) IntVector.fromArray(BoxMuller.IS, w, j * BLOCKS).lanewise(VectorOperators.LSHR, 8)
                    .convert(VectorOperators.I2F, 0)).mul(0x1p-24f).intoArray(s, j * BLOCKS);
        }
        interleave(s, dst, off);
    }

    /** From word-position-major scratch to index order: dst[off + 4l + j] = s[j·BLOCKS + l]. */
    private static void interleave(float[] s, float[] dst, int off) {
        for (int l = 0; l < BLOCKS; l++) {
            int o = off + 4 * l;
            dst[o] = s[l];
            dst[o + 1] = s[BLOCKS + l];
            dst[o + 2] = s[2 * BLOCKS + l];
            dst[o + 3] = s[3 * BLOCKS + l];
        }
    }

    /**
     * The high 32 bits of the unsigned product of each lane with {@code m}. The int lanes are viewed as
     * longs: each long holds an even lane in its low half and an odd lane in its high half, so two
     * 64-bit multiplies give every lane's full product, and the high halves are put back in place.
     */
    private static IntVector mulHigh(IntVector a, int m) {
        long mu = m & 0xFFFF_FFFFL;
        LongVector pairs = a.reinterpretAsLongs();
        LongVector even = pairs.and(0xFFFF_FFFFL).mul(mu);
        LongVector odd = pairs.lanewise(VectorOperators.LSHR, 32).mul(mu);
        return even.lanewise(VectorOperators.LSHR, 32).or(odd.and(0xFFFF_FFFF_0000_0000L)).reinterpretAsInts();
    }
}
