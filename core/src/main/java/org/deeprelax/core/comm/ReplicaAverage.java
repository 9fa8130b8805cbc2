package org.deeprelax.core.comm;

import java.util.Arrays;

/**
 * The mean of a vector over every replica of a job, the same to the bit however the replicas are spread over
 * processes: one process holding n replicas and n processes holding one each get the same floats.
 *
 * <p>Replica a (0 ≤ a &lt; n) is local replica a mod k of process a / k, k replicas to a process. Each
 * element's mean is (v₀ + v₁ + … + vₙ₋₁) / n, summed in double in that order and rounded to float once, by
 * the same code whichever process does it. (A double sum of a few floats is exact unless their magnitudes
 * differ by more than about 2²⁷, so the result is also the correctly rounded mean in practice.)
 * {@code MPI_Allreduce} promises neither: it sums floats in float, in an order Open MPI chooses by message
 * size and process count, and floating-point addition is not associative.
 *
 * <p>It moves data as a ring allreduce does, a reduce-scatter then an allgather: the vector is cut into one
 * chunk per process; an alltoall brings chunk j of every replica to process j, which sums them in replica
 * order; an allgather hands every process every chunk's mean. Each process sends about k·(p − 1)/p of the
 * vector and receives as much, then (p − 1)/p of it again, where a gather of every replica to every process
 * would receive (n − 1) vectors.
 */
public final class ReplicaAverage {

    private final Communicator comm;
    private final int perProcess;
    private final int length;
    private final int chunk;
    private final float[] send;
    private final float[] received;
    private final double[] sums;
    private final float[] chunkMean;
    private final float[] means;

    /**
     * Prepares the buffers for vectors of one length.
     *
     * @param comm the job
     * @param replicasPerProcess k, the same on every process (≥ 1)
     * @param length the vector's length
     */
    public ReplicaAverage(Communicator comm, int replicasPerProcess, int length) {
        if (replicasPerProcess < 1) {
            throw new IllegalArgumentException("replicas per process = " + replicasPerProcess + "; it must be ≥ 1");
        }
        this.comm = comm;
        this.perProcess = replicasPerProcess;
        this.length = length;
        int p = comm.size();
        chunk = Math.max(1, (length + p - 1) / p);
        send = new float[p * perProcess * chunk];
        received = new float[send.length];
        sums = new double[chunk];
        chunkMean = new float[chunk];
        means = new float[p * chunk];
    }

    /**
     * Returns the number of replicas in the job.
     *
     * @return n, processes × replicas per process
     */
    public int replicas() {
        return comm.size() * perProcess;
    }

    /**
     * Returns the global index of this process's first replica.
     *
     * @return rank × replicas per process
     */
    public int firstReplica() {
        return comm.rank() * perProcess;
    }

    /**
     * Averages over every replica of the job; every process calls it together.
     *
     * @param local this process's replicas' vectors, local replica k at index k
     * @param out receives the mean over all n replicas
     * @throws IllegalArgumentException if the count of vectors or a length is wrong
     */
    public void mean(float[][] local, float[] out) {
        if (local.length != perProcess || out.length != length) {
            throw new IllegalArgumentException("mean: " + local.length + " vectors into " + out.length
                    + " values; expected " + perProcess + " (the replicas of this process) into " + length);
        }
        int p = comm.size();
        for (int j = 0; j < p; j++) {
            int from = Math.min(length, j * chunk);
            int to = Math.min(length, from + chunk);
            for (int k = 0; k < perProcess; k++) {
                if (local[k].length != length) {
                    throw new IllegalArgumentException("mean: local replica " + k + " holds " + local[k].length
                            + " values, not " + length);
                }
                int at = (j * perProcess + k) * chunk;
                System.arraycopy(local[k], from, send, at, to - from);
                Arrays.fill(send, at + to - from, at + chunk, 0f);
            }
        }
        comm.alltoall(send, received);
        // received[a·chunk + e] is element e of this process's chunk in replica a, a in global order.
        int n = replicas();
        for (int e = 0; e < chunk; e++) {
            sums[e] = received[e];
        }
        for (int a = 1; a < n; a++) {
            for (int e = 0, at = a * chunk; e < chunk; e++) {
                sums[e] += received[at + e];
            }
        }
        for (int e = 0; e < chunk; e++) {
            chunkMean[e] = (float) (sums[e] / n);
        }
        comm.allgather(chunkMean, means);
        System.arraycopy(means, 0, out, 0, length);
    }
}
