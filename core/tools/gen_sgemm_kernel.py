#!/usr/bin/env python3
"""Writes core/src/main/java/org/deeprelax/core/cpu/SgemmKernel.java.

The micro-kernels are fully unrolled by hand so that C2 keeps every accumulator in a vector
register; writing them out by hand is error-prone, so this script does it. Run it from the
repository root after changing a shape:

    python3 core/tools/gen_sgemm_kernel.py > core/src/main/java/org/deeprelax/core/cpu/SgemmKernel.java
"""

SHAPES = [("Wide", 12, 2), ("Narrow", 4, 2)]  # (name, rows MR, vectors per row NV)

HEADER = '''package org.deeprelax.core.cpu;

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
'''


def kernel(name, mr, nv, add):
    acc = [[f"c{r}{v}" for v in range(nv)] for r in range(mr)]
    out = []
    verb = "add" if add else "store"
    out.append("")
    out.append(f"    private static void {verb}{name}(int kc, float[] ap, int ai, float[] bp, int bi,")
    out.append(f"            float[] c, int ci, int ldc) {{")
    for r in range(mr):
        out.append("        FloatVector " + ", ".join(f"{a} = FloatVector.zero(S)" for a in acc[r]) + ";")
    out.append("        for (int p = 0; p < kc; p++) {")
    out.append(f"            int bq = bi + p * {nv} * L;")
    out.append(f"            int aq = ai + p * {mr};")
    for v in range(nv):
        out.append(f"            FloatVector b{v} = FloatVector.fromArray(S, bp, bq + {v} * L);")
    for r in range(mr):
        out.append(f"            FloatVector a{r} = FloatVector.broadcast(S, ap[aq + {r}]);")
        for v in range(nv):
            out.append(f"            {acc[r][v]} = a{r}.fma(b{v}, {acc[r][v]});")
    out.append("        }")
    for r in range(mr):
        out.append(f"        int r{r} = ci + {r} * ldc;" if r else f"        int r{r} = ci;")
        for v in range(nv):
            at = f"r{r} + {v} * L" if v else f"r{r}"
            if add:
                out.append(f"        {acc[r][v]}.add(FloatVector.fromArray(S, c, {at})).intoArray(c, {at});")
            else:
                out.append(f"        {acc[r][v]}.intoArray(c, {at});")
    out.append("    }")
    return out


def main():
    lines = [HEADER.rstrip("\n")]
    for name, mr, nv in SHAPES:
        lines += kernel(name, mr, nv, False)
        lines += kernel(name, mr, nv, True)
    lines.append("}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
