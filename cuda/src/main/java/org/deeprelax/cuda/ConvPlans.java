package org.deeprelax.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
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
 * <p>Which result is taken: cuDNN lists them fastest first; the first that succeeded, that is
 * deterministic (unless {@link CudaOptions#deterministicConvolution()} is off) and that does not compute in
 * reduced precision (unless TF32 is on) wins. Its math type is then set on the convolution descriptor
 * before the pass runs, as the algorithm was timed with it. With TF32 off the descriptor asks for
 * {@code CUDNN_FMA_MATH} throughout, so no pass ever runs on TF32 tensor cores.
 */
final class ConvPlans implements AutoCloseable {

    private static final int REQUESTED = 16;

    /** The algorithm chosen for one pass: its id, the workspace it needs, the math type to run it with. */
    private record Choice(int algo, long workspace, int mathType) {
    }

    /** The descriptors and chosen algorithms of one geometry. */
    private static final class Plan {
        MemorySegment x, w, conv, y;
        int appliedMath;
        final Map<Cudnn.Pass, Choice> chosen = new EnumMap<>(Cudnn.Pass.class);
    }

    private final Cudnn cudnn;
    private final MemorySegment handle;
    private final boolean tf32;
    private final boolean deterministic;
    private final Map<ConvGeometry, Plan> plans = new HashMap<>();

    ConvPlans(Cudnn cudnn, MemorySegment handle, boolean tf32, boolean deterministic) {
        this.cudnn = cudnn;
        this.handle = handle;
        this.tf32 = tf32;
        this.deterministic = deterministic;
    }

    private int searchMath() {
        return tf32 ? Cudnn.DEFAULT_MATH : Cudnn.FMA_MATH;
    }

    private Plan plan(ConvGeometry g) {
        Plan p = plans.get(g);
        if (p == null) {
            p = new Plan();
            p.x = cudnn.tensor4d(g.n(), g.c(), g.h(), g.w());
            p.w = cudnn.filter4d(g.k(), g.c(), g.r(), g.s());
            p.conv = cudnn.convolution2d(g.padH(), g.padW(), g.strideH(), g.strideW(), searchMath());
            p.appliedMath = searchMath();
            p.y = cudnn.tensor4d(g.n(), g.k(), g.p(), g.q());
            plans.put(g, p);
        }
        return p;
    }

    private void applyMath(Plan p, int math) {
        if (p.appliedMath != math) {
            cudnn.setConvolutionMathType(p.conv, math);
            p.appliedMath = math;
        }
    }

    /**
     * The usable results of an algorithm search, in the order to try them.
     *
     * @param results perf structs from {@link Cudnn#find}
     * @param count how many are valid
     * @param tf32 whether results that run on tensor cores in reduced precision may be used
     * @param deterministicOnly whether only deterministic algorithms may be used
     * @return indices into {@code results}, cuDNN's order (fastest first) kept
     */
    static List<Integer> usable(MemorySegment results, int count, boolean tf32, boolean deterministicOnly) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int math = Cudnn.perfMathType(results, i);
            boolean reduced = math == Cudnn.TENSOR_OP_MATH || math == Cudnn.TENSOR_OP_MATH_ALLOW_CONVERSION;
            if (Cudnn.perfStatus(results, i) == 0 && (tf32 || !reduced)
                    && (!deterministicOnly || Cudnn.perfDeterminism(results, i) == Cudnn.DETERMINISTIC)) {
                out.add(i);
            }
        }
        return out;
    }

    private Choice choose(ConvGeometry g, Plan p, Cudnn.Pass pass) {
        Choice known = p.chosen.get(pass);
        if (known != null) {
            return known;
        }
        try (Arena a = Arena.ofConfined()) {
            applyMath(p, searchMath());
            MemorySegment r = cudnn.find(handle, pass, p.x, p.w, p.conv, p.y, a, REQUESTED);
            int n = Cudnn.returnedCount(r, REQUESTED);
            for (int i : usable(r, n, tf32, deterministic)) {
                int algo = Cudnn.perfAlgo(r, i);
                // With TF32 off every pass runs in FMA math whatever the search reported (cuDNN may report
                // the default math type, which on Ampere and later permits TF32).
                int math = tf32 ? Cudnn.perfMathType(r, i) : Cudnn.FMA_MATH;
                applyMath(p, math);
                long ws = cudnn.workspaceSize(handle, pass, p.x, p.w, p.conv, p.y, algo);
                if (ws <= Integer.MAX_VALUE) {
                    Choice c = new Choice(algo, ws, math);
                    p.chosen.put(pass, c);
                    return c;
                }
            }
            throw new IllegalStateException("cudnn: no usable " + pass + " algorithm for " + g + " among " + n
                    + " candidates" + (tf32 ? "" : " without TF32") + (deterministic
                    ? " that are deterministic (CudaOptions.withDeterministicConvolution(false) allows the others)"
                    : ""));
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
        Choice c = choose(g, p, pass);
        applyMath(p, c.mathType());
        CachingAllocator.Block ws = c.workspace() > 0 ? backend.scratch(c.workspace()) : null;
        try {
            cudnn.convolution(handle, pass, Constants.ONE, p.x, x, p.w, w, p.conv, c.algo(), ws == null ? 0 : ws.ptr(),
                    c.workspace(), Constants.ZERO, p.y, y);
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
