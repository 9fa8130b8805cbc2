package org.deeprelax.core;

/**
 * One recorded operation of the define-by-run graph: its inputs and the function that turns the
 * gradient of its output into gradients of its inputs. Backward releases it, dropping the saved
 * tensors, so a graph's memory goes as soon as its gradients are known.
 */
final class Node {

    final String op;
    private Tensor[] inputs;
    private Autograd.Backward backward;

    Node(String op, Tensor[] inputs, Autograd.Backward backward) {
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

    /**
     * Runs the operation's backward and checks what it returned: one gradient per input, each of its
     * input's shape and on its backend (null where the input needs none).
     */
    Tensor[] apply(Tensor gradOutput) {
        Tensor[] in = inputs();
        Tensor[] grads = backward.apply(gradOutput);
        if (grads == null || grads.length != in.length) {
            throw new IllegalStateException("backward of '" + op + "' returned "
                    + (grads == null ? "null" : grads.length + " gradients") + " for " + in.length
                    + " inputs; return one per input, null where an input needs none");
        }
        for (int k = 0; k < in.length; k++) {
            if (grads[k] == null || !Autograd.needsGrad(in[k])) {
                continue;
            }
            if (!grads[k].shape().equals(in[k].shape())) {
                throw new IllegalStateException("backward of '" + op + "': the gradient of input " + k + " has shape "
                        + grads[k].shape() + ", but the input has shape " + in[k].shape());
            }
            if (grads[k].backend() != in[k].backend()) {
                throw new IllegalStateException("backward of '" + op + "': the gradient of input " + k + " lives on "
                        + grads[k].backend().name() + ", but the input on " + in[k].backend().name());
            }
        }
        return grads;
    }

    void release() {
        inputs = null;
        backward = null;
    }
}
