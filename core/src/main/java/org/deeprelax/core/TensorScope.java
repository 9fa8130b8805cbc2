package org.deeprelax.core;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A stretch of code whose tensors give their memory back to the backend when it ends: every storage
 * that {@link Tensor#zeros(Backend, Shape)} (and so every operation) allocates on this thread while the
 * scope is open is {@linkplain Storage#close() closed} when the scope closes, unless it was
 * {@linkplain #keep kept}.
 *
 * <p>Why: a training step makes the same intermediates every time (activations, their gradients,
 * workspaces), several hundred megabytes a step for a convolutional network. Left to the garbage
 * collector, that much fresh memory a step makes the collector run every step or two, and on the CPU
 * the step then takes up to twice as long; on a GPU nothing would free device memory at all. Closed at
 * the end of the step, the same blocks serve the next step from the backend's cache, and the steady state
 * allocates nothing. {@code Optimizer.step} opens one around each step, so a training loop gets this
 * without writing it; evaluation loops open one per batch.
 *
 * <pre>{@code
 * try (var scope = TensorScope.open()) {
 *     Tensor logits = model.forward(images);
 *     Tensor probabilities = scope.keep(logits.softmax(1));   // outlives the scope
 * }                                                           // logits' memory is reused from here on
 * }</pre>
 *
 * <p>A tensor made in a scope must not be used after the scope closes: its storage is closed, and the
 * backends say so ("was used after it was closed ... keep it with scope.keep(tensor)") rather than
 * read memory that now belongs to another tensor. Storages made before the scope opened, such as
 * parameters, optimizer state and the data loader's batch buffers, are not touched. Scopes nest and
 * belong to the thread that opened them; tensors made on other threads (a parallel kernel's workers,
 * another replica's thread, which opens scopes of its own) are not tracked.
 */
public final class TensorScope implements AutoCloseable {

    private static final ThreadLocal<TensorScope> CURRENT = new ThreadLocal<>();

    private final TensorScope parent;
    private final Thread owner = Thread.currentThread();
    private List<Storage> storages = new ArrayList<>();

    private TensorScope(TensorScope parent) {
        this.parent = parent;
    }

    /**
     * Opens a scope on this thread, inside the one already open (if any).
     *
     * @return the scope, to close (in try-with-resources)
     */
    public static TensorScope open() {
        TensorScope scope = new TensorScope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /**
     * Runs {@code body} on each item of {@code items} in a scope of its own, opened before the iterator
     * makes the item, so that what the item is made of (a batch a loader fills for it) goes back to the
     * backend with what the body makes from it. Items made before the loop (a list of batches kept across
     * epochs) are not touched.
     *
     * @param items the items, typically batches from a loader
     * @param body what to do with each; its tensors end with the item
     * @param <T> the item type
     */
    public static <T> void forEach(Iterable<T> items, Consumer<? super T> body) {
        Iterator<T> it = items.iterator();
        while (true) {
            try (TensorScope scope = open()) {
                if (!it.hasNext()) {
                    return;
                }
                body.accept(it.next());
            }
        }
    }

    /** Hands a storage just allocated on this thread to the innermost open scope, if there is one. */
    static void track(Storage storage) {
        TensorScope scope = CURRENT.get();
        if (scope != null) {
            scope.storages.add(storage);
        }
    }

    /**
     * Lets a tensor outlive this scope: its storage (shared by every view of it) passes to the enclosing
     * scope, or, with none open, to no scope at all, as if it had been made outside any.
     *
     * @param t a tensor, made in this scope or not
     * @return {@code t}
     * @throws IllegalStateException if the scope is closed
     */
    public Tensor keep(Tensor t) {
        if (storages == null) {
            throw new IllegalStateException("keep: the TensorScope is already closed");
        }
        Storage s = t.storage();
        for (int i = storages.size() - 1; i >= 0; i--) {
            if (storages.get(i) == s) {
                storages.remove(i);
                if (parent != null && parent.storages != null) {
                    parent.storages.add(s);
                }
                break;
            }
        }
        return t;
    }

    /**
     * Closes every storage made in the scope and not kept, newest first. Closing twice does nothing.
     *
     * @throws IllegalStateException if called on another thread than the one that opened it, or while a
     *     scope opened inside it is still open
     */
    @Override
    public void close() {
        if (storages == null) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a TensorScope must be closed on the thread that opened it ("
                    + owner.getName() + "), not on " + Thread.currentThread().getName());
        }
        if (CURRENT.get() != this) {
            throw new IllegalStateException("a TensorScope was closed while a scope opened inside it is still open;"
                    + " close scopes in the reverse order of opening (try-with-resources does)");
        }
        List<Storage> mine = storages;
        storages = null;
        if (parent == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(parent);
        }
        for (int i = mine.size() - 1; i >= 0; i--) {
            mine.get(i).close();
        }
    }
}
