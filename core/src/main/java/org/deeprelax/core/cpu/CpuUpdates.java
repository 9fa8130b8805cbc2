package org.deeprelax.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import org.deeprelax.core.random.Philox;
import org.deeprelax.core.random.PhiloxVector;
import org.deeprelax.core.update.AdamStep;
import org.deeprelax.core.update.EntropyOuterStep;
import org.deeprelax.core.update.FixedPointOuterStep;
import org.deeprelax.core.update.FixedPointStep;
import org.deeprelax.core.update.LangevinStep;
import org.deeprelax.core.update.ParleInnerStep;
import org.deeprelax.core.update.ParleOuterStep;
import org.deeprelax.core.update.SamAscent;
import org.deeprelax.core.update.SgdStep;

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

    static void sgd(float[] from, int fo, float[] g, int go, float[] v, int vo, float[] x, int xo, int n, SgdStep st) {
        float lr = st.lr(), momentum = st.momentum(), weightDecay = st.weightDecay();
        boolean nesterov = st.nesterov();
        Parallel.forRange(n, CpuElementwise.GRAIN, (lo, hi) -> {
            var s = CpuElementwise.S;
            int i = lo;
            for (int up = lo + s.loopBound(hi - lo); i < up; i += s.length()) {
                FloatVector xv = FloatVector.fromArray(s, from, fo + i);
                FloatVector gv = FloatVector.fromArray(s, g, go + i).add(xv.mul(weightDecay));
                FloatVector d = gv;
                if (momentum != 0) {
                    FloatVector vv = FloatVector.fromArray(s, v, vo + i).mul(momentum).add(gv);
                    vv.intoArray(v, vo + i);
                    d = nesterov ? gv.add(vv.mul(momentum)) : vv;
                }
                xv.sub(d.mul(lr)).intoArray(x, xo + i);
            }
            for (; i < hi; i++) {
                float xi = from[fo + i];
                float gi = g[go + i] + weightDecay * xi;
                float d = gi;
                if (momentum != 0) {
                    float vi = momentum * v[vo + i] + gi;
                    v[vo + i] = vi;
                    d = nesterov ? gi + momentum * vi : vi;
                }
                x[xo + i] = xi - lr * d;
            }
        });
    }

    /** Adam and AdamW as {@link AdamStep} defines them; the vector and scalar loops use the same operation order. */
    static void adam(float[] x, int xo, float[] g, int go, float[] m, int mo, float[] v, int vo, int n, AdamStep st) {
        float beta1 = st.beta1(), beta2 = st.beta2(), eps = st.eps();
        float wd = st.decoupled() ? 0f : st.weightDecay();
        float decay = st.decay(), stepSize = st.stepSize(), bc2 = st.biasCorrection2Sqrt();
        float oneMinusBeta1 = 1f - beta1, oneMinusBeta2 = 1f - beta2;
        Parallel.forRange(n, CpuElementwise.GRAIN, (lo, hi) -> {
            var s = CpuElementwise.S;
            int i = lo;
            for (int up = lo + s.loopBound(hi - lo); i < up; i += s.length()) {
                FloatVector xv = FloatVector.fromArray(s, x, xo + i).mul(decay);
                FloatVector gv = FloatVector.fromArray(s, g, go + i).add(xv.mul(wd));
                FloatVector mv = FloatVector.fromArray(s, m, mo + i).mul(beta1).add(gv.mul(oneMinusBeta1));
                FloatVector vv = FloatVector.fromArray(s, v, vo + i).mul(beta2).add(gv.mul(gv).mul(oneMinusBeta2));
                mv.intoArray(m, mo + i);
                vv.intoArray(v, vo + i);
                FloatVector denom = vv.sqrt().div(bc2).add(eps);
                xv.sub(mv.mul(stepSize).div(denom)).intoArray(x, xo + i);
            }
            for (; i < hi; i++) {
                float xi = x[xo + i] * decay;
                float gi = g[go + i] + xi * wd;
                float mi = m[mo + i] * beta1 + gi * oneMinusBeta1;
                float vi = v[vo + i] * beta2 + gi * gi * oneMinusBeta2;
                m[mo + i] = mi;
                v[vo + i] = vi;
                float denom = (float) Math.sqrt(vi) / bc2 + eps;
                x[xo + i] = xi - mi * stepSize / denom;
            }
        });
    }

    /**
     * SAM's ascent as {@link SamAscent} defines it: ‖T·g‖² in double over fixed blocks (so the sum does not
     * depend on the thread split), then one pass writing the anchor and the perturbed point.
     */
    static void samAscent(float[] w, int wo, float[] g, int go, float[] anchor, int ao, int n, SamAscent st) {
        boolean adaptive = st.adaptive();
        float eta = st.eta();
        var s = CpuElementwise.S;
        double squares = CpuReduce.chunked(n, (lo, hi) -> {
            FloatVector acc = FloatVector.zero(s);
            int i = lo;
            for (int up = lo + s.loopBound(hi - lo); i < up; i += s.length()) {
                FloatVector tg = FloatVector.fromArray(s, g, go + i);
                if (adaptive) {
                    tg = tg.mul(FloatVector.fromArray(s, w, wo + i).abs().add(eta));
                }
                acc = tg.fma(tg, acc);
            }
            double sum = CpuReduce.laneSum(acc);
            for (; i < hi; i++) {
                float tg = adaptive ? (Math.abs(w[wo + i]) + eta) * g[go + i] : g[go + i];
                sum += (double) tg * tg;
            }
            return sum;
        });
        float scale = st.scale(squares);
        Parallel.forRange(n, CpuElementwise.GRAIN, (lo, hi) -> {
            int i = lo;
            for (int up = lo + s.loopBound(hi - lo); i < up; i += s.length()) {
                FloatVector wv = FloatVector.fromArray(s, w, wo + i);
                FloatVector e = FloatVector.fromArray(s, g, go + i).mul(scale);
                if (adaptive) {
                    FloatVector t = wv.abs().add(eta);
                    e = e.mul(t.mul(t));
                }
                wv.intoArray(anchor, ao + i);
                wv.add(e).intoArray(w, wo + i);
            }
            for (; i < hi; i++) {
                float wi = w[wo + i];
                float e = g[go + i] * scale;
                if (adaptive) {
                    float t = Math.abs(wi) + eta;
                    e = e * (t * t);
                }
                anchor[ao + i] = wi;
                w[wo + i] = wi + e;
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
                             float[] big, int bo, int n, EntropyOuterStep st) {
        float lr = st.lr(), rho = st.momentum(), wd = st.weightDecay();
        boolean nesterov = st.nesterov(), resetInner = st.resetInnerMomentum();
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
                           FixedPointStep st) {
        float a = st.damping(), wd = st.weightDecay();
        float invGamma = 1f / st.gamma();
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
                                FixedPointOuterStep st) {
        float lr = st.lr(), rho = st.momentum();
        boolean nesterov = st.nesterov();
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

    /** A Parle replica's inner step as {@link ParleInnerStep} defines it; the vector and scalar loops use the same operation order. */
    static void parleInner(float[] y, int yo, float[] g, int go, float[] x, int xo, float[] c, int co, float[] mu,
                           int muo, int n, ParleInnerStep st) {
        float lr = st.innerLr(), gamma = st.gamma(), rho = st.momentum(), look = st.lookahead(), wd = st.weightDecay();
        float beta = st.averaging(), oneMinusBeta = 1f - beta;
        boolean nesterov = st.nesterov();
        Parallel.forRange(n, CpuElementwise.GRAIN, (from, to) -> {
            VectorSpecies<Float> s = CpuElementwise.S;
            int i = from;
            for (int up = from + s.loopBound(to - from); i < up; i += s.length()) {
                FloatVector yv = FloatVector.fromArray(s, y, yo + i);
                FloatVector d = FloatVector.fromArray(s, g, go + i).add(yv.mul(wd))
                        .add(yv.sub(FloatVector.fromArray(s, x, xo + i)).mul(gamma));
                if (rho != 0) {
                    FloatVector cv = FloatVector.fromArray(s, c, co + i).mul(rho).add(d);
                    cv.intoArray(c, co + i);
                    d = nesterov ? d.add(cv.mul(look)) : cv;
                }
                yv = yv.sub(d.mul(lr));
                yv.intoArray(y, yo + i);
                FloatVector.fromArray(s, mu, muo + i).mul(beta).add(yv.mul(oneMinusBeta)).intoArray(mu, muo + i);
            }
            for (; i < to; i++) {
                float yi = y[yo + i];
                float d = g[go + i] + yi * wd + (yi - x[xo + i]) * gamma;
                if (rho != 0) {
                    float cv = c[co + i] * rho + d;
                    c[co + i] = cv;
                    d = nesterov ? d + cv * look : cv;
                }
                yi = yi - d * lr;
                y[yo + i] = yi;
                mu[muo + i] = mu[muo + i] * beta + yi * oneMinusBeta;
            }
        });
    }

    /** A Parle or Elastic-SGD replica's outer step as {@link ParleOuterStep} defines it; same operation order in both loops. */
    static void parleOuter(float[] x, int xo, float[] y, int yo, float[] mu, int muo, float[] r, int ro, float[] g,
                           int go, float[] big, int bo, int n, ParleOuterStep st) {
        float lr = st.lr(), coupling = st.coupling(), rho = st.momentum(), look = st.lookahead(), wd = st.weightDecay();
        boolean nesterov = st.nesterov(), fromGradient = st.fromGradient(), fromIterate = st.fromIterate();
        boolean resetAverage = st.resetAverage();
        Parallel.forRange(n, CpuElementwise.GRAIN, (from, to) -> {
            VectorSpecies<Float> s = CpuElementwise.S;
            int i = from;
            for (int up = from + s.loopBound(to - from); i < up; i += s.length()) {
                FloatVector xv = FloatVector.fromArray(s, x, xo + i);
                FloatVector a = fromGradient ? FloatVector.fromArray(s, g, go + i).add(xv.mul(wd))
                        : xv.sub(FloatVector.fromArray(s, mu, muo + i));
                FloatVector d = a.add(xv.sub(FloatVector.fromArray(s, r, ro + i)).mul(coupling));
                if (rho != 0) {
                    FloatVector bv = FloatVector.fromArray(s, big, bo + i).mul(rho).add(d);
                    bv.intoArray(big, bo + i);
                    d = nesterov ? d.add(bv.mul(look)) : bv;
                }
                FloatVector w = (fromIterate ? FloatVector.fromArray(s, y, yo + i) : xv).sub(d.mul(lr));
                w.intoArray(x, xo + i);
                w.intoArray(y, yo + i);
                if (resetAverage) {
                    w.intoArray(mu, muo + i);
                }
            }
            for (; i < to; i++) {
                float xi = x[xo + i];
                float a = fromGradient ? g[go + i] + xi * wd : xi - mu[muo + i];
                float d = a + (xi - r[ro + i]) * coupling;
                if (rho != 0) {
                    float bv = big[bo + i] * rho + d;
                    big[bo + i] = bv;
                    d = nesterov ? d + bv * look : bv;
                }
                float w = (fromIterate ? y[yo + i] : xi) - d * lr;
                x[xo + i] = w;
                y[yo + i] = w;
                if (resetAverage) {
                    mu[muo + i] = w;
                }
            }
        });
    }
}
