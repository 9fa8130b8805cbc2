package org.deeprelax.core.cpu;

import static org.deeprelax.core.cpu.CpuBackend.data;

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

/** The CPU's fused updates: it adapts checked tensors to the array kernels of {@link CpuUpdates}. */
final class CpuFusedUpdates extends FusedUpdates {

    CpuFusedUpdates(CpuBackend backend) {
        super(backend);
    }

    @Override
    protected void runSgd(SgdStep step, Tensor from, Tensor g, Tensor v, Tensor x) {
        CpuUpdates.sgd(data(from), from.offset(), data(g), g.offset(), data(v), v.offset(), data(x), x.offset(),
                x.size(), step);
    }

    @Override
    protected void runLangevin(LangevinStep step, Tensor y, Tensor g, Tensor x, Tensor m, Tensor mu, long seed,
                               long stream, long first) {
        CpuUpdates.langevin(data(y), y.offset(), data(g), g.offset(), data(x), x.offset(), data(m), m.offset(),
                data(mu), mu.offset(), y.size(), step, seed, stream, first);
    }

    @Override
    protected void runEntropyOuter(EntropyOuterStep step, Tensor x, Tensor y, Tensor mu, Tensor m,
                                   Tensor outerMomentum) {
        CpuUpdates.entropyOuter(data(x), x.offset(), data(y), y.offset(), data(mu), mu.offset(), data(m), m.offset(),
                data(outerMomentum), outerMomentum.offset(), x.size(), step);
    }

    @Override
    protected void runFixedPoint(FixedPointStep step, Tensor w, Tensor g, Tensor x, Tensor p) {
        CpuUpdates.fixedPoint(data(w), w.offset(), data(g), g.offset(), data(x), x.offset(), data(p), p.offset(),
                w.size(), step);
    }

    @Override
    protected void runFixedPointOuter(FixedPointOuterStep step, Tensor x, Tensor p, Tensor outerMomentum, Tensor w) {
        CpuUpdates.fixedPointOuter(data(x), x.offset(), data(p), p.offset(), data(outerMomentum),
                outerMomentum.offset(), data(w), w.offset(), x.size(), step);
    }

    @Override
    protected void runAdam(AdamStep step, Tensor x, Tensor g, Tensor m, Tensor v) {
        CpuUpdates.adam(data(x), x.offset(), data(g), g.offset(), data(m), m.offset(), data(v), v.offset(), x.size(),
                step);
    }

    @Override
    protected void runSamAscent(SamAscent step, Tensor w, Tensor g, Tensor anchor) {
        CpuUpdates.samAscent(data(w), w.offset(), data(g), g.offset(), data(anchor), anchor.offset(), w.size(), step);
    }

    @Override
    protected void runParleInner(ParleInnerStep step, Tensor y, Tensor g, Tensor x, Tensor c, Tensor mu) {
        CpuUpdates.parleInner(data(y), y.offset(), data(g), g.offset(), data(x), x.offset(), data(c), c.offset(),
                data(mu), mu.offset(), y.size(), step);
    }

    @Override
    protected void runParleOuter(ParleOuterStep step, Tensor x, Tensor y, Tensor mu, Tensor r, Tensor g,
                                 Tensor outerMomentum) {
        CpuUpdates.parleOuter(data(x), x.offset(), data(y), y.offset(), data(mu), mu.offset(), data(r), r.offset(),
                data(g), g.offset(), data(outerMomentum), outerMomentum.offset(), x.size(), step);
    }
}
