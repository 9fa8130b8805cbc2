package org.deeprelax.core.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** A job of threads: its collectives, and that a failed or stuck member ends the job rather than hanging it. */
class InProcessJobTest {

    @Test
    void everyCollectiveDeliversRankOrderedValues() {
        List<String> out = InProcessJob.run(3, Duration.ofSeconds(30), c -> {
            int r = c.rank();
            float[] f = new float[6];
            c.allgather(new float[] {r, -r}, f);
            double[] d = new double[3];
            c.allgather(new double[] {r * 0.5}, d);
            long[] l = new long[3];
            c.allgather(new long[] {100L + r}, l);
            float[] blocks = {10 * r, 10 * r + 1, 10 * r + 2};
            float[] got = new float[3];
            c.alltoall(blocks, got);
            byte[] b = r == 2 ? new byte[] {7, 8} : new byte[2];
            c.broadcast(b, 2);
            c.barrier();
            assertArrayEquals(new float[] {0, 0, 1, -1, 2, -2}, f);
            assertArrayEquals(new double[] {0, 0.5, 1}, d);
            assertArrayEquals(new long[] {100, 101, 102}, l);
            assertArrayEquals(new float[] {r, 10 + r, 20 + r}, got, "block r of every member");
            assertArrayEquals(new byte[] {7, 8}, b);
            return c.description();
        });
        assertEquals(List.of("in-process job, member 0 of 3", "in-process job, member 1 of 3", "in-process job, member 2 of 3"), out);
    }

    @Test
    void aMemberThatThrowsEndsTheJobWithItsOwnException() {
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> InProcessJob.run(3, Duration.ofSeconds(60), c -> {
            if (c.rank() == 1) {
                throw new IllegalStateException("replica 1 broke");
            }
            c.barrier();
            return null;
        }));
        assertEquals("replica 1 broke", e.getMessage());
        assertTrue(System.nanoTime() - start < 20e9, "the others did not wait for the 60 s timeout");
    }

    @Test
    void theOthersSeeWhoFailed() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        assertThrows(IllegalStateException.class, () -> InProcessJob.run(3, Duration.ofSeconds(60), c -> {
            if (c.rank() == 2) {
                throw new IllegalStateException("boom");
            }
            try {
                c.barrier();
            } catch (CommunicationException x) {
                seen.add(x.getMessage());
            }
            return null;
        }));
        assertEquals(2, seen.size());
        assertTrue(seen.get(0).startsWith("in-process job: member 2 of 3 failed (java.lang.IllegalStateException: boom)"),
                seen.get(0));
    }

    @Test
    void aStuckMemberMakesTheOthersTimeOut() {
        CommunicationException e = assertThrows(CommunicationException.class,
                () -> InProcessJob.run(2, Duration.ofMillis(300), c -> {
                    if (c.rank() == 0) {
                        c.barrier();
                    } else {
                        try {
                            Thread.sleep(3000);
                        } catch (InterruptedException x) {
                            Thread.currentThread().interrupt();
                        }
                        c.barrier();
                    }
                    return null;
                }));
        assertTrue(e.getMessage().startsWith("in-process job: member 0 of 2 waited 0.3 s in barrier for the others and"
                + " gave up"), e.getMessage());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aJobStoppedForLongerThanItsTimeoutGoesOnWhenContinued() {
        long pid = ProcessHandle.current().pid();
        List<Integer> ranks = InProcessJob.run(2, Duration.ofMillis(2500), c -> {
            if (c.rank() == 1) {
                // While member 0 waits in the barrier, this whole JVM is stopped for 4 s (longer than the
                // timeout), then continued; member 1 arrives half a second later, as a replica that was
                // stopped in the middle of its step would.
                try {
                    new ProcessBuilder("sh", "-c", "sleep 0.2; kill -STOP " + pid + "; sleep 4; kill -CONT " + pid)
                            .start().waitFor();
                    Thread.sleep(500);
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            c.barrier();
            return c.rank();
        });
        assertEquals(List.of(0, 1), ranks);
    }
}
