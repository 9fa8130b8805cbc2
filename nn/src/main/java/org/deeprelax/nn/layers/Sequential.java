package org.deeprelax.nn.layers;

import java.util.Map;

import org.deeprelax.core.Tensor;
import org.deeprelax.nn.Module;

/**
 * Modules applied in order. Built positionally ({@code new Sequential(a, b, c)}, children named
 * {@code 0}, {@code 1}, …) or by name ({@code new Sequential().add("conv1", a).add("relu1", b)}).
 */
public final class Sequential extends Module {

    /**
     * A sequence of modules named by position.
     *
     * @param modules the modules, in forward order
     */
    public Sequential(Module... modules) {
        for (Module m : modules) {
            child(m);
        }
    }

    /**
     * Appends a named module.
     *
     * @param name its name, unique in this sequence, without dots
     * @param module the module, applied after those added before it
     * @return this sequence
     */
    public Sequential add(String name, Module module) {
        child(name, module);
        return this;
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
        for (Map.Entry<String, Module> c : namedChildren().entrySet()) {
            sb.append("  ").append(c.getKey()).append(": ")
                    .append(c.getValue().toString().replace("\n", "\n  ")).append('\n');
        }
        return sb.append(')').toString();
    }
}
