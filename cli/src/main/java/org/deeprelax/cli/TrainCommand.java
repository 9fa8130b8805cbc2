package org.deeprelax.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Backends;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;
import org.deeprelax.nn.data.Split;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.nn.models.Models;
import org.deeprelax.optim.Adam;
import org.deeprelax.optim.EntropySgd;
import org.deeprelax.optim.Hj;
import org.deeprelax.optim.LearningRateSchedule;
import org.deeprelax.optim.Momentum;
import org.deeprelax.optim.OptimizerSettings;
import org.deeprelax.optim.Recipe;
import org.deeprelax.optim.Sam;
import org.deeprelax.optim.Scoping;
import org.deeprelax.optim.Sgd;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code deeprelax train}: trains a network and writes metrics, a summary, plots and checkpoints. Every
 * setting the flags leave out comes from the library's {@link Recipe} of the model and optimizer; the
 * optimizer's flags are applied to the recipe's settings through that optimizer's builder, so the
 * command keeps no settings of its own.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a network, writing its metrics, summary, plots and a checkpoint after each epoch.",
                "Every setting left out takes the reference recipe of the model and optimizer "
                        + "(org.deeprelax.optim.Recipe): mnistfc and lenet train on the bundled MNIST-10k with batch "
                        + "128; SGD with Nesterov momentum 0.9, lr 0.1 divided by 10 after epoch 2, for 10 epochs; "
                        + "Entropy-SGD with L = 20 as the authors' Lua code (5 epochs, 100 effective); HJ in its FP form "
                        + "(L = 10); Adam and AdamW with torch.optim's defaults on SGD's schedule; SAM (rho 0.05) and "
                        + "ASAM (rho 0.5, eta 0.01) over SGD at half its epochs (two gradient evaluations a step).",
                "The settings used are printed when training starts and saved in summary.json.",
                "One run owns its directory: a second run into it is refused, and so is a new run into a directory "
                        + "that holds another (give --overwrite to replace it)."},
        footer = {"", "Examples:", "  ./deeprelax train --model lenet --epochs 3 --out runs/lenet",
                "  ./deeprelax train --model lenet --optimizer entropy-sgd --L 20 --gamma 1e-4 --out runs/lenet-esgd",
                "  ./deeprelax train --model lenet --optimizer sam --rho 0.05 --out runs/lenet-sam"})
final class TrainCommand implements Callable<Integer> {

    /** What {@code --device} accepts, as a pattern and for messages. */
    static final String DEVICE_PATTERN = "cpu|auto|cuda(:\\d+)?";
    static final String DEVICE_CHOICES = "cpu, cuda, cuda:N, auto";

    /** The flags that may differ from the saved settings on resume (and are validated as in a fresh run). */
    static final List<String> CHANGE_ON_RESUME = List.of("--epochs", "--device", "--data");

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", paramLabel = "NAME", description = "mnistfc, lenet or allcnn (default: ${DEFAULT-VALUE})",
            defaultValue = "lenet")
    private String model;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "sgd, entropy-sgd, hj, adam, adamw, sam or asam (default: ${DEFAULT-VALUE})", defaultValue = "sgd")
    private String optimizer;

    @Option(names = "--data", paramLabel = "SOURCE",
            description = "mnist-10k, fashion-mnist, mnist:DIR (a directory of MNIST-format IDX files) or cifar10:DIR (default: mnist-10k; allcnn needs cifar10:DIR)")
    private String data;

    @Option(names = "--epochs", paramLabel = "N", description = "number of epochs (default: the recipe's)")
    private Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", description = "minibatch size (default: the recipe's, 128)")
    private Integer batchSize;

    @Option(names = "--lr", paramLabel = "LR", description = "a constant learning rate, instead of the recipe's schedule")
    private Float lr;

    @Option(names = "--lr-schedule", paramLabel = "EPOCH:LR,...",
            description = "learning rate from each listed epoch on, e.g. 1:0.1,3:0.01")
    private String lrSchedule;

    @Option(names = "--momentum", paramLabel = "M",
            description = "momentum of SGD, SAM, HJ and Entropy-SGD's outer step (default: the recipe's)")
    private Float momentum;

    @Option(names = "--nesterov", negatable = true, description = "Nesterov's form of --momentum (default: on)")
    private Boolean nesterov;

    @Option(names = "--weight-decay", paramLabel = "L2",
            description = "weight decay: L2 for SGD, SAM, Adam, HJ and Entropy-SGD's inner gradient, decoupled for"
                    + " AdamW (default: the recipe's)")
    private Float weightDecay;

    @Option(names = "--seed", paramLabel = "S",
            description = "seed of initialisation, shuffling, sampling, dropout and noise (default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    private long seed;

    @Option(names = "--L", paramLabel = "L", description = "Entropy-SGD/HJ: inner steps per outer step")
    private Integer innerSteps;

    @Option(names = "--gamma", paramLabel = "G0", description = "Entropy-SGD/HJ: coupling γ0")
    private Float gamma;

    @Option(names = "--scoping", paramLabel = "G1", description = "Entropy-SGD/HJ: γ grows as γ0·(1+γ1)^t")
    private Float scoping;

    @Option(names = "--noise", paramLabel = "EPS", description = "Entropy-SGD: Langevin noise ε")
    private Float noise;

    @Option(names = "--noise-convention", paramLabel = "C",
            description = "Entropy-SGD: printed (√η'·ε, Algorithm 1) or code (ε·√(2η'), the authors' code)")
    private String noiseConvention;

    @Option(names = "--inner-lr", paramLabel = "LR", description = "Entropy-SGD and HJ's hjb form: inner step η'")
    private Float innerLr;

    @Option(names = "--alpha", paramLabel = "A",
            description = "Entropy-SGD: weight of the new iterate in the average, in (0, 1] (the code's 0.25; the text says 0.75)")
    private Float alpha;

    @Option(names = "--inner-momentum", paramLabel = "M", description = "Entropy-SGD: inner-loop momentum")
    private Float innerMomentum;

    @Option(names = "--inner-nesterov", negatable = true, description = "Entropy-SGD: Nesterov's form of the inner momentum (default: on)")
    private Boolean innerNesterov;

    @Option(names = "--momentum-placement", paramLabel = "P",
            description = "Entropy-SGD: inner momentum on the gradient only (gradient: Lua/ucla code) or on everything (all: hamilton-jacobi code)")
    private String placement;

    @Option(names = "--reset-inner-momentum", negatable = true,
            description = "Entropy-SGD: restart the inner momentum each outer step (the recipe: on, as ucla)")
    private Boolean resetInnerMomentum;

    @Option(names = "--outer-weight-decay", paramLabel = "L2", description = "Entropy-SGD: weight decay on the outer step")
    private Float outerWeightDecay;

    @Option(names = "--hj-form", paramLabel = "F", description = "HJ: hjb or fp (the recipe: fp)")
    private String hjForm;

    @Option(names = "--beta1", paramLabel = "B1", description = "Adam/AdamW: decay of the first moment, in [0, 1)")
    private Float beta1;

    @Option(names = "--beta2", paramLabel = "B2", description = "Adam/AdamW: decay of the second moment, in [0, 1)")
    private Float beta2;

    @Option(names = "--eps", paramLabel = "E", description = "Adam/AdamW: ε added to the root of the second moment")
    private Float eps;

    @Option(names = "--rho", paramLabel = "R", description = "SAM/ASAM: radius ρ of the neighbourhood")
    private Float rho;

    @Option(names = "--eta", paramLabel = "E", description = "ASAM: offset η of the adaptive scale |w| + η")
    private Float eta;

    @Option(names = "--bn-refresh", negatable = true,
            description = "re-estimate batch-norm statistics on training data before each validation (the recipe:"
                    + " on for Entropy-SGD, HJ, SAM and ASAM)")
    private Boolean bnRefresh;

    @Option(names = "--device", paramLabel = "DEV",
            description = "cpu, cuda, cuda:N, or auto (the GPU if one works, else the CPU) (default: ${DEFAULT-VALUE})",
            defaultValue = "cpu")
    private String device;

    @Option(names = "--out", paramLabel = "DIR", description = "output directory (default: runs/MODEL-OPTIMIZER-seedS)")
    private Path out;

    @Option(names = "--overwrite",
            description = "replace the run that --out holds (its checkpoint, metrics, summary and plots) instead of refusing")
    private boolean overwrite;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "continue the run in DIR from its last checkpoint; its settings are kept: other flags must agree "
                    + "with them, except --epochs (more than the epochs done), --device and --data (the same data "
                    + "elsewhere)")
    private Path resume;

    @Override
    public Integer call() throws Exception {
        TrainConfig config;
        StateFile saved = null;
        RunFiles files;
        if (resume != null) {
            if (out != null || overwrite) {
                throw usage((out != null ? "--out" : "--overwrite") + " cannot be combined with --resume: a resumed run "
                        + "continues in its own directory, " + resume);
            }
            files = claim(resume, "--resume", RunFiles.Claim.RESUME);
            try {
                saved = StateFile.read(files.checkpoint());
                TrainConfig before = Trainer.savedConfig(saved);
                config = resumed(before, saved);
            } catch (RuntimeException e) {
                files.close();
                throw e;
            }
        } else {
            config = configure();
            files = out != null ? claim(out, "--out", overwrite ? RunFiles.Claim.OVERWRITE : RunFiles.Claim.FRESH)
                    : claimDefault(Path.of("runs", model + "-" + optimizer + "-seed" + seed));
        }
        try (files) {
            Split split = DataSource.load(config.data());
            checkFits(config, split);
            Backend backend = Backends.byName(config.device());
            Trainer trainer = new Trainer(config, split, backend, files, System.out, Progress.stdoutIsTerminal());
            System.out.printf("training %s with %s on %s (%d train / %d validation examples), %d epoch%s, device %s; output in %s%n",
                    config.model(), config.optimizer(), config.data(), split.train().size(), split.test().size(),
                    config.epochs(), config.epochs() == 1 ? "" : "s", backend.name(), files.dir());
            System.out.println("optimizer " + config.optimizer() + ": " + config.settings());
            List<EpochMetrics> history;
            try {
                history = trainer.run(saved);
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
    }

    private RunFiles claim(Path dir, String flag, RunFiles.Claim how) {
        try {
            return RunFiles.claim(dir, flag, how);
        } catch (RunFiles.Unusable e) {
            throw usage(e.getMessage());
        }
    }

    /**
     * The default directory, or when it holds another run (or one is using it) the first free one of
     * {@code DIR-2}, {@code DIR-3}, …: a run not told where to go never replaces or joins another.
     */
    private RunFiles claimDefault(Path dir) {
        for (int n = 1; ; n++) {
            Path candidate = n == 1 ? dir : Path.of(dir + "-" + n);
            try {
                return RunFiles.claim(candidate, "--out", RunFiles.Claim.FRESH);
            } catch (RunFiles.Unusable e) {
                if (!e.occupied() || n == 1000) {
                    throw usage(e.getMessage());
                }
            }
        }
    }

    /** The data must fit the model, and hold at least one batch, before a step is taken. */
    private void checkFits(TrainConfig config, Split split) {
        try {
            DataSource.checkFits(config.model(), config.data(), split);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        int n = split.train().size();
        if (config.batchSize() > n) {
            throw usage("--batch-size " + config.batchSize() + " is larger than the " + n + " training examples of "
                    + config.data() + ": an epoch would take no step; give at most " + n);
        }
    }

    /**
     * The settings of a fresh run: the recipe's, with every flag given applied.
     *
     * @return the settings
     * @throws ParameterException naming the flag and what it allows
     */
    TrainConfig configure() {
        if (!Models.NAMES.contains(model)) {
            throw usage("--model '" + model + "' is not one of " + String.join(", ", Models.NAMES));
        }
        if (!Recipe.OPTIMIZERS.contains(optimizer)) {
            throw usage("--optimizer '" + optimizer + "' is not one of " + String.join(", ", Recipe.OPTIMIZERS));
        }
        Recipe r = Recipe.of(model, optimizer);
        if (data == null && model.equals("allcnn")) {
            throw usage("--model " + model + " trains on CIFAR-10: pass --data cifar10:DIR");
        }
        // The recipe on the default data and device; the flags given (--data, --device among them) follow.
        TrainConfig recipe = new TrainConfig(model, "mnist-10k", optimizer, r.epochs(), r.batchSize(),
                r.schedule().toString(), seed, "cpu", r.reestimateBatchNorm(), r.settings());
        return withFlags(recipe, givenFlags());
    }

    /**
     * The settings of a resumed run: the saved ones, checked against every flag given. A flag is
     * validated as in a fresh run; one that would change a saved setting is refused, naming the setting's
     * saved value, except those listed in {@link #CHANGE_ON_RESUME}.
     *
     * @param saved the settings in the checkpoint
     * @param checkpoint the checkpoint, for the epochs it holds
     * @return the settings to go on with
     * @throws ParameterException naming the flag and the saved value
     */
    private TrainConfig resumed(TrainConfig saved, StateFile checkpoint) {
        String where = "the run in " + resume;
        Set<String> given = givenFlags();
        given.remove("--resume");
        if (given.contains("--model") && !model.equals(saved.model())) {
            throw usage("--model " + model + " conflicts with " + where + ", a run of model " + saved.model()
                    + "; nothing was changed");
        }
        if (given.contains("--optimizer") && !optimizer.equals(saved.optimizer())) {
            throw usage("--optimizer " + optimizer + " conflicts with " + where + ", a run of optimizer "
                    + saved.optimizer() + "; nothing was changed");
        }
        if (given.contains("--data") && !DataSource.kind(data).equals(DataSource.kind(saved.data()))) {
            throw usage("--data " + data + " is not the kind of data " + where + " trained on (" + saved.data()
                    + "); on resume --data may only say where that data is now");
        }
        int done = (int) checkpoint.getLong("train.epoch", 1, saved.epochs());
        TrainConfig asked = withFlags(saved, given);
        for (String flag : given) {
            if (CHANGE_ON_RESUME.contains(flag)) {
                continue;
            }
            List<String> differences = Differences.between(saved, withFlags(saved, Set.of(flag)));
            if (!differences.isEmpty()) {
                throw usage(flag + " " + spec.findOption(flag).getValue() + " conflicts with " + where + ", which has "
                        + String.join(", ", differences) + ": a resumed run keeps its settings; only "
                        + String.join(", ", CHANGE_ON_RESUME) + " may be given");
            }
        }
        if (asked.epochs() <= done) {
            throw usage(given.contains("--epochs")
                    ? "--epochs " + asked.epochs() + ": " + where + " has done " + done + " epoch" + (done == 1 ? "" : "s")
                            + " already; give more than " + done + " to extend it; nothing was changed"
                    : where + " has finished its " + done + " epoch" + (done == 1 ? "" : "s")
                            + "; give --epochs above " + done + " to extend it");
        }
        return asked;
    }

    /** The flags given on the command line, by their longest name (a negated {@code --no-x} counts as {@code --x}). */
    private Set<String> givenFlags() {
        Set<String> names = new LinkedHashSet<>();
        spec.commandLine().getParseResult().matchedOptions().forEach(o -> names.add(o.longestName()));
        return names;
    }

    /**
     * {@code base} with the flags in {@code flags} applied, each checked as a fresh run checks it.
     *
     * @param base the recipe's settings, or a resumed run's
     * @param flags which of the flags given to apply
     * @return the settings
     * @throws ParameterException naming the flag and what it allows
     */
    private TrainConfig withFlags(TrainConfig base, Set<String> flags) {
        String source = flags.contains("--data") ? DataSource.absolute(data) : base.data();
        try {
            DataSource.validate(source);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        int[] expected = Models.inputShape(base.model());
        int[] given = DataSource.inputShape(source);
        if (!java.util.Arrays.equals(expected, given)) {
            throw usage("--model " + base.model() + " takes " + java.util.Arrays.toString(expected)
                    + " images, but --data " + source + " has " + java.util.Arrays.toString(given));
        }
        String dev = flags.contains("--device") ? device : base.device();
        if (!dev.matches(DEVICE_PATTERN)) {
            throw usage("--device '" + dev + "' is not one of " + DEVICE_CHOICES);
        }
        int e = flags.contains("--epochs") ? positive("--epochs", epochs) : base.epochs();
        int b = flags.contains("--batch-size") ? positive("--batch-size", batchSize) : base.batchSize();
        if (flags.contains("--lr") && flags.contains("--lr-schedule")) {
            throw usage("give either --lr or --lr-schedule, not both");
        }
        String schedule = flags.contains("--lr-schedule") ? lrSchedule : flags.contains("--lr") ? "1:" + lr
                : base.lrSchedule();
        LearningRateSchedule parsed;
        try {
            parsed = LearningRateSchedule.parse(schedule);
        } catch (IllegalArgumentException ex) {
            throw usage((flags.contains("--lr") ? "--lr " + lr : "--lr-schedule " + schedule) + ": " + ex.getMessage());
        }
        OptimizerSettings settings = new SettingsFlags(flags).apply(base.settings(), parsed.at(1), base.optimizer());
        return new TrainConfig(base.model(), source, base.optimizer(), e, b, schedule,
                flags.contains("--seed") ? seed : base.seed(), dev,
                flags.contains("--bn-refresh") ? bnRefresh : base.reestimateBatchNorm(), settings);
    }

    /**
     * Applies the optimizer's flags to the recipe's settings through the optimizer's own builder, and
     * refuses every optimizer flag given that the chosen optimizer (or HJ form) does not have. A value the
     * builder refuses is blamed on the flag that gave it.
     */
    private final class SettingsFlags {
        private final Map<String, Object> given = new LinkedHashMap<>();
        private final Set<String> used = new LinkedHashSet<>();

        /** @param only which of the flags given to apply */
        SettingsFlags(Set<String> only) {
            Object[][] flags = {{"--momentum", momentum}, {"--nesterov", nesterov}, {"--weight-decay", weightDecay},
                {"--L", innerSteps}, {"--gamma", gamma}, {"--scoping", scoping}, {"--noise", noise},
                {"--noise-convention", noiseConvention}, {"--inner-lr", innerLr}, {"--alpha", alpha},
                {"--inner-momentum", innerMomentum}, {"--inner-nesterov", innerNesterov},
                {"--momentum-placement", placement}, {"--reset-inner-momentum", resetInnerMomentum},
                {"--outer-weight-decay", outerWeightDecay}, {"--hj-form", hjForm}, {"--beta1", beta1},
                {"--beta2", beta2}, {"--eps", eps}, {"--rho", rho}, {"--eta", eta}};
            for (Object[] f : flags) {
                if (f[1] != null && only.contains((String) f[0])) {
                    given.put((String) f[0], f[1]);
                }
            }
        }

        OptimizerSettings apply(OptimizerSettings recipe, float firstLr, String optimizerName) {
            OptimizerSettings s;
            try {
                s = build(recipe, firstLr);
            } catch (IllegalArgumentException ex) {
                throw usage(blame(recipe, firstLr) + ex.getMessage());
            }
            List<String> unused = new ArrayList<>(given.keySet());
            unused.removeAll(used);
            if (!unused.isEmpty()) {
                String what = optimizerName + (s instanceof Hj.Settings h
                        ? " (--hj-form " + h.form().name().toLowerCase(Locale.ROOT) + ")" : "");
                throw usage(String.join(", ", unused) + (unused.size() == 1 ? " does" : " do")
                        + " not apply to --optimizer " + what);
            }
            return s;
        }

        /** The flag whose value alone the builder refuses, as "--FLAG VALUE: ", or the flags given together. */
        private String blame(OptimizerSettings recipe, float firstLr) {
            for (String flag : given.keySet()) {
                try {
                    new SettingsFlags(Set.of(flag)).build(recipe, firstLr);
                } catch (IllegalArgumentException alone) {
                    return flag + " " + given.get(flag) + ": ";
                }
            }
            return given.isEmpty() ? "" : String.join(", ", given.keySet()) + " together: ";
        }

        private OptimizerSettings build(OptimizerSettings recipe, float firstLr) {
            return switch (recipe) {
                case Sgd.Settings r -> r.toBuilder().lr(firstLr)
                        .momentum(momentum("--momentum", "--nesterov", r.momentum()))
                        .weightDecay(value("--weight-decay", r.weightDecay())).build();
                case EntropySgd.Settings r -> r.toBuilder().lr(firstLr)
                        .innerSteps(value("--L", r.innerSteps())).innerLr(value("--inner-lr", r.innerLr()))
                        .scoping(scoping(r.scoping())).noise(value("--noise", r.noise()))
                        .noiseConvention(choice("--noise-convention", EntropySgd.Noise.class, r.noiseConvention()))
                        .alpha(value("--alpha", r.alpha()))
                        .innerMomentum(momentum("--inner-momentum", "--inner-nesterov", r.innerMomentum()))
                        .momentumPlacement(choice("--momentum-placement", MomentumPlacement.class, r.placement()))
                        .resetInnerMomentum(value("--reset-inner-momentum", r.resetInnerMomentum()))
                        .outerMomentum(momentum("--momentum", "--nesterov", r.outerMomentum()))
                        .weightDecay(value("--weight-decay", r.weightDecay()))
                        .outerWeightDecay(value("--outer-weight-decay", r.outerWeightDecay())).build();
                case Hj.Settings r -> {
                    Hj.Form form = choice("--hj-form", Hj.Form.class, r.form());
                    yield r.toBuilder().lr(firstLr).form(form).innerSteps(value("--L", r.innerSteps()))
                            .scoping(scoping(r.scoping()))
                            .innerLr(form == Hj.Form.HJB ? value("--inner-lr", r.innerLr()) : r.innerLr())
                            .momentum(momentum("--momentum", "--nesterov", r.momentum()))
                            .weightDecay(value("--weight-decay", r.weightDecay())).build();
                }
                case Adam.Settings r -> r.toBuilder().lr(firstLr)
                        .betas(value("--beta1", r.beta1()), value("--beta2", r.beta2())).eps(value("--eps", r.eps()))
                        .weightDecay(value("--weight-decay", r.weightDecay())).build();
                case Sam.Settings r -> r.toBuilder().lr(firstLr).rho(value("--rho", r.rho()))
                        .adaptive(r.adaptive(), r.adaptive() ? value("--eta", r.eta()) : r.eta())
                        .momentum(momentum("--momentum", "--nesterov", r.momentum()))
                        .weightDecay(value("--weight-decay", r.weightDecay())).build();
                default -> throw new IllegalStateException("no flags for " + recipe.getClass());
            };
        }

        @SuppressWarnings("unchecked")
        private <T> T value(String flag, T recipe) {
            if (!given.containsKey(flag)) {
                return recipe;
            }
            used.add(flag);
            return (T) given.get(flag);
        }

        private <E extends Enum<E>> E choice(String flag, Class<E> type, E recipe) {
            String v = value(flag, (String) null);
            return v == null ? recipe : TrainCommand.this.choice(flag, v, type);
        }

        private Scoping scoping(Scoping recipe) {
            return new Scoping(value("--gamma", recipe.gamma0()), value("--scoping", recipe.gamma1()));
        }

        /** ρ and Nesterov's form: Nesterov's once a momentum is given, unless the recipe's momentum is heavy-ball. */
        private Momentum momentum(String rhoFlag, String nesterovFlag, Momentum recipe) {
            float r = value(rhoFlag, recipe.rho());
            boolean n = value(nesterovFlag, recipe.rho() > 0 ? recipe.nesterov() : Boolean.TRUE);
            if (n && r == 0 && given.containsKey(nesterovFlag)) {
                throw usage(nesterovFlag + " needs " + rhoFlag + " > 0");
            }
            try {
                return new Momentum(r, n && r > 0);
            } catch (IllegalArgumentException ex) {
                throw usage(rhoFlag + " " + r + ": " + ex.getMessage());
            }
        }
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
