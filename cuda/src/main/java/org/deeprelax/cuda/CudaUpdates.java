package org.deeprelax.cuda;

import static org.deeprelax.cuda.CudaBackend.PARTIALS;
import static org.deeprelax.cuda.CudaBackend.THREADS;

import org.deeprelax.core.Tensor;
import org.deeprelax.core.update.AdamStep;
import org.deeprelax.core.update.EntropyOuterStep;
import org.deeprelax.core.update.FixedPointOuterStep;
import org.deeprelax.core.update.FixedPointStep;
import org.deeprelax.core.update.FusedUpdates;
import org.deeprelax.core.update.LangevinStep;
import org.deeprelax.core.update.ParleInnerStep;
import org.deeprelax.core.update.ParleOuterStep;
import org.deeprelax.core.update.SamAscent;
import org.deeprelax.core.update.SgdStep;

/**
 * The GPU's fused updates: each is one launch of a kernel of {@code kernels/updates.cu} over the checked
 * operands, its scalars passed as kernel arguments, so a step queues without a host synchronisation and a
 * CUDA graph can capture it. SAM's ascent is three launches that keep its norm on the device: the partial
 * sums of ‖T·g‖² ({@code reduce.cu}), their total, and the pass that reads the total and perturbs.
 */
final class CudaUpdates extends FusedUpdates {

    private final CudaBackend gpu;

    CudaUpdates(CudaBackend gpu) {
        super(gpu);
        this.gpu = gpu;
    }

    @Override
    protected void runSgd(SgdStep st, Tensor from, Tensor g, Tensor v, Tensor x) {
        gpu.enter();
        int n = x.size();
        gpu.kernel("updates", "sgd_update").ptr(gpu.ptr(from)).ptr(gpu.ptr(g)).ptr(gpu.ptr(v)).ptr(gpu.ptr(x)).i32(n)
                .f32(st.lr()).f32(st.momentum()).f32(st.weightDecay()).i32(st.nesterov() ? 1 : 0)
                .launch(gpu.grid(n), THREADS);
    }

    @Override
    protected void runLangevin(LangevinStep st, Tensor y, Tensor g, Tensor x, Tensor m, Tensor mu, long seed,
                               long streamId, long first) {
        gpu.enter();
        int n = y.size();
        gpu.kernel("updates", "langevin_step").ptr(gpu.ptr(y)).ptr(gpu.ptr(g)).ptr(gpu.ptr(x)).ptr(gpu.ptr(m))
                .ptr(gpu.ptr(mu)).i32(n).f32(st.innerLr()).f32(st.gamma()).f32(st.noiseScale()).f32(st.alpha())
                .f32(st.momentum()).i32(st.nesterov() ? 1 : 0).f32(st.weightDecay())
                .i32(st.placement() == LangevinStep.MomentumPlacement.ALL ? 1 : 0).u64(seed).u64(streamId).u64(first)
                .launch(gpu.grid(n), THREADS);
    }

    @Override
    protected void runEntropyOuter(EntropyOuterStep st, Tensor x, Tensor y, Tensor mu, Tensor m,
                                   Tensor outerMomentum) {
        gpu.enter();
        int n = x.size();
        gpu.kernel("updates", "entropy_outer_step").ptr(gpu.ptr(x)).ptr(gpu.ptr(y)).ptr(gpu.ptr(mu)).ptr(gpu.ptr(m))
                .ptr(gpu.ptr(outerMomentum)).i32(n).f32(st.lr()).f32(st.momentum()).i32(st.nesterov() ? 1 : 0)
                .f32(st.weightDecay()).i32(st.resetInnerMomentum() ? 1 : 0).launch(gpu.grid(n), THREADS);
    }

    @Override
    protected void runFixedPoint(FixedPointStep st, Tensor w, Tensor g, Tensor x, Tensor p) {
        gpu.enter();
        int n = w.size();
        gpu.kernel("updates", "fixed_point_step").ptr(gpu.ptr(w)).ptr(gpu.ptr(g)).ptr(gpu.ptr(x)).ptr(gpu.ptr(p))
                .i32(n).f32(st.damping()).f32(1f / st.gamma()).f32(st.weightDecay()).launch(gpu.grid(n), THREADS);
    }

    @Override
    protected void runFixedPointOuter(FixedPointOuterStep st, Tensor x, Tensor p, Tensor outerMomentum, Tensor w) {
        gpu.enter();
        int n = x.size();
        gpu.kernel("updates", "fixed_point_outer_step").ptr(gpu.ptr(x)).ptr(gpu.ptr(p)).ptr(gpu.ptr(outerMomentum))
                .ptr(gpu.ptr(w)).i32(n).f32(st.lr()).f32(st.momentum()).i32(st.nesterov() ? 1 : 0)
                .launch(gpu.grid(n), THREADS);
    }

    @Override
    protected void runAdam(AdamStep st, Tensor x, Tensor g, Tensor m, Tensor v) {
        gpu.enter();
        int n = x.size();
        gpu.kernel("updates", "adam_update").ptr(gpu.ptr(x)).ptr(gpu.ptr(g)).ptr(gpu.ptr(m)).ptr(gpu.ptr(v)).i32(n)
                .f32(st.beta1()).f32(st.beta2()).f32(st.eps()).f32(st.decoupled() ? 0f : st.weightDecay())
                .f32(st.decay()).f32(st.stepSize()).f32(st.biasCorrection2Sqrt()).launch(gpu.grid(n), THREADS);
    }

    @Override
    protected void runSamAscent(SamAscent st, Tensor w, Tensor g, Tensor anchor) {
        gpu.enter();
        int n = w.size();
        long partials = gpu.reductionScratch();
        long squares = partials + 8L * PARTIALS;
        int blocks = Math.max(1, Math.min(PARTIALS, (n + THREADS - 1) / THREADS));
        int adaptive = st.adaptive() ? 1 : 0;
        gpu.kernel("reduce", "scaled_squares_partial").ptr(gpu.ptr(w)).ptr(gpu.ptr(g)).i32(n).i32(adaptive)
                .f32(st.eta()).ptr(partials).launch(blocks, THREADS);
        gpu.kernel("reduce", "sum_final").ptr(partials).i32(blocks).ptr(squares).launch(1, THREADS);
        gpu.kernel("updates", "sam_ascent").ptr(gpu.ptr(w)).ptr(gpu.ptr(g)).ptr(gpu.ptr(anchor)).i32(n).i32(adaptive)
                .f32(st.eta()).f32(st.rho()).ptr(squares).launch(gpu.grid(n), THREADS);
    }

    @Override
    protected void runParleInner(ParleInnerStep st, Tensor y, Tensor g, Tensor x, Tensor c, Tensor mu) {
        gpu.enter();
        int n = y.size();
        gpu.kernel("updates", "parle_inner_step").ptr(gpu.ptr(y)).ptr(gpu.ptr(g)).ptr(gpu.ptr(x)).ptr(gpu.ptr(c))
                .ptr(gpu.ptr(mu)).i32(n).f32(st.innerLr()).f32(st.gamma()).f32(st.momentum()).i32(st.nesterov() ? 1 : 0)
                .f32(st.lookahead()).f32(st.weightDecay()).f32(st.averaging()).launch(gpu.grid(n), THREADS);
    }

    @Override
    protected void runParleOuter(ParleOuterStep st, Tensor x, Tensor y, Tensor mu, Tensor r, Tensor g,
                                 Tensor outerMomentum) {
        gpu.enter();
        int n = x.size();
        gpu.kernel("updates", "parle_outer_step").ptr(gpu.ptr(x)).ptr(gpu.ptr(y)).ptr(gpu.ptr(mu)).ptr(gpu.ptr(r))
                .ptr(gpu.ptr(g)).ptr(gpu.ptr(outerMomentum)).i32(n).f32(st.lr()).f32(st.coupling()).f32(st.momentum())
                .i32(st.nesterov() ? 1 : 0).f32(st.lookahead()).f32(st.weightDecay()).i32(st.fromGradient() ? 1 : 0)
                .i32(st.fromIterate() ? 1 : 0).i32(st.resetAverage() ? 1 : 0).launch(gpu.grid(n), THREADS);
    }
}
