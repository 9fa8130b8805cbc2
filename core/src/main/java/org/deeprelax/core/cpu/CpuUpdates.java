package org.deeprelax.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import org.deeprelax.core.LangevinStep;
import org.deeprelax.core.random.Philox;
import org.deeprelax.core.random.PhiloxVector;

/**
 * Fused optimizer updates over flat arenas. Each reads every operand once and writes every result once,
 * in one vectorised pass split across cores, so an update costs what its memory traffic costs: the
 * per-tensor loops of reference optimizers read and write the arena several times over.
 *
 * <p>The Langevin step needs a normal draw per parameter. It is made inside the pass, a chunk at a time into
 * a scratch in L1 ({@link PhiloxVector}), and consumed by {@link LangevinUpdate} while the next chunk
 * is drawn: the noise never exists as an arena-sized tensor, so it costs no memory traffic, only the
 * Philox arithmetic, which the out-of-order core overlaps with the streaming loads of the arenas.
 */
final class CpuUpdates {

    private CpuUpdates() {
    }

    static void sgd(float[] x, int xo, float[] g, int go, float[] v, int vo, int n, float lr, float momentum,
                    float weightDecay, boolean nesterov) {
        Parallel.forRange(n, CpuElementwise.GRAIN, (from, to) -> {
            var s = CpuElementwise.S;
            int i = from;
            for (int up = from + s.loopBound(to - from); i < up; i += s.length()) {
                FloatVector xv = FloatVector.fromArray(s, x, xo + i);
                FloatVector gv = FloatVector.fromArray(s, g, go + i).add(xv.mul(weightDecay));
                FloatVector d = gv;
                if (momentum != 0) {
                    FloatVector vv = FloatVector.fromArray(s, v, vo + i).mul(momentum).add(gv);
                    vv.intoArray(v, vo + i);
                    d = nesterov ? gv.add(vv.mul(momentum)) : vv;
                }
                xv.sub(d.mul(lr)).intoArray(x, xo + i);
            }
            for (; i < to; i++) {
                float gi = g[go + i] + weightDecay * x[xo + i];
                float d = gi;
                if (momentum != 0) {
                    float vi = momentum * v[vo + i] + gi;
                    v[vo + i] = vi;
                    d = nesterov ? gi + momentum * vi : vi;
                }
                x[xo + i] -= lr * d;
            }
        });
    }

    private static final ThreadLocal<float[]> NOISE = ThreadLocal.withInitial(() -> new float[PhiloxVector.CHUNK]);

    static void langevin(float[] y, int yo, float[] g, int go, float[] x, int xo, float[] m, int mo, float[] mu,
                         int muo, int n, LangevinStep st, long seed, long stream, long first) {
        LangevinUpdate update = new LangevinUpdate(y, yo, g, go, x, xo, m, mo, mu, muo, st);
        Parallel.forRange(n, CpuElementwise.GRAIN, (from, to) -> {
            int i = from;
            float[] noise = NOISE.get();
            if (!update.noisy()) {
                i = from + LangevinUpdate.S.loopBound(to - from);
                update.vectors(from, i, noise, 0);
                for (; i < to; i++) {
                    update.scalar(i, 0f);
                }
                return;
            }
            // Software-pipelined by one chunk: the update of chunk k (memory-bound) runs between the
            // Philox rounds and the Box-Muller of chunk k + 1 (compute-bound), so that its cache misses
            // are outstanding while that arithmetic executes. 'noise' holds chunk k's draws meanwhile.
            PhiloxVector draws = PhiloxVector.forThisThread();
            int pending = -1;
            while (i < to) {
                long index = first + i;
                int lane = (int) index & 3;
                if (to - i >= PhiloxVector.CHUNK && PhiloxVector.canStartAt(index)) {
                    draws.beginNormals(seed, stream, index);
                    if (pending >= 0) {
                        update.vectors(pending, pending + PhiloxVector.CHUNK, noise, 0);
                    }
                    draws.endNormals(noise, 0);
                    pending = i;
                    i += PhiloxVector.CHUNK;
                } else {
                    // A partial block at either end of the range, or blocks whose counter carries.
                    if (pending >= 0) {
                        update.vectors(pending, pending + PhiloxVector.CHUNK, noise, 0);
                        pending = -1;
                    }
                    int len = Math.min(to - i, lane != 0 ? 4 - lane : PhiloxVector.CHUNK);
                    Philox.fillNormal(noise, 0, len, seed, stream, index);
                    for (int k = 0; k < len; k++) {
                        update.scalar(i + k, noise[k]);
                    }
                    i += len;
                }
            }
            if (pending >= 0) {
                update.vectors(pending, pending + PhiloxVector.CHUNK, noise, 0);
            }
        });
    }

    static void entropyOuter(float[] x, int xo, float[] y, int yo, float[] mu, int muo, float[] m, int mo,
                             float[] big, int bo, int n, float lr, float rho, boolean nesterov, float wd,
                             boolean resetInner) {
        Parallel.forRange(n, CpuElementwise.GRAIN, (from, to) -> {
            VectorSpecies<Float> s = CpuElementwise.S;
            int i = from;
            for (int up = from + s.loopBound(to - from); i < up; i += s.length()) {
                FloatVector xv = FloatVector.fromArray(s, x, xo + i);
                FloatVector d = xv.sub(FloatVector.fromArray(s, mu, muo + i)).add(xv.mul(wd));
                if (rho != 0) {
                    FloatVector bv = FloatVector.fromArray(s, big, bo + i).mul(rho).add(d);
                    bv.intoArray(big, bo + i);
                    d = nesterov ? d.add(bv.mul(rho)) : bv;
                }
                xv = xv.sub(d.mul(lr));
                xv.intoArray(x, xo + i);
                xv.intoArray(y, yo + i);
                xv.intoArray(mu, muo + i);
            }
            for (; i < to; i++) {
                float xi = x[xo + i];
                float d = xi - mu[muo + i] + wd * xi;
                if (rho != 0) {
                    float bv = rho * big[bo + i] + d;
                    big[bo + i] = bv;
                    d = nesterov ? d + rho * bv : bv;
                }
                xi -= lr * d;
                x[xo + i] = xi;
                y[yo + i] = xi;
                mu[muo + i] = xi;
            }
            if (resetInner) {
                java.util.Arrays.fill(m, mo + from, mo + to, 0f);
            }
        });
    }

    static void fixedPoint(float[] w, int wo, float[] g, int go, float[] x, int xo, float[] p, int po, int n,
                           float a, float gamma, float wd) {
        float invGamma = 1f / gamma;
        Parallel.forRange(n, CpuElementwise.GRAIN, (from, to) -> {
            VectorSpecies<Float> s = CpuElementwise.S;
            int i = from;
            for (int up = from + s.loopBound(to - from); i < up; i += s.length()) {
                FloatVector wv = FloatVector.fromArray(s, w, wo + i);
                FloatVector gi = FloatVector.fromArray(s, g, go + i).add(wv.mul(wd));
                FloatVector pv = FloatVector.fromArray(s, p, po + i).mul(1 - a).add(gi.mul(a));
                pv.intoArray(p, po + i);
                FloatVector.fromArray(s, x, xo + i).sub(pv.mul(invGamma)).intoArray(w, wo + i);
            }
            for (; i < to; i++) {
                float pv = (1 - a) * p[po + i] + a * (g[go + i] + wd * w[wo + i]);
                p[po + i] = pv;
                w[wo + i] = x[xo + i] - pv * invGamma;
            }
        });
    }

    static void fixedPointOuter(float[] x, int xo, float[] p, int po, float[] big, int bo, float[] w, int wo, int n,
                                float lr, float rho, boolean nesterov) {
        Parallel.forRange(n, CpuElementwise.GRAIN, (from, to) -> {
            VectorSpecies<Float> s = CpuElementwise.S;
            int i = from;
            for (int up = from + s.loopBound(to - from); i < up; i += s.length()) {
                FloatVector d = FloatVector.fromArray(s, p, po + i);
                if (rho != 0) {
                    FloatVector bv = FloatVector.fromArray(s, big, bo + i).mul(rho).add(d);
                    bv.intoArray(big, bo + i);
                    d = nesterov ? d.add(bv.mul(rho)) : bv;
                }
                FloatVector xv = FloatVector.fromArray(s, x, xo + i).sub(d.mul(lr));
                xv.intoArray(x, xo + i);
                xv.intoArray(w, wo + i);
            }
            for (; i < to; i++) {
                float d = p[po + i];
                if (rho != 0) {
                    float bv = rho * big[bo + i] + d;
                    big[bo + i] = bv;
                    d = nesterov ? d + rho * bv : bv;
                }
                float xi = x[xo + i] - lr * d;
                x[xo + i] = xi;
                w[wo + i] = xi;
            }
        });
    }
}
