package org.deeprelax.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Define-by-run reverse-mode differentiation. Every operation computes its result at once and, when
 * recording is on and an input requires a gradient, {@linkplain #record records} it with its
 * {@link Backward}; {@link Tensor#backward()} then walks the recorded graph from the loss in reverse
 * topological order, summing the gradients of tensors used more than once and accumulating those of
 * leaves (parameters) into {@link Tensor#grad()}. The library's own operations and a user's custom
 * operations go through the same {@link #record} call.
 */
public final class Autograd {

    private static final ThreadLocal<int[]> NO_GRAD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autograd() {
    }

    /** A scope in which operations record nothing; closing it restores the previous state. */
    public static final class NoGrad implements AutoCloseable {
        private boolean open = true;

        private NoGrad() {
            NO_GRAD_DEPTH.get()[0]++;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                NO_GRAD_DEPTH.get()[0]--;
            }
        }
    }

    /**
     * Starts a no-grad scope: {@code try (var scope = Autograd.noGrad()) { ... }}.
     *
     * @return the scope, to close
     */
    public static NoGrad noGrad() {
        return new NoGrad();
    }

    /**
     * Tells whether operations on this thread record the graph now.
     *
     * @return false inside a {@link #noGrad()} scope, true otherwise
     */
    public static boolean isGradEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /**
     * The backward of one recorded operation: maps the gradient of the loss with respect to the
     * operation's output to the gradients with respect to its inputs.
     *
     * <p>What a backward may assume, and must respect:
     * <ul>
     *   <li>it runs at most once, on the thread that called {@link Tensor#backward()}, with recording off:
     *       operations it calls record nothing (there are no gradients of gradients);</li>
     *   <li>{@code gradOutput} has the output's shape and backend. It may be shared with other
     *       operations' backwards, so read it and never write into it;</li>
     *   <li>the inputs and the tensors the backward captured (its saved tensors) hold their forward-time
     *       values, unless something wrote into them in place in between; the engine does not check
     *       that, and the built-in optimizers only update parameters after the backward pass;</li>
     *   <li>it may return {@code gradOutput} itself, or a view of it, as an input's gradient: the engine
     *       never writes into a returned gradient, it sums gradients into fresh tensors;</li>
     *   <li>once it has run, the graph drops it, and with it the saved tensors it captured.</li>
     * </ul>
     */
    @FunctionalInterface
    public interface Backward {

        /**
         * Computes the inputs' gradients.
         *
         * @param gradOutput the gradient of the loss with respect to the output, of the output's shape
         * @return one gradient per input, in the order the inputs were given to {@link #record}, each of
         *     its input's shape and on its backend; {@code null} where an input needs no gradient (test
         *     with {@link #needsGrad}). The engine checks the count and the shapes, and names the operation
         *     when they are wrong.
         */
        Tensor[] apply(Tensor gradOutput);
    }

    /**
     * Records {@code output} as produced from {@code inputs} by an operation whose backward is
     * {@code backward}, if recording is on and any input requires a gradient; otherwise returns
     * {@code output} unrecorded. This is how every operation of the library is written, and how to add
     * one: compute the forward's result (from backend primitives, or from other operations inside
     * {@link #noGrad()} so that they record nothing), then record it with a backward that captures the
     * tensors it needs (its saved tensors):
     *
     * <pre>{@code
     * static Tensor softsign(Tensor x) {                 // x / (1 + |x|)
     *     Tensor denom, y;
     *     try (var scope = Autograd.noGrad()) {
     *         denom = x.abs().add(1f);
     *         y = x.div(denom);
     *     }
     *     return Autograd.record("softsign", y, g -> new Tensor[] {g.div(denom.mul(denom))}, x);
     * }
     * }</pre>
     *
     * <p>Aliasing: the output must be a new {@link Tensor} object, never one of the inputs; it may share an
     * input's storage (a view, as {@link Tensor#reshape} is). The forward must not write into its inputs,
     * which other operations' backwards may have saved.
     *
     * @param op the operation's name, used in error messages
     * @param output the forward's result
     * @param backward maps the output's gradient to one gradient per input
     * @param inputs the inputs, in the order the backward returns their gradients; null entries (an
     *     absent optional input, such as a bias) are allowed
     * @return {@code output}, now the result of a recorded operation when any input requires a gradient
     * @throws IllegalArgumentException if {@code output} is one of the inputs, or was itself produced by
     *     recorded operations (compute the forward inside {@link #noGrad()})
     */
    public static Tensor record(String op, Tensor output, Backward backward, Tensor... inputs) {
        for (int k = 0; k < inputs.length; k++) {
            if (inputs[k] == output) {
                throw new IllegalArgumentException(op + ": the output is input " + k + " itself; an operation must"
                        + " return a new tensor (a view of the input, as reshape returns, is fine)");
            }
        }
        if (output.gradFn != null) {
            throw new IllegalArgumentException(op + ": the output " + output.shape() + " was already produced by the"
                    + " recorded operation '" + output.gradFn.op + "'; compute a custom operation's forward inside"
                    + " Autograd.noGrad() so that only its own backward is recorded");
        }
        if (!isGradEnabled()) {
            return output;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                output.requiresGrad(true);
                output.gradFn = new Node(op, inputs, backward);
                return output;
            }
        }
        return output;
    }

    /**
     * Tells a backward whether an input needs its gradient, so that it can skip computing the others.
     *
     * @param t an input, or null
     * @return whether {@code t} is non-null and requires a gradient
     */
    public static boolean needsGrad(Tensor t) {
        return t != null && t.requiresGrad();
    }

    static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor " + root.shape()
                    + " does not require a gradient (no input of its graph has requiresGrad(true))");
        }
        if (seed == null) {
            if (root.size() != 1) {
                throw new IllegalArgumentException("backward: the tensor has shape " + root.shape()
                        + ", not a scalar; pass a seed gradient of that shape to backward(seed)");
            }
            seed = Tensor.ones(root.backend(), root.shape());
        } else {
            Checks.sameShape("backward", root.shape(), seed.shape());
            Checks.sameBackend("backward", root, seed);
        }
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, seed);
        try (var scope = noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) {
                    continue;
                }
                if (t.isLeaf()) {
                    accumulateIntoLeaf(t, g);
                    continue;
                }
                Tensor[] inputs = t.gradFn.inputs();
                Tensor[] inputGrads = t.gradFn.apply(g);
                for (int k = 0; k < inputs.length; k++) {
                    if (needsGrad(inputs[k]) && inputGrads[k] != null) {
                        grads.merge(inputs[k], inputGrads[k], Autograd::sum);
                    }
                }
            }
        }
        for (Tensor t : order) {
            if (t.gradFn != null) {
                t.gradFn.release();
            }
        }
    }

    /** Every tensor reachable from root that needs a gradient, inputs before the tensors made from them. */
    private static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Tensor> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextChild = new ArrayDeque<>();
        stack.push(root);
        nextChild.push(0);
        seen.put(root, true);
        while (!stack.isEmpty()) {
            Tensor t = stack.peek();
            int k = nextChild.pop();
            Tensor[] inputs = t.isLeaf() ? new Tensor[0] : t.gradFn.inputs();
            while (k < inputs.length && (!needsGrad(inputs[k]) || seen.containsKey(inputs[k]))) {
                k++;
            }
            if (k < inputs.length) {
                nextChild.push(k + 1);
                seen.put(inputs[k], true);
                stack.push(inputs[k]);
                nextChild.push(0);
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }

    private static void accumulateIntoLeaf(Tensor leaf, Tensor g) {
        Backend b = leaf.backend();
        if (leaf.grad() == null) {
            Tensor own = Tensor.zerosOutsideScopes(b, leaf.shape());
            b.copy(g, own);
            leaf.setGrad(own);
        } else {
            b.axpy(1f, g, leaf.grad());
        }
    }

    /** Adds two gradients into a fresh tensor: either may alias a view of another tensor's data. */
    private static Tensor sum(Tensor a, Tensor b) {
        Tensor out = Tensor.zeros(a.backend(), a.shape());
        a.backend().binary(BinaryOp.ADD, a, b, out);
        return out;
    }
}
