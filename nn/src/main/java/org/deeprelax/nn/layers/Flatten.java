package org.deeprelax.nn.layers;

import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Module;

/** {@code [n, ...] → [n, product of the rest]}, a view. */
public final class Flatten extends Module {

    /** A flattening layer. */
    public Flatten() {
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.flatten(1);
    }
}
