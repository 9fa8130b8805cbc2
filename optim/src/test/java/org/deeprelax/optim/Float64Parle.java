package org.deeprelax.optim;

import java.util.List;

import org.deeprelax.core.ParameterArena;

/**
 * Parle and Elastic-SGD written the plain way, as the distributed-ensembles code runs them: every replica in
 * one loop, a loop over parameter tensors, each element's update spelled out in float64 from the class
 * comment of {@link Parle} and its settings, the replicas' mean an ordinary average of doubles. It shares no
 * code with the fused updates, the communicator or the replica mean, and is the reference for all three.
 */
final class Float64Parle {

    private final Parle.Settings o;
    private final List<ParameterArena> replicas;
    private final int tensors;
    private final double[][][] x;
    private final double[][][] w;
    private final double[][][] mu;
    private final double[][][] c;
    private final double[][][] big;
    private final long[] evaluations;
    private long steps;

    Float64Parle(List<ParameterArena> replicas, Parle.Settings o) {
        this.o = o;
        this.replicas = replicas;
        this.tensors = replicas.get(0).slices().size();
        int n = replicas.size();
        x = new double[n][][];
        w = new double[n][][];
        mu = new double[n][][];
        c = new double[n][][];
        big = new double[n][][];
        evaluations = new long[n];
        for (int a = 0; a < n; a++) {
            x[a] = values(replicas.get(a));
            w[a] = values(replicas.get(a));
            mu[a] = values(replicas.get(a));
            c[a] = zeros(w[a]);
            big[a] = zeros(w[a]);
        }
    }

    /**
     * One outer step of every replica.
     *
     * @param closures replica a's closure at index a
     */
    void step(List<Closure> closures) {
        int n = replicas.size();
        double growth = o.growth();
        double gamma = Math.min(o.gamma().initial() * Math.pow(1 + growth, o.gammaCountsTheStep() ? steps + 1 : steps),
                o.gamma().max());
        double rhoScale = o.rhoTimesStepsAndReplicas() ? (double) o.innerSteps() * n : 1;
        double rho = Math.min(o.rho().initial() * rhoScale * Math.pow(1 + growth, steps + 1), o.rho().max());
        double[][][] g = new double[n][][];
        for (int a = 0; a < n; a++) {
            if (o.innerSteps() == 0) {
                g[a] = gradients(a, closures.get(a));
            }
            for (int l = 0; l < o.innerSteps(); l++) {
                double[][] gl = gradients(a, closures.get(a));
                Momentum m = o.innerMomentum();
                double look = o.wholeBufferLookahead() ? 1 : m.rho();
                for (int s = 0; s < tensors; s++) {
                    double innerLr = o.innerLrIsLr() ? o.lr() * options(a, s).lrScale() : o.innerLr();
                    double lambda = o.weightDecay() * options(a, s).weightDecayScale();
                    for (int i = 0; i < w[a][s].length; i++) {
                        double d = gl[s][i] + lambda * w[a][s][i] + gamma * (w[a][s][i] - x[a][s][i]);
                        if (m.rho() != 0) {
                            c[a][s][i] = m.rho() * c[a][s][i] + d;
                            d = m.nesterov() ? d + look * c[a][s][i] : c[a][s][i];
                        }
                        w[a][s][i] -= innerLr * d;
                        mu[a][s][i] = o.averaging() * mu[a][s][i] + (1 - o.averaging()) * w[a][s][i];
                    }
                }
            }
        }
        double[][] r = zeros(w[0]);
        for (int a = 0; a < n; a++) {
            double[][] shared = o.innerSteps() == 0 ? w[a] : mu[a];
            for (int s = 0; s < tensors; s++) {
                for (int i = 0; i < r[s].length; i++) {
                    r[s][i] += shared[s][i] / n;
                }
            }
        }
        Momentum m = o.outerMomentum();
        double look = o.wholeBufferLookahead() ? 1 : m.rho();
        for (int a = 0; a < n; a++) {
            for (int s = 0; s < tensors; s++) {
                double lr = o.lr() * options(a, s).lrScale();
                double lambda = o.weightDecay() * options(a, s).weightDecayScale();
                for (int i = 0; i < r[s].length; i++) {
                    double xi = x[a][s][i];
                    double dir = (o.innerSteps() == 0 ? g[a][s][i] + lambda * xi : xi - mu[a][s][i])
                            + rho * (xi - r[s][i]);
                    if (m.rho() != 0) {
                        big[a][s][i] = m.rho() * big[a][s][i] + dir;
                        dir = m.nesterov() ? dir + look * big[a][s][i] : big[a][s][i];
                    }
                    double next = (o.outerFromIterate() ? w[a][s][i] : xi) - lr * dir;
                    x[a][s][i] = next;
                    w[a][s][i] = next;
                    if (o.restartAverage()) {
                        mu[a][s][i] = next;
                    }
                }
            }
            write(a, w[a]);
        }
        steps++;
    }

    private double[][] gradients(int a, Closure closure) {
        write(a, w[a]);
        ParameterArena p = replicas.get(a);
        p.zeroGrad();
        closure.evaluate(evaluations[a]++);
        double[][] g = new double[tensors][];
        for (int s = 0; s < tensors; s++) {
            g[s] = Float64Optimizers.toDouble(p.slices().get(s).grad().toArray());
        }
        return g;
    }

    private GroupOptions options(int a, int s) {
        return o.groups().getOrDefault(replicas.get(a).slices().get(s).group(), GroupOptions.DEFAULT);
    }

    private static double[][] values(ParameterArena p) {
        double[][] v = new double[p.slices().size()][];
        for (int s = 0; s < v.length; s++) {
            v[s] = Float64Optimizers.toDouble(p.slices().get(s).value().toArray());
        }
        return v;
    }

    private static double[][] zeros(double[][] like) {
        double[][] z = new double[like.length][];
        for (int s = 0; s < z.length; s++) {
            z[s] = new double[like[s].length];
        }
        return z;
    }

    private void write(int a, double[][] v) {
        ParameterArena p = replicas.get(a);
        for (int s = 0; s < v.length; s++) {
            float[] f = new float[v[s].length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) v[s][i];
            }
            p.backend().write(f, 0, p.slices().get(s).value());
        }
    }
}
