package org.deeprelax.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Backends;
import org.deeprelax.core.LangevinStep.MomentumPlacement;
import org.deeprelax.optim.EntropySgd;
import org.deeprelax.optim.Hj;
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
        description = {"Train a network. Every setting left out takes the reference recipe of the model and",
                "optimizer: mnistfc and lenet train on the bundled MNIST-10k with batch 128; SGD with Nesterov",
                "momentum 0.9, lr 0.1 divided by 10 after epoch 2, for 10 epochs; Entropy-SGD with L = 20 as",
                "the authors' Lua code (5 epochs, 100 effective); HJ in its FP form (L = 10)."},
        footer = {"", "Examples:", "  ./deeprelax train --model lenet --epochs 3 --out runs/lenet",
                "  ./deeprelax train --model lenet --optimizer entropy-sgd --L 20 --gamma 1e-4 --out runs/lenet-esgd"})
final class TrainCommand implements Callable<Integer> {

    private static final List<String> OPTIMIZERS = List.of("sgd", "entropy-sgd", "hj");

    /** What {@code --device} accepts, as a pattern and for messages. */
    static final String DEVICE_PATTERN = "cpu|auto|cuda(:\\d+)?";
    static final String DEVICE_CHOICES = "cpu, cuda, cuda:N, auto";

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", description = "mnistfc, lenet or allcnn (default: ${DEFAULT-VALUE})",
            defaultValue = "lenet")
    private String model;

    @Option(names = "--optimizer", paramLabel = "NAME", description = "sgd, entropy-sgd or hj (default: ${DEFAULT-VALUE})",
            defaultValue = "sgd")
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

    @Option(names = "--L", paramLabel = "L", description = "Entropy-SGD/HJ: inner steps per outer step (default: 20; HJ 10)")
    private Integer innerSteps;

    @Option(names = "--gamma", paramLabel = "G0", description = "Entropy-SGD/HJ: coupling γ0 (default: the recipe's)")
    private Float gamma;

    @Option(names = "--scoping", paramLabel = "G1", description = "Entropy-SGD/HJ: γ grows as γ0·(1+γ1)^t (default: 1e-3)")
    private Float scoping;

    @Option(names = "--noise", paramLabel = "EPS", description = "Entropy-SGD: Langevin noise ε (default: 1e-3; allcnn 1e-4)")
    private Float noise;

    @Option(names = "--noise-convention", paramLabel = "C",
            description = "Entropy-SGD: printed (√η'·ε, Algorithm 1) or code (ε·√(2η'), the authors' code; default)")
    private String noiseConvention;

    @Option(names = "--inner-lr", paramLabel = "LR", description = "Entropy-SGD/HJB: Langevin step η' (default: 0.1; HJB 0.25)")
    private Float innerLr;

    @Option(names = "--alpha", paramLabel = "A",
            description = "Entropy-SGD: weight of the new iterate in the average, in (0, 1] (default: 0.25 as the code; the text says 0.75)")
    private Float alpha;

    @Option(names = "--inner-momentum", paramLabel = "M", description = "Entropy-SGD: inner-loop momentum (default: 0.9)")
    private Float innerMomentum;

    @Option(names = "--inner-nesterov", negatable = true, description = "Entropy-SGD: Nesterov's form of the inner momentum (default: on)")
    private Boolean innerNesterov;

    @Option(names = "--momentum-placement", paramLabel = "P",
            description = "Entropy-SGD: inner momentum on the gradient only (gradient: Lua/ucla code, default) or on everything (all: hamilton-jacobi code)")
    private String placement;

    @Option(names = "--reset-inner-momentum", negatable = true,
            description = "Entropy-SGD: restart the inner momentum each outer step (default: on, as ucla)")
    private Boolean resetInnerMomentum;

    @Option(names = "--outer-weight-decay", paramLabel = "L2", description = "Entropy-SGD: weight decay on the outer step (default: 0)")
    private Float outerWeightDecay;

    @Option(names = "--hj-form", paramLabel = "F", description = "HJ: hjb or fp (default: fp)")
    private String hjForm;

    @Option(names = "--bn-refresh", negatable = true,
            description = "Entropy-SGD/HJ: re-estimate batch-norm statistics on training data before each validation (default: on)")
    private Boolean bnRefresh;

    @Option(names = "--device", paramLabel = "DEV",
            description = "cpu, cuda, cuda:N, or auto (the GPU if one works, else the CPU) (default: ${DEFAULT-VALUE})",
            defaultValue = "cpu")
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
        Backend backend = Backends.byName(config.device());
        Trainer trainer = new Trainer(config, split, backend, files, System.out, Progress.stdoutIsTerminal());
        System.out.printf("training %s with %s on %s (%d train / %d validation examples), %d epoch%s, device %s; output in %s%n",
                config.model(), config.optimizer(), config.data(), split.train().size(), split.test().size(),
                config.epochs(), config.epochs() == 1 ? "" : "s", backend.name(), files.dir());
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
        if (!OPTIMIZERS.contains(optimizer)) {
            throw usage("--optimizer '" + optimizer + "' is not one of " + String.join(", ", OPTIMIZERS));
        }
        if (!device.matches(DEVICE_PATTERN)) {
            throw usage("--device '" + device + "' is not one of " + DEVICE_CHOICES);
        }
        Recipe r = Recipe.of(model, optimizer);
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
        TrainConfig config = new TrainConfig(model, source, optimizer, e, b, schedule, m, n, wd, seed, device,
                relaxation(r.relaxation()));
        if (config.relaxation() != null) {
            try {
                config.relaxation().validate(optimizer, config);
            } catch (IllegalArgumentException ex) {
                throw usage(ex.getMessage());
            }
        }
        return config;
    }

    /** The Entropy-SGD/HJ settings: the recipe's, overridden by the flags given; null for SGD. */
    private Relaxation relaxation(Relaxation r) {
        if (r == null) {
            for (Object flag : new Object[] {innerSteps, gamma, scoping, noise, noiseConvention, innerLr, alpha,
                    innerMomentum, innerNesterov, placement, resetInnerMomentum, outerWeightDecay, hjForm, bnRefresh}) {
                if (flag != null) {
                    throw usage("the Entropy-SGD/HJ flags need --optimizer entropy-sgd or hj");
                }
            }
            return null;
        }
        Relaxation x = new Relaxation(
                innerSteps != null ? innerSteps : r.innerSteps(),
                gamma != null ? gamma : r.gamma(),
                scoping != null ? scoping : r.scoping(),
                noise != null ? noise : r.noise(),
                noiseConvention != null ? choice("--noise-convention", noiseConvention, EntropySgd.Noise.class) : r.noiseConvention(),
                innerLr != null ? innerLr : hjFormOr(r) == Hj.Form.HJB && optimizer.equals("hj") ? 0.25f : r.innerLr(),
                alpha != null ? alpha : r.alpha(),
                innerMomentum != null ? innerMomentum : r.innerMomentum(),
                innerNesterov != null ? innerNesterov : r.innerNesterov(),
                placement != null ? choice("--momentum-placement", placement, MomentumPlacement.class) : r.placement(),
                resetInnerMomentum != null ? resetInnerMomentum : r.resetInnerMomentum(),
                outerWeightDecay != null ? outerWeightDecay : r.outerWeightDecay(),
                hjFormOr(r),
                bnRefresh != null ? bnRefresh : r.bnRefresh());
        return x;
    }

    private Hj.Form hjFormOr(Relaxation r) {
        return hjForm != null ? choice("--hj-form", hjForm, Hj.Form.class) : r.hjForm();
    }

    private <E extends Enum<E>> E choice(String flag, String value, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        java.util.List<String> names = new java.util.ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(java.util.Locale.ROOT));
        }
        throw usage(flag + " '" + value + "' is not one of " + String.join(", ", names));
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
