package org.deeprelax.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import org.deeprelax.core.ConvGeometry;
import org.deeprelax.cuda.bindings.Cudnn;

/**
 * cuDNN convolutions, one plan per {@link ConvGeometry}: the four descriptors are created once, and each
 * pass's algorithm is chosen once, on its first use, by {@code cudnnFind…Algorithm} (cuDNN times every
 * algorithm; it allocates its own scratch and synchronises, which is why it runs once per shape and never
 * inside a captured step). Workspaces come from the caching allocator for each call and go back right
 * after it: in stream order that is safe, and from the second step on it is a free-list hit.
 *
 * <p>With TF32 off the convolution descriptor asks for {@code CUDNN_FMA_MATH} and results that report a
 * tensor-op math type are skipped, so no pass ever runs in reduced precision.
 */
final class ConvPlans implements AutoCloseable {

    private static final int REQUESTED = 16;

    /** The descriptors and chosen algorithms of one geometry. */
    private static final class Plan {
        MemorySegment x, w, conv, y;
        final Map<Cudnn.Pass, int[]> algo = new EnumMap<>(Cudnn.Pass.class);   // {algo, workspace bytes}
    }

    private final Cudnn cudnn;
    private final MemorySegment handle;
    private final boolean tf32;
    private final Map<ConvGeometry, Plan> plans = new HashMap<>();

    ConvPlans(Cudnn cudnn, MemorySegment handle, boolean tf32) {
        this.cudnn = cudnn;
        this.handle = handle;
        this.tf32 = tf32;
    }

    private Plan plan(ConvGeometry g) {
        Plan p = plans.get(g);
        if (p == null) {
            p = new Plan();
            p.x = cudnn.tensor4d(g.n(), g.c(), g.h(), g.w());
            p.w = cudnn.filter4d(g.k(), g.c(), g.r(), g.s());
            p.conv = cudnn.convolution2d(g.padH(), g.padW(), g.strideH(), g.strideW(),
                    tf32 ? Cudnn.DEFAULT_MATH : Cudnn.FMA_MATH);
            p.y = cudnn.tensor4d(g.n(), g.k(), g.p(), g.q());
            plans.put(g, p);
        }
        return p;
    }

    /**
     * @param g the geometry
     * @param pass the pass
     * @return {algorithm, workspace bytes}, found on first use
     */
    private long[] choose(ConvGeometry g, Plan p, Cudnn.Pass pass) {
        int[] known = p.algo.get(pass);
        if (known != null) {
            return new long[] {known[0], known[1]};
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment r = cudnn.find(handle, pass, p.x, p.w, p.conv, p.y, a, REQUESTED);
            int n = Cudnn.returnedCount(r, REQUESTED);
            for (int i = 0; i < n; i++) {
                int math = Cudnn.perfMathType(r, i);
                boolean reduced = math == Cudnn.TENSOR_OP_MATH || math == Cudnn.TENSOR_OP_MATH_ALLOW_CONVERSION;
                if (Cudnn.perfStatus(r, i) == 0 && (tf32 || !reduced)) {
                    int algo = Cudnn.perfAlgo(r, i);
                    long ws = cudnn.workspaceSize(handle, pass, p.x, p.w, p.conv, p.y, algo);
                    if (ws > Integer.MAX_VALUE) {
                        continue;
                    }
                    p.algo.put(pass, new int[] {algo, (int) ws});
                    return new long[] {algo, ws};
                }
            }
            throw new IllegalStateException("cudnn: no usable " + pass + " algorithm for " + g + " among " + n
                    + " candidates" + (tf32 ? "" : " without TF32"));
        }
    }

    /**
     * Runs one pass with alpha 1 and beta 0.
     *
     * @param backend for the workspace
     * @param g the geometry
     * @param pass which pass
     * @param x input (dx for backward data)
     * @param w filters (dw for backward filter)
     * @param y output (dy for the backward passes)
     */
    void run(CudaBackend backend, ConvGeometry g, Cudnn.Pass pass, long x, long w, long y) {
        Plan p = plan(g);
        long[] c = choose(g, p, pass);
        CachingAllocator.Block ws = c[1] > 0 ? backend.scratch(c[1]) : null;
        try {
            cudnn.convolution(handle, pass, Constants.ONE, p.x, x, p.w, w, p.conv, (int) c[0], ws == null ? 0 : ws.ptr(),
                    c[1], Constants.ZERO, p.y, y);
        } finally {
            if (ws != null) {
                backend.release(ws);
            }
        }
    }

    @Override
    public void close() {
        for (Plan p : plans.values()) {
            cudnn.destroyTensor(p.x);
            cudnn.destroyFilter(p.w);
            cudnn.destroyConvolution(p.conv);
            cudnn.destroyTensor(p.y);
        }
        plans.clear();
    }
}
