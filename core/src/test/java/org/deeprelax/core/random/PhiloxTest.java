package org.deeprelax.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PhiloxTest {

    // ---------------------------------------------------------------- the bijection

    private static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] out = new int[4];
        Philox.block(c0, c1, c2, c3, k0, k1, out);
        return out;
    }

    /** Random123's published known-answer vectors for philox4x32 with 10 rounds (examples/kat_vectors). */
    @Test
    void knownAnswerZero() {
        assertArrayEquals(new int[] {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
                block(0, 0, 0, 0, 0, 0));
    }

    @Test
    void knownAnswerAllOnes() {
        assertArrayEquals(new int[] {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
                block(-1, -1, -1, -1, -1, -1));
    }

    @Test
    void knownAnswerPi() {
        assertArrayEquals(new int[] {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
                block(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0));
    }

    /**
     * An independent reference written with BigInteger arithmetic on non-negative values: products,
     * splits and key bumps all go through different code than the int/long tricks of the implementation.
     */
    private static BigInteger[] referenceBlock(BigInteger[] ctr, BigInteger[] key) {
        BigInteger two32 = BigInteger.ONE.shiftLeft(32);
        BigInteger m0 = new BigInteger("D2511F53", 16);
        BigInteger m1 = new BigInteger("CD9E8D57", 16);
        BigInteger w0 = new BigInteger("9E3779B9", 16);
        BigInteger w1 = new BigInteger("BB67AE85", 16);
        BigInteger[] c = ctr.clone();
        BigInteger k0 = key[0];
        BigInteger k1 = key[1];
        for (int round = 1; round <= 10; round++) {
            if (round >= 2) {
                k0 = k0.add(w0).mod(two32);
                k1 = k1.add(w1).mod(two32);
            }
            BigInteger[] qr0 = m0.multiply(c[0]).divideAndRemainder(two32);
            BigInteger[] qr1 = m1.multiply(c[2]).divideAndRemainder(two32);
            c = new BigInteger[] {qr1[0].xor(c[1]).xor(k0), qr1[1], qr0[0].xor(c[3]).xor(k1), qr0[1]};
        }
        return c;
    }

    private static BigInteger u32(int v) {
        return BigInteger.valueOf(Integer.toUnsignedLong(v));
    }

    @Test
    void referenceRoundsAgreeOnRandomInputs() {
        // The reference must itself reproduce a published vector, or agreement would prove nothing.
        BigInteger[] pi = referenceBlock(
                new BigInteger[] {u32(0x243f6a88), u32(0x85a308d3), u32(0x13198a2e), u32(0x03707344)},
                new BigInteger[] {u32(0xa4093822), u32(0x299f31d0)});
        assertEquals(u32(0xd16cfe09), pi[0]);
        assertEquals(u32(0x24126ea1), pi[3]);

        SplittableRandom rnd = new SplittableRandom(20110101);
        for (int t = 0; t < 2000; t++) {
            int[] c = {rnd.nextInt(), rnd.nextInt(), rnd.nextInt(), rnd.nextInt()};
            int[] k = {rnd.nextInt(), rnd.nextInt()};
            if (t < 16) {
                // Corners: words with the top bit set or clear, zero and all ones.
                c[t & 3] = (t & 4) == 0 ? -1 : 0;
                k[t & 1] = (t & 8) == 0 ? Integer.MIN_VALUE : 0;
            }
            BigInteger[] want = referenceBlock(new BigInteger[] {u32(c[0]), u32(c[1]), u32(c[2]), u32(c[3])},
                    new BigInteger[] {u32(k[0]), u32(k[1])});
            int[] got = block(c[0], c[1], c[2], c[3], k[0], k[1]);
            for (int lane = 0; lane < 4; lane++) {
                assertEquals(want[lane], u32(got[lane]), "case " + t + " lane " + lane);
            }
        }
    }

    // ---------------------------------------------------------------- addressing

    @Test
    void bitsAddressesLaneOfBlockWithLiteralSplit() {
        long seed = 0x0123_4567_89AB_CDEFL;
        long stream = 0xFEDC_BA98_7654_3210L;
        // Block counter 0x0000_0005_0000_0007, lanes 0..3.
        long base = 0x0000_0005_0000_0007L << 2;
        int[] want = block(0x0000_0007, 0x0000_0005, 0x7654_3210, 0xFEDC_BA98, 0x89AB_CDEF, 0x0123_4567);
        for (int lane = 0; lane < 4; lane++) {
            assertEquals(want[lane], Philox.bits(seed, stream, base + lane), "lane " + lane);
        }
    }

    @Test
    void bitsAddressingAtExtremes() {
        // Index 0: counter all zero; with seed 0 and stream 0 that is the first KAT vector.
        assertEquals(0x6627e8d5, Philox.bits(0, 0, 0));
        assertEquals(0x9b00dbd8, Philox.bits(0, 0, 3));
        // Seed -1 and stream -1 put all ones in the key and the upper counter.
        int[] ones = block(0, 0, -1, -1, -1, -1);
        assertEquals(ones[2], Philox.bits(-1L, -1L, 2));
        // The largest index: counter (0xFFFFFFFF, 0x1FFFFFFF), lane 3.
        int[] last = block(-1, 0x1FFF_FFFF, 0x2222_2222, 0x1111_1111, 0x4444_4444, 0x3333_3333);
        assertEquals(last[3], Philox.bits(0x3333_3333_4444_4444L, 0x1111_1111_2222_2222L, Long.MAX_VALUE));
        // Key and upper counter words taken from the Pi KAT; its c1 (0x85a308d3) has the top bit set,
        // which no index >= 0 reaches (c1 < 2^29), so use c1 = 0x05a308d3 and lane 1.
        long seed = 0x299f31d0_a4093822L;
        long stream = 0x03707344_13198a2eL;
        long index = (0x05a308d3_243f6a88L << 2) | 1;
        int[] w = block(0x243f6a88, 0x05a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0);
        assertEquals(w[1], Philox.bits(seed, stream, index));
    }

    @Test
    void bitsRandomAddressesMatchBlock() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int t = 0; t < 1000; t++) {
            long seed = rnd.nextLong();
            long stream = rnd.nextLong();
            long index = rnd.nextLong() >>> 1;
            long ctr = index / 4;
            int[] w = block((int) (ctr % (1L << 32)), (int) (ctr / (1L << 32)),
                    (int) (stream & 0xFFFFFFFFL), (int) (stream >> 32),
                    (int) (seed & 0xFFFFFFFFL), (int) (seed >> 32));
            assertEquals(w[(int) (index % 4)], Philox.bits(seed, stream, index));
        }
    }

    @Test
    void streamsAndSeedsDiffer() {
        assertNotEquals(Philox.bits(1, 0, 0), Philox.bits(1, 1, 0));
        assertNotEquals(Philox.bits(1, 0, 0), Philox.bits(1L << 32 | 1, 0, 0));
        assertNotEquals(Philox.bits(1, 0, 0), Philox.bits(1, 1L << 32, 0));
    }

    @Test
    void negativeIndexRejected() {
        assertThrows(IllegalArgumentException.class, () -> Philox.bits(0, 0, -1));
        assertThrows(IllegalArgumentException.class, () -> Philox.normal(0, 0, Long.MIN_VALUE));
        assertThrows(IllegalArgumentException.class, () -> Philox.fillBits(new int[4], 0, 4, 0, 0, -2));
        assertThrows(IllegalArgumentException.class,
                () -> Philox.fillUniform(new float[4], 0, 4, 0, 0, Long.MAX_VALUE - 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Philox.fillNormal(new float[4], 1, 4, 0, 0, 0));
        // The very last index is still usable.
        float[] one = new float[2];
        Philox.fillNormal(one, 0, 2, 0, 0, Long.MAX_VALUE - 1);
        assertEquals(Float.floatToRawIntBits(Philox.normal(0, 0, Long.MAX_VALUE)), Float.floatToRawIntBits(one[1]));
    }

    // ---------------------------------------------------------------- derived values

    @Test
    void uniformIsTopTwentyFourBits() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int t = 0; t < 1000; t++) {
            long seed = rnd.nextLong();
            long index = rnd.nextLong() >>> 1;
            long w = Integer.toUnsignedLong(Philox.bits(seed, 5, index));
            double want = (double) (w >> 8) / (1 << 24);
            assertEquals(want, Philox.uniform(seed, 5, index), 0.0);
        }
    }

    @Test
    void normalMatchesDoubleBoxMuller() {
        // The same formula in double precision, from the raw words: the float path must be within a
        // few float ulps, which is also the agreement promised to a CUDA kernel.
        SplittableRandom rnd = new SplittableRandom(11);
        for (int t = 0; t < 20000; t++) {
            long seed = rnd.nextLong();
            long stream = rnd.nextLong();
            long index = rnd.nextLong() >>> 1;
            long even = index & ~1L;
            double u1 = ((Integer.toUnsignedLong(Philox.bits(seed, stream, even)) >> 8) + 1) / 16777216.0;
            double u2 = (Integer.toUnsignedLong(Philox.bits(seed, stream, even + 1)) >> 8) / 16777216.0;
            double r = Math.sqrt(-2 * Math.log(u1));
            double want = (index & 1) == 0 ? r * Math.cos(2 * Math.PI * u2) : r * Math.sin(2 * Math.PI * u2);
            float got = Philox.normal(seed, stream, index);
            // Relative error of r and of the angle (2pi rounded to float costs ~1e-7 * theta absolute).
            double tol = 4 * Math.ulp((float) r) + r * 8e-7 + 4 * Math.ulp((float) Math.abs(want));
            assertEquals(want, got, tol, "index " + index);
        }
    }

    @Test
    void vectorisedFillsEqualTheScalarValuesInEveryJitTier() {
        // Long fills take the vectorised path (16 blocks at a time); aligned and unaligned starts, and a
        // start just below a carry into the high counter word, where the path must fall back. Repeated
        // so the JIT compiles both paths: compiled and interpreted results must agree bit for bit.
        long[] firsts = {0, 1, 6, 4L * ((1L << 32) - 20), 4L * ((1L << 32) - 20) + 3, 987_654_321L};
        float[] dst = new float[301];
        float[] uni = new float[301];
        for (int rep = 0; rep < 300; rep++) {
            for (long first : firsts) {
                Philox.fillNormal(dst, 0, dst.length, 5, 9, first);
                Philox.fillUniform(uni, 0, uni.length, 5, 9, first);
                if (rep % 100 == 0) {
                    for (int i = 0; i < dst.length; i++) {
                        assertEquals(Float.floatToRawIntBits(Philox.normal(5, 9, first + i)),
                                Float.floatToRawIntBits(dst[i]), "normal " + (first + i) + " at rep " + rep);
                        assertEquals(Philox.uniform(5, 9, first + i), uni[i], 0f, "uniform " + (first + i));
                    }
                }
            }
        }
    }

    @Test
    void normalExtremesAreFinite() {
        // u1 = 2^-24 (the largest radius) and u1 = 1 (radius zero) are both reachable; check the formula
        // directly on the words that produce them.
        float big = Philox.normalFromWords(0, 0, false);
        assertEquals(Math.sqrt(-2 * Math.log(0x1p-24)), big, 1e-5);
        assertEquals(0.0f, Philox.normalFromWords(-1, 12345, false), 0.0);
        assertEquals(0.0f, Philox.normalFromWords(-1, 12345, true), 0.0);
    }

    // ---------------------------------------------------------------- bulk fills

    private static final long[] FIRST = {0, 1, 2, 3, 5, 6, 7, 1_000_000_003L, 0x1_0000_0000L * 4 - 3,
        Long.MAX_VALUE - 40};
    private static final int[] OFF = {0, 1, 2, 3};
    private static final int[] LEN = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 31};

    @Test
    void fillsEqualScalar() {
        long seed = 0xDEAD_BEEF_0000_0001L;
        long stream = -3;
        for (long first : FIRST) {
            for (int off : OFF) {
                for (int len : LEN) {
                    int[] bits = new int[off + len + 2];
                    float[] uni = new float[off + len + 2];
                    float[] nor = new float[off + len + 2];
                    java.util.Arrays.fill(bits, 0x5A5A5A5A);
                    java.util.Arrays.fill(uni, -7f);
                    java.util.Arrays.fill(nor, -7f);
                    Philox.fillBits(bits, off, len, seed, stream, first);
                    Philox.fillUniform(uni, off, len, seed, stream, first);
                    Philox.fillNormal(nor, off, len, seed, stream, first);
                    String where = "first " + first + " off " + off + " len " + len;
                    for (int i = 0; i < bits.length; i++) {
                        boolean inside = i >= off && i < off + len;
                        long index = first + (i - off);
                        assertEquals(inside ? Philox.bits(seed, stream, index) : 0x5A5A5A5A, bits[i], where + " i " + i);
                        assertEquals(Float.floatToRawIntBits(inside ? Philox.uniform(seed, stream, index) : -7f),
                                Float.floatToRawIntBits(uni[i]), where + " i " + i);
                        assertEquals(Float.floatToRawIntBits(inside ? Philox.normal(seed, stream, index) : -7f),
                                Float.floatToRawIntBits(nor[i]), where + " i " + i);
                    }
                }
            }
        }
    }

    @Test
    void longFillEqualsScalar() {
        int n = 10_001;
        float[] nor = new float[n];
        Philox.fillNormal(nor, 0, n, 42, 9, 123_457);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(Philox.normal(42, 9, 123_457 + i)), Float.floatToRawIntBits(nor[i]));
        }
    }

    // ---------------------------------------------------------------- statistics

    @Test
    void uniformMoments() {
        int n = 1_000_000;
        float[] u = new float[n];
        Philox.fillUniform(u, 0, n, 2024, 1, 0);
        double sum = 0;
        for (float x : u) {
            assertTrue(x >= 0f && x < 1f, "uniform " + x + " out of [0, 1)");
            sum += x;
        }
        double mean = sum / n;
        double ss = 0;
        for (float x : u) {
            ss += (x - mean) * (x - mean);
        }
        double var = ss / (n - 1);
        // Standard errors: sqrt(1/12/n) = 2.9e-4 for the mean; sqrt((1/80 - 1/144)/n) = 7.5e-5 for the
        // variance. Five of each.
        assertEquals(0.5, mean, 5 * 2.9e-4);
        assertEquals(1.0 / 12, var, 5 * 7.5e-5);
    }

    @Test
    void normalMoments() {
        int n = 1_000_000;
        float[] z = new float[n];
        Philox.fillNormal(z, 0, n, 77, 0x1_0000_0002L, 3);
        double s1 = 0;
        for (float x : z) {
            assertTrue(Float.isFinite(x), "normal " + x);
            s1 += x;
        }
        double mean = s1 / n;
        double s2 = 0;
        double s4 = 0;
        for (float x : z) {
            double d = x - mean;
            s2 += d * d;
            s4 += d * d * d * d;
        }
        double var = s2 / n;
        double kurt = (s4 / n) / (var * var);
        // Standard errors: 1/sqrt(n) = 1e-3 (mean), sqrt(2/n) = 1.4e-3 (variance), sqrt(24/n) = 4.9e-3
        // (kurtosis). Five of each.
        assertEquals(0.0, mean, 5 * 1e-3);
        assertEquals(1.0, var, 5 * 1.4e-3);
        assertEquals(3.0, kurt, 5 * 4.9e-3);
        // Cosine and sine branches separately: a wrong pairing would skew one of them.
        double even = 0;
        double odd = 0;
        for (int i = 0; i < n; i += 2) {
            even += z[i] * (double) z[i];
            odd += z[i + 1] * (double) z[i + 1];
        }
        assertEquals(1.0, even / (n / 2), 5 * 2e-3);
        assertEquals(1.0, odd / (n / 2), 5 * 2e-3);
    }

    // ---------------------------------------------------------------- the sequential stream

    @Test
    void streamMatchesStatelessFunctions() {
        PhiloxStream s = new PhiloxStream(99, 4, 6);
        assertEquals(Philox.bits(99, 4, 6), s.nextInt());
        assertEquals(Philox.uniform(99, 4, 7), s.nextFloat());
        assertEquals(Philox.normal(99, 4, 8), s.nextNormal());
        assertEquals(Philox.normal(99, 4, 9), s.nextNormal());
        assertEquals(Philox.bits(99, 4, 10), s.nextInt());
        assertEquals(11, s.position());
        s.setPosition(3);
        assertEquals(Philox.bits(99, 4, 3), s.nextInt());
        assertEquals(99, s.seed());
        assertEquals(4, s.stream());
    }

    @Test
    void streamCheckpointRestores() {
        PhiloxStream a = new PhiloxStream(5, 6);
        for (int i = 0; i < 37; i++) {
            a.nextInt(1000);
            a.nextNormal();
        }
        long saved = a.position();
        int[] first = new int[200];
        for (int i = 0; i < first.length; i++) {
            first[i] = i % 3 == 0 ? a.nextInt() : i % 3 == 1 ? a.nextInt(17) : Float.floatToRawIntBits(a.nextNormal());
        }
        // Both restoring the same object and a fresh one must replay the sequence.
        PhiloxStream b = new PhiloxStream(5, 6);
        b.setPosition(saved);
        a.setPosition(saved);
        for (PhiloxStream s : new PhiloxStream[] {a, b}) {
            for (int i = 0; i < first.length; i++) {
                int v = i % 3 == 0 ? s.nextInt() : i % 3 == 1 ? s.nextInt(17) : Float.floatToRawIntBits(s.nextNormal());
                assertEquals(first[i], v, "draw " + i);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> b.setPosition(-1));
    }

    @Test
    void boundedIntInRangeAndUniform() {
        PhiloxStream s = new PhiloxStream(31337, 0);
        int n = 100_000;
        int[] counts = new int[10];
        for (int i = 0; i < n; i++) {
            int v = s.nextInt(10);
            assertTrue(v >= 0 && v < 10, "value " + v);
            counts[v]++;
        }
        // Chi-square with 9 degrees of freedom: the 0.999 quantile is 27.88.
        assertTrue(chiSquare(counts, n) < 27.88, "chi-square " + chiSquare(counts, n));
    }

    @Test
    void boundedIntUnbiasedForLargeBound() {
        // With bound = 1.5 * 2^30, plain "word mod bound" puts 3 words on each of the first 2^30 values
        // and 2 on the rest: the lower two thirds of the range get 75% of the draws. The deciles must
        // nevertheless be flat.
        int bound = (1 << 30) + (1 << 29);
        PhiloxStream s = new PhiloxStream(8, 8);
        int n = 100_000;
        int[] counts = new int[10];
        for (int i = 0; i < n; i++) {
            int v = s.nextInt(bound);
            assertTrue(v >= 0 && v < bound, "value " + v);
            counts[(int) ((long) v * 10 / bound)]++;
        }
        assertTrue(chiSquare(counts, n) < 27.88, "chi-square " + chiSquare(counts, n));
        // Multiply-shift without rejection would spread its bias evenly over the range, invisible to
        // deciles; the rejection rate shows it. A draw is redone when its word is among the
        // 2^32 mod bound = 2^30 words that would over-represent a result, i.e. with probability 1/4, so
        // the words consumed per draw are geometric with mean 4/3 and variance 4/9.
        double words = s.position();
        double sd = Math.sqrt(n * 4.0 / 9);
        assertEquals(n * 4.0 / 3, words, 5 * sd, "words consumed");
    }

    @Test
    void boundedIntEdgeCases() {
        PhiloxStream s = new PhiloxStream(1, 2);
        for (int i = 0; i < 100; i++) {
            assertEquals(0, s.nextInt(1));
            int v = s.nextInt(Integer.MAX_VALUE);
            assertTrue(v >= 0);
        }
        assertThrows(IllegalArgumentException.class, () -> s.nextInt(0));
        assertThrows(IllegalArgumentException.class, () -> s.nextInt(-5));
    }

    private static double chiSquare(int[] counts, int n) {
        double expected = (double) n / counts.length;
        double chi = 0;
        for (int c : counts) {
            chi += (c - expected) * (c - expected) / expected;
        }
        return chi;
    }
}
