package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.deeprelax.core.io.StateFile;
import org.deeprelax.nn.data.Dataset;
import org.deeprelax.optim.Parle;
import org.deeprelax.optim.Recipe;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deeprelax train --optimizer parle|elastic-sgd} with its replicas as threads of one process: the files a
 * replicated run writes, an exact resume, the data shares, divergence that stops every replica, and the flags'
 * errors. {@code MpiTrainingTest} runs the same under {@code mpirun}.
 */
class ReplicatedTrainingTest {

    @TempDir
    static Path shared;
    static Path data;

    @BeforeAll
    static void tinyData() throws Exception {
        data = TinyData.mnist(shared.resolve("mnist"), 512, 256);
    }

    /** A short Parle run on mnistfc: 3 replicas, L = 2, each on a third of {@code mnist}'s 512 digits, batch 64. */
    static List<String> parle(Path mnist, Path out, int epochs, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", "mnistfc", "--optimizer", "parle", "--data",
                "mnist:" + mnist, "--batch-size", "64", "--L", "2", "--data-fraction", "0.34", "--epochs",
                Integer.toString(epochs), "--out", out.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    static MainTest.Outcome train(List<String> args) {
        return MainTest.run(args.toArray(String[]::new));
    }

    /** The numbers of a run, without the times: metrics.csv and replicas.csv but their last column (seconds). */
    static String numbers(Path run) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String file : new String[] {"metrics.csv", "replicas.csv"}) {
            for (String line : Files.readAllLines(run.resolve(file))) {
                sb.append(line, 0, line.lastIndexOf(',')).append('\n');
            }
        }
        return sb.toString();
    }

    /** The reference model of the checkpoint, and every replica's weights and optimizer state after {@code epoch}, to the bit. */
    static void assertSameReplicas(Path a, Path b, int replicas, int epoch) {
        StateFile ca = StateFile.read(a.resolve("checkpoint.state"));
        StateFile cb = StateFile.read(b.resolve("checkpoint.state"));
        assertEquals(epoch, ca.getLong("train.epoch", 1, epoch));
        assertEquals(epoch, cb.getLong("train.epoch", 1, epoch));
        for (String s : new String[] {"model.parameters.values", "model.buffers"}) {
            assertArrayEquals(ca.getFloats(s), cb.getFloats(s), "the reference model's " + s);
        }
        for (int r = 0; r < replicas; r++) {
            StateFile x = StateFile.read(a.resolve(RunFiles.replicaFile(r, epoch)));
            StateFile y = StateFile.read(b.resolve(RunFiles.replicaFile(r, epoch)));
            for (String s : new String[] {"model.parameters.values", "model.buffers", "optimizer.anchor", "optimizer.average",
                "optimizer.innerMomentum", "optimizer.outerMomentum"}) {
                assertArrayEquals(x.getFloats(s), y.getFloats(s), "replica " + r + ", " + s);
            }
        }
    }

    @Test
    void aResumedReplicatedRunEndsWithExactlyTheNumbersOfTheUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path whole = tmp.resolve("whole");
        Path split = tmp.resolve("split");
        MainTest.Outcome w = train(parle(data, whole, 2));
        assertEquals(0, w.code(), w.err());
        assertEquals(0, train(parle(data, split, 1)).code());
        assertTrue(Files.exists(split.resolve(RunFiles.replicaFile(2, 1))));
        MainTest.Outcome s = MainTest.run("train", "--resume", split.toString(), "--epochs", "2");
        assertEquals(0, s.code(), s.err());
        assertEquals(numbers(whole), numbers(split));
        assertSameReplicas(whole, split, 3, 2);
        assertFalse(Files.exists(split.resolve(RunFiles.replicaFile(0, 1))), "the epoch before's states are removed");
        assertTrue(w.out().contains("3 replicas, one per thread of this process, each on 0.34 of the training set"),
                w.out());
        assertTrue(w.out().contains("replicas' validation error: 0: "), w.out());
        List<String> replicas = Files.readAllLines(whole.resolve("replicas.csv"));
        assertEquals(ReplicaMetrics.HEADER, replicas.get(0));
        assertEquals(1 + 2 * 3, replicas.size());
        String summary = Files.readString(whole.resolve("summary.json"));
        assertTrue(summary.contains("\"replicas\" : 3") && summary.contains("final_replica_validation_errors"), summary);
        assertTrue(summary.contains("\"growth\" : " + 0.5f / 8), "the couplings grow by 0.5/nb, nb = 512 / 64: " + summary);
        // Effective epochs per replica: L × its 2 steps an epoch, over the 8 batches of the whole set.
        assertTrue(Files.readAllLines(whole.resolve("metrics.csv")).get(2).startsWith("2,1,"), numbers(whole));
        // The replicas are not copies of one another: their seeds, starts and data differ.
        assertFalse(Arrays.equals(StateFile.read(whole.resolve(RunFiles.replicaFile(0, 2))).getFloats("model.parameters.values"),
                StateFile.read(whole.resolve(RunFiles.replicaFile(1, 2))).getFloats("model.parameters.values")));
    }

    @Test
    void elasticSgdTrainsReplicasThatWalkTheirOwnShuffles(@TempDir Path tmp) throws Exception {
        MainTest.Outcome o = MainTest.run("train", "--model", "mnistfc", "--optimizer", "elastic-sgd", "--replicas", "2",
                "--data", "mnist:" + data, "--batch-size", "64", "--epochs", "1", "--out", tmp.toString());
        assertEquals(0, o.code(), o.err());
        StateFile cp = StateFile.read(tmp.resolve("checkpoint.state"));
        assertTrue(Trainer.savedConfig(cp).settings() instanceof Parle.Settings p && p.innerSteps() == 0);
        assertEquals(2, Trainer.savedConfig(cp).replicas());
        assertTrue(Files.readAllLines(tmp.resolve("metrics.csv")).get(1).startsWith("1,1,"), "one evaluation a step");
        double err = Double.parseDouble(Files.readAllLines(tmp.resolve("metrics.csv")).get(1).split(",")[5]);
        assertTrue(err < 60, "the reference model learns something in one epoch: " + err);
    }

    /** The authors' loader's shares: f = 1/n splits the set, larger f overlaps; every share is its own. */
    @Test
    void theDataFractionCutsWindowsOfOneShuffle() throws Exception {
        Dataset train = DataSource.load("mnist:" + data).train();
        TrainConfig third = config(3, 1.0 / 3);
        Set<String> seen = new HashSet<>();
        int total = 0;
        for (int r = 0; r < 3; r++) {
            Dataset share = ReplicaData.share(train, third, r);
            total += share.size();
            for (int i = 0; i < share.size(); i++) {
                seen.add(Arrays.toString(Arrays.copyOfRange(share.images(), i * share.exampleSize(),
                        (i + 1) * share.exampleSize())) + share.label(i));
            }
        }
        assertEquals(train.size(), total, "a third each, the set exactly");
        assertEquals(new HashSet<>(allExamples(train)).size(), seen.size(), "disjoint shares that cover the set");
        TrainConfig half = config(3, 0.5);
        assertEquals(256, ReplicaData.share(train, half, 1).size());
        assertEquals(train, ReplicaData.share(train, config(3, 1), 2), "a fraction of 1 is the whole set");
    }

    private static List<String> allExamples(Dataset d) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            out.add(Arrays.toString(Arrays.copyOfRange(d.images(), i * d.exampleSize(), (i + 1) * d.exampleSize()))
                    + d.label(i));
        }
        return out;
    }

    private static TrainConfig config(int replicas, double fraction) {
        Recipe r = Recipe.of("mnistfc", "parle");
        return new TrainConfig("mnistfc", "mnist:" + data, "parle", 1, 64, r.schedule().toString(), 7, "cpu", true,
                r.settings(), replicas, fraction);
    }

    @Test
    void aReplicaThatDivergesStopsThemAllNamingIt(@TempDir Path tmp) throws Exception {
        MainTest.Outcome o = train(parle(data, tmp, 2, "--lr", "1e30", "--inner-lr", "1e30"));
        assertEquals(1, o.code(), o.out());
        assertTrue(o.err().contains("training stopped: it diverged at epoch 1, step 1 (replica "), o.err());
        assertTrue(Files.readString(tmp.resolve("summary.json")).contains("\"status\" : \"diverged\""));
    }

    @Test
    void theReplicaFlagsSayWhatTheyApplyTo(@TempDir Path tmp) {
        String mnist = "mnist:" + data;
        MainTest.Outcome sgd = MainTest.run("train", "--optimizer", "sgd", "--replicas", "3", "--data", mnist, "--out",
                tmp.resolve("a").toString());
        assertNotEquals(0, sgd.code());
        assertTrue(sgd.err().contains("--replicas applies to --optimizer parle and elastic-sgd, not sgd"), sgd.err());
        MainTest.Outcome fraction = MainTest.run("train", "--optimizer", "parle", "--data-fraction", "1.5", "--data", mnist,
                "--out", tmp.resolve("b").toString());
        assertTrue(fraction.err().contains("--data-fraction 1.5 must be in (0, 1]"), fraction.err());
        MainTest.Outcome inner = MainTest.run("train", "--optimizer", "elastic-sgd", "--L", "5", "--data", mnist, "--out",
                tmp.resolve("c").toString());
        assertTrue(inner.err().contains("--L does not apply to --optimizer elastic-sgd"), inner.err());
        MainTest.Outcome code = MainTest.run("train", "--optimizer", "parle", "--parle-code", "lua", "--data", mnist,
                "--out", tmp.resolve("d").toString());
        assertTrue(code.err().contains("--parle-code 'lua' is not one of distributed-ensembles, parle-mpi"), code.err());
    }
}
