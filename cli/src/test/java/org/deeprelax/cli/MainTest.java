package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.deeprelax.optim.EntropySgd;
import org.deeprelax.optim.Hj;
import org.deeprelax.optim.Momentum;
import org.deeprelax.optim.Recipe;
import org.deeprelax.optim.Sam;
import org.deeprelax.optim.Scoping;
import org.junit.jupiter.api.Tag;
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
    @Tag("reliability")
    void theTopLevelHelpListsEachCommandInAWholeSentenceAndNoCommandIsAUsageError() {
        String help = run("--help").out();
        for (String command : new String[] {"train", "eval", "report", "landscape"}) {
            // The entry and its wrapped continuation lines, which are indented further.
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^  " + command + " +(.*(\\n {6,}.*)*)$")
                    .matcher(help);
            assertTrue(m.find(), command + " in: " + help);
            String line = m.group(1).replaceAll("\\s+", " ").trim();
            assertTrue(Character.isUpperCase(line.charAt(0)) && line.endsWith("."), command + ": '" + line + "'");
        }
        Outcome none = run();
        assertEquals(2, none.code());
        assertTrue(none.err().contains("give a command") && none.err().contains("Usage: deeprelax"), none.err());
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatWasWrong() {
        Outcome unknown = run("train", "--learning-rate", "0.1");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--learning-rate"), unknown.err());
        Outcome model = run("train", "--model", "resnet");
        assertEquals(2, model.code());
        assertTrue(model.err().contains("--model 'resnet' is not one of mnistfc, lenet, allcnn"), model.err());
        Outcome opt = run("train", "--optimizer", "rmsprop");
        assertEquals(2, opt.code());
        assertTrue(opt.err().contains("--optimizer 'rmsprop' is not one of sgd, entropy-sgd, hj, adam, adamw, sam, asam"),
                opt.err());
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
        assertTrue(sgdWithL.err().contains("--L does not apply to --optimizer sgd"), sgdWithL.err());
        Outcome epochs = run("train", "--epochs", "0");
        assertEquals(2, epochs.code());
        assertTrue(epochs.err().contains("--epochs 0 must be at least 1"), epochs.err());
        Outcome data = run("train", "--data", "imagenet");
        assertEquals(2, data.code());
        assertTrue(data.err().contains("mnist-10k, fashion-mnist, mnist:DIR, cifar10:DIR"), data.err());
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

    /** The flags given replace the recipe's values through the optimizer's builder; the rest is the recipe's. */
    static TrainConfig configured(String... args) {
        TrainCommand command = new TrainCommand();
        new picocli.CommandLine(command).parseArgs(args);
        return command.configure(1);
    }

    @Test
    void flagsMapOntoTheRecipesSettingsAndFlagsOfOtherOptimizersAreRefused() {
        TrainConfig c = configured("--optimizer", "entropy-sgd", "--L", "5", "--alpha", "0.5", "--momentum", "0.9",
                "--gamma", "0.03");
        EntropySgd.Settings recipe = (EntropySgd.Settings) Recipe.of("lenet", "entropy-sgd").settings();
        assertEquals(recipe.toBuilder().innerSteps(5).alpha(0.5f).outerMomentum(Momentum.nesterov(0.9f))
                .scoping(new Scoping(0.03f, 1e-3f)).build(), c.settings());
        assertEquals(Recipe.of("lenet", "entropy-sgd").schedule().toString(), c.lrSchedule());
        assertTrue(c.reestimateBatchNorm());
        TrainConfig sam = configured("--optimizer", "asam", "--rho", "0.2", "--lr", "0.05", "--no-bn-refresh");
        assertEquals(((Sam.Settings) Recipe.of("lenet", "asam").settings()).toBuilder().rho(0.2f).lr(0.05f).build(),
                sam.settings());
        assertEquals(false, sam.reestimateBatchNorm());
        assertEquals(TrainConfig.fromJson(sam.toJson()), sam, "the settings read back from the checkpoint's JSON");
        String[][] refused = {
                {"--optimizer", "adam", "--momentum", "0.9"}, {"--momentum does not apply to --optimizer adam"},
                {"--optimizer", "hj", "--alpha", "0.5"}, {"--alpha does not apply to --optimizer hj (--hj-form fp)"},
                {"--optimizer", "hj", "--inner-lr", "0.1"}, {"--inner-lr does not apply to --optimizer hj (--hj-form fp)"},
                {"--optimizer", "sam", "--eta", "0.1", "--beta1", "0.8"}, {"--beta1, --eta do not apply to --optimizer sam"},
                {"--optimizer", "adamw", "--beta2", "1"}, {"β2 = 1.0 is not allowed; it must be in [0.0, 1.0)"},
                {"--optimizer", "sgd", "--momentum", "0", "--nesterov"}, {"--nesterov needs --momentum > 0"}};
        for (int i = 0; i < refused.length; i += 2) {
            Outcome o = run(prepend("train", refused[i]));
            assertEquals(2, o.code(), String.join(" ", refused[i]));
            assertTrue(o.err().contains(refused[i + 1][0]), o.err());
        }
        TrainConfig hjb = configured("--optimizer", "hj", "--hj-form", "hjb", "--inner-lr", "0.1");
        assertEquals(0.1f, ((Hj.Settings) hjb.settings()).innerLr());
    }

    private static String[] prepend(String first, String[] rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
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
    @Tag("reliability")
    void missingCifarDirectorySaysWhereItLookedAndWhatItExpects(@TempDir Path tmp) {
        Path missing = tmp.resolve("nowhere");
        Outcome o = run("train", "--model", "allcnn", "--data", "cifar10:" + missing, "--out", tmp.resolve("run").toString());
        assertEquals(1, o.code());
        assertTrue(o.err().contains(missing.toString()) && o.err().contains("data_batch_1.bin"), o.err());
    }

    @Test
    @Tag("reliability")
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
        assertTrue(o.err().contains("--model mnistfc conflicts with the run in " + dir + ", a run of model lenet"), o.err());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(dir.resolve("checkpoint.state"))));
        Outcome none = run("train", "--resume", Files.createDirectories(tmp.resolve("empty")).toString());
        assertEquals(2, none.code());
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
