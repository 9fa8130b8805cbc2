package org.deeprelax.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;

import org.deeprelax.core.random.Philox;
import org.junit.jupiter.api.Test;

/**
 * The backend contract: every operation's forward against the float64 reference in {@link Ref}, and
 * every backward against central finite differences of that reference. A backend proves itself by
 * subclassing this class and naming itself in {@link #backend()}; the tests run unchanged. Its fused
 * optimizer updates have a contract of their own, {@link FusedUpdatesContractTest}.
 */
public abstract class BackendContractTest {

    /** @return the backend under test */
    protected abstract Backend backend();

    /** Relative tolerance for forward values; GEMM-based backends on GPUs may need it looser. */
    protected double forwardTolerance() {
        return 2e-5;
    }

    // ---- harness --------------------------------------------------------------------------------

    @FunctionalInterface
    interface DiffOp {
        Tensor apply(Tensor[] in);
    }

    @FunctionalInterface
    interface RefOp {
        double[] apply(double[][] in);
    }

    private final Random random = new Random(20261127);

    protected Tensor rand(int... dims) {
        return randIn(-1, 1, dims);
    }

    protected Tensor randIn(double lo, double hi, int... dims) {
        float[] d = new float[Ref.size(dims)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (lo + (hi - lo) * random.nextDouble());
        }
        return Tensor.of(backend(), d, Shape.of(dims));
    }

    protected Tensor labels(int n, int classes) {
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = random.nextInt(classes);
        }
        return Tensor.of(backend(), d, Shape.of(n));
    }

    static void assertClose(String what, double[] expected, float[] actual, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double tol = rtol * Math.max(1, scale);
            if (!(Math.abs(expected[i] - actual[i]) <= tol)) {
                fail(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i] + " (tolerance " + tol
                        + "); expected starts " + Ref.show(expected));
            }
        }
    }

    /**
     * Checks an operation's forward against the reference, then its backward: the gradient of
     * Σ r·op(inputs) for a random r, against central differences of Σ r·ref(inputs) in float64.
     * Inputs that do not require a gradient (labels) are passed with requiresGrad false.
     */
    void check(String name, DiffOp op, RefOp ref, Tensor... inputs) {
        double[][] ins = new double[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            ins[i] = Ref.toDouble(inputs[i].toArray());
        }
        Tensor y = op.apply(inputs);
        double[] expected = ref.apply(ins);
        assertClose(name + " forward", expected, y.toArray(), forwardTolerance());

        boolean anyGrad = false;
        for (Tensor t : inputs) {
            anyGrad |= t.requiresGrad();
        }
        if (!anyGrad) {
            return;
        }
        float[] r = new float[y.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) (random.nextDouble() * 2 - 1);
        }
        y.backward(Tensor.of(backend(), r, y.shape()));
        for (int i = 0; i < inputs.length; i++) {
            if (!inputs[i].requiresGrad()) {
                continue;
            }
            assertNotNull(inputs[i].grad(), name + ": input " + i + " got no gradient");
            float[] analytic = inputs[i].grad().toArray();
            int count = ins[i].length;
            int samples = Math.min(count, 48);
            double maxAbs = 0;
            double[] numeric = new double[samples];
            int[] which = new int[samples];
            for (int s = 0; s < samples; s++) {
                int j = count <= 48 ? s : random.nextInt(count);
                which[s] = j;
                double orig = ins[i][j];
                double h = 1e-6 * Math.max(1, Math.abs(orig));
                ins[i][j] = orig + h;
                double plus = weighted(r, ref.apply(ins));
                ins[i][j] = orig - h;
                double minus = weighted(r, ref.apply(ins));
                ins[i][j] = orig;
                numeric[s] = (plus - minus) / (2 * h);
                maxAbs = Math.max(maxAbs, Math.abs(numeric[s]));
            }
            for (int s = 0; s < samples; s++) {
                double tol = 2e-3 * Math.max(1, maxAbs);
                double got = analytic[which[s]];
                if (!(Math.abs(got - numeric[s]) <= tol)) {
                    fail(name + " backward: input " + i + " element " + which[s] + " has gradient " + got
                            + ", finite differences give " + numeric[s] + " (tolerance " + tol + ")");
                }
            }
        }
    }

    private static double weighted(float[] r, double[] y) {
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            s += r[i] * y[i];
        }
        return s;
    }

    private Tensor grad(Tensor t) {
        return t.requiresGrad(true);
    }

    // ---- elementwise ----------------------------------------------------------------------------

    @Test
    void binaryOpsBroadcastForwardAndBackward() {
        int[][][] cases = {
                {{3, 5}, {3, 5}}, {{2, 3, 4}, {4}}, {{2, 1, 4}, {3, 1}}, {{1}, {2, 3}},
                {{4, 1}, {1, 6}}, {{2, 3, 1, 5}, {3, 4, 1}}, {{1, 7}, {1, 7}},
                // A per-channel bias: the backend may merge the last two axes into rows of 24 and 64.
                {{2, 3, 4, 6}, {1, 3, 1, 1}}, {{2, 3, 8, 8}, {3, 1, 1}}};
        for (BinaryOp op : BinaryOp.values()) {
            for (int[][] c : cases) {
                int[] as = c[0];
                int[] bs = c[1];
                Tensor a = grad(rand(as));
                Tensor b = op == BinaryOp.DIV ? grad(randIn(0.5, 2, bs)) : grad(rand(bs));
                check(op + " " + Shape.of(as) + " " + Shape.of(bs), in -> switch (op) {
                    case ADD -> in[0].add(in[1]);
                    case SUB -> in[0].sub(in[1]);
                    case MUL -> in[0].mul(in[1]);
                    case DIV -> in[0].div(in[1]);
                }, d -> Ref.binary(op, d[0], as, d[1], bs), a, b);
            }
        }
    }

    @Test
    void unaryOpsForwardAndBackward() {
        int[] shape = {3, 17};
        check("relu", in -> in[0].relu(), d -> Ref.unary(UnaryOp.RELU, d[0]), grad(rand(shape)));
        check("exp", in -> in[0].exp(), d -> Ref.unary(UnaryOp.EXP, d[0]), grad(rand(shape)));
        check("log", in -> in[0].log(), d -> Ref.unary(UnaryOp.LOG, d[0]), grad(randIn(0.1, 3, shape)));
        check("tanh", in -> in[0].tanh(), d -> Ref.unary(UnaryOp.TANH, d[0]), grad(randIn(-4, 4, shape)));
        check("sigmoid", in -> in[0].sigmoid(), d -> Ref.unary(UnaryOp.SIGMOID, d[0]), grad(randIn(-6, 6, shape)));
        check("sqrt", in -> in[0].sqrt(), d -> Ref.unary(UnaryOp.SQRT, d[0]), grad(randIn(0.1, 4, shape)));
        check("abs", in -> in[0].abs(), d -> Ref.unary(UnaryOp.ABS, d[0]), grad(rand(shape)));
        check("pow 2.5", in -> in[0].pow(2.5f), d -> Ref.unary(UnaryOp.POW, 2.5, 0, d[0]), grad(randIn(0.1, 2, shape)));
        check("pow 3", in -> in[0].pow(3f), d -> Ref.unary(UnaryOp.POW, 3, 0, d[0]), grad(rand(shape)));
        check("pow -1", in -> in[0].pow(-1f), d -> Ref.unary(UnaryOp.POW, -1, 0, d[0]), grad(randIn(0.5, 2, shape)));
        check("pow 0", in -> in[0].pow(0f), d -> Ref.unary(UnaryOp.POW, 0, 0, d[0]), grad(rand(shape)));
        check("clamp", in -> in[0].clamp(-0.3f, 0.5f), d -> Ref.unary(UnaryOp.CLAMP, -0.3f, 0.5f, d[0]),
                grad(rand(shape)));
        check("affine", in -> Elementwise.affine(in[0], -1.5f, 0.25f), d -> Ref.unary(UnaryOp.AFFINE, -1.5, 0.25, d[0]),
                grad(rand(shape)));
        check("add constant", in -> in[0].add(3f), d -> Ref.unary(UnaryOp.AFFINE, 1, 3, d[0]), grad(rand(shape)));
        check("sub constant", in -> in[0].sub(3f), d -> Ref.unary(UnaryOp.AFFINE, 1, -3, d[0]), grad(rand(shape)));
        check("mul constant", in -> in[0].mul(-2f), d -> Ref.unary(UnaryOp.AFFINE, -2, 0, d[0]), grad(rand(shape)));
        check("neg", in -> in[0].neg(), d -> Ref.unary(UnaryOp.AFFINE, -1, 0, d[0]), grad(rand(shape)));
    }

    /**
     * tanh and sigmoid over the whole float range: at ±88 (where e^x is near float's limits), ±1e30,
     * the largest float, infinities, and subnormals, each within a relative 1e-5 of float64 (plus a few
     * subnormal steps for results below the normal range), and their gradients finite.
     */
    @Test
    void tanhAndSigmoidAreStableOverTheWholeFloatRange() {
        float[] xs = {88f, -88f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -1e-40f, Float.MIN_NORMAL, 0f, -0f,
            9f, -9f, 17f, -17f, 20f, -20f, 60f, -60f, -100f, -103f, -104f, 0.5f, -0.5f};
        for (UnaryOp op : new UnaryOp[] {UnaryOp.TANH, UnaryOp.SIGMOID}) {
            Tensor x = grad(Tensor.of(backend(), xs, Shape.of(xs.length)));
            Tensor y = op == UnaryOp.TANH ? x.tanh() : x.sigmoid();
            double[] expected = Ref.unary(op, Ref.toDouble(xs));
            float[] got = y.toArray();
            for (int i = 0; i < xs.length; i++) {
                double tol = 1e-5 * Math.abs(expected[i]) + 4 * Float.MIN_VALUE;
                assertTrue(Math.abs(got[i] - expected[i]) <= tol, op + "(" + xs[i] + ") = " + got[i] + ", expected "
                        + expected[i]);
            }
            y.backward(Tensor.ones(backend(), y.shape()));
            float[] g = x.grad().toArray();
            for (int i = 0; i < xs.length; i++) {
                double dy = op == UnaryOp.TANH ? 1 - expected[i] * expected[i] : expected[i] * (1 - expected[i]);
                assertTrue(Math.abs(g[i] - dy) <= 1e-5 * Math.abs(dy) + 1e-6, op + "'(" + xs[i] + ") = " + g[i]
                        + ", expected " + dy);
            }
        }
    }

    @Test
    void sameInputUsedTwiceAccumulatesGradient() {
        Tensor x = grad(rand(5));
        x.mul(x).add(x).sum().backward();
        float[] xs = x.toArray();
        float[] g = x.grad().toArray();
        for (int i = 0; i < xs.length; i++) {
            assertEquals(2 * xs[i] + 1, g[i], 1e-6);
        }
    }

    // ---- reductions -----------------------------------------------------------------------------

    @Test
    void sumAndMeanOverAxes() {
        int[] shape = {3, 4, 5};
        int[][] axesCases = {{0}, {1}, {2}, {-1}, {0, 2}, {0, 1, 2}};
        for (int[] axes : axesCases) {
            for (boolean keep : new boolean[] {false, true}) {
                check("sum " + java.util.Arrays.toString(axes), in -> in[0].sum(axes, keep),
                        d -> Ref.sum(d[0], shape, axes), grad(rand(shape)));
                int count = 1;
                for (int a : axes) {
                    count *= shape[a < 0 ? a + 3 : a];
                }
                int n = count;
                check("mean " + java.util.Arrays.toString(axes), in -> in[0].mean(axes, keep), d -> {
                    double[] s = Ref.sum(d[0], shape, axes);
                    for (int i = 0; i < s.length; i++) {
                        s[i] /= n;
                    }
                    return s;
                }, grad(rand(shape)));
            }
        }
        Tensor x = rand(2, 3);
        assertEquals(Shape.of(2, 1), x.sum(new int[] {1}, true).shape());
        assertEquals(Shape.of(2), x.sum(new int[] {1}, false).shape());
        assertEquals(Shape.scalar(), x.sum().shape());
    }

    @Test
    void backendScalarReductionsAndInPlaceOps() {
        Backend be = backend();
        for (int n : new int[] {1, 7, 16, 1000, 200_003}) {
            Tensor x = rand(n);
            Tensor y = rand(n);
            double[] xd = Ref.toDouble(x.toArray());
            double[] yd = Ref.toDouble(y.toArray());
            double sum = 0, dot = 0;
            for (int i = 0; i < n; i++) {
                sum += xd[i];
                dot += xd[i] * yd[i];
            }
            assertEquals(sum, be.sum(x), 1e-6 * n);
            assertEquals(dot, be.dot(x, y), 1e-6 * n);
            double norm = 0;
            for (double v : xd) {
                norm += v * v;
            }
            assertEquals(Math.sqrt(norm), be.norm2(x), 1e-6 * Math.sqrt(n));

            be.axpy(0.5f, x, y);
            double[] expected = new double[n];
            for (int i = 0; i < n; i++) {
                expected[i] = yd[i] + 0.5 * xd[i];
            }
            assertClose("axpy", expected, y.toArray(), 1e-6);
            be.scale(-3f, x);
            for (int i = 0; i < n; i++) {
                expected[i] = -3 * xd[i];
            }
            assertClose("scale", expected, x.toArray(), 1e-6);
            be.copy(y, x);
            assertClose("copy", Ref.toDouble(y.toArray()), x.toArray(), 0);
            be.fill(x, 2.5f);
            for (float v : x.toArray()) {
                assertEquals(2.5f, v);
            }
        }
    }

    @Test
    void operationsOnViewsRespectTheirOffsets() {
        Tensor arena = rand(50);
        Tensor a = arena.region(3, Shape.of(4, 5));
        Tensor b = arena.region(23, Shape.of(5));
        double[] ad = Ref.toDouble(a.toArray());
        double[] bd = Ref.toDouble(b.toArray());
        assertClose("add on views", Ref.binary(BinaryOp.ADD, ad, new int[] {4, 5}, bd, new int[] {5}),
                a.add(b).toArray(), 1e-6);
        float before0 = arena.get(0);
        backend().fill(b, 1f);
        assertEquals(before0, arena.get(0));
        assertEquals(1f, arena.get(23));
        assertEquals(1f, arena.get(27));
    }

    @Test
    void maxAndArgmaxAlongEachAxis() {
        int[] shape = {3, 4, 5};
        for (int axis : new int[] {0, 1, 2, -1}) {
            int a = axis < 0 ? axis + 3 : axis;
            for (boolean keep : new boolean[] {false, true}) {
                check("max axis " + axis, in -> in[0].max(axis, keep), d -> Ref.max(d[0], shape, a, false),
                        grad(rand(shape)));
                Tensor x = rand(shape);
                Tensor where = x.argmax(axis, keep);
                assertEquals(x.shape().reduce(new int[] {a}, keep), where.shape());
                assertTrue(!where.requiresGrad());
                assertClose("argmax axis " + axis, Ref.max(Ref.toDouble(x.toArray()), shape, a, true),
                        where.toArray(), 0);
            }
        }
        // Ties send the gradient to the first maximum; a NaN is the maximum.
        Tensor t = grad(Tensor.of(backend(), new float[] {1, 3, 3, 2, Float.NaN, 5}, Shape.of(2, 3)));
        Tensor m = t.max(1, false);
        assertEquals(3f, m.get(0));
        assertTrue(Float.isNaN(m.get(1)));
        assertClose("argmax with a tie and a NaN", new double[] {1, 1}, t.argmax(1, false).toArray(), 0);
        m.backward(Tensor.ones(backend(), Shape.of(2)));
        assertClose("max gradient with a tie", new double[] {0, 1, 0, 0, 1, 0}, t.grad().toArray(), 0);
    }

    // ---- layout: permute, slice, index, concatenate, stack --------------------------------------------

    @Test
    void permuteAndTransposeForwardAndBackward() {
        int[] shape = {2, 3, 4};
        for (int[] perm : new int[][] {{0, 1, 2}, {2, 0, 1}, {1, 0, 2}, {0, 2, 1}, {2, 1, 0}}) {
            check("permute " + java.util.Arrays.toString(perm), in -> in[0].permute(perm),
                    d -> Ref.permute(d[0], shape, perm), grad(rand(shape)));
        }
        check("transpose of a matrix", in -> in[0].transpose(0, 1), d -> Ref.permute(d[0], new int[] {5, 7},
                new int[] {1, 0}), grad(rand(5, 7)));
        check("transpose -1 -3", in -> in[0].transpose(-1, -3), d -> Ref.permute(d[0], shape, new int[] {2, 1, 0}),
                grad(rand(shape)));
        assertEquals(Shape.of(4, 3, 2), rand(shape).permute(2, 1, 0).shape());
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    @Test
    void sliceSelectAndIndexForwardAndBackward() {
        int[] shape = {3, 4, 5};
        check("slice axis 0 [1, 3)", in -> in[0].slice(0, 1, 3), d -> Ref.take(d[0], shape, 0, range(1, 3)),
                grad(rand(shape)));
        check("slice axis 1 [0, 2)", in -> in[0].slice(1, 0, 2), d -> Ref.take(d[0], shape, 1, range(0, 2)),
                grad(rand(shape)));
        check("slice axis -1 [-3, -1)", in -> in[0].slice(-1, -3, -1), d -> Ref.take(d[0], shape, 2, range(2, 4)),
                grad(rand(shape)));
        check("select axis 1 position 2", in -> in[0].select(1, 2), d -> Ref.take(d[0], shape, 1, new int[] {2}),
                grad(rand(shape)));
        check("select axis 0 position -1", in -> in[0].select(0, -1), d -> Ref.take(d[0], shape, 0, new int[] {2}),
                grad(rand(shape)));
        assertEquals(Shape.of(3, 5), rand(shape).select(1, 2).shape());
        int[] positions = {3, 0, 3, 1, 3};
        check("index axis 1 with repeats", in -> in[0].index(1, positions), d -> Ref.take(d[0], shape, 1, positions),
                grad(rand(shape)));
        check("index axis 0", in -> Layout.index(in[0], 0, Tensor.of(backend(), new float[] {2, 2, 0}, Shape.of(3))),
                d -> Ref.take(d[0], shape, 0, new int[] {2, 2, 0}), grad(rand(shape)));
        check("index axis 2", in -> in[0].index(2, 4, 1), d -> Ref.take(d[0], shape, 2, new int[] {4, 1}),
                grad(rand(shape)));
    }

    @Test
    void concatenateAndStackForwardAndBackward() {
        int[][] shapes = {{2, 3, 4}, {2, 1, 4}, {2, 5, 4}};
        check("concat axis 1", in -> Layout.concat(1, in), d -> Ref.concat(d, shapes, 1),
                grad(rand(shapes[0])), grad(rand(shapes[1])), grad(rand(shapes[2])));
        int[][] rows = {{1, 3}, {4, 3}};
        check("concat axis 0", in -> Layout.concat(0, in), d -> Ref.concat(d, rows, 0), grad(rand(rows[0])),
                grad(rand(rows[1])));
        int[][] lasts = {{2, 3}, {2, 2}};
        check("concat axis -1", in -> Layout.concat(-1, in), d -> Ref.concat(d, lasts, 1), grad(rand(lasts[0])),
                grad(rand(lasts[1])));
        int[][] same = {{2, 1, 3}, {2, 1, 3}, {2, 1, 3}};
        check("stack axis 1", in -> Layout.stack(1, in), d -> Ref.concat(d, same, 1), grad(rand(2, 3)),
                grad(rand(2, 3)), grad(rand(2, 3)));
        int[][] ends = {{2, 3, 1}, {2, 3, 1}};
        check("stack axis -1", in -> Layout.stack(-1, in), d -> Ref.concat(d, ends, 2), grad(rand(2, 3)),
                grad(rand(2, 3)));
        assertEquals(Shape.of(3, 2, 3), Layout.stack(0, rand(2, 3), rand(2, 3), rand(2, 3)).shape());
    }

    // ---- losses and layer norm -----------------------------------------------------------------------

    @Test
    void meanSquaredErrorForwardAndBackward() {
        for (int[] shape : new int[][] {{7}, {4, 5}, {2, 3, 2}}) {
            check("mse " + Shape.of(shape), in -> Losses.mse(in[0], in[1]), d -> {
                double s = 0;
                for (int i = 0; i < d[0].length; i++) {
                    s += (d[0][i] - d[1][i]) * (d[0][i] - d[1][i]);
                }
                return new double[] {s / d[0].length};
            }, grad(rand(shape)), grad(rand(shape)));
        }
    }

    @Test
    void layerNormOverTrailingAxesForwardAndBackward() {
        for (int[][] c : new int[][][] {{{4, 6}, {6}}, {{2, 3, 5}, {5}}, {{2, 3, 5}, {3, 5}}, {{3, 1}, {1}}}) {
            int[] xs = c[0];
            int[] ns = c[1];
            check("layerNorm " + Shape.of(xs) + " over " + Shape.of(ns),
                    in -> LayerNorm.layerNorm(in[0], in[1], in[2], 1e-5f),
                    d -> Ref.layerNorm(d[0], d[1], d[2], 1e-5), grad(randIn(-2, 3, xs)), grad(randIn(0.5, 1.5, ns)),
                    grad(rand(ns)));
        }
    }

    // ---- custom operations ------------------------------------------------------------------------------

    /** hypot(a, b) = √(a² + b²), a two-input operation written through the public record call. */
    private static Tensor hypot(Tensor a, Tensor b) {
        Tensor h;
        try (var scope = Autograd.noGrad()) {
            h = a.mul(a).add(b.mul(b)).sqrt();
        }
        return Autograd.record("hypot", h, g -> new Tensor[] {
                Autograd.needsGrad(a) ? g.mul(a).div(h) : null,
                Autograd.needsGrad(b) ? g.mul(b).div(h) : null}, a, b);
    }

    @Test
    void customOperationsRecordTheirOwnBackward() {
        check("hypot", in -> hypot(in[0], in[1]), d -> {
            double[] out = new double[d[0].length];
            for (int i = 0; i < out.length; i++) {
                out[i] = Math.sqrt(d[0][i] * d[0][i] + d[1][i] * d[1][i]);
            }
            return out;
        }, grad(rand(4, 5)), grad(rand(4, 5)));
        // Composed with built-in operations on both sides, one input constant, the result used twice.
        Tensor x = grad(rand(6));
        Tensor c = rand(6);
        Tensor s = hypot(x.mul(2f), c);
        s.add(s).sum().backward();
        float[] xs = x.toArray();
        float[] cs = c.toArray();
        float[] g = x.grad().toArray();
        for (int i = 0; i < xs.length; i++) {
            double h = Math.hypot(2 * xs[i], cs[i]);
            assertEquals(2 * 2 * (2 * xs[i]) / h, g[i], 1e-4);
        }
        assertNull(c.grad());
    }

    @Test
    void customOperationsThatBreakTheContractAreNamed() {
        Tensor x = grad(rand(2, 3));
        assertMessage(IllegalArgumentException.class, () -> Autograd.record("same", x, g -> new Tensor[] {g}, x),
                "same", "input 0 itself");
        assertMessage(IllegalArgumentException.class,
                () -> Autograd.record("composed", x.mul(x), g -> new Tensor[] {g}, x), "composed", "'mul'", "noGrad");
        Tensor y;
        try (var scope = Autograd.noGrad()) {
            y = x.mul(2f);
        }
        Tensor wrongCount = Autograd.record("twoGrads", y, g -> new Tensor[] {g, g}, x);
        assertMessage(IllegalStateException.class, () -> wrongCount.sum().backward(), "twoGrads", "2 gradients",
                "1 inputs");
        Tensor z;
        try (var scope = Autograd.noGrad()) {
            z = x.mul(2f);
        }
        Tensor wrongShape = Autograd.record("flat", z, g -> new Tensor[] {g.reshape(6)}, x);
        assertMessage(IllegalStateException.class, () -> wrongShape.sum().backward(), "flat", "[6]", "[2, 3]");
    }

    // ---- matmul ---------------------------------------------------------------------------------

    @Test
    void matmulWithEitherOperandTransposed() {
        int[][] mnk = {{1, 1, 1}, {1, 9, 4}, {7, 13, 29}, {33, 17, 65}};
        for (int[] s : mnk) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    int[] as = ta ? new int[] {k, m} : new int[] {m, k};
                    int[] bs = tb ? new int[] {n, k} : new int[] {k, n};
                    check("matmul " + m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb,
                            in -> MatMul.matmul(in[0], in[1], ta, tb),
                            d -> Ref.matmul(d[0], as, d[1], bs, ta, tb), grad(rand(as)), grad(rand(bs)));
                }
            }
        }
    }

    // ---- softmax and cross-entropy ----------------------------------------------------------------

    @Test
    void softmaxAndLogSoftmaxOverEachAxis() {
        int[] shape = {3, 4, 5};
        for (int axis : new int[] {0, 1, 2, -1}) {
            check("softmax axis " + axis, in -> in[0].softmax(axis), d -> Ref.softmax(d[0], shape, axis, false),
                    grad(randIn(-3, 3, shape)));
            check("logSoftmax axis " + axis, in -> in[0].logSoftmax(axis), d -> Ref.softmax(d[0], shape, axis, true),
                    grad(randIn(-3, 3, shape)));
        }
    }

    @Test
    void crossEntropyMatchesReferenceAndIsStable() {
        for (int[] nc : new int[][] {{1, 10}, {7, 3}, {32, 10}}) {
            int n = nc[0], c = nc[1];
            Tensor lab = labels(n, c);
            int[] li = new int[n];
            float[] lf = lab.toArray();
            for (int i = 0; i < n; i++) {
                li[i] = (int) lf[i];
            }
            check("crossEntropy " + n + "x" + c, in -> Softmax.crossEntropy(in[0], in[1]),
                    d -> new double[] {Ref.crossEntropy(d[0], n, c, li)}, grad(randIn(-4, 4, n, c)), lab);
        }
        Tensor huge = Tensor.of(backend(), new float[] {1000f, -1000f, 0f, 0f, 2000f, 1999f}, Shape.of(2, 3));
        float loss = Softmax.crossEntropy(huge, Tensor.of(backend(), new float[] {0, 2}, Shape.of(2))).item();
        // Row 0: label 0 holds the maximum by 1000, loss ≈ 0. Row 1: log(e^2000 + e^1999) − 1999 = 1 + log(1 + e^−1).
        double expected = (0 + 1 + Math.log(1 + Math.exp(-1))) / 2;
        assertEquals(expected, loss, 1e-5);
    }

    // ---- convolution and pooling ------------------------------------------------------------------

    @Test
    void conv2dWithStridePaddingAndBias() {
        // {n, c, h, w, k, r, s(=r), stride, pad, bias}
        int[][] cases = {
                {1, 1, 5, 5, 1, 3, 1, 0, 0}, {2, 3, 7, 6, 4, 3, 2, 1, 1}, {1, 2, 8, 9, 3, 5, 3, 2, 1},
                {3, 4, 4, 4, 5, 1, 1, 0, 1}, {1, 3, 6, 5, 2, 2, 2, 0, 0}};
        for (int[] c : cases) {
            int[] xs = {c[0], c[1], c[2], c[3]};
            int[] ws = {c[4], c[1], c[5], c[5]};
            int stride = c[6], pad = c[7];
            boolean bias = c[8] == 1;
            String name = "conv2d x" + Shape.of(xs) + " w" + Shape.of(ws) + " stride " + stride + " pad " + pad;
            if (bias) {
                check(name, in -> Conv.conv2d(in[0], in[1], in[2], stride, pad),
                        d -> Ref.conv2d(d[0], xs, d[1], ws, d[2], stride, pad),
                        grad(rand(xs)), grad(rand(ws)), grad(rand(ws[0])));
            } else {
                check(name, in -> Conv.conv2d(in[0], in[1], null, stride, pad),
                        d -> Ref.conv2d(d[0], xs, d[1], ws, null, stride, pad), grad(rand(xs)), grad(rand(ws)));
            }
        }
    }

    @Test
    void maxAndAveragePooling() {
        // {n, c, h, w, kernel, stride, pad}
        int[][] cases = {{1, 2, 6, 6, 2, 2, 0}, {2, 1, 7, 5, 3, 2, 1}, {1, 1, 9, 9, 3, 3, 0}, {1, 3, 5, 4, 2, 1, 1}};
        for (int[] c : cases) {
            int[] xs = {c[0], c[1], c[2], c[3]};
            int k = c[4], s = c[5], p = c[6];
            check("maxPool " + Shape.of(xs) + " k" + k + " s" + s + " p" + p, in -> Pool.maxPool2d(in[0], k, s, p),
                    d -> Ref.pool(d[0], xs, k, s, p, true), grad(rand(xs)));
            check("avgPool " + Shape.of(xs) + " k" + k + " s" + s + " p" + p, in -> Pool.avgPool2d(in[0], k, s, p),
                    d -> Ref.pool(d[0], xs, k, s, p, false), grad(rand(xs)));
        }
    }

    // ---- batch-norm ---------------------------------------------------------------------------------

    @Test
    void batchNormTrainingUsesBatchStatisticsAndUpdatesRunningAverages() {
        // The last case's large epsilon shows in the gradient, so a backward that ignores the forward's
        // epsilon (or uses another) fails it.
        // Planes of 1, 20, 9 and 35 values: shorter than a vector, whole vectors, and vectors with a tail.
        float[] epsilons = {1e-5f, 1e-5f, 0.5f, 1e-5f};
        int[][] shapes = {{4, 3}, {2, 3, 4, 5}, {1, 2, 3, 3}, {3, 2, 5, 7}};
        for (int i = 0; i < shapes.length; i++) {
            int[] xs = shapes[i];
            int c = xs[1];
            float momentum = 0.1f;
            float eps = epsilons[i];
            Tensor rm = rand(c);
            Tensor rv = randIn(0.5, 2, c);
            Tensor x = grad(randIn(-2, 3, xs));
            double[] xd = Ref.toDouble(x.toArray());
            double[] rm0 = Ref.toDouble(rm.toArray());
            double[] rv0 = Ref.toDouble(rv.toArray());
            check("batchNorm train " + Shape.of(xs), in -> BatchNorm.batchNorm(in[0], in[1], in[2],
                            Tensor.zeros(backend(), Shape.of(c)), Tensor.ones(backend(), Shape.of(c)), true, momentum, eps),
                    d -> {
                        double[][] st = Ref.channelStats(d[0], xs);
                        return Ref.batchNorm(d[0], xs, d[1], d[2], st[0], st[1], eps);
                    }, x, grad(randIn(0.5, 1.5, c)), grad(rand(c)));
            Tensor gamma = Tensor.ones(backend(), Shape.of(c));
            Tensor beta = Tensor.zeros(backend(), Shape.of(c));
            BatchNorm.batchNorm(x.detach(), gamma, beta, rm, rv, true, momentum, eps);
            double[][] st = Ref.channelStats(xd, xs);
            int m = xd.length / c;
            double[] em = new double[c];
            double[] ev = new double[c];
            for (int ch = 0; ch < c; ch++) {
                em[ch] = (1 - momentum) * rm0[ch] + momentum * st[0][ch];
                ev[ch] = (1 - momentum) * rv0[ch] + momentum * st[1][ch] * m / (m - 1);
            }
            assertClose("running mean", em, rm.toArray(), 1e-5);
            assertClose("running variance (unbiased)", ev, rv.toArray(), 1e-5);
        }
    }

    @Test
    void batchNormEvaluationUsesRunningAverages() {
        for (int[] xs : new int[][] {{5, 3}, {2, 3, 4, 5}}) {
            int c = xs[1];
            Tensor rm = rand(c);
            Tensor rv = randIn(0.5, 2, c);
            double[] rmd = Ref.toDouble(rm.toArray());
            double[] rvd = Ref.toDouble(rv.toArray());
            check("batchNorm eval " + Shape.of(xs),
                    in -> BatchNorm.batchNorm(in[0], in[1], in[2], rm, rv, false, 0.1f, 1e-5f),
                    d -> Ref.batchNorm(d[0], xs, d[1], d[2], rmd, rvd, 1e-5),
                    grad(rand(xs)), grad(randIn(0.5, 1.5, c)), grad(rand(c)));
            assertClose("running mean untouched", rmd, rm.toArray(), 0);
        }
    }

    // ---- dropout --------------------------------------------------------------------------------

    @Test
    void dropoutMaskComesFromPhiloxAndScalesSurvivors() {
        float p = 0.3f;
        long seed = 42, stream = 7, first = 1001;
        int n = 20_000;
        Tensor x = grad(randIn(0.5, 1, n));
        Tensor y = Dropout.dropout(x, p, true, seed, stream, first);
        float[] xs = x.toArray();
        float[] ys = y.toArray();
        int dropped = 0;
        for (int i = 0; i < n; i++) {
            boolean keep = Philox.uniform(seed, stream, first + i) >= p;
            assertEquals(keep ? xs[i] / (1 - p) : 0f, ys[i], 1e-6f * Math.abs(xs[i]) * 2, "element " + i);
            dropped += keep ? 0 : 1;
        }
        assertEquals(p, dropped / (double) n, 4 * Math.sqrt(p * (1 - p) / n));
        y.sum().backward();
        float[] g = x.grad().toArray();
        for (int i = 0; i < n; i++) {
            assertEquals(ys[i] == 0 ? 0f : 1 / (1 - p), g[i], 1e-6f);
        }
        Tensor evalIn = rand(10);
        assertTrue(Dropout.dropout(evalIn, p, false, seed, stream, 0) == evalIn);
        assertThrows(IllegalArgumentException.class, () -> Dropout.dropout(evalIn, 1f, true, seed, stream, 0));
    }

    // ---- random fills ---------------------------------------------------------------------------

    @Test
    void randomFillsDrawPhiloxNumbers() {
        Tensor u = Tensor.uniform(backend(), Shape.of(1000), -2, 3, 9, 4);
        Tensor g = Tensor.normal(backend(), Shape.of(1000), 1, 0.5f, 9, 4);
        float[] us = u.toArray();
        float[] gs = g.toArray();
        for (int i = 0; i < 1000; i++) {
            assertEquals(-2 + 5 * Philox.uniform(9, 4, i), us[i], 1e-6);
            assertEquals(1 + 0.5 * Philox.normal(9, 4, i), gs[i], 1e-5);
        }
    }

    // ---- views ----------------------------------------------------------------------------------

    @Test
    void reshapeAndFlattenAreViewsWithGradients() {
        Tensor x = grad(rand(2, 3, 4));
        Tensor v = x.reshape(6, -1);
        assertEquals(Shape.of(6, 4), v.shape());
        assertTrue(v.storage() == x.storage());
        assertEquals(Shape.of(2, 12), x.flatten(1).shape());
        assertEquals(Shape.of(24), x.flatten().shape());
        check("reshape", in -> in[0].reshape(4, 6), d -> d[0].clone(), x);
        x.detach().set(9f, 1, 2, 3);
        assertEquals(9f, v.get(5, 3));
    }

    // ---- autograd mechanics -----------------------------------------------------------------------

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor w = grad(rand(3));
        w.sum().backward();
        w.sum().backward();
        for (float g : w.grad().toArray()) {
            assertEquals(2f, g);
        }
    }

    @Test
    void noGradScopeRecordsNothing() {
        Tensor w = grad(rand(3));
        Tensor y;
        try (var scope = Autograd.noGrad()) {
            y = w.mul(w);
            assertTrue(!Autograd.isGradEnabled());
        }
        assertTrue(Autograd.isGradEnabled());
        assertTrue(!y.requiresGrad());
        assertNull(w.grad());
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void backwardReleasesTheGraph() {
        Tensor w = grad(rand(3));
        Tensor y = w.mul(w).sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("released"), e.getMessage());
    }

    @Test
    void backwardFromNonScalarNeedsASeed() {
        Tensor w = grad(rand(2, 3));
        Tensor y = w.mul(w);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("seed"), e.getMessage());
        y.backward(Tensor.ones(backend(), Shape.of(2, 3)));
        float[] ws = w.toArray();
        float[] g = w.grad().toArray();
        for (int i = 0; i < ws.length; i++) {
            assertEquals(2 * ws[i], g[i], 1e-6);
        }
    }

    // ---- memory scopes --------------------------------------------------------------------------

    @Test
    void aScopeReleasesWhatWasMadeInItAndPassesKeptTensorsOut() {
        Tensor before = rand(4, 3);
        float[] beforeValues = before.toArray();
        Tensor kept;
        Tensor dropped;
        float[] keptValues;
        try (var outer = TensorScope.open()) {
            try (var inner = TensorScope.open()) {
                Tensor square = before.mul(before);
                dropped = square.sum();
                kept = inner.keep(square.add(before).reshape(12));
                keptValues = kept.toArray();
            }
            assertArrayEquals(keptValues, kept.toArray(), "a kept tensor outlives its scope");
            assertMessage(IllegalStateException.class, dropped::toArray, "used after it was closed", "TensorScope");
        }
        assertMessage(IllegalStateException.class, kept::toArray, "used after it was closed");
        assertArrayEquals(beforeValues, before.toArray(), "a tensor made before the scope is untouched");
    }

    @Test
    void memoryGivenBackByAScopeComesBackAsZeros() {
        Shape s = Shape.of(5, 7);
        for (int round = 0; round < 3; round++) {
            try (var scope = TensorScope.open()) {
                Tensor z = Tensor.zeros(backend(), s);
                assertArrayEquals(new float[s.size()], z.toArray(), "round " + round);
                backend().fill(z, 3f);
                Tensor.full(backend(), s, -2f);
            }
        }
    }

    // ---- bad input ------------------------------------------------------------------------------

    static void assertMessage(Class<? extends Throwable> type, Runnable r, String... parts) {
        Throwable e = assertThrows(type, r::run);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }

    @Test
    void shapeMismatchesNameTheOpAndBothShapes() {
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).add(rand(4)), "add", "[2, 3]", "[4]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).mul(rand(3, 3)), "mul", "[2, 3]", "[3, 3]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).matmul(rand(4, 5)), "matmul", "[2, 3]", "[4, 5]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3, 4).matmul(rand(4, 5)), "matmul", "[2, 3, 4]");
        assertMessage(IllegalArgumentException.class,
                () -> Conv.conv2d(rand(1, 3, 8, 8), rand(4, 2, 3, 3), null, 1, 0), "conv2d", "[1, 3, 8, 8]", "[4, 2, 3, 3]");
        assertMessage(IllegalArgumentException.class,
                () -> Softmax.crossEntropy(rand(4, 10), labels(3, 10)), "crossEntropy", "[4, 10]", "[3]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).reshape(4, 2), "reshape", "[2, 3]", "[4, 2]");
    }

    @Test
    void badInputToTheNewOperationsNamesTheOpAndTheShapes() {
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).clamp(1f, 0f), "clamp", "[1.0, 0.0]", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).max(2, false), "max", "axis 2", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).argmax(-3, true), "argmax", "axis -3", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3, 4).permute(0, 0, 1), "permute", "[0, 0, 1]",
                "[2, 3, 4]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).permute(1, 0, 2), "permute", "[1, 0, 2]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).transpose(0, 2), "transpose", "axis 2", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).slice(1, 2, 2), "slice", "[2, 2)", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).slice(1, 0, 4), "slice", "[0, 4)", "axis 1");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).select(0, 2), "select", "position 2", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).index(1, 0, 3), "index", "3.0", "[0, 3)",
                "[2, 3]");
        assertMessage(IllegalArgumentException.class,
                () -> Layout.index(rand(2, 3), 0, Tensor.of(backend(), new float[] {0.5f}, Shape.of(1))), "index", "0.5");
        assertMessage(IllegalArgumentException.class, () -> Layout.index(rand(2, 3), 0, rand(1, 1)), "index",
                "indices", "[1, 1]");
        assertMessage(IllegalArgumentException.class, () -> Layout.concat(0, rand(2, 3), rand(2, 4)), "concat",
                "tensor 1", "[2, 4]", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Layout.concat(1, rand(2, 3), rand(3)), "concat", "[3]");
        assertMessage(IllegalArgumentException.class, () -> Layout.stack(0, rand(2, 3), rand(3, 2)), "stack",
                "[3, 2]", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Layout.stack(3, rand(2, 3)), "stack", "axis 3", "[2, 3]");
        assertMessage(IllegalArgumentException.class, () -> Losses.mse(rand(2, 3), rand(3, 2)), "mse", "[2, 3]",
                "[3, 2]");
        assertMessage(IllegalArgumentException.class,
                () -> LayerNorm.layerNorm(rand(2, 3), rand(2), rand(2), 1e-5f), "layerNorm", "[2, 3]", "[2]");
        assertMessage(IllegalArgumentException.class,
                () -> LayerNorm.layerNorm(rand(2, 3), rand(3), rand(1, 3), 1e-5f), "layerNorm", "[1, 3]");
    }

    @Test
    void outOfRangeLabelIsRejected() {
        Tensor lab = Tensor.of(backend(), new float[] {1, 10}, Shape.of(2));
        assertMessage(IllegalArgumentException.class, () -> Softmax.crossEntropy(rand(2, 10), lab),
                "crossEntropy", "label 10", "row 1", "[0, 10)");
        Tensor neg = Tensor.of(backend(), new float[] {-1}, Shape.of(1));
        assertMessage(IllegalArgumentException.class, () -> Softmax.crossEntropy(rand(1, 10), neg), "label -1");
    }

    @Test
    void zeroOrNegativeDimensionsAreRejected() {
        assertMessage(IllegalArgumentException.class, () -> Shape.of(3, 0), "[3, 0]", "dimension 1");
        assertMessage(IllegalArgumentException.class, () -> Tensor.zeros(backend(), Shape.of(-2)), "[-2]");
        assertMessage(IllegalArgumentException.class, () -> rand(2, 3).reshape(0, 6), "[0, 6]");
    }

    @Test
    void emptyConvolutionOrPoolingOutputIsRejected() {
        assertMessage(IllegalArgumentException.class,
                () -> Conv.conv2d(rand(1, 1, 4, 4), rand(1, 1, 5, 5), null, 1, 0), "conv2d", "empty", "[1, 1, 4, 4]");
        assertMessage(IllegalArgumentException.class,
                () -> Pool.maxPool2d(rand(1, 1, 2, 2), 3, 3, 0), "maxPool2d", "empty", "[1, 1, 2, 2]");
        assertMessage(IllegalArgumentException.class,
                () -> Pool.avgPool2d(rand(1, 1, 2, 2), 3, 1, 0), "avgPool2d", "empty");
    }

    @Test
    void mixingBackendsIsAnError() {
        Backend other = OtherBackend.create();
        Tensor foreign = new Tensor(OtherBackend.storage(other, 3), 0, Shape.of(3));
        assertMessage(IllegalArgumentException.class, () -> rand(3).add(foreign), "add", "different backends",
                backend().name(), "other");
    }
}
