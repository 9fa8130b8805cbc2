package org.deeprelax.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register-blocked micro-kernels of {@link Sgemm}: one MR×NR tile of C from a packed MR×kc
 * micro-panel of A and a packed kc×NR micro-panel of B (layouts in {@link SgemmPack}).
 *
 * <p>Each step p broadcasts the MR values A(·, p) and multiplies them into the NV vectors of
 * B(p, ·), adding into MR·NV accumulators that live in vector registers for the whole loop. On
 * AVX-512 (32 registers of 16 floats) the tile is 12×32: 24 accumulators, 2 B vectors and the
 * broadcasts fit in the register file, C2 emits each broadcast as a load ({@code vbroadcastss
 * zmm, [mem]}) so the FMA ports do nothing else, and 14 loads feed 24 FMAs. 8×48 and 14×32 were
 * measured slower: C2 spills one accumulator to the stack. With fewer or narrower registers
 * (AVX2: 16 registers of 8 floats) the tile is 4×2 vectors, 8 accumulators: the textbook 6×2 (12
 * accumulators) left C2 one register short, since it schedules three broadcasts ahead, and it kept
 * an accumulator on the stack (a load and a store every step); alone in L1 on an AVX2 machine (Zen)
 * the 6×2 kernel ran at 31–32 GFLOP/s and the 4×2 at 35–37, of a 40 GFLOP/s peak.
 *
 * <p>The loop body is unrolled by a generator ({@code core/tools/gen_sgemm_kernel.py}); edit that
 * and regenerate rather than this file. Each method must stay small enough for C2 to inline every
 * vector operation in it: a first version that had three epilogues (beta 0, 1 and other) in one
 * method ran past C2's inlining budget, some vector intrinsics were left as calls, and each of those
 * operations then allocated a boxed vector, about a hundred times slower. Hence no beta branch here:
 * {@code store} writes the tile, {@code add} adds it to C, and the driver applies beta beforehand.
 * The kernels are also too big to be inlined into their callers, which keeps it that way.
 */
final class SgemmKernel {

    /** The vector species of the kernels: the widest this CPU runs natively. */
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per vector. */
    static final int L = S.length();
    /** Whether the 12-row tile is used (32 vector registers of 512 bits), else the 6-row one. */
    static final boolean WIDE = S.vectorBitSize() >= 512;
    /** Rows of a tile. */
    static final int MR = WIDE ? 12 : 4;
    /** Columns of a tile: two vectors. */
    static final int NR = 2 * L;

    private SgemmKernel() {
    }

    /**
     * C tile = Ap·Bp, ignoring C's old contents.
     *
     * @param kc the depth of the panels
     * @param ap the packed A micro-panel, at {@code ai}
     * @param bp the packed B micro-panel, at {@code bi}
     * @param c C's storage; the tile's first element is at {@code ci}, its rows {@code ldc} apart
     */
    static void store(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc) {
        if (WIDE) {
            storeWide(kc, ap, ai, bp, bi, c, ci, ldc);
        } else {
            storeNarrow(kc, ap, ai, bp, bi, c, ci, ldc);
        }
    }

    /**
     * C tile += Ap·Bp; the arguments are those of {@link #store}.
     */
    static void add(int kc, float[] ap, int ai, float[] bp, int bi, float[] c, int ci, int ldc) {
        if (WIDE) {
            addWide(kc, ap, ai, bp, bi, c, ci, ldc);
        } else {
            addNarrow(kc, ap, ai, bp, bi, c, ci, ldc);
        }
    }

    private static void storeWide(int kc, float[] ap, int ai, float[] bp, int bi,
            float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bq = bi + p * 2 * L;
            int aq = ai + p * 12;
            FloatVector b0 = FloatVector.fromArray(S, bp, bq + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[aq + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[aq + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[aq + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[aq + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[aq + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[aq + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[aq + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[aq + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            FloatVector a8 = FloatVector.broadcast(S, ap[aq + 8]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(S, ap[aq + 9]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(S, ap[aq + 10]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(S, ap[aq + 11]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
        }
        int r0 = ci;
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + 1 * L);
        int r1 = ci + 1 * ldc;
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + 1 * L);
        int r2 = ci + 2 * ldc;
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + 1 * L);
        int r3 = ci + 3 * ldc;
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + 1 * L);
        int r4 = ci + 4 * ldc;
        c40.intoArray(c, r4);
        c41.intoArray(c, r4 + 1 * L);
        int r5 = ci + 5 * ldc;
        c50.intoArray(c, r5);
        c51.intoArray(c, r5 + 1 * L);
        int r6 = ci + 6 * ldc;
        c60.intoArray(c, r6);
        c61.intoArray(c, r6 + 1 * L);
        int r7 = ci + 7 * ldc;
        c70.intoArray(c, r7);
        c71.intoArray(c, r7 + 1 * L);
        int r8 = ci + 8 * ldc;
        c80.intoArray(c, r8);
        c81.intoArray(c, r8 + 1 * L);
        int r9 = ci + 9 * ldc;
        c90.intoArray(c, r9);
        c91.intoArray(c, r9 + 1 * L);
        int r10 = ci + 10 * ldc;
        c100.intoArray(c, r10);
        c101.intoArray(c, r10 + 1 * L);
        int r11 = ci + 11 * ldc;
        c110.intoArray(c, r11);
        c111.intoArray(c, r11 + 1 * L);
    }

    private static void addWide(int kc, float[] ap, int ai, float[] bp, int bi,
            float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bq = bi + p * 2 * L;
            int aq = ai + p * 12;
            FloatVector b0 = FloatVector.fromArray(S, bp, bq + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[aq + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[aq + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[aq + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[aq + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, ap[aq + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, ap[aq + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, ap[aq + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, ap[aq + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
            FloatVector a8 = FloatVector.broadcast(S, ap[aq + 8]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(S, ap[aq + 9]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(S, ap[aq + 10]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(S, ap[aq + 11]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
        }
        int r0 = ci;
        c00.add(FloatVector.fromArray(S, c, r0)).intoArray(c, r0);
        c01.add(FloatVector.fromArray(S, c, r0 + 1 * L)).intoArray(c, r0 + 1 * L);
        int r1 = ci + 1 * ldc;
        c10.add(FloatVector.fromArray(S, c, r1)).intoArray(c, r1);
        c11.add(FloatVector.fromArray(S, c, r1 + 1 * L)).intoArray(c, r1 + 1 * L);
        int r2 = ci + 2 * ldc;
        c20.add(FloatVector.fromArray(S, c, r2)).intoArray(c, r2);
        c21.add(FloatVector.fromArray(S, c, r2 + 1 * L)).intoArray(c, r2 + 1 * L);
        int r3 = ci + 3 * ldc;
        c30.add(FloatVector.fromArray(S, c, r3)).intoArray(c, r3);
        c31.add(FloatVector.fromArray(S, c, r3 + 1 * L)).intoArray(c, r3 + 1 * L);
        int r4 = ci + 4 * ldc;
        c40.add(FloatVector.fromArray(S, c, r4)).intoArray(c, r4);
        c41.add(FloatVector.fromArray(S, c, r4 + 1 * L)).intoArray(c, r4 + 1 * L);
        int r5 = ci + 5 * ldc;
        c50.add(FloatVector.fromArray(S, c, r5)).intoArray(c, r5);
        c51.add(FloatVector.fromArray(S, c, r5 + 1 * L)).intoArray(c, r5 + 1 * L);
        int r6 = ci + 6 * ldc;
        c60.add(FloatVector.fromArray(S, c, r6)).intoArray(c, r6);
        c61.add(FloatVector.fromArray(S, c, r6 + 1 * L)).intoArray(c, r6 + 1 * L);
        int r7 = ci + 7 * ldc;
        c70.add(FloatVector.fromArray(S, c, r7)).intoArray(c, r7);
        c71.add(FloatVector.fromArray(S, c, r7 + 1 * L)).intoArray(c, r7 + 1 * L);
        int r8 = ci + 8 * ldc;
        c80.add(FloatVector.fromArray(S, c, r8)).intoArray(c, r8);
        c81.add(FloatVector.fromArray(S, c, r8 + 1 * L)).intoArray(c, r8 + 1 * L);
        int r9 = ci + 9 * ldc;
        c90.add(FloatVector.fromArray(S, c, r9)).intoArray(c, r9);
        c91.add(FloatVector.fromArray(S, c, r9 + 1 * L)).intoArray(c, r9 + 1 * L);
        int r10 = ci + 10 * ldc;
        c100.add(FloatVector.fromArray(S, c, r10)).intoArray(c, r10);
        c101.add(FloatVector.fromArray(S, c, r10 + 1 * L)).intoArray(c, r10 + 1 * L);
        int r11 = ci + 11 * ldc;
        c110.add(FloatVector.fromArray(S, c, r11)).intoArray(c, r11);
        c111.add(FloatVector.fromArray(S, c, r11 + 1 * L)).intoArray(c, r11 + 1 * L);
    }

    private static void storeNarrow(int kc, float[] ap, int ai, float[] bp, int bi,
            float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bq = bi + p * 2 * L;
            int aq = ai + p * 4;
            FloatVector b0 = FloatVector.fromArray(S, bp, bq + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[aq + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[aq + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[aq + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[aq + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        int r0 = ci;
        c00.intoArray(c, r0);
        c01.intoArray(c, r0 + 1 * L);
        int r1 = ci + 1 * ldc;
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + 1 * L);
        int r2 = ci + 2 * ldc;
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + 1 * L);
        int r3 = ci + 3 * ldc;
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + 1 * L);
    }

    private static void addNarrow(int kc, float[] ap, int ai, float[] bp, int bi,
            float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bq = bi + p * 2 * L;
            int aq = ai + p * 4;
            FloatVector b0 = FloatVector.fromArray(S, bp, bq + 0 * L);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + 1 * L);
            FloatVector a0 = FloatVector.broadcast(S, ap[aq + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, ap[aq + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, ap[aq + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, ap[aq + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        int r0 = ci;
        c00.add(FloatVector.fromArray(S, c, r0)).intoArray(c, r0);
        c01.add(FloatVector.fromArray(S, c, r0 + 1 * L)).intoArray(c, r0 + 1 * L);
        int r1 = ci + 1 * ldc;
        c10.add(FloatVector.fromArray(S, c, r1)).intoArray(c, r1);
        c11.add(FloatVector.fromArray(S, c, r1 + 1 * L)).intoArray(c, r1 + 1 * L);
        int r2 = ci + 2 * ldc;
        c20.add(FloatVector.fromArray(S, c, r2)).intoArray(c, r2);
        c21.add(FloatVector.fromArray(S, c, r2 + 1 * L)).intoArray(c, r2 + 1 * L);
        int r3 = ci + 3 * ldc;
        c30.add(FloatVector.fromArray(S, c, r3)).intoArray(c, r3);
        c31.add(FloatVector.fromArray(S, c, r3 + 1 * L)).intoArray(c, r3 + 1 * L);
    }
}
