package org.deeprelax.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * A process of the job that dies or stops: the others end within a bounded time with an error that says
 * what happened, never hang. A killed process is noticed by {@code mpirun}, which ends the job; a stopped one
 * is alive to {@code mpirun}, so the others' communicator times out and aborts the job.
 */
class MpiFailureTest {

    @Test
    void aKilledProcessEndsTheJobWithinSeconds() throws Exception {
        MpiRun.assumeAvailable();
        MpiRun.Result job = MpiRun.run(3, Duration.ofSeconds(60), List.of(), MpiJobMain.class.getName(), "kill", "1", "60");
        String out = job.output();
        assertNotEquals(0, job.exitCode(), out);
        assertNotEquals(-1, job.exitCode(), "the job hung: " + out);
        assertTrue(out.contains("rank 1: kill myself"), out);
        assertTrue(out.contains("process rank 1") && out.contains("exited on signal 9"), out);
        assertTrue(!out.contains("all rounds done"), out);
        assertTrue(job.seconds() < 40, "the job took " + job.seconds() + " s to end");
    }

    @Test
    void aStoppedProcessMakesTheOthersTimeOutAndAbortTheJob() throws Exception {
        MpiRun.assumeAvailable();
        MpiRun.Result job = MpiRun.run(3, Duration.ofSeconds(60), List.of(), MpiJobMain.class.getName(), "stop", "2", "2");
        String out = job.output();
        assertNotEquals(-1, job.exitCode(), "the job hung: " + out);
        assertEquals(3, job.exitCode(), "mpirun exits with the status given to MPI_Abort: " + out);
        assertTrue(out.contains("rank 2: stop myself"), out);
        assertTrue(out.matches("(?s).*rank [01]: mpi: rank [01] of 3 waited 2\\.\\d s in allgather of 1000 floats for the"
                + " other processes of the job and gave up.*"), out);
        assertTrue(job.seconds() < 40, "the job took " + job.seconds() + " s to end");
    }
}
