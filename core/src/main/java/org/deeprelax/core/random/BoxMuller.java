package org.deeprelax.core.random;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Box-Muller from two Philox words, written with nothing but IEEE float arithmetic (add, multiply,
 * divide, square root, fused multiply-add) and integer bit operations, once for one pair and once for a
 * vector of pairs, so that:
 *
 * <ul>
 *   <li>the scalar and the vectorised paths give the same floats bit for bit (every operation is
 *       correctly rounded and they run the same sequence), on every machine and whatever the JIT has
 *       compiled, where {@code Math.log} or the Vector API's {@code LOG}/{@code SIN} may differ by an ulp
 *       between the interpreter, the compiler and the CPU;</li>
 *   <li>a CUDA kernel running the same sequence ({@code fmaf}, {@code sqrtf}, {@code __fdiv_rn}, no
 *       fast-math) draws the same normals as the CPU;</li>
 *   <li>the Langevin update can draw 16 normals per instruction sequence inside its pass.</li>
 * </ul>
 *
 * <p>The functions: {@code ln u1} for u1 in (0, 1] splits u1 = m·2^e with m in (√½, √2], then
 * ln m = 2·atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172, by its series to s¹¹ (truncation below 1e-10), and
 * ln u1 = e·ln 2 + ln m with ln 2 split in a high part exact in float and a low correction.
 * {@code sin} and {@code cos} of θ = 2π·u2, with u2 = k·2^-24, reduce in integers: k = q·2^22 + r with q
 * the nearest quarter turn and |r| ≤ 2^21, so θ = q·π/2 + a with a = r·π/2^23 in [−π/4, π/4]; their
 * Taylor series to a⁹ and a¹⁰ truncate below 2e-9, and the quadrant picks and signs the pair. The
 * accuracy is a few float ulp (checked against double-precision Box-Muller in the tests).
 */
final class BoxMuller {

    private static final float INV_2_24 = 0x1p-24f;
    private static final float SQRT2 = 1.41421356f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float PI_OVER_2_23 = (float) (Math.PI / (1 << 23));
    private static final float A3 = 1f / 3, A5 = 1f / 5, A7 = 1f / 7, A9 = 1f / 9, A11 = 1f / 11;
    private static final float S3 = -1f / 6, S5 = 1f / 120, S7 = -1f / 5040, S9 = 1f / 362880;
    private static final float C2 = -0.5f, C4 = 1f / 24, C6 = -1f / 720, C8 = 1f / 40320, C10 = -1f / 3628800;

    static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;

    private BoxMuller() {
    }

    // ---- one pair -------------------------------------------------------------------------------

    /**
     * Returns sqrt(−2 ln u1), u1 = ((w >>> 8) + 1)·2^-24 in (0, 1].
     *
     * @param w the even word
     * @return sqrt(−2 ln u1), u1 = ((w >>> 8) + 1)·2^-24 in (0, 1]
     */
    static float radius(int w) {
        float u1 = ((w >>> 8) + 1) * INV_2_24;
        int bits = Float.floatToRawIntBits(u1);
        int e = (bits >>> 23) - 127;
        float m = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        if (m > SQRT2) {
            m *= 0.5f;
            e += 1;
        }
        float s = (m - 1f) / (m + 1f);
        float z = s * s;
        float p = Math.fma(z, A11, A9);
        p = Math.fma(p, z, A7);
        p = Math.fma(p, z, A5);
        p = Math.fma(p, z, A3);
        float lnm = Math.fma(s * z, 2f * p, 2f * s);
        float ln = e * LN2_HI + Math.fma(e, LN2_LO, lnm);
        return (float) Math.sqrt(-2f * ln);
    }

    /**
     * The sine or cosine of the angle an odd Philox word encodes.
     *
     * @param w the odd word
     * @param sine whether to return sin θ rather than cos θ, θ = 2π·(w >>> 8)·2^-24
     * @return sin θ or cos θ
     */
    static float trig(int w, boolean sine) {
        int k = w >>> 8;
        int q = (k + (1 << 21)) >>> 22;
        float a = (k - (q << 22)) * PI_OVER_2_23;
        float z = a * a;
        float ps = Math.fma(z, S9, S7);
        ps = Math.fma(ps, z, S5);
        ps = Math.fma(ps, z, S3);
        float sin = Math.fma(a * z, ps, a);
        float pc = Math.fma(z, C10, C8);
        pc = Math.fma(pc, z, C6);
        pc = Math.fma(pc, z, C4);
        pc = Math.fma(pc, z, C2);
        float cos = Math.fma(z, pc, 1f);
        q &= 3;
        float v = sine == ((q & 1) == 0) ? sin : cos;
        boolean negative = sine ? (q & 2) != 0 : ((q + 1) & 2) != 0;
        return negative ? -v : v;
    }

    /**
     * Returns one standard normal.
     *
     * @param w0 even word
     * @param w1 odd word
     * @param odd the sine branch
     * @return one standard normal
     */
    static float normal(int w0, int w1, boolean odd) {
        return radius(w0) * trig(w1, odd);
    }

    // ---- vectors of pairs: the same operations, lane by lane ------------------------------------------
    // Word-major layout: vector 2v of the words holds even words (radii), vector 2v + 1 the odd words
    // (angles) of the same blocks. Arrays in and out, and each method a loop over independent vectors:
    // see PhiloxVector for why.

    /**
     * Lane-wise {@link #radius}: {@code radii[v·L + l] = radius(words[2v·L + l])} for v below
     * {@code pairs}, L the lanes.
     *
     * @param words the words
     * @param radii receives the radii
     * @param pairs pairs of word vectors
     */
    static void radii(int[] words, float[] radii, int pairs) {
        int lanes = IS.length();
        for (int v = 0; v < pairs; v++) {
            IntVector w = IntVector.fromArray(IS, words, 2 * v * lanes);
            FloatVector u1 = ((FloatVector) w.lanewise(VectorOperators.LSHR, 8).add(1)
                    .convert(VectorOperators.I2F, 0)).mul(INV_2_24);
            IntVector bits = u1.reinterpretAsInts();
            IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(127);
            FloatVector m = bits.and(0x007FFFFF).or(0x3F800000).reinterpretAsFloats();
            VectorMask<Float> high = m.compare(VectorOperators.GT, SQRT2);
            m = m.blend(m.mul(0.5f), high);
            FloatVector s = m.sub(1f).div(m.add(1f));
            FloatVector z = s.mul(s);
            FloatVector p = z.fma(A11, A9);
            p = p.fma(z, FloatVector.broadcast(FS, A7));
            p = p.fma(z, FloatVector.broadcast(FS, A5));
            p = p.fma(z, FloatVector.broadcast(FS, A3));
            FloatVector lnm = s.mul(z).fma(p.mul(2f), s.mul(2f));
            // Masks stay in the float species (no mask casts, which the JIT does not always intrinsify);
            // e + 1 in float is exact for these small integers.
            FloatVector ef = ((FloatVector) e.convert(VectorOperators.I2F, 0)).add(1f, high);
            FloatVector ln = ef.mul(LN2_HI).add(ef.fma(FloatVector.broadcast(FS, LN2_LO), lnm));
            ln.mul(-2f).sqrt().intoArray(radii, v * lanes);
        }
    }

    /**
     * Lane-wise {@link #normal} for both branches at once: for each pair v of word vectors,
     * {@code out[2v·L + l] = r·cos θ} and {@code out[(2v + 1)·L + l] = r·sin θ}, with r from
     * {@code radii[v·L + l]} and θ from {@code words[(2v + 1)·L + l]}.
     *
     * @param words the words
     * @param radii the radii, from {@link #radii}
     * @param out receives the normals, word-major like the words
     * @param pairs pairs of word vectors
     */
    static void normals(int[] words, float[] radii, float[] out, int pairs) {
        int lanes = IS.length();
        for (int v = 0; v < pairs; v++) {
            IntVector k = IntVector.fromArray(IS, words, (2 * v + 1) * lanes).lanewise(VectorOperators.LSHR, 8);
            IntVector q = k.add(1 << 21).lanewise(VectorOperators.LSHR, 22);
            FloatVector a = ((FloatVector) k.sub(q.lanewise(VectorOperators.LSHL, 22))
                    .convert(VectorOperators.I2F, 0)).mul(PI_OVER_2_23);
            FloatVector z = a.mul(a);
            FloatVector ps = z.fma(S9, S7);
            ps = ps.fma(z, FloatVector.broadcast(FS, S5));
            ps = ps.fma(z, FloatVector.broadcast(FS, S3));
            FloatVector sin = a.mul(z).fma(ps, a);
            FloatVector pc = z.fma(C10, C8);
            pc = pc.fma(z, FloatVector.broadcast(FS, C6));
            pc = pc.fma(z, FloatVector.broadcast(FS, C4));
            pc = pc.fma(z, FloatVector.broadcast(FS, C2));
            FloatVector cos = z.fma(pc, FloatVector.broadcast(FS, 1f));
            // The quadrant picks the pair (an odd quadrant swaps sine and cosine) and their signs; a sign
            // flip is an exclusive-or of the sign bit, the same bits as multiplying by -1.
            VectorMask<Integer> swap = q.and(1).compare(VectorOperators.NE, 0);
            IntVector sinBits = sin.reinterpretAsInts(), cosBits = cos.reinterpretAsInts();
            IntVector sinSign = q.and(2).lanewise(VectorOperators.LSHL, 30);
            IntVector cosSign = q.add(1).and(2).lanewise(VectorOperators.LSHL, 30);
            FloatVector r = FloatVector.fromArray(FS, radii, v * lanes);
            r.mul(cosBits.blend(sinBits, swap).lanewise(VectorOperators.XOR, cosSign).reinterpretAsFloats())
                    .intoArray(out, 2 * v * lanes);
            r.mul(sinBits.blend(cosBits, swap).lanewise(VectorOperators.XOR, sinSign).reinterpretAsFloats())
                    .intoArray(out, (2 * v + 1) * lanes);
        }
    }
}
