package org.deeprelax.bench;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.deeprelax.core.Backends;
import org.deeprelax.core.comm.Communicator;
import org.deeprelax.core.comm.Communicators;
import org.deeprelax.core.comm.ReplicaAverage;
import org.deeprelax.dist.bindings.Mpi;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.models.Models;

/**
 * What the fixed-order replica mean costs against {@code MPI_Allreduce}, in one job under {@code mpirun}, one
 * replica per process. Three ways to average a vector over the processes, timed in alternation, round after
 * round, so that the machine's other load falls on all three alike:
 *
 * <ul>
 *   <li>{@code ordered}: {@link ReplicaAverage}, an alltoall of chunks, a sum in replica order, an allgather of
 *       the means (what Parle uses; the same bits as one process holding every replica);</li>
 *   <li>{@code gather-all}: an allgather of every replica's whole vector, then the same ordered sum over all of
 *       it on every process (the simplest fixed order);</li>
 *   <li>{@code allreduce}: {@code MPI_Allreduce} with {@code MPI_SUM} in float, blocking, then a scale by 1/n
 *       (the order Open MPI picks; the reference).</li>
 * </ul>
 *
 * <p>Each round starts with a barrier; a round's time is the slowest process's. Rank 0 prints the median
 * over the rounds in milliseconds and the ratios to {@code allreduce}, one line per length, and whether
 * {@code allreduce} happened to give the ordered mean's bits:
 *
 * <pre>
 * REPLICA-MEAN processes=3 network=lenet length=131220 ordered=0.512 gather-all=0.803 allreduce=0.431 ordered/allreduce=1.19 ...
 * </pre>
 *
 * <p>Run it with {@code mpirun --oversubscribe -np 3 java --enable-native-access=ALL-UNNAMED -cp
 * bench/target/benchmarks.jar org.deeprelax.bench.ReplicaAverageReport lenet mnistfc}.
 */
public final class ReplicaAverageReport {

    private static final int ROUNDS = 40;
    private static final int WARMUP = 10;

    private ReplicaAverageReport() {
    }

    /**
     * Times the three averages for each network's parameter arena.
     *
     * @param args network names (default: lenet and mnistfc)
     */
    public static void main(String[] args) {
        List<String> models = args.length == 0 ? List.of("lenet", "mnistfc") : List.of(args);
        try (Communicator comm = Communicators.forThisProcess(Duration.ofMinutes(5))) {
            for (String name : models) {
                int length = Model.build(name, Models.create(name), Backends.cpu(), 1).parameters().size();
                String line = measure(comm, name, length);
                if (comm.rank() == 0) {
                    System.out.println(line);
                }
            }
        }
    }

    private static String measure(Communicator comm, String name, int length) {
        int n = comm.size();
        float[] mine = new float[length];
        SplittableRandom rng = new SplittableRandom(17 + comm.rank());
        for (int i = 0; i < length; i++) {
            mine[i] = (float) rng.nextGaussian();
        }
        ReplicaAverage average = new ReplicaAverage(comm, 1, length);
        float[][] local = {mine};
        float[] ordered = new float[length];
        float[] everyone = new float[n * length];
        double[] sums = new double[length];
        float[] gathered = new float[length];
        Mpi mpi = Mpi.get();
        List<double[]> times = new ArrayList<>();
        boolean allreduceEqual = true;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment send = arena.allocate(JAVA_FLOAT, length);
            MemorySegment receive = arena.allocate(JAVA_FLOAT, length);
            float[] reduced = new float[length];
            for (int round = 0; round < WARMUP + ROUNDS; round++) {
                double[] t = new double[3];
                comm.barrier();
                long s = System.nanoTime();
                average.mean(local, ordered);
                t[0] = (System.nanoTime() - s) / 1e6;

                comm.barrier();
                s = System.nanoTime();
                comm.allgather(mine, everyone);
                Arrays.fill(sums, 0);
                for (int a = 0; a < n; a++) {
                    for (int i = 0; i < length; i++) {
                        sums[i] += everyone[a * length + i];
                    }
                }
                for (int i = 0; i < length; i++) {
                    gathered[i] = (float) (sums[i] / n);
                }
                t[1] = (System.nanoTime() - s) / 1e6;

                comm.barrier();
                s = System.nanoTime();
                MemorySegment.copy(mine, 0, send, JAVA_FLOAT, 0, length);
                mpi.allreduce(send, receive, length, mpi.floatType(), mpi.opSum(), mpi.commWorld());
                MemorySegment.copy(receive, JAVA_FLOAT, 0, reduced, 0, length);
                float scale = 1f / n;
                for (int i = 0; i < length; i++) {
                    reduced[i] *= scale;
                }
                t[2] = (System.nanoTime() - s) / 1e6;

                if (round >= WARMUP) {
                    double[] slowest = new double[3 * n];
                    comm.allgather(t, slowest);
                    double[] max = new double[3];
                    for (int r = 0; r < n; r++) {
                        for (int k = 0; k < 3; k++) {
                            max[k] = Math.max(max[k], slowest[3 * r + k]);
                        }
                    }
                    times.add(max);
                }
                allreduceEqual &= Arrays.equals(ordered, reduced);
            }
        }
        if (!Arrays.equals(ordered, gathered)) {
            throw new IllegalStateException("the two ordered means differ");
        }
        double[] median = new double[3];
        for (int k = 0; k < 3; k++) {
            final int kk = k;
            median[k] = times.stream().mapToDouble(x -> x[kk]).sorted().skip(times.size() / 2).findFirst().orElseThrow();
        }
        return String.format(Locale.ROOT, "REPLICA-MEAN processes=%d network=%s length=%d ordered=%.3f gather-all=%.3f allreduce=%.3f"
                + " ordered/allreduce=%.2f gather-all/allreduce=%.2f allreduce-bits-equal-ordered=%b", n, name, length, median[0],
                median[1], median[2], median[0] / median[2], median[1] / median[2], allreduceEqual);
    }
}
