package org.deeprelax.core.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void nestedLoopsRunInsideTheirChunkOnEveryThread() {
        // Each outer chunk, the caller's included, must run its nested loop itself, not hand it to the
        // pool (whose workers are busy with the other outer chunks).
        AtomicInteger sum = new AtomicInteger();
        AtomicInteger foreign = new AtomicInteger();
        Parallel.forRange(Parallel.threads(), 1, (from, to) -> {
            Thread me = Thread.currentThread();
            for (int i = from; i < to; i++) {
                Parallel.forRange(1000, 1, (a, b) -> {
                    if (Thread.currentThread() != me) {
                        foreign.incrementAndGet();
                    }
                    sum.addAndGet(b - a);
                });
            }
        });
        assertEquals(1000 * Parallel.threads(), sum.get());
        assertEquals(0, foreign.get());
    }
}
