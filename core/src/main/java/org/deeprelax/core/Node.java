package org.deeprelax.core;

/**
 * One recorded operation of the define-by-run graph: its inputs and the function that turns the
 * gradient of its output into gradients of its inputs. Backward releases it, dropping the saved
 * tensors, so a graph's memory goes as soon as its gradients are known.
 */
final class Node {

    /** Maps the output's gradient to one gradient per input (null where an input needs none). */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    final String op;
    private Tensor[] inputs;
    private Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    Tensor[] inputs() {
        if (inputs == null) {
            throw new IllegalStateException("backward: the graph through '" + op
                    + "' was released by an earlier backward(); run the forward pass again");
        }
        return inputs;
    }

    Tensor[] apply(Tensor gradOutput) {
        inputs();
        return backward.apply(gradOutput);
    }

    void release() {
        inputs = null;
        backward = null;
    }
}
