package org.deeprelax.core.random;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Philox4x32-10 on vectors of consecutive counters, for fused loops that draw their random numbers as
 * they go: one lane per block, so a 16-lane vector computes 16 blocks (64 numbers) per pass of the ten
 * rounds, and a call makes {@link #PASSES} passes, {@link #CHUNK} numbers. Every operation is exact
 * integer or correctly rounded float arithmetic, so the numbers equal {@link Philox#uniform} and
 * {@link Philox#normal} bit for bit.
 *
 * <p>How the work is cut, from what measurement showed:
 * <ul>
 *   <li>Each stage (the rounds, the radii, the angles, the transpose) is a loop over independent vectors,
 *       so the out-of-order core overlaps one vector's long dependency chain (a division and a square
 *       root in the radius, ten multiply rounds in Philox) with the next vector's, instead of waiting on
 *       it: one vector per call was latency-bound.</li>
 *   <li>Stages pass arrays, never vectors. C2 stops inlining into a method once its graph passes a node
 *       budget, which a few dozen Vector API calls reach; a vector that crosses a call left standing is
 *       boxed on the heap, which cost more than the arithmetic. The scratch arrays stay in L1.</li>
 *   <li>A pass leaves word j of block l in lane l of vector j ("word-major"); index order, 4l + j, is
 *       that 4 × 16 matrix transposed, done with two two-source permutes and a blend per output vector
 *       rather than 64 scalar moves.</li>
 * </ul>
 *
 * <p>An instance holds the scratch arrays; it is not thread-safe, so each thread uses its own
 * ({@link #forThisThread}).
 */
public final class PhiloxVector {

    /** Blocks per pass: one per lane. */
    static final int BLOCKS = BoxMuller.IS.length();
    /** Passes per call: enough independent vectors for the out-of-order core to overlap; even (see {@link #words}). */
    static final int PASSES = 4;
    /** Numbers per call: four words a block. */
    public static final int CHUNK = 4 * BLOCKS * PASSES;

    private static final VectorSpecies<Float> SPECIES = BoxMuller.FS;
    private static final long LOW32 = 0xFFFF_FFFFL;
    private static final IntVector LANE_INDEX = IntVector.zero(BoxMuller.IS).addIndex(1);
    /** Per output vector k of a pass: the lanes of (word 0 or 2, word 1 or 3) to take, as a two-source index. */
    private static final int[] TRANSPOSE_INDEX = transposeIndex();
    /** Lanes of an output vector that hold words 2 and 3 (taken from the second pair). */
    private static final VectorMask<Integer> SECOND_PAIR = VectorMask.fromLong(BoxMuller.IS, secondPairBits());
    private static final ThreadLocal<PhiloxVector> PER_THREAD = ThreadLocal.withInitial(PhiloxVector::new);

    private final int[] words = new int[CHUNK];
    private final float[] byWord = new float[CHUNK];
    private final float[] radii = new float[CHUNK / 2];
    private final int[] roundKeys = new int[20 * BLOCKS];
    private long keyedSeed;

    private PhiloxVector() {
        scheduleKeys(0);
        if (BoxMuller.FS.length() != BLOCKS) {
            throw new IllegalStateException("float and int vector species differ in lanes: "
                    + BoxMuller.FS.length() + " vs " + BLOCKS);
        }
    }

    /**
     * Returns the calling thread's instance.
     *
     * @return the calling thread's instance
     */
    public static PhiloxVector forThisThread() {
        return PER_THREAD.get();
    }

    /**
     * Tells whether the vector path can start at an index.
     *
     * @param index the index of the first number of a call
     * @return whether a call can start there: at a block's first word, with no carry into the counter's
     *     high word inside the call
     */
    public static boolean canStartAt(long index) {
        return (index & 3) == 0 && Integer.compareUnsigned((int) (index >>> 2), -(CHUNK / 4)) <= 0;
    }

    /**
     * Writes the normals of indices [index, index + CHUNK) to {@code dst[off ...]}.
     *
     * @param seed Philox key
     * @param stream Philox stream
     * @param index the first index; {@link #canStartAt} must hold
     * @param dst destination
     * @param off first element written
     */
    public void normals(long seed, long stream, long index, float[] dst, int off) {
        beginNormals(seed, stream, index);
        endNormals(dst, off);
    }

    /**
     * The first half of {@link #normals}: the Philox rounds for indices [index, index + CHUNK). The
     * halves are apart so that a caller can put memory-bound work between them: the out-of-order core
     * then runs the second half's arithmetic while that work's cache misses are outstanding.
     *
     * @param seed Philox key
     * @param stream Philox stream
     * @param index the first index; {@link #canStartAt} must hold
     */
    public void beginNormals(long seed, long stream, long index) {
        words(seed, stream, index >>> 2);
    }

    /**
     * The second half of {@link #normals}: Box-Muller on the words of the last {@link #beginNormals},
     * written to {@code dst[off ...]} in index order.
     *
     * @param dst destination
     * @param off first element written
     */
    public void endNormals(float[] dst, int off) {
        BoxMuller.radii(words, radii, CHUNK / (2 * BLOCKS));
        BoxMuller.normals(words, radii, byWord, CHUNK / (2 * BLOCKS));
        toIndexOrder(dst, off);
    }

    /**
     * Writes the uniforms of indices [index, index + CHUNK) to {@code dst[off ...]}.
     *
     * @param seed Philox key
     * @param stream Philox stream
     * @param index the first index; {@link #canStartAt} must hold
     * @param dst destination
     * @param off first element written
     */
    public void uniforms(long seed, long stream, long index, float[] dst, int off) {
        words(seed, stream, index >>> 2);
        for (int v = 0; v < CHUNK; v += BLOCKS) {
            ((FloatVector) IntVector.fromArray(BoxMuller.IS, words, v).lanewise(VectorOperators.LSHR, 8)
                    .convert(VectorOperators.I2F, 0)).mul(0x1p-24f).intoArray(byWord, v);
        }
        toIndexOrder(dst, off);
    }

    /**
     * Per pass p, from word-major to index order: dst[off + 64p + 4l + j] = byWord[64p + 16j + l]. The
     * permutes run on the floats' bits as ints: a float index vector would be converted and range-checked
     * lane by lane before every permute.
     */
    private void toIndexOrder(float[] dst, int off) {
        for (int pass = 0; pass < CHUNK; pass += 4 * BLOCKS) {
            IntVector w0 = FloatVector.fromArray(SPECIES, byWord, pass).reinterpretAsInts();
            IntVector w1 = FloatVector.fromArray(SPECIES, byWord, pass + BLOCKS).reinterpretAsInts();
            IntVector w2 = FloatVector.fromArray(SPECIES, byWord, pass + 2 * BLOCKS).reinterpretAsInts();
            IntVector w3 = FloatVector.fromArray(SPECIES, byWord, pass + 3 * BLOCKS).reinterpretAsInts();
            for (int k = 0; k < 4; k++) {
                IntVector index = IntVector.fromArray(BoxMuller.IS, TRANSPOSE_INDEX, k * BLOCKS);
                index.selectFrom(w0, w1).blend(index.selectFrom(w2, w3), SECOND_PAIR).reinterpretAsFloats()
                        .intoArray(dst, off + pass + k * BLOCKS);
            }
        }
    }

    /** Lane e of output vector k takes lane k·BLOCKS/4 + e/4 of word (e mod 2) of its pair of words. */
    private static int[] transposeIndex() {
        int[] index = new int[4 * BLOCKS];
        for (int k = 0; k < 4; k++) {
            for (int e = 0; e < BLOCKS; e++) {
                index[k * BLOCKS + e] = (e & 1) * BLOCKS + k * BLOCKS / 4 + e / 4;
            }
        }
        return index;
    }

    private static long secondPairBits() {
        long bits = 0;
        for (int e = 0; e < BLOCKS; e++) {
            if ((e & 2) != 0) {
                bits |= 1L << e;
            }
        }
        return bits;
    }

    /**
     * The ten rounds for blocks [block, block + PASSES·BLOCKS), pass p into {@code words[64p ...]}
     * word-major.
     *
     * <p>A round needs the high and low halves of two 32×32-bit products per lane, and the Vector API has
     * no unsigned high multiply. The int lanes are viewed as longs, each holding an even lane in its low
     * half and an odd lane in its high half, so two 64-bit multiplies give every lane's full product.
     * Both operands of those multiplies have zero high halves (a mask, a shift, and a multiplier
     * broadcast shifted up and back down), a shape C2 compiles to one unsigned 32-bit multiply
     * (vpmuludq, one micro-op) rather than a full 64-bit one (three): that halved the time of a round.
     * The low halves come from the same products, so there is no second multiply.
     *
     * <p>Two passes run in one loop, state c for the first and d for the second, so that each round has
     * two independent dependency chains for the core to overlap (about 10 % faster than one). The
     * arithmetic is written out for each rather than put in a helper taking vectors, so that nothing is
     * boxed if C2 declines to inline (see the class comment).
     */
    private void words(long seed, long stream, long block) {
        if (seed != keyedSeed) {
            scheduleKeys(seed);
        }
        LongVector m0 = LongVector.broadcast(BoxMuller.LS, (long) Philox.M0 << 32).lanewise(VectorOperators.LSHR, 32);
        LongVector m1 = LongVector.broadcast(BoxMuller.LS, (long) Philox.M1 << 32).lanewise(VectorOperators.LSHR, 32);
        for (int pass = 0; pass < PASSES; pass += 2) {
            IntVector c0 = IntVector.broadcast(BoxMuller.IS, (int) block + pass * BLOCKS).add(LANE_INDEX);
            IntVector c1 = IntVector.broadcast(BoxMuller.IS, (int) (block >>> 32));
            IntVector c2 = IntVector.broadcast(BoxMuller.IS, (int) stream);
            IntVector c3 = IntVector.broadcast(BoxMuller.IS, (int) (stream >>> 32));
            IntVector d0 = IntVector.broadcast(BoxMuller.IS, (int) block + (pass + 1) * BLOCKS).add(LANE_INDEX);
            IntVector d1 = c1;
            IntVector d2 = c2;
            IntVector d3 = c3;
            for (int round = 0; round < 10; round++) {
                IntVector k0 = IntVector.fromArray(BoxMuller.IS, roundKeys, 2 * round * BLOCKS);
                IntVector k1 = IntVector.fromArray(BoxMuller.IS, roundKeys, (2 * round + 1) * BLOCKS);
                LongVector a = c0.reinterpretAsLongs();
                LongVector evenA = a.and(LOW32).mul(m0);
                LongVector oddA = a.lanewise(VectorOperators.LSHR, 32).mul(m0);
                LongVector b = c2.reinterpretAsLongs();
                LongVector evenB = b.and(LOW32).mul(m1);
                LongVector oddB = b.lanewise(VectorOperators.LSHR, 32).mul(m1);
                LongVector e = d0.reinterpretAsLongs();
                LongVector evenE = e.and(LOW32).mul(m0);
                LongVector oddE = e.lanewise(VectorOperators.LSHR, 32).mul(m0);
                LongVector f = d2.reinterpretAsLongs();
                LongVector evenF = f.and(LOW32).mul(m1);
                LongVector oddF = f.lanewise(VectorOperators.LSHR, 32).mul(m1);
                IntVector hi0 = evenA.lanewise(VectorOperators.LSHR, 32).or(oddA.and(~LOW32)).reinterpretAsInts();
                IntVector hi1 = evenB.lanewise(VectorOperators.LSHR, 32).or(oddB.and(~LOW32)).reinterpretAsInts();
                IntVector lo0 = evenA.and(LOW32).or(oddA.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts();
                IntVector lo1 = evenB.and(LOW32).or(oddB.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts();
                IntVector hj0 = evenE.lanewise(VectorOperators.LSHR, 32).or(oddE.and(~LOW32)).reinterpretAsInts();
                IntVector hj1 = evenF.lanewise(VectorOperators.LSHR, 32).or(oddF.and(~LOW32)).reinterpretAsInts();
                IntVector lj0 = evenE.and(LOW32).or(oddE.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts();
                IntVector lj1 = evenF.and(LOW32).or(oddF.lanewise(VectorOperators.LSHL, 32)).reinterpretAsInts();
                c0 = hi1.lanewise(VectorOperators.XOR, c1).lanewise(VectorOperators.XOR, k0);
                c1 = lo1;
                c2 = hi0.lanewise(VectorOperators.XOR, c3).lanewise(VectorOperators.XOR, k1);
                c3 = lo0;
                d0 = hj1.lanewise(VectorOperators.XOR, d1).lanewise(VectorOperators.XOR, k0);
                d1 = lj1;
                d2 = hj0.lanewise(VectorOperators.XOR, d3).lanewise(VectorOperators.XOR, k1);
                d3 = lj0;
            }
            int at = pass * 4 * BLOCKS;
            c0.intoArray(words, at);
            c1.intoArray(words, at + BLOCKS);
            c2.intoArray(words, at + 2 * BLOCKS);
            c3.intoArray(words, at + 3 * BLOCKS);
            d0.intoArray(words, at + 4 * BLOCKS);
            d1.intoArray(words, at + 5 * BLOCKS);
            d2.intoArray(words, at + 6 * BLOCKS);
            d3.intoArray(words, at + 7 * BLOCKS);
        }
    }

    /**
     * Round r's key halves, each broadcast to a vector, at {@code roundKeys[2r·BLOCKS]} and
     * {@code [(2r + 1)·BLOCKS]}: loading them from L1 in the rounds costs less than broadcasting them
     * from scalar registers on the shuffle port that the rounds also need.
     */
    private void scheduleKeys(long seed) {
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        for (int round = 0; round < 10; round++) {
            Arrays.fill(roundKeys, 2 * round * BLOCKS, (2 * round + 1) * BLOCKS, k0);
            Arrays.fill(roundKeys, (2 * round + 1) * BLOCKS, (2 * round + 2) * BLOCKS, k1);
            k0 += Philox.W0;
            k1 += Philox.W1;
        }
        keyedSeed = seed;
    }
}
