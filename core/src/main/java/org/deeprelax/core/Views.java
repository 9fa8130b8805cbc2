package org.deeprelax.core;

import java.util.Arrays;

/** Views that share storage: reshape (and flatten, which is a reshape). */
final class Views {

    private Views() {
    }

    static Tensor reshape(Tensor x, int[] dims) {
        int[] resolved = dims.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < resolved.length; i++) {
            if (resolved[i] == -1 && inferred < 0) {
                inferred = i;
            } else {
                known *= resolved[i];
            }
        }
        if (inferred >= 0 && known > 0 && x.size() % known == 0) {
            resolved[inferred] = (int) (x.size() / known);
        }
        Shape shape = Shape.of(resolved);
        if (shape.size() != x.size()) {
            throw new IllegalArgumentException("reshape: cannot view shape " + x.shape() + " (" + x.size()
                    + " elements) as " + Arrays.toString(dims));
        }
        Tensor out = new Tensor(x.storage(), x.offset(), shape);
        Shape in = x.shape();
        return Autograd.record("reshape", out, g -> new Tensor[] {new Tensor(g.storage(), g.offset(), in)}, x);
    }
}
