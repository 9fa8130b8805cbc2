package org.deeprelax.nn.layers;

import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Module;

/** Modules applied in order. */
public final class Sequential extends Module {

    /** @param modules the modules, in forward order */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            child(m);
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : children()) {
            y = m.forward(y);
        }
        return y;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Sequential(\n");
        for (int i = 0; i < children().size(); i++) {
            sb.append("  ").append(i).append(": ").append(children().get(i)).append('\n');
        }
        return sb.append(')').toString();
    }
}
