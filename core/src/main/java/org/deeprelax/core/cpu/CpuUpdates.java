package org.deeprelax.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import org.deeprelax.core.LangevinStep;
import org.deeprelax.core.random.Philox;

/**
 * Fused optimizer updates over flat arenas. Each reads every operand once and writes every result once,
 * in one vectorised pass split across cores, so an update costs what its memory traffic costs: the
 * per-tensor loops of reference optimizers read and write the arena several times over.
 *
 * <p>The Langevin step needs a normal draw per parameter. It is made inside the pass, block by block,
 * into a per-thread scratch of {@link #BLOCK} floats that stays in L1: the noise never exists as an
 * arena-sized tensor, so it costs no memory traffic, only the Philox arithmetic.
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

    static final int BLOCK = 2048;
    private static final ThreadLocal<float[]> NOISE = ThreadLocal.withInitial(() -> new float[BLOCK]);

    static void langevin(float[] y, int yo, float[] g, int go, float[] x, int xo, float[] m, int mo, float[] mu,
                         int muo, int n, LangevinStep st, long seed, long stream, long first) {
        boolean noisy = st.noiseScale() != 0;
        boolean hasMomentum = st.momentum() != 0;
        boolean all = st.placement() == LangevinStep.MomentumPlacement.ALL;
        float lr = st.innerLr(), gamma = st.gamma(), ns = st.noiseScale(), alpha = st.alpha();
        float rho = st.momentum(), wd = st.weightDecay();
        boolean nesterov = st.nesterov();
        Parallel.forRange(n, CpuElementwise.GRAIN, (from, to) -> {
            VectorSpecies<Float> s = CpuElementwise.S;
            float[] noise = NOISE.get();
            for (int b = from; b < to; b += BLOCK) {
                int end = Math.min(to, b + BLOCK);
                if (noisy) {
                    Philox.fillNormal(noise, 0, end - b, seed, stream, first + b);
                }
                int i = b;
                for (int up = b + s.loopBound(end - b); i < up; i += s.length()) {
                    FloatVector yv = FloatVector.fromArray(s, y, yo + i);
                    FloatVector gi = FloatVector.fromArray(s, g, go + i).add(yv.mul(wd));
                    FloatVector extra = yv.sub(FloatVector.fromArray(s, x, xo + i)).mul(gamma);
                    if (noisy) {
                        extra = extra.add(FloatVector.fromArray(s, noise, i - b).mul(ns));
                    }
                    FloatVector d;
                    if (!hasMomentum) {
                        d = gi.add(extra);
                    } else {
                        FloatVector h = all ? gi.add(extra) : gi;
                        FloatVector mv = FloatVector.fromArray(s, m, mo + i).mul(rho).add(h);
                        mv.intoArray(m, mo + i);
                        d = nesterov ? h.add(mv.mul(rho)) : mv;
                        if (!all) {
                            d = d.add(extra);
                        }
                    }
                    yv = yv.sub(d.mul(lr));
                    yv.intoArray(y, yo + i);
                    FloatVector.fromArray(s, mu, muo + i).mul(1 - alpha).add(yv.mul(alpha)).intoArray(mu, muo + i);
                }
                for (; i < end; i++) {
                    float yi = y[yo + i];
                    float gv = g[go + i] + wd * yi;
                    float extra = gamma * (yi - x[xo + i]);
                    if (noisy) {
                        extra += ns * noise[i - b];
                    }
                    float d;
                    if (!hasMomentum) {
                        d = gv + extra;
                    } else {
                        float h = all ? gv + extra : gv;
                        float mv = rho * m[mo + i] + h;
                        m[mo + i] = mv;
                        d = nesterov ? h + rho * mv : mv;
                        if (!all) {
                            d += extra;
                        }
                    }
                    yi -= lr * d;
                    y[yo + i] = yi;
                    mu[muo + i] = (1 - alpha) * mu[muo + i] + alpha * yi;
                }
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
