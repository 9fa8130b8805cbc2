package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.deeprelax.dist.MpiRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deeprelax train --optimizer parle} under {@code mpirun -np 3}, one replica per process, as a user runs
 * it: the same numbers, to the bit, as three replicas in one process, fresh and resumed from its checkpoint;
 * a killed process that ends the job; and a single-model optimizer refused by every process. Skipped, saying
 * why, where Open MPI is not installed (CI installs it).
 */
class MpiTrainingTest {

    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void tinyData() throws Exception {
        data = TinyData.mnist(shared.resolve("mnist"), 512, 256);
    }

    private static List<String> parle(Path out, int epochs) {
        return ReplicatedTrainingTest.parle(data, out, epochs);
    }

    private static MpiRun.Result mpirun(List<String> args) throws Exception {
        return MpiRun.run(3, Duration.ofMinutes(4), List.of(), Main.class.getName(), args.toArray(String[]::new));
    }

    @Test
    void threeProcessesTrainTheNumbersOfThreeThreadsAndResumeTheirCheckpoint(@TempDir Path tmp) throws Exception {
        MpiRun.assumeAvailable();
        Path threads = tmp.resolve("threads");
        assertEquals(0, ReplicatedTrainingTest.train(parle(threads, 1)).code());
        Path processes = tmp.resolve("processes");
        MpiRun.Result job = mpirun(parle(processes, 1));
        assertEquals(0, job.exitCode(), job.output());
        assertTrue(job.output().contains("3 replicas, one per process: Open MPI v"), job.output());
        assertEquals(1, job.output().split("final validation error", -1).length - 1, "only replica 0 reports: "
                + job.output());
        assertEquals(ReplicatedTrainingTest.numbers(threads), ReplicatedTrainingTest.numbers(processes));
        ReplicatedTrainingTest.assertSameReplicas(threads, processes, 3, 1);

        // The second epoch under mpirun again, from the checkpoint of the first, against two epochs in threads.
        MpiRun.Result more = mpirun(List.of("train", "--resume", processes.toString(), "--epochs", "2"));
        assertEquals(0, more.exitCode(), more.output());
        assertTrue(more.output().contains("resuming " + processes + " after epoch 1 of 2"), more.output());
        MainTest.Outcome secondEpoch = MainTest.run("train", "--resume", threads.toString(), "--epochs", "2");
        assertEquals(0, secondEpoch.code(), secondEpoch.err());
        assertEquals(ReplicatedTrainingTest.numbers(threads), ReplicatedTrainingTest.numbers(processes));
        ReplicatedTrainingTest.assertSameReplicas(threads, processes, 3, 2);
    }

    @Test
    void aKilledProcessEndsTheJobWithinSeconds(@TempDir Path tmp) throws Exception {
        MpiRun.assumeAvailable();
        MpiRun.Job job = MpiRun.start(3, List.of(), Main.class.getName(),
                parle(tmp.resolve("run"), 200).toArray(String[]::new));
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!job.output().contains("  batch 1/") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(job.output().contains("  batch 1/"), "the job never took its first step: " + job.output());
        long killed = System.nanoTime();
        assertTrue(job.kill(1), "no process of rank 1 found");
        MpiRun.Result r = job.await(Duration.ofMinutes(1));
        double seconds = (System.nanoTime() - killed) / 1e9;
        assertNotEquals(-1, r.exitCode(), "the job hung after a process was killed: " + r.output());
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("process rank 1") && r.output().contains("exited on signal 9"), r.output());
        assertTrue(seconds < 30, "the job took " + seconds + " s to end after the kill");
    }

    @Test
    void aSingleModelOptimizerUnderMpirunIsRefusedByEveryProcess(@TempDir Path tmp) throws Exception {
        MpiRun.assumeAvailable();
        MpiRun.Result r = MpiRun.run(2, Duration.ofMinutes(2), List.of(), Main.class.getName(), "train", "--optimizer",
                "sgd", "--data", "mnist:" + data, "--out", tmp.toString());
        assertNotEquals(0, r.exitCode(), r.output());
        assertNotEquals(-1, r.exitCode(), "the job hung: " + r.output());
        assertEquals(2, r.output().split("only parle and elastic-sgd train replicas, one per process", -1).length - 1,
                "each process says why: " + r.output());
    }
}
