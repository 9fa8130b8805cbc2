package org.deeprelax.nn.layers;

import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Module;

/** max(x, 0). */
public final class ReLU extends Module {

    /** A ReLU layer. */
    public ReLU() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.relu();
    }
}
