package org.deeprelax.core.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Which job a process joins, and the collectives of a job of one. */
class CommunicatorsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(1);

    @Test
    void withoutALauncherAProcessIsAJobOfOne() {
        Communicator c = Communicators.forEnvironment(Map.of("PATH", "/usr/bin"), List.of(provider(null)), TIMEOUT);
        assertEquals(0, c.rank());
        assertEquals(1, c.size());
        assertEquals("one process", c.description());
    }

    @Test
    void theProviderWhoseLauncherStartedTheProcessIsUsed() {
        Communicator joined = Communicators.single();
        assertSame(joined, Communicators.forEnvironment(Map.of("OMPI_COMM_WORLD_SIZE", "3"), List.of(provider(joined)),
                TIMEOUT));
    }

    @Test
    void anMpiLauncherWithoutAProviderIsAnErrorNotThreeSeparateRuns() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Communicators.forEnvironment(Map.of("OMPI_COMM_WORLD_SIZE", "3"), List.of(), TIMEOUT));
        assertTrue(e.getMessage().contains("OMPI_COMM_WORLD_SIZE=3") && e.getMessage().contains("deeprelax-dist"),
                e.getMessage());
    }

    @Test
    void aJobOfOneCopiesAndChecksLengths() {
        Communicator c = Communicators.single();
        float[] f = new float[2];
        c.allgather(new float[] {1, 2}, f);
        assertArrayEquals(new float[] {1, 2}, f);
        double[] d = new double[1];
        c.allgather(new double[] {3}, d);
        assertArrayEquals(new double[] {3}, d);
        long[] l = new long[1];
        c.allgather(new long[] {4}, l);
        assertArrayEquals(new long[] {4}, l);
        byte[] b = {5};
        c.broadcast(b, 0);
        assertArrayEquals(new byte[] {5}, b);
        c.barrier();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.allgather(new float[2], new float[3]));
        assertTrue(e.getMessage().contains("holds 3 values; it must hold 1 processes × 2 = 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.broadcast(b, 1));
    }

    /** A provider that claims processes started with OMPI_COMM_WORLD_SIZE and hands out {@code joined}. */
    private static CommunicatorProvider provider(Communicator joined) {
        return new CommunicatorProvider() {
            @Override
            public String name() {
                return "test";
            }

            @Override
            public boolean launched(Map<String, String> env) {
                return env.containsKey("OMPI_COMM_WORLD_SIZE");
            }

            @Override
            public Communicator create(Duration timeout) {
                return joined;
            }
        };
    }
}
