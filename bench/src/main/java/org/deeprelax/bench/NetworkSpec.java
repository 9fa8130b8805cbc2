package org.deeprelax.bench;

import org.deeprelax.core.Backends;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.Module;
import org.deeprelax.nn.Parameter;
import org.deeprelax.nn.models.Models;

/**
 * Prints the networks layer by layer, so that a script rebuilding them in another framework can check it
 * built the same thing before timing it ({@code bench/torch-side-by-side.sh} does).
 *
 * <p>For each model named on the command line (default: all of {@link Models#NAMES}), in order: one line
 * {@code LAYER <model> <description>} per leaf module, depth first, in the description of its
 * {@code toString()} (for instance {@code Conv2d(1 → 20, 5×5, stride 1, pad 0)}); then one line
 * {@code PARAM <model> <shape>} per trainable tensor and {@code BUFFER <model> <shape>} per buffer, in
 * arena order; then {@code COUNT <model> <trainable scalars>}.
 */
public final class NetworkSpec {

    private NetworkSpec() {
    }

    /**
     * Prints the layers and tensors of each model.
     *
     * @param args model names; none means every model
     */
    public static void main(String[] args) {
        for (String name : args.length == 0 ? Models.NAMES.toArray(String[]::new) : args) {
            Module root = Models.create(name);
            printLeaves(name, root);
            Model model = Model.build(name, root, Backends.cpu(), 1);
            for (Parameter p : model.namedParameters().values()) {
                System.out.println((p.trainable() ? "PARAM " : "BUFFER ") + name + " " + p.shape());
            }
            System.out.println("COUNT " + name + " " + model.parameters().size());
        }
    }

    private static void printLeaves(String name, Module m) {
        if (m.children().isEmpty()) {
            System.out.println("LAYER " + name + " " + m);
            return;
        }
        for (Module c : m.children()) {
            printLeaves(name, c);
        }
    }
}
