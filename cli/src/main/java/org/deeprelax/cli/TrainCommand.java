package org.deeprelax.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
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
import org.deeprelax.core.comm.Communicator;
import org.deeprelax.core.comm.Communicators;
import org.deeprelax.core.comm.InProcessJob;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.core.update.LangevinStep.MomentumPlacement;
import org.deeprelax.nn.data.Split;
import org.deeprelax.nn.models.Models;
import org.deeprelax.optim.Adam;
import org.deeprelax.optim.EntropySgd;
import org.deeprelax.optim.Hj;
import org.deeprelax.optim.LearningRateSchedule;
import org.deeprelax.optim.Momentum;
import org.deeprelax.optim.OptimizerSettings;
import org.deeprelax.optim.Parle;
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
                        + "ASAM (rho 0.5, eta 0.01) over SGD at half its epochs (two gradient evaluations a step); Parle "
                        + "and Elastic-SGD as the authors' distributed-ensembles code (Parle: L = 25, 5 epochs), with 3 "
                        + "replicas in this process, or one replica per process under mpirun "
                        + "(mpirun -np 3 ./deeprelax train --optimizer parle).",
                "The settings used are printed when training starts and saved in summary.json.",
                "One run owns its directory: a second run into it is refused, and so is a new run into a directory "
                        + "that holds another (give --overwrite to replace it)."},
        footer = {"", "Examples:", "  ./deeprelax train --model lenet --epochs 3 --out runs/lenet",
                "  ./deeprelax train --model lenet --optimizer entropy-sgd --L 20 --gamma 1e-4 --out runs/lenet-esgd",
                "  ./deeprelax train --model lenet --optimizer sam --rho 0.05 --out runs/lenet-sam",
                "  ./deeprelax train --model lenet --optimizer parle --replicas 3 --epochs 1 --L 20 --out runs/lenet-parle",
                "  mpirun -np 3 ./deeprelax train --model lenet --optimizer parle --out runs/lenet-parle-mpi"})
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
            description = "sgd, entropy-sgd, hj, adam, adamw, sam, asam, parle or elastic-sgd (default: ${DEFAULT-VALUE})",
            defaultValue = "sgd")
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

    @Option(names = "--L", paramLabel = "L", description = "Entropy-SGD/HJ/Parle: inner steps per outer step")
    private Integer innerSteps;

    @Option(names = "--gamma", paramLabel = "G0", description = "Entropy-SGD/HJ/Parle: coupling γ0")
    private Float gamma;

    @Option(names = "--scoping", paramLabel = "G1", description = "Entropy-SGD/HJ: γ grows as γ0·(1+γ1)^t")
    private Float scoping;

    @Option(names = "--noise", paramLabel = "EPS", description = "Entropy-SGD: Langevin noise ε")
    private Float noise;

    @Option(names = "--noise-convention", paramLabel = "C",
            description = "Entropy-SGD: printed (√η'·ε, Algorithm 1) or code (ε·√(2η'), the authors' code)")
    private String noiseConvention;

    @Option(names = "--inner-lr", paramLabel = "LR", description = "Entropy-SGD, HJ's hjb form and Parle: inner step η'")
    private Float innerLr;

    @Option(names = "--alpha", paramLabel = "A",
            description = "Entropy-SGD: weight of the new iterate in the average, in (0, 1] (the code's 0.25; the text says 0.75)")
    private Float alpha;

    @Option(names = "--inner-momentum", paramLabel = "M", description = "Entropy-SGD/Parle: inner-loop momentum")
    private Float innerMomentum;

    @Option(names = "--inner-nesterov", negatable = true,
            description = "Entropy-SGD/Parle: Nesterov's form of the inner momentum (default: on)")
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

    @Option(names = "--rho", paramLabel = "R",
            description = "SAM/ASAM: radius ρ of the neighbourhood; Parle/Elastic-SGD: elastic coupling ρ0")
    private Float rho;

    @Option(names = "--eta", paramLabel = "E", description = "ASAM: offset η of the adaptive scale |w| + η")
    private Float eta;

    @Option(names = "--replicas", paramLabel = "N",
            description = "Parle/Elastic-SGD: replicas trained in this process, one thread each (default: 3; under"
                    + " mpirun, one replica per process)")
    private Integer replicas;

    @Option(names = "--data-fraction", paramLabel = "F",
            description = "Parle/Elastic-SGD: each replica trains on a share F of the training set, in (0, 1]"
                    + " (replica r of n: F·N examples from r/n of a shuffled order; default 1)")
    private Double dataFraction;

    @Option(names = "--parle-code", paramLabel = "C",
            description = "Parle/Elastic-SGD: the conventions of distributed-ensembles (the default) or parle-mpi"
                    + " (ucla-vision/parle's parle_mpi.py); the flags below change one convention each")
    private String parleCode;

    @Option(names = "--gamma-max", paramLabel = "G", description = "Parle: the cap of γ (default: 1)")
    private Float gammaMax;

    @Option(names = "--rho-max", paramLabel = "R", description = "Parle/Elastic-SGD: the cap of ρ (default: 10)")
    private Float rhoMax;

    @Option(names = "--coupling-growth", paramLabel = "G",
            description = "Parle/Elastic-SGD: γ and ρ grow by the factor 1 + G each outer step (default: 0.5/nb as"
                    + " the authors' code, nb the minibatches of an epoch of the whole training set)")
    private Float couplingGrowth;

    @Option(names = "--averaging", paramLabel = "B",
            description = "Parle: weight β of the old average in μ = βμ + (1 − β)w, in [0, 1) (default: 0, the last"
                    + " iterate; parle-mpi: 0.75)")
    private Float averaging;

    @Option(names = "--restart-average", negatable = true,
            description = "Parle: restart μ at the anchor every outer step (default: on; parle-mpi: off)")
    private Boolean restartAverage;

    @Option(names = "--outer-from-iterate", negatable = true,
            description = "Parle: the outer step starts from the inner loop's last iterate, not the anchor (parle-mpi)")
    private Boolean outerFromIterate;

    @Option(names = "--whole-buffer-lookahead", negatable = true,
            description = "Parle/Elastic-SGD: Nesterov's look-ahead adds the whole momentum buffer, d + c (parle-mpi),"
                    + " rather than d + m·c")
    private Boolean wholeBuffer;

    @Option(names = "--gamma-counts-step", negatable = true,
            description = "Parle: γ of outer step t has t + 1 growth factors (default: on; parle-mpi: t)")
    private Boolean gammaCountsStep;

    @Option(names = "--rho-times-l-n", negatable = true,
            description = "Parle: ρ0 is multiplied by L and the number of replicas (parle-mpi)")
    private Boolean rhoTimesLn;

    @Option(names = "--inner-lr-is-lr", negatable = true,
            description = "Parle: the inner step is the outer learning rate and follows its schedule (parle-mpi)")
    private Boolean innerLrIsLr;

    @Option(names = "--comm-timeout", paramLabel = "S", defaultValue = "600",
            description = "Parle/Elastic-SGD: the longest the replicas wait for one another in an exchange before the"
                    + " job stops, in seconds (default: ${DEFAULT-VALUE})")
    private double commTimeout;

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
        if (!(commTimeout > 0)) {
            throw usage("--comm-timeout " + commTimeout + " must be a positive number of seconds");
        }
        Communicator job = Communicators.forThisProcess(Duration.ofMillis((long) (commTimeout * 1000)));
        if (job.size() == 1) {
            try (job) {
                return train(job);
            }
        }
        // Under mpirun every process trains one replica. A usage error is found by every process alike (process
        // 0 shares what it finds), so each ends in order; any other failure would leave the others waiting for
        // this process, so it ends the job.
        try {
            int code = train(job);
            job.close();
            return code;
        } catch (ParameterException e) {
            job.close();
            throw e;
        } catch (Throwable t) {
            System.err.println("deeprelax train, replica " + job.rank() + " of " + job.size() + ": " + t.getMessage()
                    + " (" + t.getClass().getSimpleName() + "); stopping every process of the job");
            job.abort(1);
            throw t;
        }
    }

    /**
     * Trains as the job says: one model; Parle's or Elastic-SGD's replicas as threads of this process; or
     * this process's replica of a job under mpirun.
     */
    private int train(Communicator job) throws java.io.IOException {
        boolean mpi = job.size() > 1;
        Run run = mpi ? joinRun(job) : openRun(job);
        try (RunFiles files = run.files()) {
            TrainConfig config = run.config();
            Split split = DataSource.load(config.data());
            checkFits(config, split);
            if (run.saved() == null) {
                config = withCouplingGrowth(config, split);
            }
            boolean lead = job.rank() == 0;
            boolean replicated = config.settings() instanceof Parle.Settings;
            Backend backend = Backends.byName(config.device());
            if (lead) {
                System.out.printf("training %s with %s on %s (%d train / %d validation examples), %d epoch%s, device %s;"
                                + " output in %s%n", config.model(), config.optimizer(), config.data(), split.train().size(),
                        split.test().size(), config.epochs(), config.epochs() == 1 ? "" : "s", backend.name(), run.dir());
                if (replicated) {
                    System.out.println(config.replicas() + " replicas, " + (mpi ? "one per process: " + job.description()
                            : "one per thread of this process") + (config.dataFraction() < 1
                            ? ", each on " + config.dataFraction() + " of the training set" : ""));
                }
                System.out.println("optimizer " + config.optimizer() + ": " + config.settings());
            }
            boolean terminal = Progress.stdoutIsTerminal();
            List<EpochMetrics> history;
            try {
                if (!replicated) {
                    history = new Trainer(config, split, backend, files, System.out, terminal).run(run.saved());
                } else if (mpi) {
                    history = new Trainer(config, split, backend, files, run.dir(), System.out, terminal, job)
                            .run(run.saved());
                } else {
                    TrainConfig c = config;
                    history = InProcessJob.run(config.replicas(), Duration.ofMillis((long) (commTimeout * 1000)),
                            member -> new Trainer(c, split, member.rank() == 0 ? backend : Backends.byName(c.device()),
                                    member.rank() == 0 ? files : null, run.dir(), System.out, terminal, member)
                                    .run(run.saved())).get(0);
                }
            } catch (Trainer.Stopped e) {
                if (mpi && !e.everyReplica()) {
                    throw e;
                }
                if (lead) {
                    System.err.println("deeprelax train: " + e.getMessage());
                }
                return 1;
            }
            if (lead) {
                if (!history.isEmpty()) {
                    EpochMetricsFormat.table(System.out, history);
                }
                System.out.println("wrote " + run.dir().resolve("metrics.csv") + ", summary.json, loss.png, error.png, "
                        + (replicated ? "replicas.csv, checkpoint.state and a state file per replica" : "checkpoint.state"));
            }
            return 0;
        }
    }

    /**
     * What a run starts from: its settings, its directory (owned by this process's lead, if anyone here), and
     * the checkpoint it resumes, if any.
     */
    private record Run(TrainConfig config, RunFiles files, Path dir, StateFile saved) {
    }

    /** Opens the run of a process alone: claims its directory and reads or makes its settings. */
    private Run openRun(Communicator job) {
        if (resume != null) {
            if (out != null || overwrite) {
                throw usage((out != null ? "--out" : "--overwrite") + " cannot be combined with --resume: a resumed run "
                        + "continues in its own directory, " + resume);
            }
            RunFiles files = claim(resume, "--resume", RunFiles.Claim.RESUME);
            try {
                StateFile saved = StateFile.read(files.checkpoint());
                return new Run(resumed(Trainer.savedConfig(saved), saved), files, files.dir(), saved);
            } catch (RuntimeException e) {
                files.close();
                throw e;
            }
        }
        TrainConfig config = configure(job.size());
        RunFiles files = out != null ? claim(out, "--out", overwrite ? RunFiles.Claim.OVERWRITE : RunFiles.Claim.FRESH)
                : claimDefault(Path.of("runs", model + "-" + optimizer + "-seed" + seed));
        return new Run(config, files, files.dir(), null);
    }

    /**
     * Joins a run under mpirun: process 0 opens it as a process alone would, then tells every process the
     * outcome, the settings and the checkpoint, so that all start from the same or stop with the same message.
     */
    private Run joinRun(Communicator job) {
        if (resume == null && !Recipe.OPTIMIZERS.contains(optimizer)) {
            throw usage("--optimizer '" + optimizer + "' is not one of " + String.join(", ", Recipe.OPTIMIZERS));
        }
        if (resume == null && !optimizer.equals("parle") && !optimizer.equals("elastic-sgd")) {
            throw usage("--optimizer " + optimizer + " trains one model, but mpirun started " + job.size()
                    + " processes: only parle and elastic-sgd train replicas, one per process");
        }
        if (replicas != null && replicas != job.size()) {
            throw usage("--replicas " + replicas + ", but mpirun started " + job.size() + " processes: under mpirun the"
                    + " replicas are the processes (leave --replicas out)");
        }
        Run mine = null;
        String failure = null;
        if (job.rank() == 0) {
            try {
                mine = openRun(job);
            } catch (ParameterException e) {
                failure = e.getMessage();
            }
        }
        String text = share(job, failure == null ? "" : failure);
        if (!text.isEmpty()) {
            throw usage(text);
        }
        TrainConfig config = TrainConfig.fromJson(share(job, mine == null ? "" : mine.config().toJson()));
        byte[] checkpoint = shareBytes(job, mine == null || mine.saved() == null ? new byte[0] : mine.saved().toBytes());
        Path dir = Path.of(share(job, mine == null ? "" : mine.dir().toString()));
        if (config.replicas() != job.size()) {
            throw usage("the run in " + dir + " has " + config.replicas() + " replicas, but mpirun started " + job.size()
                    + " processes: start as many as it has replicas");
        }
        StateFile saved = checkpoint.length == 0 ? null : StateFile.parse(dir.resolve("checkpoint.state").toString(),
                checkpoint);
        return new Run(config, job.rank() == 0 ? mine.files() : null, dir, saved);
    }

    /** Rank 0's text, on every process. */
    private static String share(Communicator job, String text) {
        return new String(shareBytes(job, text.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    /** Rank 0's bytes, on every process: their length first, then the bytes. */
    private static byte[] shareBytes(Communicator job, byte[] bytes) {
        long[] lengths = new long[job.size()];
        job.allgather(new long[] {bytes.length}, lengths);
        byte[] out = job.rank() == 0 ? bytes : new byte[(int) lengths[0]];
        job.broadcast(out, 0);
        return out;
    }

    /**
     * Parle's and Elastic-SGD's couplings grow by 0.5/nb per outer step, as the authors' main.py sets it,
     * unless --coupling-growth was given: nb is the minibatches of an epoch of the whole training set. A new
     * run's settings get it once the data is read; a resumed run keeps what it was saved with.
     */
    private TrainConfig withCouplingGrowth(TrainConfig config, Split split) {
        if (!(config.settings() instanceof Parle.Settings p) || couplingGrowth != null) {
            return config;
        }
        int nb = Math.max(1, split.train().size() / config.batchSize());
        return config.withSettings(p.toBuilder().growth(0.5f / nb).build());
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
    TrainConfig configure(int processes) {
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
        // Parle's and Elastic-SGD's replicas: one per process under mpirun, else 3 threads unless --replicas says.
        int n = r.settings() instanceof Parle.Settings ? (processes > 1 ? processes : 3) : 1;
        TrainConfig recipe = new TrainConfig(model, "mnist-10k", optimizer, r.epochs(), r.batchSize(),
                r.schedule().toString(), seed, "cpu", r.reestimateBatchNorm(), r.settings(), n, 1);
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
        OptimizerSettings recipe = base.settings();
        if (flags.contains("--parle-code") && recipe instanceof Parle.Settings p) {
            Parle.Builder code = switch (parleCode) {
                case "distributed-ensembles" -> Parle.defaults();
                case "parle-mpi" -> Parle.parleMpi();
                default -> throw usage("--parle-code '" + parleCode + "' is not one of distributed-ensembles, parle-mpi");
            };
            recipe = code.innerSteps(p.innerSteps() == 0 ? 0 : code.build().innerSteps()).weightDecay(p.weightDecay())
                    .build();
        }
        OptimizerSettings settings = new SettingsFlags(flags).apply(recipe, parsed.at(1), base.optimizer());
        if (!(settings instanceof Parle.Settings)) {
            for (String flag : List.of("--replicas", "--data-fraction", "--parle-code")) {
                if (flags.contains(flag)) {
                    throw usage(flag + " applies to --optimizer parle and elastic-sgd, not " + base.optimizer());
                }
            }
        }
        int n = flags.contains("--replicas") ? replicas : base.replicas();
        if (n < 1 || n > TrainConfig.MAX_REPLICAS) {
            throw usage("--replicas " + n + " must be between 1 and " + TrainConfig.MAX_REPLICAS);
        }
        double fraction = flags.contains("--data-fraction") ? dataFraction : base.dataFraction();
        if (!(fraction > 0 && fraction <= 1)) {
            throw usage("--data-fraction " + fraction + " must be in (0, 1]");
        }
        return new TrainConfig(base.model(), source, base.optimizer(), e, b, schedule,
                flags.contains("--seed") ? seed : base.seed(), dev,
                flags.contains("--bn-refresh") ? bnRefresh : base.reestimateBatchNorm(), settings, n, fraction);
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
                {"--beta2", beta2}, {"--eps", eps}, {"--rho", rho}, {"--eta", eta}, {"--gamma-max", gammaMax},
                {"--rho-max", rhoMax}, {"--coupling-growth", couplingGrowth}, {"--averaging", averaging},
                {"--restart-average", restartAverage}, {"--outer-from-iterate", outerFromIterate},
                {"--whole-buffer-lookahead", wholeBuffer}, {"--gamma-counts-step", gammaCountsStep},
                {"--rho-times-l-n", rhoTimesLn}, {"--inner-lr-is-lr", innerLrIsLr}};
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
                case Parle.Settings r -> parle(r, firstLr);
                default -> throw new IllegalStateException("no flags for " + recipe.getClass());
            };
        }

        /** Parle's flags; Elastic-SGD (L = 0) has no inner loop, so the inner loop's flags do not apply to it. */
        private Parle.Settings parle(Parle.Settings r, float firstLr) {
            Parle.Builder b = r.toBuilder().lr(firstLr)
                    .rho(new Parle.Coupling(value("--rho", r.rho().initial()), value("--rho-max", r.rho().max())))
                    .growth(value("--coupling-growth", r.growth()))
                    .outerMomentum(momentum("--momentum", "--nesterov", r.outerMomentum()))
                    .wholeBufferLookahead(value("--whole-buffer-lookahead", r.wholeBufferLookahead()))
                    .weightDecay(value("--weight-decay", r.weightDecay()));
            if (r.innerSteps() > 0) {
                b.innerSteps(value("--L", r.innerSteps()))
                        .gamma(new Parle.Coupling(value("--gamma", r.gamma().initial()), value("--gamma-max", r.gamma().max())))
                        .gammaCountsTheStep(value("--gamma-counts-step", r.gammaCountsTheStep()))
                        .rhoTimesStepsAndReplicas(value("--rho-times-l-n", r.rhoTimesStepsAndReplicas()))
                        .innerMomentum(momentum("--inner-momentum", "--inner-nesterov", r.innerMomentum()))
                        .average(value("--averaging", r.averaging()), value("--restart-average", r.restartAverage()))
                        .outerFromIterate(value("--outer-from-iterate", r.outerFromIterate()));
                if (value("--inner-lr-is-lr", r.innerLrIsLr())) {
                    b.innerLrIsLr();
                } else {
                    b.innerLr(value("--inner-lr", r.innerLr()));
                }
            }
            return b.build();
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
