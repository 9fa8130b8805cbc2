package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, usage errors with exit code 2, and clear failures for missing data or files. */
class MainTest {

    record Outcome(int code, String out, String err) {
    }

    static synchronized Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpForTheCommandAndEachSubcommand() {
        Outcome top = run("--help");
        assertEquals(0, top.code());
        assertTrue(top.out().contains("train") && top.out().contains("eval"), top.out());
        Outcome train = run("train", "--help");
        assertEquals(0, train.code());
        for (String flag : new String[] {"--model", "--optimizer", "--data", "--epochs", "--batch-size", "--lr",
                "--lr-schedule", "--momentum", "nesterov", "--weight-decay", "--seed", "--device", "--out", "--resume"}) {
            assertTrue(train.out().contains(flag), flag);
        }
        assertEquals(0, run("eval", "--help").code());
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatWasWrong() {
        Outcome unknown = run("train", "--learning-rate", "0.1");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--learning-rate"), unknown.err());
        Outcome model = run("train", "--model", "resnet");
        assertEquals(2, model.code());
        assertTrue(model.err().contains("--model 'resnet' is not one of mnistfc, lenet, allcnn"), model.err());
        Outcome opt = run("train", "--optimizer", "adam");
        assertEquals(2, opt.code());
        assertTrue(opt.err().contains("--optimizer 'adam' is not one of sgd, entropy-sgd, hj"), opt.err());
        Outcome alpha = run("train", "--optimizer", "entropy-sgd", "--alpha", "1.5");
        assertEquals(2, alpha.code());
        assertTrue(alpha.err().contains("α = 1.5 is not allowed; it must be in (0, 1]"), alpha.err());
        Outcome l = run("train", "--optimizer", "hj", "--L", "0");
        assertEquals(2, l.code());
        assertTrue(l.err().contains("L = 0"), l.err());
        Outcome gamma = run("train", "--optimizer", "entropy-sgd", "--gamma", "-1");
        assertEquals(2, gamma.code());
        assertTrue(gamma.err().contains("γ = -1.0"), gamma.err());
        Outcome form = run("train", "--optimizer", "hj", "--hj-form", "xyz");
        assertEquals(2, form.code());
        assertTrue(form.err().contains("--hj-form 'xyz' is not one of hjb, fp"), form.err());
        Outcome sgdWithL = run("train", "--L", "5");
        assertEquals(2, sgdWithL.code());
        Outcome epochs = run("train", "--epochs", "0");
        assertEquals(2, epochs.code());
        assertTrue(epochs.err().contains("--epochs 0 must be at least 1"), epochs.err());
        Outcome data = run("train", "--data", "imagenet");
        assertEquals(2, data.code());
        assertTrue(data.err().contains("mnist-10k, fashion-mnist, cifar10:DIR"), data.err());
        Outcome notNumber = run("train", "--lr", "fast");
        assertEquals(2, notNumber.code());
        assertTrue(notNumber.err().contains("--lr") && notNumber.err().contains("fast"), notNumber.err());
        Outcome mismatch = run("train", "--model", "allcnn", "--data", "mnist-10k");
        assertEquals(2, mismatch.code());
        assertTrue(mismatch.err().contains("[3, 32, 32]"), mismatch.err());
        Outcome schedule = run("train", "--lr-schedule", "1:0.1,x");
        assertEquals(2, schedule.code());
        assertTrue(schedule.err().contains("'x'"), schedule.err());
    }

    @Test
    void devicesAreCheckedAndAMissingGpuIsNamed(@TempDir Path tmp) {
        Outcome bad = run("train", "--device", "tpu");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--device 'tpu' is not one of cpu, cuda, cuda:N, auto"), bad.err());
        try {
            org.deeprelax.core.Backends.cuda(0);
            org.junit.jupiter.api.Assumptions.abort("a GPU is present; the missing-GPU message cannot be shown here");
        } catch (RuntimeException | LinkageError expected) {
            Outcome cuda = run("train", "--device", "cuda", "--epochs", "1", "--out", tmp.toString());
            assertEquals(1, cuda.code());
            assertTrue(cuda.err().contains("libcuda.so.1"), cuda.err());
        }
    }

    @Test
    void missingCifarDirectorySaysWhereItLookedAndWhatItExpects(@TempDir Path tmp) {
        Path missing = tmp.resolve("nowhere");
        Outcome o = run("train", "--model", "allcnn", "--data", "cifar10:" + missing, "--out", tmp.resolve("run").toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains(missing.toString()) && o.err().contains("data_batch_1.bin"), o.err());
    }

    @Test
    void resumingACheckpointOfAnotherModelIsRefusedAndChangesNothing(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("run");
        Files.createDirectories(dir);
        TrainConfig lenet = TrainerTest.config("lenet", 1, "1:0.1");
        org.deeprelax.core.io.StateFile state = new org.deeprelax.core.io.StateFile();
        state.putString("train.config", lenet.toJson());
        state.write(dir.resolve("checkpoint.state"));
        byte[] before = Files.readAllBytes(dir.resolve("checkpoint.state"));
        Outcome o = run("train", "--resume", dir.toString(), "--model", "mnistfc");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("model 'lenet'") && o.err().contains("--model mnistfc"), o.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("checkpoint.state"))));
        Outcome none = run("train", "--resume", tmp.resolve("empty").toString());
        assertEquals(1, none.code());
        assertTrue(none.err().contains("no checkpoint.state"), none.err());
    }

    @Test
    void evalReportsTheCheckpointsError(@TempDir Path tmp) throws Exception {
        TrainerTest.train(TrainerTest.config("lenet", 1, "1:0.1"), tmp, false);
        Outcome o = run("eval", "--checkpoint", tmp.resolve("checkpoint.state").toString(), "--data", "mnist-10k");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().matches("(?s)lenet on mnist-10k \\(2000 examples\\): loss \\d+\\.\\d+, error \\d+\\.\\d+ %.*"), o.out());
        assertEquals(2, run("eval", "--checkpoint", tmp.resolve("missing.state").toString()).code());
    }
}
