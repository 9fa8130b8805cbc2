package org.deeprelax.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeprelax.core.Backend;
import org.deeprelax.core.FusedUpdatesContractTest;
import org.deeprelax.core.Shape;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.random.Philox;
import org.deeprelax.core.update.AdamStep;
import org.deeprelax.core.update.LangevinStep;
import org.deeprelax.core.update.SgdStep;
import org.junit.jupiter.api.Test;

/** The fused-update contract on the CPU backend, and what only the CPU promises. */
class CpuFusedUpdatesTest extends FusedUpdatesContractTest {

    @Override
    protected Backend backend() {
        return CpuBackend.get();
    }

    /**
     * The Langevin step draws its noise 64 normals at a time in vector registers where the indices are
     * block-aligned and one element at a time elsewhere (range edges, thread splits, a carry into the
     * counter's high word). Whichever path a parameter takes, its update must be the same floats as the
     * scalar definition in float arithmetic, in every JIT tier, so that runs do not depend on where the
     * chunks fall.
     */
    @Test
    void langevinStepIsTheSameFloatsWhereverTheVectorChunksFall() {
        long seed = 3, stream = 8;
        long[] firsts = {0, 1, 3, 987_654_321L, 4L * ((1L << 32) - 20) + 1};
        int[] sizes = {1, 5, 63, 64, 67, 200, 40_003};
        for (LangevinStep.MomentumPlacement placement : LangevinStep.MomentumPlacement.values()) {
            LangevinStep st = new LangevinStep(0.1f, 0.03f, 0.2f, 0.25f, 0.9f, true, 1e-3f, placement);
            for (int rep = 0; rep < 40; rep++) {
                for (long first : firsts) {
                    for (int n : sizes) {
                        float[][] before = new float[5][];
                        for (int a = 0; a < 5; a++) {
                            before[a] = new float[n];
                            Philox.fillNormal(before[a], 0, n, 100 + a, rep, 0);
                        }
                        Tensor y = Tensor.of(backend(), before[0].clone(), Shape.of(n));
                        Tensor g = Tensor.of(backend(), before[1].clone(), Shape.of(n));
                        Tensor x = Tensor.of(backend(), before[2].clone(), Shape.of(n));
                        Tensor m = Tensor.of(backend(), before[3].clone(), Shape.of(n));
                        Tensor mu = Tensor.of(backend(), before[4].clone(), Shape.of(n));
                        backend().updates().langevin(st, y, g, x, m, mu, seed, stream, first);
                        if (rep % 13 != 0) {
                            continue;
                        }
                        float[] ys = y.toArray(), ms = m.toArray(), mus = mu.toArray();
                        for (int i = 0; i < n; i++) {
                            float yi = before[0][i];
                            float gi = before[1][i] + st.weightDecay() * yi;
                            float extra = st.gamma() * (yi - before[2][i])
                                    + st.noiseScale() * Philox.normal(seed, stream, first + i);
                            float h = placement == LangevinStep.MomentumPlacement.ALL ? gi + extra : gi;
                            float mv = st.momentum() * before[3][i] + h;
                            float d = h + st.momentum() * mv;
                            if (placement == LangevinStep.MomentumPlacement.GRADIENT) {
                                d += extra;
                            }
                            yi -= st.innerLr() * d;
                            float mui = (1 - st.alpha()) * before[4][i] + st.alpha() * yi;
                            String where = placement + " first " + first + " n " + n + " i " + i + " rep " + rep;
                            assertEquals(Float.floatToRawIntBits(yi), Float.floatToRawIntBits(ys[i]), "y " + where);
                            assertEquals(Float.floatToRawIntBits(mv), Float.floatToRawIntBits(ms[i]), "m " + where);
                            assertEquals(Float.floatToRawIntBits(mui), Float.floatToRawIntBits(mus[i]), "mu " + where);
                        }
                    }
                }
            }
        }
    }

    /**
     * Parameter groups split the arena at arbitrary offsets, so an element may fall in a vector loop in one
     * run and in a scalar tail in another: SGD and Adam must give it the same floats either way.
     */
    @Test
    void sgdAndAdamAreTheSameFloatsWhereverTheGroupsSplitTheArena() {
        int n = 203;
        int[] cuts = {0, 3, 70, 71, 150, n};
        for (int variant = 0; variant < 3; variant++) {
            float[][] init = new float[4][n];
            for (int a = 0; a < 4; a++) {
                Philox.fillNormal(init[a], 0, n, 40 + a, variant, 0);
            }
            float[][] whole = run(variant, init, new int[] {0, n});
            float[][] pieces = run(variant, init, cuts);
            for (int a = 0; a < 4; a++) {
                for (int i = 0; i < n; i++) {
                    assertEquals(Float.floatToRawIntBits(whole[a][i]), Float.floatToRawIntBits(pieces[a][i]),
                            "variant " + variant + " operand " + a + " element " + i);
                }
            }
        }
    }

    private float[][] run(int variant, float[][] init, int[] cuts) {
        Tensor[] t = new Tensor[4];
        for (int a = 0; a < 4; a++) {
            t[a] = Tensor.of(backend(), init[a].clone(), Shape.of(init[a].length));
        }
        for (int c = 0; c + 1 < cuts.length; c++) {
            Shape s = Shape.of(cuts[c + 1] - cuts[c]);
            Tensor x = t[0].region(cuts[c], s), g = t[1].region(cuts[c], s), m = t[2].region(cuts[c], s);
            Tensor v = t[3].region(cuts[c], s);
            switch (variant) {
                case 0 -> backend().updates().sgd(new SgdStep(0.1f, 0.9f, true, 1e-3f), x, g, m, x);
                case 1 -> backend().updates().adam(new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, true, 3), x, g, m,
                        absolute(v));
                default -> backend().updates().adam(new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, false, 1), x, g, m,
                        absolute(v));
            }
        }
        float[][] out = new float[4][];
        for (int a = 0; a < 4; a++) {
            out[a] = t[a].toArray();
        }
        return out;
    }

    /** A second moment is never negative: make the random start a valid one. */
    private static Tensor absolute(Tensor v) {
        float[] d = v.toArray();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.abs(d[i]);
        }
        v.backend().write(d, 0, v);
        return v;
    }
}
