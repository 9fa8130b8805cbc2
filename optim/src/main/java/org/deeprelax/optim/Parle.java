package org.deeprelax.optim;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.deeprelax.core.ParameterArena;
import org.deeprelax.core.Tensor;
import org.deeprelax.core.comm.Communicator;
import org.deeprelax.core.comm.Communicators;
import org.deeprelax.core.comm.ReplicaAverage;
import org.deeprelax.core.update.ParleInnerStep;
import org.deeprelax.core.update.ParleOuterStep;

/**
 * Parle (Chaudhari et al., 2017, "Parle: parallelizing stochastic gradient descent") and Elastic-SGD: n
 * replicas of a network, each running an Entropy-SGD-like inner loop without noise, coupled elastically to
 * their mean r. This class is one replica's optimizer; the replicas of a job are the members of its
 * {@link Communicator}, one per process under {@code mpirun} or one per thread of an
 * {@link org.deeprelax.core.comm.InProcessJob}, and every outer step exchanges their averages through it.
 * As the distributed-ensembles code has it, with t the outer steps taken:
 *
 * <pre>
 *   γ = min(γ0·(1 + ġ)^(t+1), γmax);  ρ = min(ρ0·(1 + ġ)^(t+1), ρmax)
 *   x ← w                                              (the anchor)
 *   repeat L times:  d ← ∇f_mb(w) + λw + γ(w − x);  c ← m·c + d;  d ← d + m·c;  w ← w − η'·d;  μ ← βμ + (1 − β)w
 *   r ← mean over the replicas of μ                     (one fixed-order reduction)
 *   d ← (x − μ) + ρ(x − r);  M ← m·M + d;  d ← d + m·M;  w ← x − η·d
 * </pre>
 *
 * <p>With L = 0 the inner loop is gone and the direction is the gradient at the anchor,
 * d ← ∇f_mb(x) + λx + ρ(x − r) with r the mean of the replicas' weights: Elastic-SGD
 * ({@link #elasticSgd()}). With one replica and ρ = 0 Parle is noise-free Entropy-SGD (inner momentum on
 * everything, kept across outer steps, α = 1 − β), and Elastic-SGD is SGD with momentum.
 *
 * <p>The two reference codes differ; {@link #defaults()} is distributed-ensembles' {@code Parle} class,
 * {@link #parleMpi()} is {@code parle_mpi.py}, and every difference is a setting of the {@link Builder}:
 * <ul>
 *   <li>the inner step: η' of its own, or the outer η ({@code parle_mpi.py}, which the schedule then divides
 *       too);</li>
 *   <li>the momentum's look-ahead: Nesterov's d + m·c, or {@code parle_mpi.py}'s {@code grad += u}, d + c;</li>
 *   <li>the average μ: the last iterate, restarted every outer step (β = 0), or an average with β = 0.75 that
 *       runs on across outer steps;</li>
 *   <li>the outer step from the anchor x, or from the inner loop's last iterate;</li>
 *   <li>the clock of γ: (1 + ġ)^(t+1) (distributed-ensembles counts the step before using it) or (1 + ġ)^t;
 *       ρ has t + 1 in both;</li>
 *   <li>ρ as given, or ρ0·L·n ({@code parle_mpi.py} multiplies its {@code --rho} by L and the number of
 *       replicas).</li>
 * </ul>
 * Both codes grow γ and ρ by ġ = 0.5/nb per outer step, nb the minibatches of an epoch; the growth is a
 * setting here because nb is the data's (the command line sets it). {@code parle_mpi.py} advances its
 * clock once per parameter tensor and inner step, so its couplings grow about 14 times faster on its LeNet
 * than it intends; that is not reproduced (set the growth to (1 + 0.5/nb)^14 − 1 to mimic it). Neither
 * code draws Langevin noise (their {@code eps} is never read), and neither does this class.
 *
 * <p>Each replica's inner step is one fused pass over its arena per parameter group
 * ({@code FusedUpdates.parleInner}) and its outer step one more ({@code FusedUpdates.parleOuter}). The
 * reduction is {@link ReplicaAverage}, the same floats however the replicas are spread over processes.
 * Before it, the replicas agree on divergence: when one replica's step diverges, every replica throws the
 * same {@link DivergenceException}, naming it, at the same step.
 *
 * <pre>{@code
 * // one replica per member of the job (mpirun's processes, or an InProcessJob's threads)
 * Parle parle = Parle.defaults().growth(0.5f / batchesPerEpoch).build().create(model.parameters(), job);
 * parle.step(evaluation -> lossOfAFreshMinibatch(evaluation));
 * }</pre>
 */
public final class Parle extends Optimizer {

    /**
     * A coupling's schedule: it starts at {@code initial} and grows by the settings' growth per outer step,
     * up to {@code max}.
     *
     * @param initial the coupling before any growth, ≥ 0
     * @param max its cap, ≥ 0
     */
    public record Coupling(float initial, float max) {

        /**
         * Checks both values.
         *
         * @param initial the first value
         * @param max the cap
         */
        public Coupling {
            Validate.nonNegative("coupling", initial);
            Validate.nonNegative("coupling cap", max);
        }

        /**
         * The coupling after {@code k} growth factors.
         *
         * @param scale a factor applied before the cap (ρ0·L·n's L·n, else 1)
         * @param growth the growth per outer step
         * @param k the number of factors
         * @return min(initial·scale·(1 + growth)^k, max), computed in double
         */
        float at(double scale, float growth, long k) {
            return (float) Math.min(initial * scale * Math.pow(1.0 + growth, k), max);
        }
    }

    /**
     * Every setting of Parle and Elastic-SGD. Build with {@link #defaults()}, {@link #parleMpi()} or
     * {@link #elasticSgd()} and the {@link Builder}'s setters.
     *
     * @param lr η, the outer learning rate ≥ 0
     * @param innerSteps L, gradient evaluations per outer step; 0 is Elastic-SGD (one evaluation, no inner loop)
     * @param innerLr η', the inner step &gt; 0 (unused when {@code innerLrIsLr})
     * @param innerLrIsLr whether the inner step is the outer η, as {@code parle_mpi.py} has it
     * @param gamma γ's schedule: the coupling of the inner loop to the anchor
     * @param rho ρ's schedule: the elastic coupling of the outer step to the replicas' mean
     * @param growth ġ ≥ 0, the growth of γ and ρ per outer step (the reference codes: 0.5/nb)
     * @param gammaCountsTheStep whether γ of outer step t has t + 1 growth factors (distributed-ensembles)
     *     rather than t ({@code parle_mpi.py})
     * @param rhoTimesStepsAndReplicas whether ρ's initial value is multiplied by L·n ({@code parle_mpi.py})
     * @param innerMomentum the inner loop's momentum
     * @param outerMomentum the outer step's momentum
     * @param wholeBufferLookahead whether Nesterov's look-ahead adds the whole buffer (d + c,
     *     {@code parle_mpi.py}) rather than m·c; in both loops
     * @param averaging β ∈ [0, 1), the weight of the old average in μ ← βμ + (1 − β)w (0: the last iterate)
     * @param restartAverage whether μ restarts at the anchor every outer step (distributed-ensembles)
     * @param outerFromIterate whether the outer step starts from the inner loop's last iterate rather than
     *     from the anchor ({@code parle_mpi.py})
     * @param weightDecay λ ≥ 0, added to every gradient as λ·w
     * @param groups the options of named parameter groups
     */
    public record Settings(float lr, int innerSteps, float innerLr, boolean innerLrIsLr, Coupling gamma, Coupling rho,
                           float growth, boolean gammaCountsTheStep, boolean rhoTimesStepsAndReplicas,
                           Momentum innerMomentum, Momentum outerMomentum, boolean wholeBufferLookahead,
                           float averaging, boolean restartAverage, boolean outerFromIterate, float weightDecay,
                           Map<String, GroupOptions> groups) implements OptimizerSettings {

        /**
         * Checks every value, naming the parameter, its value and the allowed range.
         *
         * @param lr η
         * @param innerSteps L
         * @param innerLr η'
         * @param innerLrIsLr whether η' is η
         * @param gamma γ's schedule
         * @param rho ρ's schedule
         * @param growth ġ
         * @param gammaCountsTheStep γ's clock
         * @param rhoTimesStepsAndReplicas ρ's scale
         * @param innerMomentum the inner momentum
         * @param outerMomentum the outer momentum
         * @param wholeBufferLookahead the look-ahead's form
         * @param averaging β
         * @param restartAverage whether μ restarts
         * @param outerFromIterate where the outer step starts
         * @param weightDecay λ
         * @param groups the group options
         */
        public Settings {
            Validate.nonNegative("learning rate", lr);
            if (innerSteps < 0) {
                throw new IllegalArgumentException("L = " + innerSteps + " is not allowed; it must be an integer ≥ 0"
                        + " (0 is Elastic-SGD)");
            }
            Validate.positive("inner learning rate η'", innerLr);
            Validate.nonNegative("coupling growth", growth);
            Validate.below("averaging β", averaging, 0, 1);
            Validate.nonNegative("weight decay", weightDecay);
            if (wholeBufferLookahead && (innerSteps > 0 && innerMomentum.rho() > 0 && !innerMomentum.nesterov()
                    || outerMomentum.rho() > 0 && !outerMomentum.nesterov())) {
                throw new IllegalArgumentException("the whole-buffer look-ahead (d + c) is a form of Nesterov's momentum;"
                        + " it needs Nesterov momentum in both loops");
            }
            groups = SettingsBuilder.frozen(groups);
        }

        /**
         * A builder starting from these settings.
         *
         * @return the builder
         */
        public Builder toBuilder() {
            return new Builder(this);
        }

        @Override
        public int evaluationsPerStep() {
            return Math.max(1, innerSteps);
        }

        /**
         * A replica alone, in a job of one process: with ρ &gt; 0 it is pulled towards its own average.
         *
         * @param params the replica's parameters
         * @return the optimizer
         */
        @Override
        public Parle create(ParameterArena params) {
            return create(params, Communicators.single());
        }

        /**
         * One replica of a job, the job's member {@code job.rank()}.
         *
         * @param params this replica's parameters
         * @param job the replicas, one per member
         * @return the optimizer
         */
        public Parle create(ParameterArena params, Communicator job) {
            return new Parle(params, this, job);
        }

        /**
         * The coupling of the inner loop at outer step {@code t}.
         *
         * @param t the outer steps taken before it
         * @return γ
         */
        public float gammaAt(long t) {
            return gamma.at(1, growth, gammaCountsTheStep ? t + 1 : t);
        }

        /**
         * The elastic coupling of outer step {@code t}.
         *
         * @param t the outer steps taken before it
         * @param replicas n
         * @return ρ
         */
        public float rhoAt(long t, int replicas) {
            return rho.at(rhoTimesStepsAndReplicas ? (double) innerSteps * replicas : 1, growth, t + 1);
        }
    }

    /** Builds {@link Settings}; each setter replaces one value. */
    public static final class Builder extends SettingsBuilder<Builder, Settings> {
        private int innerSteps;
        private float innerLr;
        private boolean innerLrIsLr;
        private Coupling gamma;
        private Coupling rho;
        private float growth;
        private boolean gammaCountsTheStep;
        private boolean rhoTimesStepsAndReplicas;
        private Momentum innerMomentum;
        private Momentum outerMomentum;
        private boolean wholeBufferLookahead;
        private float averaging;
        private boolean restartAverage;
        private boolean outerFromIterate;

        private Builder(Settings s) {
            super(s.lr(), s.weightDecay(), s.groups());
            innerSteps = s.innerSteps();
            innerLr = s.innerLr();
            innerLrIsLr = s.innerLrIsLr();
            gamma = s.gamma();
            rho = s.rho();
            growth = s.growth();
            gammaCountsTheStep = s.gammaCountsTheStep();
            rhoTimesStepsAndReplicas = s.rhoTimesStepsAndReplicas();
            innerMomentum = s.innerMomentum();
            outerMomentum = s.outerMomentum();
            wholeBufferLookahead = s.wholeBufferLookahead();
            averaging = s.averaging();
            restartAverage = s.restartAverage();
            outerFromIterate = s.outerFromIterate();
        }

        /**
         * Sets L.
         *
         * @param l gradient evaluations per outer step, ≥ 0 (0: Elastic-SGD)
         * @return this builder
         */
        public Builder innerSteps(int l) {
            innerSteps = l;
            return this;
        }

        /**
         * Sets η', an inner step of its own.
         *
         * @param lr &gt; 0
         * @return this builder
         */
        public Builder innerLr(float lr) {
            innerLr = lr;
            innerLrIsLr = false;
            return this;
        }

        /**
         * Makes the inner step the outer η (and so follow its schedule), as {@code parle_mpi.py} does.
         *
         * @return this builder
         */
        public Builder innerLrIsLr() {
            innerLrIsLr = true;
            return this;
        }

        /**
         * Sets γ's schedule.
         *
         * @param g the initial coupling and its cap
         * @return this builder
         */
        public Builder gamma(Coupling g) {
            gamma = g;
            return this;
        }

        /**
         * Sets ρ's schedule.
         *
         * @param r the initial coupling and its cap
         * @return this builder
         */
        public Builder rho(Coupling r) {
            rho = r;
            return this;
        }

        /**
         * Sets ġ, the growth of both couplings per outer step.
         *
         * @param g ≥ 0; the reference codes use 0.5 / (minibatches per epoch)
         * @return this builder
         */
        public Builder growth(float g) {
            growth = g;
            return this;
        }

        /**
         * Sets γ's clock.
         *
         * @param countsTheStep true for t + 1 growth factors at outer step t (distributed-ensembles), false for t
         * @return this builder
         */
        public Builder gammaCountsTheStep(boolean countsTheStep) {
            gammaCountsTheStep = countsTheStep;
            return this;
        }

        /**
         * Sets whether ρ's initial value is multiplied by L·n, as {@code parle_mpi.py} does.
         *
         * @param scaled true to multiply
         * @return this builder
         */
        public Builder rhoTimesStepsAndReplicas(boolean scaled) {
            rhoTimesStepsAndReplicas = scaled;
            return this;
        }

        /**
         * Sets the inner loop's momentum.
         *
         * @param m the momentum
         * @return this builder
         */
        public Builder innerMomentum(Momentum m) {
            innerMomentum = m;
            return this;
        }

        /**
         * Sets the outer step's momentum.
         *
         * @param m the momentum
         * @return this builder
         */
        public Builder outerMomentum(Momentum m) {
            outerMomentum = m;
            return this;
        }

        /**
         * Sets the form of Nesterov's look-ahead in both loops.
         *
         * @param whole true for {@code parle_mpi.py}'s d + c, false for d + m·c
         * @return this builder
         */
        public Builder wholeBufferLookahead(boolean whole) {
            wholeBufferLookahead = whole;
            return this;
        }

        /**
         * Sets the running average of the inner loop.
         *
         * @param beta β ∈ [0, 1), the weight of the old average (0: the last iterate)
         * @param restart whether μ restarts at the anchor every outer step
         * @return this builder
         */
        public Builder average(float beta, boolean restart) {
            averaging = beta;
            restartAverage = restart;
            return this;
        }

        /**
         * Sets where the outer step starts.
         *
         * @param fromIterate true for the inner loop's last iterate ({@code parle_mpi.py}), false for the anchor
         * @return this builder
         */
        public Builder outerFromIterate(boolean fromIterate) {
            outerFromIterate = fromIterate;
            return this;
        }

        @Override
        public Settings build() {
            return new Settings(lr, innerSteps, innerLr, innerLrIsLr, gamma, rho, growth, gammaCountsTheStep,
                    rhoTimesStepsAndReplicas, innerMomentum, outerMomentum, wholeBufferLookahead, averaging,
                    restartAverage, outerFromIterate, weightDecay, groups);
        }

        @Override
        protected Builder self() {
            return this;
        }
    }

    /**
     * A builder holding distributed-ensembles' {@code Parle} class defaults: η = 0.1, L = 25, η' = 0.1,
     * γ from 0.01 up to 1, ρ from 1 up to 10, Nesterov momentum 0.9 in both loops, μ the last iterate, the
     * outer step from the anchor, no weight decay, and no growth (the code's {@code main.py} sets 0.5/nb).
     *
     * @return the builder
     */
    public static Builder defaults() {
        return new Builder(new Settings(0.1f, 25, 0.1f, false, new Coupling(0.01f, 1f), new Coupling(1f, 10f), 0f,
                true, false, Momentum.nesterov(0.9f), Momentum.nesterov(0.9f), false, 0f, true, false, 0f, Map.of()));
    }

    /**
     * A builder holding {@code parle_mpi.py}'s conventions: η = 0.1 for both loops, L = 25, γ from 0.01 up to
     * 1 with t growth factors, ρ = 0.01·L·n up to 10, momentum 0.9 adding the whole buffer, μ an average with
     * β = 0.75 that never restarts, the outer step from the last iterate, no growth (the code: 0.5/nb).
     *
     * @return the builder
     */
    public static Builder parleMpi() {
        return new Builder(new Settings(0.1f, 25, 0.1f, true, new Coupling(0.01f, 1f), new Coupling(0.01f, 10f), 0f,
                false, true, Momentum.nesterov(0.9f), Momentum.nesterov(0.9f), true, 0.75f, false, true, 0f, Map.of()));
    }

    /**
     * A builder holding Elastic-SGD as distributed-ensembles defines it: {@link #defaults()} with L = 0.
     *
     * @return the builder
     */
    public static Builder elasticSgd() {
        return defaults().innerSteps(0);
    }

    private final Communicator job;
    private final ReplicaAverage average;
    private final float[] mine;
    private final float[] mean;
    private final Tensor anchor;
    private final Tensor runningAverage;
    private final Tensor innerMomentumBuffer;
    private final Tensor outerMomentumBuffer;
    private final Tensor reference;
    private long communicationNanos;

    /**
     * Binds one replica to its parameters, whose current values become its first anchor.
     *
     * @param params this replica's parameters
     * @param settings the settings, the same for every replica of the job
     * @param job the replicas, this one being member {@code job.rank()}
     */
    public Parle(ParameterArena params, Settings settings, Communicator job) {
        super(params, settings);
        this.job = job;
        int n = params.size();
        average = new ReplicaAverage(job, 1, n);
        mine = new float[n];
        mean = new float[n];
        anchor = buffer("anchor", params.values());
        runningAverage = buffer("average", params.values());
        innerMomentumBuffer = buffer("innerMomentum", null);
        outerMomentumBuffer = buffer("outerMomentum", null);
        reference = params.newBuffer();
    }

    @Override
    public Settings settings() {
        return (Settings) super.settings();
    }

    /**
     * Whether every evaluation needs a fresh minibatch: Parle's inner loop does, as Entropy-SGD's;
     * Elastic-SGD's one evaluation a step takes the step's minibatch, as SGD's.
     *
     * @return true when L &gt; 0
     */
    @Override
    public boolean freshMinibatchEachEvaluation() {
        return settings().innerSteps() > 0;
    }

    /**
     * The number of replicas coupled.
     *
     * @return n, the job's size
     */
    public int replicas() {
        return job.size();
    }

    /**
     * This replica's place among them.
     *
     * @return its index, the job's rank
     */
    public int replica() {
        return job.rank();
    }

    /**
     * The inner loop's coupling of the next outer step.
     *
     * @return γ
     */
    public float gamma() {
        return settings().gammaAt(steps());
    }

    /**
     * The elastic coupling of the next outer step.
     *
     * @return ρ
     */
    public float rho() {
        return settings().rhoAt(steps(), job.size());
    }

    /**
     * The time this replica has spent in its reductions: waiting for the slowest replica included, since a
     * collective returns when all have taken part.
     *
     * @return the seconds
     */
    public double communicationSeconds() {
        return communicationNanos / 1e9;
    }

    /**
     * The mean over every replica of the job of their current weights: the reference model Parle is
     * evaluated as. A collective: every replica calls it at the same point.
     *
     * @param out receives the mean, in the arena's layout
     * @throws IllegalArgumentException if {@code out} is not of the arena's size
     */
    public void averageWeights(float[] out) {
        if (out.length != mean.length) {
            throw new IllegalArgumentException("averageWeights: " + out.length + " values, the arena has " + mean.length);
        }
        reduce(params.values());
        System.arraycopy(mean, 0, out, 0, mean.length);
    }

    @Override
    protected Tensor doStep(Closure closure) {
        Settings s = settings();
        long t = steps();
        List<ParameterArena.Group> groups = params.groups();
        Tensor w = params.values();
        Tensor g = params.grads();
        Tensor loss;
        if (s.innerSteps() == 0) {
            loss = evaluate(closure);
        } else {
            float gamma = s.gammaAt(t);
            Momentum m = s.innerMomentum();
            float lookahead = s.wholeBufferLookahead() ? 1f : m.rho();
            loss = null;
            for (int l = 0; l < s.innerSteps(); l++) {
                loss = evaluate(closure);
                for (int i = 0; i < groups.size(); i++) {
                    ParameterArena.Group grp = groups.get(i);
                    float innerLr = s.innerLrIsLr() ? learningRate(i) : s.innerLr();
                    updates.parleInner(new ParleInnerStep(innerLr, gamma, m.rho(), m.nesterov(), lookahead,
                                    weightDecay(i, s.weightDecay()), s.averaging()), grp.view(w), grp.view(g),
                            grp.view(anchor), grp.view(innerMomentumBuffer), grp.view(runningAverage));
                }
            }
        }
        agreeOnDivergence(t);
        // Parle averages the inner loops' μ; Elastic-SGD, whose replicas have no inner loop, their weights.
        reduce(s.innerSteps() == 0 ? w : runningAverage);
        for (float v : mean) {
            if (!Float.isFinite(v)) {
                throw new DivergenceException("the replicas' mean holds a NaN or an infinity", t,
                        s.evaluationsPerStep() - 1);
            }
        }
        params.backend().write(mean, 0, reference);
        float rho = s.rhoAt(t, job.size());
        Momentum m = s.outerMomentum();
        float lookahead = s.wholeBufferLookahead() ? 1f : m.rho();
        for (int i = 0; i < groups.size(); i++) {
            ParameterArena.Group grp = groups.get(i);
            updates.parleOuter(new ParleOuterStep(learningRate(i), rho, m.rho(), m.nesterov(), lookahead,
                            weightDecay(i, s.weightDecay()), s.innerSteps() == 0, s.outerFromIterate(), s.restartAverage()),
                    grp.view(anchor), grp.view(w), grp.view(runningAverage), grp.view(reference), grp.view(g),
                    grp.view(outerMomentumBuffer));
        }
        return loss;
    }

    /** The mean over the replicas of {@code t} into {@link #mean}, timed. */
    private void reduce(Tensor t) {
        long start = System.nanoTime();
        params.backend().read(t, mine, 0);
        average.mean(new float[][] {mine}, mean);
        communicationNanos += System.nanoTime() - start;
    }

    /**
     * Checks this replica's losses, then tells every replica whether any diverged; if one did, every replica
     * throws the same exception, naming the first that did, so that all stop at this step.
     */
    private void agreeOnDivergence(long t) {
        DivergenceException own = null;
        try {
            checkLossesSoFar();
        } catch (DivergenceException e) {
            own = e;
        }
        if (job.size() == 1) {
            if (own != null) {
                throw own;
            }
            return;
        }
        long start = System.nanoTime();
        byte[] what = own == null ? new byte[0] : own.what().getBytes(StandardCharsets.UTF_8);
        long[] status = {what.length, own == null ? 0 : own.innerStep()};
        long[] all = new long[2 * job.size()];
        job.allgather(status, all);
        int first = -1;
        for (int r = 0; r < job.size() && first < 0; r++) {
            first = all[2 * r] > 0 ? r : -1;
        }
        if (first >= 0) {
            byte[] text = first == job.rank() ? what : new byte[(int) all[2 * first]];
            job.broadcast(text, first);
            throw new DivergenceException("replica " + first + " of " + job.size() + ": "
                    + new String(text, StandardCharsets.UTF_8), t, (int) all[2 * first + 1]);
        }
        communicationNanos += System.nanoTime() - start;
    }
}
