package org.deeprelax.core.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import org.deeprelax.core.update.LangevinStep;

/**
 * The arithmetic of one Entropy-SGD inner step ({@link LangevinStep}) on the arenas y, g, x, m and μ,
 * written once for runs of whole vectors and once for one parameter, in the same operation order, so
 * both give the same floats. The caller supplies each parameter's standard normal draw.
 */
final class LangevinUpdate {

    static final VectorSpecies<Float> S = CpuElementwise.S;

    private final float[] y, g, x, m, mu;
    private final int yo, go, xo, mo, muo;
    private final boolean noisy, hasMomentum, all, nesterov;
    private final float lr, gamma, noiseScale, alpha, rho, wd;

    LangevinUpdate(float[] y, int yo, float[] g, int go, float[] x, int xo, float[] m, int mo, float[] mu, int muo,
                   LangevinStep st) {
        this.y = y;
        this.yo = yo;
        this.g = g;
        this.go = go;
        this.x = x;
        this.xo = xo;
        this.m = m;
        this.mo = mo;
        this.mu = mu;
        this.muo = muo;
        this.noisy = st.noiseScale() != 0;
        this.hasMomentum = st.momentum() != 0;
        this.all = st.placement() == LangevinStep.MomentumPlacement.ALL;
        this.nesterov = st.nesterov();
        this.lr = st.innerLr();
        this.gamma = st.gamma();
        this.noiseScale = st.noiseScale();
        this.alpha = st.alpha();
        this.rho = st.momentum();
        this.wd = st.weightDecay();
    }

    /**
     * Returns whether the step draws noise (a zero noise scale draws none).
     *
     * @return whether the step draws noise (a zero noise scale draws none)
     */
    boolean noisy() {
        return noisy;
    }

    /**
     * Updates parameters [from, to), a whole number of vectors apart. The loop is here rather than in the
     * caller so that C2 compiles it as one unit with the arenas and scalars held in registers; the draws
     * come in an array, not as vector arguments, so that nothing is boxed if C2 declines to inline this
     * method.
     *
     * @param normals standard normal draws: parameter i takes {@code normals[normalsOff + i − from]}
     *     (ignored when the step is not {@link #noisy})
     */
    void vectors(int from, int to, float[] normals, int normalsOff) {
        for (int i = from; i < to; i += S.length()) {
            FloatVector yv = FloatVector.fromArray(S, y, yo + i);
            FloatVector gi = FloatVector.fromArray(S, g, go + i).add(yv.mul(wd));
            FloatVector extra = yv.sub(FloatVector.fromArray(S, x, xo + i)).mul(gamma);
            if (noisy) {
                extra = extra.add(FloatVector.fromArray(S, normals, normalsOff + i - from).mul(noiseScale));
            }
            FloatVector d;
            if (!hasMomentum) {
                d = gi.add(extra);
            } else {
                FloatVector h = all ? gi.add(extra) : gi;
                FloatVector mv = FloatVector.fromArray(S, m, mo + i).mul(rho).add(h);
                mv.intoArray(m, mo + i);
                d = nesterov ? h.add(mv.mul(rho)) : mv;
                if (!all) {
                    d = d.add(extra);
                }
            }
            yv = yv.sub(d.mul(lr));
            yv.intoArray(y, yo + i);
            FloatVector.fromArray(S, mu, muo + i).mul(1 - alpha).add(yv.mul(alpha)).intoArray(mu, muo + i);
        }
    }

    /**
     * Updates parameter i.
     *
     * @param normal its standard normal draw (ignored when the step is not {@link #noisy})
     */
    void scalar(int i, float normal) {
        float yi = y[yo + i];
        float gi = g[go + i] + wd * yi;
        float extra = gamma * (yi - x[xo + i]);
        if (noisy) {
            extra += noiseScale * normal;
        }
        float d;
        if (!hasMomentum) {
            d = gi + extra;
        } else {
            float h = all ? gi + extra : gi;
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
