package org.deeprelax.optim;

import java.util.List;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.random.Philox;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;

/**
 * The optimizers written the plain way: a loop over parameter tensors, each element's update spelled out
 * in float64 from the published definitions, with its own state per tensor. They share no code with the
 * fused arena updates and serve as the independent reference for them. Each keeps its iterates in double
 * and hands the closure their float values.
 */
final class Float64Optimizers {

    private Float64Optimizers() {
    }

    /** A reference optimizer: {@code step(closure)} like the real ones. */
    interface Reference {
        void step(Closure closure);
    }

    /** Per-tensor double state over an arena, and the group options of each tensor. */
    private static final class Tensors {
        final List<ParameterArena.Slice> slices;
        final ParameterArena params;
        final OptimizerSettings settings;
        long evaluations;

        Tensors(ParameterArena params, OptimizerSettings settings) {
            this.params = params;
            this.slices = params.slices();
            this.settings = settings;
        }

        double[][] values() {
            double[][] v = new double[slices.size()][];
            for (int s = 0; s < v.length; s++) {
                v[s] = toDouble(slices.get(s).value().toArray());
            }
            return v;
        }

        double[][] zeros() {
            double[][] v = new double[slices.size()][];
            for (int s = 0; s < v.length; s++) {
                v[s] = new double[slices.get(s).shape().size()];
            }
            return v;
        }

        /** Evaluates the closure and returns every tensor's gradient. */
        double[][] gradients(Closure closure) {
            params.zeroGrad();
            closure.evaluate(evaluations++);
            double[][] g = new double[slices.size()][];
            for (int s = 0; s < g.length; s++) {
                g[s] = toDouble(slices.get(s).grad().toArray());
            }
            return g;
        }

        void write(double[][] v) {
            for (int s = 0; s < v.length; s++) {
                float[] f = new float[v[s].length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) v[s][i];
                }
                slices.get(s).value().backend().write(f, 0, slices.get(s).value());
            }
        }

        GroupOptions options(int s) {
            return settings.groups().getOrDefault(slices.get(s).group(), GroupOptions.DEFAULT);
        }

        double lr(int s, double lr) {
            return lr * options(s).lrScale();
        }

        double wd(int s, double wd) {
            return wd * options(s).weightDecayScale();
        }
    }

    static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    /** x ← x − η·d, d the torch.optim.SGD direction of g + λx, in place; shared by SGD and SAM's descent. */
    private static void sgdStep(Tensors t, double[][] x, double[][] g, double[][] v, double lr, Momentum m, double wd) {
        for (int s = 0; s < x.length; s++) {
            for (int i = 0; i < x[s].length; i++) {
                double gi = g[s][i] + t.wd(s, wd) * x[s][i];
                double d = gi;
                if (m.rho() != 0) {
                    v[s][i] = m.rho() * v[s][i] + gi;
                    d = m.nesterov() ? gi + m.rho() * v[s][i] : v[s][i];
                }
                x[s][i] -= t.lr(s, lr) * d;
            }
        }
    }

    static Reference sgd(ParameterArena params, Sgd.Settings o) {
        Tensors t = new Tensors(params, o);
        double[][] x = t.values();
        double[][] v = t.zeros();
        return closure -> {
            sgdStep(t, x, t.gradients(closure), v, o.lr(), o.momentum(), o.weightDecay());
            t.write(x);
        };
    }

    /** Foret et al. and Kwon et al.: ε = ρ·T²g/‖Tg‖ over all tensors, the gradient at w + ε, SGD from w. */
    static Reference sam(ParameterArena params, Sam.Settings o) {
        Tensors t = new Tensors(params, o);
        double[][] w = t.values();
        double[][] v = t.zeros();
        return closure -> {
            double[][] g = t.gradients(closure);
            double norm = 0;
            for (int s = 0; s < w.length; s++) {
                for (int i = 0; i < w[s].length; i++) {
                    double tg = (o.adaptive() ? Math.abs(w[s][i]) + o.eta() : 1) * g[s][i];
                    norm += tg * tg;
                }
            }
            norm = Math.sqrt(norm) + 1e-12;
            double[][] perturbed = new double[w.length][];
            for (int s = 0; s < w.length; s++) {
                perturbed[s] = new double[w[s].length];
                for (int i = 0; i < w[s].length; i++) {
                    double ti = o.adaptive() ? Math.abs(w[s][i]) + o.eta() : 1;
                    perturbed[s][i] = w[s][i] + o.rho() * ti * ti * g[s][i] / norm;
                }
            }
            t.write(perturbed);
            sgdStep(t, w, t.gradients(closure), v, o.lr(), o.momentum(), o.weightDecay());
            t.write(w);
        };
    }

    /** Kingma and Ba's Algorithm 1 with bias-corrected moments; Loshchilov and Hutter's decoupled decay. */
    static Reference adam(ParameterArena params, Adam.Settings o) {
        Tensors t = new Tensors(params, o);
        double[][] x = t.values();
        double[][] m = t.zeros();
        double[][] v = t.zeros();
        long[] step = {0};
        return closure -> {
            double[][] g = t.gradients(closure);
            step[0]++;
            for (int s = 0; s < x.length; s++) {
                double lr = t.lr(s, o.lr());
                double wd = t.wd(s, o.weightDecay());
                for (int i = 0; i < x[s].length; i++) {
                    double gi = g[s][i];
                    if (o.decoupled()) {
                        x[s][i] -= lr * wd * x[s][i];
                    } else {
                        gi += wd * x[s][i];
                    }
                    m[s][i] = o.beta1() * m[s][i] + (1 - o.beta1()) * gi;
                    v[s][i] = o.beta2() * v[s][i] + (1 - o.beta2()) * gi * gi;
                    double mHat = m[s][i] / (1 - Math.pow(o.beta1(), step[0]));
                    double vHat = v[s][i] / (1 - Math.pow(o.beta2(), step[0]));
                    x[s][i] -= lr * mHat / (Math.sqrt(vHat) + o.eps());
                }
            }
            t.write(x);
        };
    }

    /** Entropy-SGD as the class comment of {@link EntropySgd} and its settings define it. */
    static Reference entropySgd(ParameterArena params, EntropySgd.Settings o) {
        Tensors t = new Tensors(params, o);
        double[][] x = t.values();
        double[][] y = t.values();
        double[][] mu = t.values();
        double[][] m = t.zeros();
        double[][] big = t.zeros();
        long seed = o.seed() != null ? o.seed() : params.seed();
        long n = params.size();
        long[] outer = {0};
        double noiseScale = o.noiseConvention() == EntropySgd.Noise.PRINTED
                ? o.noise() / Math.sqrt(o.innerLr()) : o.noise() / Math.sqrt(0.5 * o.innerLr());
        return closure -> {
            double gamma = o.scoping().gamma0() * Math.pow(1 + (double) o.scoping().gamma1(), outer[0]);
            for (int l = 0; l < o.innerSteps(); l++) {
                long evaluation = t.evaluations;
                double[][] g = t.gradients(closure);
                for (int s = 0; s < y.length; s++) {
                    long first = evaluation * n + t.slices.get(s).offset();
                    double wd = t.wd(s, o.weightDecay());
                    double rho = o.innerMomentum().rho();
                    for (int i = 0; i < y[s].length; i++) {
                        double gi = g[s][i] + wd * y[s][i];
                        double extra = gamma * (y[s][i] - x[s][i])
                                + noiseScale * Philox.normal(seed, EntropySgd.NOISE_STREAM, first + i);
                        double d;
                        if (rho == 0) {
                            d = gi + extra;
                        } else if (o.placement() == MomentumPlacement.ALL) {
                            m[s][i] = rho * m[s][i] + gi + extra;
                            d = o.innerMomentum().nesterov() ? gi + extra + rho * m[s][i] : m[s][i];
                        } else {
                            m[s][i] = rho * m[s][i] + gi;
                            d = (o.innerMomentum().nesterov() ? gi + rho * m[s][i] : m[s][i]) + extra;
                        }
                        y[s][i] -= o.innerLr() * d;
                        mu[s][i] = (1 - o.alpha()) * mu[s][i] + o.alpha() * y[s][i];
                    }
                }
                t.write(y);
            }
            for (int s = 0; s < x.length; s++) {
                double rho = o.outerMomentum().rho();
                for (int i = 0; i < x[s].length; i++) {
                    double d = x[s][i] - mu[s][i] + t.wd(s, o.outerWeightDecay()) * x[s][i];
                    if (rho != 0) {
                        big[s][i] = rho * big[s][i] + d;
                        d = o.outerMomentum().nesterov() ? d + rho * big[s][i] : big[s][i];
                    }
                    x[s][i] -= t.lr(s, o.lr()) * d;
                    y[s][i] = x[s][i];
                    mu[s][i] = x[s][i];
                    if (o.resetInnerMomentum()) {
                        m[s][i] = 0;
                    }
                }
            }
            t.write(x);
            outer[0]++;
        };
    }

    /** HJ's FP form: L + 1 damped fixed-point iterations for p = ∇f(x − p/γ), then SGD with momentum along p. */
    static Reference hjFixedPoint(ParameterArena params, Hj.Settings o) {
        Tensors t = new Tensors(params, o);
        double[][] x = t.values();
        double[][] w = t.values();
        double[][] p = t.zeros();
        double[][] big = t.zeros();
        long[] outer = {0};
        return closure -> {
            double gamma = o.scoping().gamma0() * Math.pow(1 + (double) o.scoping().gamma1(), outer[0]);
            for (int l = 0; l <= o.innerSteps(); l++) {
                double a = l == 0 ? 1 : o.damping();
                double[][] g = t.gradients(closure);
                for (int s = 0; s < w.length; s++) {
                    double wd = t.wd(s, o.weightDecay());
                    for (int i = 0; i < w[s].length; i++) {
                        p[s][i] = (1 - a) * p[s][i] + a * (g[s][i] + wd * w[s][i]);
                        w[s][i] = x[s][i] - p[s][i] / gamma;
                    }
                }
                t.write(w);
            }
            for (int s = 0; s < x.length; s++) {
                double rho = o.momentum().rho();
                for (int i = 0; i < x[s].length; i++) {
                    double d = p[s][i];
                    if (rho != 0) {
                        big[s][i] = rho * big[s][i] + d;
                        d = o.momentum().nesterov() ? d + rho * big[s][i] : big[s][i];
                    }
                    x[s][i] -= t.lr(s, o.lr()) * d;
                    w[s][i] = x[s][i];
                }
            }
            t.write(x);
            outer[0]++;
        };
    }
}
