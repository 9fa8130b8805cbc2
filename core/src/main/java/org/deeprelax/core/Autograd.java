package org.deeprelax.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Define-by-run reverse-mode differentiation: operations record a {@link Node} on their output when
 * gradients are enabled and an input requires one; {@link Tensor#backward()} walks the recorded graph
 * in reverse topological order.
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

    /** @return whether operations on this thread currently record the graph */
    public static boolean isGradEnabled() {
        return NO_GRAD_DEPTH.get()[0] == 0;
    }

    /**
     * Records {@code out} as produced by {@code op} from {@code inputs}, if any input needs a gradient.
     *
     * @param op the operation's name, for messages
     * @param out the output
     * @param backward maps the output gradient to one gradient per input
     * @param inputs the inputs, in the order the backward returns their gradients
     * @return {@code out}
     */
    static Tensor record(String op, Tensor out, Node.Backward backward, Tensor... inputs) {
        if (!isGradEnabled()) {
            return out;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad()) {
                out.requiresGrad(true);
                out.gradFn = new Node(op, inputs, backward);
                return out;
            }
        }
        return out;
    }

    /** @param t an input @return whether a backward should compute its gradient */
    static boolean needsGrad(Tensor t) {
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
            Tensor own = Tensor.zeros(b, leaf.shape());
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
