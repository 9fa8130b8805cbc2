package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.deeprelax.core.io.StateFile;
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
    void aKilledProcessEndsTheJobWithinSecondsLeavingItsLastCheckpointWhole(@TempDir Path tmp) throws Exception {
        MpiRun.assumeAvailable();
        Path run = tmp.resolve("run");
        MpiRun.Result r;
        double seconds;
        try (MpiRun.Job job = MpiRun.start(3, List.of(), Main.class.getName(), parle(run, 100).toArray(String[]::new))) {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            // Into the second epoch, so that the first epoch's checkpoint is on disk when a process dies.
            while (!job.output().matches("(?s).*epoch 2/100.*  batch 1/.*") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertTrue(job.output().contains("epoch 2/100"), "the job never reached its second epoch: " + job.output());
            long killed = System.nanoTime();
            assertTrue(job.kill(1), "no process of rank 1 found");
            r = job.await(Duration.ofMinutes(1));
            seconds = (System.nanoTime() - killed) / 1e9;
        }
        assertNotEquals(-1, r.exitCode(), "the job hung after a process was killed: " + r.output());
        assertNotEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("process rank 1") && r.output().contains("exited on signal 9"), r.output());
        assertTrue(seconds < 30, "the job took " + seconds + " s to end after the kill");
        assertFalse(r.output().contains("final validation error"), r.output());

        // Nothing half-written: no temporary file, the checkpoint whole and the replicas' states of its epoch there.
        try (var files = Files.list(run)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().noneMatch(n -> n.endsWith(".tmp")), names.toString());
        }
        assertFalse(Files.readString(run.resolve("summary.json")).contains("\"status\" : \"finished\""));
        StateFile checkpoint = StateFile.read(run.resolve("checkpoint.state"));
        int done = (int) checkpoint.getLong("train.epoch", 1, 100);
        for (int replica = 0; replica < 3; replica++) {
            StateFile.read(run.resolve(RunFiles.replicaFile(replica, done)));
        }
        // And the run goes on from it, here as three threads of one process.
        MainTest.Outcome more = MainTest.run("train", "--resume", run.toString(), "--epochs", Integer.toString(done + 1));
        assertEquals(0, more.code(), more.err());
        assertTrue(more.out().contains("resuming " + run + " after epoch " + done), more.out());
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
