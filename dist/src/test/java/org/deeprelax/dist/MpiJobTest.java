package org.deeprelax.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import org.deeprelax.core.comm.Communicators;
import org.deeprelax.core.comm.ReplicaVectors;
import org.junit.jupiter.api.Test;

/**
 * The communicator's collectives in a real job of three processes under {@code mpirun}, and the replica mean
 * they give against one process holding the three replicas.
 */
class MpiJobTest {

    @Test
    void threeProcessesGatherBroadcastAverageAndReportMpiErrorsWithMpisText() throws Exception {
        MpiRun.assumeAvailable();
        int length = 100_003;
        String oneProcess = MpiJobMain.digest(ReplicaVectors.mean(Communicators.single(), 3, length));
        MpiRun.Result job = MpiRun.run(3, Duration.ofSeconds(60), List.of(), MpiJobMain.class.getName(), "collectives",
                Integer.toString(length));
        String out = job.output();
        assertEquals(0, job.exitCode(), out);
        for (int r = 0; r < 3; r++) {
            String p = "rank " + r + ": ";
            assertTrue(out.contains(p + "description Open MPI v") && out.contains(", rank " + r + " of 3 on host "), out);
            assertTrue(out.contains(p + "floats [0.0, 0.5, 0.0, 1.0, 1.5, -1.0, 2.0, 2.5, -2.0]"), out);
            assertTrue(out.contains(p + "doubles [0.0, " + Math.PI + ", " + 2 * Math.PI + "]"), out);
            assertTrue(out.contains(p + "longs [" + Long.MAX_VALUE + ", 0, " + (Long.MAX_VALUE - 1) + ", 1, "
                    + (Long.MAX_VALUE - 2) + ", 2]"), out);
            assertTrue(out.contains(p + "big block sums 0 1048576 2097152"), out);
            assertTrue(out.contains(p + "broadcast from rank 1"), out);
            assertTrue(out.contains(p + "error mpi: MPI_Bcast failed with error 8 (MPI_ERR_ROOT: invalid root)"), out);
            assertTrue(out.contains(p + "mean digest " + oneProcess), "one process holding 3 replicas: " + oneProcess + "\n" + out);
        }
    }
}
