package org.deeprelax.optim;

import java.util.LinkedHashMap;
import java.util.Map;

import org.deeprelax.core.Autograd;
import org.deeprelax.core.LangevinStep.MomentumPlacement;
import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.Parameter;

/**
 * The optimizers written the way the reference code writes them: a loop over parameter tensors, each
 * update a sequence of whole-tensor operations with its own state per parameter. They share no code
 * with the fused arena primitives and serve as the independent reference for them.
 */
final class PlainOptimizers {

    private PlainOptimizers() {
    }

    /** A reference optimizer: {@code step(closure)} like the real ones. */
    interface Plain {
        void step(Closure closure);
    }

    private static Tensor s(float v) {
        return Tensor.scalar(v);
    }

    private static Tensor copy(Tensor t) {
        return Tensor.of(t.toArray(), t.shape().dims());
    }

    private static void assign(Tensor dst, Tensor src) {
        dst.backend().copy(src, dst);
    }

    private static Map<Parameter, Tensor> perParameter(Model model, boolean copyValues) {
        Map<Parameter, Tensor> m = new LinkedHashMap<>();
        for (Parameter p : model.namedParameters().values()) {
            if (p.trainable()) {
                m.put(p, copyValues ? copy(p.value()) : Tensor.zeros(p.shape().dims()));
            }
        }
        return m;
    }

    static Plain entropySgd(Model model, float lr, EntropySgd.Options o) {
        Map<Parameter, Tensor> anchor = perParameter(model, true);
        Map<Parameter, Tensor> mu = perParameter(model, true);
        Map<Parameter, Tensor> m = perParameter(model, false);
        Map<Parameter, Tensor> big = perParameter(model, false);
        long[] t = {0};
        int n = model.parameterCount();
        return closure -> {
            float gamma = (float) (o.gamma() * Math.pow(1 + o.scoping(), t[0]));
            for (int l = 0; l < o.innerSteps(); l++) {
                model.zeroGrad();
                closure.evaluate();
                long first = (t[0] * o.innerSteps() + l) * (long) n;
                try (var ng = Autograd.noGrad()) {
                    for (Parameter p : anchor.keySet()) {
                        Tensor y = p.value().detach();
                        Tensor g = p.value().grad().add(y.mul(s(o.weightDecay())));
                        Tensor noise = Tensor.zeros(p.shape().dims());
                        noise.backend().fillNormal(noise, 0, 1, o.seed(), EntropySgd.NOISE_STREAM, first + p.offset());
                        Tensor extra = y.sub(anchor.get(p)).mul(s(gamma)).add(noise.mul(s(o.noiseScale())));
                        Tensor d;
                        if (o.innerMomentum() == 0) {
                            d = g.add(extra);
                        } else {
                            Tensor h = o.placement() == MomentumPlacement.ALL ? g.add(extra) : g;
                            Tensor mv = m.get(p).mul(s(o.innerMomentum())).add(h);
                            assign(m.get(p), mv);
                            d = o.innerNesterov() ? h.add(mv.mul(s(o.innerMomentum()))) : mv;
                            if (o.placement() == MomentumPlacement.GRADIENT) {
                                d = d.add(extra);
                            }
                        }
                        assign(y, y.sub(d.mul(s(o.innerLr()))));
                        assign(mu.get(p), mu.get(p).mul(s(1 - o.alpha())).add(y.mul(s(o.alpha()))));
                    }
                }
            }
            try (var ng = Autograd.noGrad()) {
                for (Parameter p : anchor.keySet()) {
                    Tensor x = anchor.get(p);
                    Tensor d = x.sub(mu.get(p)).add(x.mul(s(o.outerWeightDecay())));
                    if (o.outerMomentum() != 0) {
                        Tensor bv = big.get(p).mul(s(o.outerMomentum())).add(d);
                        assign(big.get(p), bv);
                        d = o.outerNesterov() ? d.add(bv.mul(s(o.outerMomentum()))) : bv;
                    }
                    assign(x, x.sub(d.mul(s(lr))));
                    assign(p.value().detach(), x);
                    assign(mu.get(p), x);
                    if (o.resetInnerMomentum()) {
                        m.get(p).backend().fill(m.get(p), 0f);
                    }
                }
            }
            t[0]++;
        };
    }

    static Plain hjFixedPoint(Model model, float lr, Hj.Options o) {
        Map<Parameter, Tensor> anchor = perParameter(model, true);
        Map<Parameter, Tensor> p = perParameter(model, false);
        Map<Parameter, Tensor> big = perParameter(model, false);
        long[] t = {0};
        return closure -> {
            float gamma = (float) (o.gamma() * Math.pow(1 + o.scoping(), t[0]));
            for (int l = 0; l <= o.innerSteps(); l++) {
                model.zeroGrad();
                closure.evaluate();
                float a = l == 0 ? 1f : o.damping();
                try (var ng = Autograd.noGrad()) {
                    for (Parameter q : anchor.keySet()) {
                        Tensor w = q.value().detach();
                        Tensor g = q.value().grad().add(w.mul(s(o.weightDecay())));
                        Tensor pv = p.get(q).mul(s(1 - a)).add(g.mul(s(a)));
                        assign(p.get(q), pv);
                        assign(w, anchor.get(q).sub(pv.div(s(gamma))));
                    }
                }
            }
            try (var ng = Autograd.noGrad()) {
                for (Parameter q : anchor.keySet()) {
                    Tensor d = p.get(q);
                    if (o.momentum() != 0) {
                        Tensor bv = big.get(q).mul(s(o.momentum())).add(d);
                        assign(big.get(q), bv);
                        d = o.nesterov() ? d.add(bv.mul(s(o.momentum()))) : bv;
                    }
                    Tensor x = anchor.get(q);
                    assign(x, x.sub(d.mul(s(lr))));
                    assign(q.value().detach(), x);
                }
            }
            t[0]++;
        };
    }

    static Plain sgd(Model model, float lr, float momentum, float weightDecay, boolean nesterov) {
        Map<Parameter, Tensor> v = perParameter(model, false);
        return closure -> {
            model.zeroGrad();
            closure.evaluate();
            try (var ng = Autograd.noGrad()) {
                for (Parameter q : v.keySet()) {
                    Tensor x = q.value().detach();
                    Tensor g = q.value().grad().add(x.mul(s(weightDecay)));
                    Tensor vv = v.get(q).mul(s(momentum)).add(g);
                    assign(v.get(q), vv);
                    Tensor d = nesterov ? g.add(vv.mul(s(momentum))) : vv;
                    assign(x, x.sub(d.mul(s(lr))));
                }
            }
        };
    }
}
