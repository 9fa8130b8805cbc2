package org.deeprelax.dist;

import java.time.Duration;
import java.util.Arrays;

import org.deeprelax.core.comm.CommunicationException;
import org.deeprelax.core.comm.Communicator;
import org.deeprelax.core.comm.Communicators;
import org.deeprelax.core.comm.ReplicaVectors;
import org.deeprelax.dist.bindings.Mpi;
import org.deeprelax.dist.bindings.MpiException;

/**
 * The program {@link MpiJobTest} and {@link MpiFailureTest} run under {@code mpirun}. Each rank prints lines
 * {@code rank R: ...} that the tests read; the first argument picks the scenario.
 */
public final class MpiJobMain {

    private MpiJobMain() {
    }

    /**
     * Runs one scenario.
     *
     * @param args {@code collectives} and the length of the vectors to average, or {@code kill}/{@code stop}
     *             followed by the rank that fails and the communicator's timeout in seconds
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        double timeout = args.length > 2 ? Double.parseDouble(args[2]) : 60;
        Communicator comm = Communicators.forThisProcess(Duration.ofMillis((long) (timeout * 1000)));
        int r = comm.rank();
        int n = comm.size();
        switch (args[0]) {
            case "collectives" -> {
                collectives(comm, r, n);
                System.out.println("rank " + r + ": mean digest " + digest(ReplicaVectors.mean(comm, 1, Integer.parseInt(args[1]))));
            }
            case "kill", "stop" -> fail(comm, args[0], Integer.parseInt(args[1]));
            default -> throw new IllegalArgumentException(args[0]);
        }
        comm.close();
    }

    private static void collectives(Communicator comm, int r, int n) {
        System.out.println("rank " + r + ": description " + comm.description());
        float[] f = {r, r + 0.5f, -r};
        float[] fs = new float[3 * n];
        comm.allgather(f, fs);
        System.out.println("rank " + r + ": floats " + Arrays.toString(fs));
        double[] d = {Math.PI * r};
        double[] ds = new double[n];
        comm.allgather(d, ds);
        System.out.println("rank " + r + ": doubles " + Arrays.toString(ds));
        long[] l = {Long.MAX_VALUE - r, r};
        long[] ls = new long[2 * n];
        comm.allgather(l, ls);
        System.out.println("rank " + r + ": longs " + Arrays.toString(ls));
        float[] big = new float[1 << 20];
        Arrays.fill(big, r);
        float[] bigs = new float[big.length * n];
        comm.allgather(big, bigs);
        System.out.println("rank " + r + ": big block sums " + blockSums(bigs, n));
        byte[] b = r == 1 ? "from rank 1".getBytes() : new byte[11];
        comm.broadcast(b, 1);
        System.out.println("rank " + r + ": broadcast " + new String(b));
        comm.barrier();
        Mpi mpi = Mpi.get();
        try {
            mpi.bcast(mpi.commWorld(), 0, mpi.byteType(), n + 5, mpi.commWorld());
            System.out.println("rank " + r + ": no error for a root outside the job");
        } catch (MpiException e) {
            System.out.println("rank " + r + ": error " + e.getMessage());
        }
        comm.barrier();
    }

    /**
     * A digest of every bit of a vector.
     *
     * @param v the values
     * @return a hex digest
     */
    public static String digest(float[] v) {
        long h = 1125899906842597L;
        for (float x : v) {
            h = 31 * h + Float.floatToRawIntBits(x);
        }
        return Long.toHexString(h);
    }

    private static String blockSums(float[] all, int n) {
        StringBuilder sb = new StringBuilder();
        int block = all.length / n;
        for (int k = 0; k < n; k++) {
            double s = 0;
            for (int i = k * block; i < (k + 1) * block; i++) {
                s += all[i];
            }
            sb.append(k == 0 ? "" : " ").append((long) s);
        }
        return sb.toString();
    }

    /** Every rank allgathers in a loop; one rank is killed, or stopped, at the third round. */
    private static void fail(Communicator comm, String how, int victim) throws Exception {
        float[] one = new float[1000];
        float[] all = new float[1000 * comm.size()];
        for (int round = 0; round < 10; round++) {
            if (round == 3 && comm.rank() == victim) {
                System.out.println("rank " + victim + ": " + how + " myself");
                System.out.flush();
                String signal = how.equals("kill") ? "-KILL" : "-STOP";
                new ProcessBuilder("kill", signal, Long.toString(ProcessHandle.current().pid())).start().waitFor();
            }
            try {
                comm.allgather(one, all);
            } catch (CommunicationException e) {
                System.out.println("rank " + comm.rank() + ": " + e.getMessage());
                System.out.flush();
                comm.abort(3);
            }
            Thread.sleep(100);
        }
        System.out.println("rank " + comm.rank() + ": all rounds done");
    }
}
