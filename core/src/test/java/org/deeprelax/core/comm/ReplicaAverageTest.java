package org.deeprelax.core.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The replica mean is the same to the bit however the replicas are spread over processes, and equals a
 * naive sum in replica order: every replica's values differ, so a value taken from the wrong replica, chunk
 * or offset shows.
 */
class ReplicaAverageTest {

    /** The reference: for each element, a double sum over a = 0 … n − 1, divided by n, rounded once. */
    static float[] naiveMean(int n, int length) {
        double[] sum = new double[length];
        for (int a = 0; a < n; a++) {
            float[] v = ReplicaVectors.replica(a, length);
            for (int i = 0; i < length; i++) {
                sum[i] += v[i];
            }
        }
        float[] out = new float[length];
        for (int i = 0; i < length; i++) {
            out[i] = (float) (sum[i] / n);
        }
        return out;
    }

    @ParameterizedTest(name = "{0} processes × {1} replicas, length {2}")
    @CsvSource({"1, 3, 1001", "3, 1, 1001", "2, 2, 10", "4, 1, 3", "3, 2, 7"})
    void everyLayoutGivesTheNaiveOrderedMeanToTheBit(int processes, int perProcess, int length) throws Exception {
        float[] expected = naiveMean(processes * perProcess, length);
        List<float[]> got = InProcessJob.run(processes, Duration.ofSeconds(30),
                comm -> ReplicaVectors.mean(comm, perProcess, length));
        for (float[] out : got) {
            assertArrayEquals(expected, out);
        }
    }

    @Test
    void theJobCountsItsReplicasAndNumbersThemByProcess() throws Exception {
        List<int[]> got = InProcessJob.run(3, Duration.ofSeconds(30), comm -> {
            ReplicaAverage avg = new ReplicaAverage(comm, 2, 4);
            return new int[] {avg.replicas(), avg.firstReplica()};
        });
        for (int r = 0; r < 3; r++) {
            assertArrayEquals(new int[] {6, 2 * r}, got.get(r));
        }
    }

    @Test
    void wrongCountsAreNamed() {
        ReplicaAverage avg = new ReplicaAverage(Communicators.single(), 2, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> avg.mean(new float[][] {new float[5]}, new float[5]));
        assertEquals("mean: 1 vectors into 5 values; expected 2 (the replicas of this process) into 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> avg.mean(new float[][] {new float[5], new float[4]}, new float[5]));
    }
}
