package org.deeprelax.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeprelax.core.io.StateFile;

/**
 * Trainable tensors laid out in one flat arena of values, with their gradients in a second arena of the
 * same layout: what an optimizer updates, in one fused pass per parameter group. Each tensor is a named
 * {@link Slice}, a view at a fixed offset whose {@code grad()} is the view at the same offset of the
 * gradient arena, so autograd accumulates straight into the arena.
 *
 * <p>A model builds its arena from its modules ({@code Model.parameters()} in module {@code nn}); anyone
 * can build one from tensors of their own:
 *
 * <pre>{@code
 * ParameterArena params = ParameterArena.builder(Backends.cpu(), 7)
 *         .add("w", Tensor.normal(Backends.cpu(), Shape.of(10, 784), 0, 0.01f, 7, 0))
 *         .group("no_decay").add("b", Shape.of(10))
 *         .build();
 * Tensor w = params.value("w");          // use these views in the forward pass
 * }</pre>
 *
 * <p><b>Groups.</b> Slices belong to named groups, laid out group by group in the order the groups first
 * appear, so each {@link Group} is one contiguous range of the arena and an optimizer can give it its own
 * learning-rate scale and weight decay and still update it in one pass. Slices added before any
 * {@link Builder#group} call belong to {@link #DEFAULT_GROUP}.
 *
 * <p><b>Seed.</b> The arena carries the seed of its owner (a model's seed): optimizers that draw noise,
 * such as Entropy-SGD, draw from it unless told otherwise, and {@link #loadState} refuses state saved
 * from an arena of another seed, since the resumed run would draw other numbers.
 */
public final class ParameterArena {

    /** The group of slices added before any {@link Builder#group} call. */
    public static final String DEFAULT_GROUP = "default";

    /**
     * One tensor of the arena.
     *
     * @param name its name, unique in the arena
     * @param group the group it belongs to
     * @param offset its first element in the arena
     * @param shape its shape
     * @param value the view of the value arena (it requires a gradient, which accumulates into {@code grad})
     * @param grad the view of the gradient arena at the same offset
     */
    public record Slice(String name, String group, int offset, Shape shape, Tensor value, Tensor grad) {
    }

    /**
     * A named group of slices, one contiguous range of the arena.
     *
     * @param name the group's name
     * @param offset its first element in the arena
     * @param size its number of elements
     * @param slices its slices, in arena order
     */
    public record Group(String name, int offset, int size, List<Slice> slices) {

        /**
         * This group's range of a tensor laid out like the arena (the values, the gradients or an
         * optimizer's state buffer).
         *
         * @param arenaLayout a tensor of the arena's size
         * @return the view of elements {@code [offset, offset + size)}
         */
        public Tensor view(Tensor arenaLayout) {
            return arenaLayout.region(offset, Shape.of(size));
        }
    }

    /**
     * Starts an arena.
     *
     * @param backend where the arenas are allocated
     * @param seed the seed of the arena's owner (see the class comment)
     * @return a builder
     */
    public static Builder builder(Backend backend, long seed) {
        return new Builder(backend, seed);
    }

    /** Collects named tensors, by group, for {@link #build}. */
    public static final class Builder {
        private final Backend backend;
        private final long seed;
        private final Map<String, List<Pending>> byGroup = new LinkedHashMap<>();
        private final Map<String, String> groupOf = new LinkedHashMap<>();
        private String current = DEFAULT_GROUP;
        private boolean built;

        private record Pending(String name, Shape shape, float[] initial) {
        }

        private Builder(Backend backend, long seed) {
            this.backend = backend;
            this.seed = seed;
        }

        /**
         * Puts the tensors added next into group {@code name} (created on first use; naming a group again
         * adds to it, after its earlier slices).
         *
         * @param name the group's name, not empty
         * @return this builder
         */
        public Builder group(String name) {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a parameter group needs a non-empty name");
            }
            current = name;
            return this;
        }

        /**
         * Adds a tensor of zeros to the current group.
         *
         * @param name its name, unique in the arena
         * @param shape its shape
         * @return this builder
         */
        public Builder add(String name, Shape shape) {
            return add(name, shape, null);
        }

        /**
         * Adds a tensor to the current group, starting from a copy of {@code initial}'s values.
         *
         * @param name its name, unique in the arena
         * @param initial its first values (read now, from any backend)
         * @return this builder
         */
        public Builder add(String name, Tensor initial) {
            return add(name, initial.shape(), initial.toArray());
        }

        private Builder add(String name, Shape shape, float[] initial) {
            if (built) {
                throw new IllegalStateException("this arena builder has already built its arena");
            }
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a parameter needs a non-empty name");
            }
            String earlier = groupOf.putIfAbsent(name, current);
            if (earlier != null) {
                throw new IllegalArgumentException("parameter '" + name + "' is added twice (first in group '" + earlier
                        + "', again in group '" + current + "'); names must be unique in an arena");
            }
            byGroup.computeIfAbsent(current, k -> new ArrayList<>()).add(new Pending(name, shape, initial));
            return this;
        }

        /**
         * Allocates the value and gradient arenas (gradients zero) and binds every slice.
         *
         * @return the arena
         */
        public ParameterArena build() {
            built = true;
            return new ParameterArena(this);
        }
    }

    private final Backend backend;
    private final long seed;
    private final int size;
    private final Tensor values;
    private final Tensor grads;
    private final List<Slice> slices;
    private final List<Group> groups;
    private final Map<String, Slice> byName = new LinkedHashMap<>();

    private ParameterArena(Builder b) {
        this.backend = b.backend;
        this.seed = b.seed;
        long total = 0;
        for (List<Builder.Pending> members : b.byGroup.values()) {
            for (Builder.Pending p : members) {
                total += p.shape().size();
            }
        }
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("an arena holds at most " + (Integer.MAX_VALUE - 8) + " elements, not " + total);
        }
        this.size = (int) total;
        // A tensor has no empty shape: an arena without tensors still allocates one (unused) element.
        this.values = Tensor.zeros(backend, Shape.of(Math.max(1, size)));
        this.grads = Tensor.zeros(backend, Shape.of(Math.max(1, size)));
        List<Slice> all = new ArrayList<>();
        List<Group> gs = new ArrayList<>();
        int offset = 0;
        for (Map.Entry<String, List<Builder.Pending>> e : b.byGroup.entrySet()) {
            int start = offset;
            List<Slice> members = new ArrayList<>();
            for (Builder.Pending p : e.getValue()) {
                Tensor value = values.region(offset, p.shape());
                Tensor grad = grads.region(offset, p.shape());
                value.requiresGrad(true);
                value.setGrad(grad);
                if (p.initial() != null) {
                    backend.write(p.initial(), 0, value);
                }
                Slice s = new Slice(p.name(), e.getKey(), offset, p.shape(), value, grad);
                members.add(s);
                byName.put(s.name(), s);
                offset += p.shape().size();
            }
            all.addAll(members);
            gs.add(new Group(e.getKey(), start, offset - start, Collections.unmodifiableList(members)));
        }
        this.slices = Collections.unmodifiableList(all);
        this.groups = Collections.unmodifiableList(gs);
    }

    /**
     * The backend holding the arenas.
     *
     * @return the backend
     */
    public Backend backend() {
        return backend;
    }

    /**
     * The seed of the arena's owner, which noise-drawing optimizers use unless told otherwise.
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    /**
     * The number of trainable scalars.
     *
     * @return the total size of the slices
     */
    public int size() {
        return size;
    }

    /**
     * The value arena: every slice's values, flat, in arena order (one unused element if there are no slices).
     *
     * @return the values
     */
    public Tensor values() {
        return values;
    }

    /**
     * The gradient arena, of the layout of {@link #values()}.
     *
     * @return the gradients
     */
    public Tensor grads() {
        return grads;
    }

    /** Sets every gradient to zero, in one pass over the gradient arena. */
    public void zeroGrad() {
        backend.fill(grads, 0f);
    }

    /**
     * A new tensor of zeros laid out like the arena, for an optimizer's state.
     *
     * @return the buffer
     */
    public Tensor newBuffer() {
        return Tensor.zeros(backend, values.shape());
    }

    /**
     * Every slice, in arena order.
     *
     * @return the slices
     */
    public List<Slice> slices() {
        return slices;
    }

    /**
     * One slice by name.
     *
     * @param name its name
     * @return the slice
     * @throws IllegalArgumentException naming the arena's slices if there is none of that name
     */
    public Slice slice(String name) {
        Slice s = byName.get(name);
        if (s == null) {
            throw new IllegalArgumentException("the arena has no parameter '" + name + "'; it has " + byName.keySet());
        }
        return s;
    }

    /**
     * The value view of one slice, the tensor to use in a forward pass.
     *
     * @param name its name
     * @return the view (it requires a gradient)
     * @throws IllegalArgumentException naming the arena's slices if there is none of that name
     */
    public Tensor value(String name) {
        return slice(name).value();
    }

    /**
     * The groups, in arena order; together they cover every element.
     *
     * @return the groups
     */
    public List<Group> groups() {
        return groups;
    }

    /**
     * The layout: each group with each slice's name and shape. Two arenas load each other's state only if
     * their layouts are equal.
     *
     * @return a one-line description, such as {@code default: w[10, 784], b[10]}
     */
    public String layout() {
        List<String> parts = new ArrayList<>();
        for (Group g : groups) {
            List<String> names = new ArrayList<>();
            for (Slice s : g.slices()) {
                names.add(s.name() + s.shape());
            }
            parts.add(g.name() + ": " + String.join(", ", names));
        }
        return String.join("; ", parts);
    }

    /**
     * Writes the layout, the seed and the values into {@code out} under {@code prefix}.
     *
     * @param out the state being assembled
     * @param prefix the sections' prefix, such as {@code model.parameters}
     */
    public void saveState(StateFile out, String prefix) {
        out.putString(prefix + ".layout", layout());
        out.putLongs(prefix + ".seed", new long[] {seed});
        out.putFloats(prefix + ".values", values.toArray());
    }

    /**
     * Restores the values {@link #saveState} wrote, after checking the layout and the seed.
     *
     * @param in the state read
     * @param prefix the prefix it was saved under
     * @throws IllegalArgumentException naming the file and both values if the layout or the seed differ, or
     *     the file, section and byte offset if the values are not the arena's size or not all finite; the
     *     arena is then unchanged
     */
    public void loadState(StateFile in, String prefix) {
        String theirs = in.getString(prefix + ".layout");
        if (!theirs.equals(layout())) {
            throw new IllegalArgumentException(in.source() + ": '" + prefix + "' holds parameters of another layout: "
                    + shorten(theirs) + ", not " + shorten(layout()));
        }
        long theirSeed = in.getLong(prefix + ".seed", Long.MIN_VALUE, Long.MAX_VALUE);
        if (theirSeed != seed) {
            throw new IllegalArgumentException(in.source() + ": '" + prefix + "' was saved from parameters of seed "
                    + theirSeed + ", and these were built with seed " + seed + "; build them with seed " + theirSeed
                    + " (the seed addresses every random draw, so a resumed run with another would draw other numbers)");
        }
        backend.write(in.getFiniteFloats(prefix + ".values", values.size()), 0, values);
    }

    private static String shorten(String s) {
        return s.length() <= 160 ? s : s.substring(0, 160) + "…";
    }
}
