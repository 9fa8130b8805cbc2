package org.deeprelax.core.comm;

import java.util.SplittableRandom;

/** The vectors the replica-mean tests average, here and under {@code mpirun} in module {@code dist}, and their mean. */
public final class ReplicaVectors {

    private ReplicaVectors() {
    }

    /**
     * Replica a's vector: values of mixed sign and magnitudes from 2⁻³⁰ to 2¹⁰, different for every replica,
     * so that a value taken from the wrong replica or offset shows.
     *
     * @param a the replica's global index
     * @param length the vector's length
     * @return the values
     */
    public static float[] replica(int a, int length) {
        SplittableRandom rng = new SplittableRandom(7919L * (a + 1));
        float[] v = new float[length];
        for (int i = 0; i < length; i++) {
            v[i] = (float) ((rng.nextDouble() - 0.5) * Math.pow(2, rng.nextInt(-30, 10)));
        }
        return v;
    }

    /**
     * The replica mean over a job of these vectors, each process holding {@code perProcess} replicas.
     *
     * @param comm the job
     * @param perProcess replicas per process
     * @param length the vectors' length
     * @return the mean every process got
     */
    public static float[] mean(Communicator comm, int perProcess, int length) {
        ReplicaAverage avg = new ReplicaAverage(comm, perProcess, length);
        float[][] local = new float[perProcess][];
        for (int k = 0; k < perProcess; k++) {
            local[k] = replica(avg.firstReplica() + k, length);
        }
        float[] out = new float[length];
        avg.mean(local, out);
        return out;
    }
}
