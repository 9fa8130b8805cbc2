package org.deeprelax.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.deeprelax.core.io.StateFile;
import org.junit.jupiter.api.Test;

/** The parameter arena: layout by group, views with gradients, names, and state that checks what it loads into. */
class ParameterArenaTest {

    static ParameterArena arena(long seed) {
        Backend cpu = Backends.cpu();
        return ParameterArena.builder(cpu, seed)
                .add("w1", Tensor.uniform(cpu, Shape.of(3, 2), -1, 1, seed, 0))
                .group("no_decay").add("b1", Shape.of(3))
                .group(ParameterArena.DEFAULT_GROUP).add("w2", Tensor.uniform(cpu, Shape.of(1, 3), -1, 1, seed, 1))
                .group("no_decay").add("b2", Shape.of(1))
                .build();
    }

    @Test
    void slicesAreLaidOutGroupByGroupAsViewsWithTheirGradients() {
        ParameterArena a = arena(5);
        assertEquals(13, a.size());
        assertEquals(List.of("w1", "w2", "b1", "b2"), a.slices().stream().map(ParameterArena.Slice::name).toList());
        ParameterArena.Group weights = a.groups().get(0);
        ParameterArena.Group biases = a.groups().get(1);
        assertEquals(ParameterArena.DEFAULT_GROUP, weights.name());
        assertEquals(0, weights.offset());
        assertEquals(9, weights.size());
        assertEquals("no_decay", biases.name());
        assertEquals(9, biases.offset());
        assertEquals(4, biases.size());
        assertEquals("default: w1[3, 2], w2[1, 3]; no_decay: b1[3], b2[1]", a.layout());
        for (ParameterArena.Slice s : a.slices()) {
            assertSame(a.values().storage(), s.value().storage());
            assertSame(a.grads().storage(), s.grad().storage());
            assertEquals(s.offset(), s.value().offset());
            assertEquals(s.offset(), s.grad().offset());
            assertSame(s.grad(), s.value().grad());
        }
        assertArrayEquals(Tensor.uniform(Backends.cpu(), Shape.of(3, 2), -1, 1, 5, 0).toArray(), a.value("w1").toArray());

        Tensor x = Tensor.of(new float[] {1, 2}, 1, 2);
        Tensor h = x.matmul(a.value("w1").reshape(2, 3)).add(a.value("b1").reshape(1, 3));
        h.matmul(a.value("w2").reshape(3, 1)).sum().backward();
        assertTrue(a.backend().norm2(a.grads()) > 0, "the gradients accumulate into the arena");
        assertArrayEquals(a.value("w2").toArray(), a.slice("b1").grad().toArray(), "∂/∂b1 = w2");
        a.zeroGrad();
        assertEquals(0, a.backend().norm2(a.grads()));
        assertArrayEquals(a.values().region(9, Shape.of(4)).toArray(), biases.view(a.values()).toArray());
    }

    @Test
    void namesMustBeUniqueAndUnknownNamesAreListed() {
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> ParameterArena
                .builder(Backends.cpu(), 0).add("w", Shape.of(2)).group("g").add("w", Shape.of(3)));
        assertEquals("parameter 'w' is added twice (first in group 'default', again in group 'g'); names must be unique"
                + " in an arena", twice.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> arena(1).slice("w3"));
        assertEquals("the arena has no parameter 'w3'; it has [w1, w2, b1, b2]", unknown.getMessage());
        ParameterArena empty = ParameterArena.builder(Backends.cpu(), 0).build();
        assertEquals(0, empty.size());
        assertTrue(empty.groups().isEmpty());
    }

    @Test
    void stateRoundTripsAndIsRefusedByAnArenaOfAnotherLayoutOrSeed() {
        ParameterArena a = arena(5);
        StateFile state = new StateFile();
        a.saveState(state, "p");
        ParameterArena b = arena(5);
        b.backend().fill(b.values(), 3f);
        b.loadState(state, "p");
        assertArrayEquals(a.values().toArray(), b.values().toArray());

        ParameterArena otherSeed = arena(6);
        float[] before = otherSeed.values().toArray();
        IllegalArgumentException seed = assertThrows(IllegalArgumentException.class, () -> otherSeed.loadState(state, "p"));
        assertTrue(seed.getMessage().contains("seed 5") && seed.getMessage().contains("seed 6"), seed.getMessage());
        assertArrayEquals(before, otherSeed.values().toArray(), "a refused load changes nothing");

        ParameterArena otherLayout = ParameterArena.builder(Backends.cpu(), 5).add("w1", Shape.of(6)).build();
        IllegalArgumentException layout = assertThrows(IllegalArgumentException.class,
                () -> otherLayout.loadState(state, "p"));
        assertTrue(layout.getMessage().contains("another layout") && layout.getMessage().contains("w1[6]"),
                layout.getMessage());
    }
}
