package org.deeprelax.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** The scope's own rules, independent of the backend (the backend's part is in the contract suite). */
class TensorScopeTest {

    @Test
    void scopesCloseInReverseOrderOfOpeningOnTheirOwnThread() throws InterruptedException {
        TensorScope outer = TensorScope.open();
        TensorScope inner = TensorScope.open();
        IllegalStateException early = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(early.getMessage().contains("reverse order"), early.getMessage());
        AtomicReference<Throwable> elsewhere = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                inner.close();
            } catch (Throwable e) {
                elsewhere.set(e);
            }
        }, "another-thread");
        t.start();
        t.join();
        assertTrue(elsewhere.get() instanceof IllegalStateException
                && elsewhere.get().getMessage().contains("another-thread"), String.valueOf(elsewhere.get()));
        inner.close();
        inner.close();
        outer.close();
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> outer.keep(Tensor.zeros(2)));
        assertTrue(late.getMessage().contains("closed"), late.getMessage());
    }

    @Test
    void aTensorKeptWithNoEnclosingScopeBelongsToNone() {
        Tensor kept;
        try (var scope = TensorScope.open()) {
            kept = scope.keep(Tensor.of(new float[] {1, 2, 3}, 3));
        }
        try (var later = TensorScope.open()) {
            Tensor.zeros(3);
        }
        assertArrayEquals(new float[] {1, 2, 3}, kept.toArray());
    }

    @Test
    void tensorsMadeOnAnotherThreadAreNotTracked() throws InterruptedException {
        AtomicReference<Tensor> made = new AtomicReference<>();
        try (var scope = TensorScope.open()) {
            Thread t = new Thread(() -> made.set(Tensor.of(new float[] {4, 5}, 2)));
            t.start();
            t.join();
        }
        assertArrayEquals(new float[] {4, 5}, made.get().toArray());
    }

    @Test
    void forEachReleasesWhatTheIteratorMadeForAnItemWithTheItemButNotWhatWasMadeBefore() {
        Tensor before = Tensor.of(new float[] {7}, 1);
        Iterable<Tensor> fresh = () -> new Iterator<>() {
            int left = 3;

            @Override
            public boolean hasNext() {
                return left > 0;
            }

            @Override
            public Tensor next() {
                left--;
                return Tensor.of(new float[] {left}, 1);
            }
        };
        List<Tensor> seen = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        TensorScope.forEach(fresh, t -> {
            seen.add(t);
            values.add(t.add(before).item());
        });
        assertEquals(List.of(9f, 8f, 7f), values);
        for (Tensor t : seen) {
            IllegalStateException used = assertThrows(IllegalStateException.class, t::item);
            assertTrue(used.getMessage().contains("scope.keep"), used.getMessage());
        }
        TensorScope.forEach(List.of(before), t -> assertEquals(7f, t.item()));
        assertEquals(7f, before.item());
    }
}
