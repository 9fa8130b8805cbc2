package org.deeprelax.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.deeprelax.core.Backends;
import org.deeprelax.nn.data.Split;
import org.deeprelax.nn.models.Models;
import org.deeprelax.optim.LearningRateSchedule;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code deeprelax train}: trains a network and writes metrics, a summary, plots and checkpoints. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network. Every setting left out takes the model's reference recipe:",
                "mnistfc and lenet train on the bundled MNIST-10k with batch 128, SGD with Nesterov",
                "momentum 0.9, lr 0.1 divided by 10 after epoch 2, for 10 epochs."},
        footer = {"", "Example:", "  ./deeprelax train --model lenet --epochs 3 --out runs/lenet"})
final class TrainCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", description = "mnistfc, lenet or allcnn (default: ${DEFAULT-VALUE})",
            defaultValue = "lenet")
    private String model;

    @Option(names = "--optimizer", paramLabel = "NAME", description = "sgd (default: ${DEFAULT-VALUE})", defaultValue = "sgd")
    private String optimizer;

    @Option(names = "--data", paramLabel = "SOURCE",
            description = "mnist-10k, fashion-mnist or cifar10:DIR (default: mnist-10k; allcnn needs cifar10:DIR)")
    private String data;

    @Option(names = "--epochs", paramLabel = "N", description = "number of epochs (default: the recipe's)")
    private Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", description = "minibatch size (default: 128)")
    private Integer batchSize;

    @Option(names = "--lr", paramLabel = "LR", description = "a constant learning rate, instead of the recipe's schedule")
    private Float lr;

    @Option(names = "--lr-schedule", paramLabel = "EPOCH:LR,...",
            description = "learning rate from each listed epoch on, e.g. 1:0.1,3:0.01")
    private String lrSchedule;

    @Option(names = "--momentum", paramLabel = "M", description = "momentum (default: 0.9)")
    private Float momentum;

    @Option(names = "--nesterov", negatable = true, description = "Nesterov momentum (default: on)")
    private Boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "L2", description = "weight decay (default: 0; allcnn 1e-3)")
    private Float weightDecay;

    @Option(names = "--seed", paramLabel = "S", description = "seed of initialisation, shuffling and dropout (default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    private long seed;

    @Option(names = "--device", paramLabel = "DEV", description = "cpu (default: ${DEFAULT-VALUE})", defaultValue = "cpu")
    private String device;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/MODEL-OPTIMIZER-seedS)")
    private Path out;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "continue the run in DIR from its last checkpoint (its settings are kept; --epochs may extend it)")
    private Path resume;

    @Override
    public Integer call() throws Exception {
        TrainConfig config;
        RunFiles files;
        if (resume != null) {
            files = new RunFiles(resume);
            config = Trainer.savedConfig(files);
            if (spec.commandLine().getParseResult().hasMatchedOption("--model") && !model.equals(config.model())) {
                throw new ParameterException(spec.commandLine(), "--resume " + resume + " holds a checkpoint of model '"
                        + config.model() + "', but --model " + model + " was given; nothing was changed");
            }
            if (epochs != null) {
                config = config.withEpochs(epochs);
            }
        } else {
            config = configure();
            files = new RunFiles(out != null ? out : Path.of("runs", model + "-" + optimizer + "-seed" + seed));
        }
        Split split = DataSource.load(config.data());
        System.out.printf("training %s with %s on %s (%d train / %d validation examples), %d epochs, device %s; output in %s%n",
                config.model(), config.optimizer(), config.data(), split.train().size(), split.test().size(),
                config.epochs(), config.device(), files.dir());
        Trainer trainer = new Trainer(config, split, Backends.cpu(), files, System.out, Progress.stdoutIsTerminal());
        List<EpochMetrics> history;
        try {
            history = trainer.run(resume != null);
        } catch (Trainer.Stopped e) {
            System.err.println("deeprelax train: " + e.getMessage());
            return 1;
        }
        if (!history.isEmpty()) {
            EpochMetricsFormat.table(System.out, history);
        }
        System.out.println("wrote " + files.dir().resolve("metrics.csv") + ", summary.json, loss.png, error.png, checkpoint.state");
        return 0;
    }

    private TrainConfig configure() {
        if (!Models.NAMES.contains(model)) {
            throw usage("--model '" + model + "' is not one of " + String.join(", ", Models.NAMES));
        }
        if (!optimizer.equals("sgd")) {
            throw usage("--optimizer '" + optimizer + "' is not one of sgd");
        }
        if (!device.equals("cpu")) {
            throw usage("--device '" + device + "' is not one of cpu");
        }
        Recipe r = Recipe.forModel(model);
        String source = data != null ? data : r.data();
        if (source == null) {
            throw usage("--model " + model + " trains on CIFAR-10: pass --data cifar10:DIR");
        }
        try {
            DataSource.validate(source);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        int[] expected = Models.inputShape(model);
        int[] given = DataSource.inputShape(source);
        if (!java.util.Arrays.equals(expected, given)) {
            throw usage("--model " + model + " takes " + java.util.Arrays.toString(expected) + " images, but --data "
                    + source + " has " + java.util.Arrays.toString(given));
        }
        int e = positive("--epochs", epochs != null ? epochs : r.epochs());
        int b = positive("--batch-size", batchSize != null ? batchSize : r.batchSize());
        if (lr != null && lrSchedule != null) {
            throw usage("give either --lr or --lr-schedule, not both");
        }
        String schedule = lrSchedule != null ? lrSchedule : lr != null ? "1:" + lr : r.lrSchedule();
        try {
            LearningRateSchedule.parse(schedule);
        } catch (IllegalArgumentException ex) {
            throw usage(ex.getMessage());
        }
        float m = momentum != null ? momentum : r.momentum();
        if (!(m >= 0 && m <= 1)) {
            throw usage("--momentum " + m + " must be in [0, 1]");
        }
        boolean n = nesterov != null ? nesterov : r.nesterov() && m > 0;
        if (n && m == 0) {
            throw usage("--nesterov needs --momentum > 0");
        }
        float wd = weightDecay != null ? weightDecay : r.weightDecay();
        if (!(wd >= 0) || Float.isInfinite(wd)) {
            throw usage("--weight-decay " + wd + " must be a finite number ≥ 0");
        }
        return new TrainConfig(model, source, optimizer, e, b, schedule, m, n, wd, seed, device);
    }

    private int positive(String flag, int v) {
        if (v < 1) {
            throw usage(flag + " " + v + " must be at least 1");
        }
        return v;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
