package org.deeprelax.core.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Fused optimizer updates over flat arenas. Each reads every operand once and writes every result once,
 * in one vectorised pass split across cores, so an update costs what its memory traffic costs: the
 * per-tensor loops of reference optimizers read and write the arena several times over.
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
}
