package org.deeprelax.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import org.deeprelax.core.Backend;
import org.deeprelax.core.Backends;
import org.deeprelax.core.io.StateFile;
import org.deeprelax.nn.Evaluation;
import org.deeprelax.nn.Model;
import org.deeprelax.nn.data.BatchLoader;
import org.deeprelax.nn.data.Split;
import org.deeprelax.nn.models.Models;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code deeprelax eval}: the loss and error of a checkpoint on a data set's held-out split. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Evaluate a checkpoint on the held-out split of a data set.",
        footer = {"", "Example:", "  ./deeprelax eval --checkpoint runs/lenet/checkpoint.state --data mnist-10k"})
final class EvalCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--checkpoint", paramLabel = "FILE", required = true, description = "a checkpoint.state written by train")
    private Path checkpoint;

    @Option(names = "--data", paramLabel = "SOURCE", description = "mnist-10k, fashion-mnist, mnist:DIR or cifar10:DIR (default: the run's)")
    private String data;

    @Option(names = "--device", paramLabel = "DEV", defaultValue = "cpu",
            description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE})")
    private String device;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "256", description = "evaluation batch size (default: ${DEFAULT-VALUE})")
    private int batchSize;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(checkpoint)) {
            throw new ParameterException(spec.commandLine(), "--checkpoint " + checkpoint + ": no such file");
        }
        if (batchSize < 1) {
            throw new ParameterException(spec.commandLine(), "--batch-size " + batchSize + " must be at least 1");
        }
        StateFile state = StateFile.read(checkpoint);
        TrainConfig config = Trainer.savedConfig(state);
        String source = data != null ? data : config.data();
        try {
            DataSource.validate(source);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (!device.matches(TrainCommand.DEVICE_PATTERN)) {
            throw new ParameterException(spec.commandLine(), "--device '" + device + "' is not one of "
                    + TrainCommand.DEVICE_CHOICES);
        }
        Backend backend = Backends.byName(device);
        Model model = Model.build(config.model(), Models.create(config.model()), backend, config.seed());
        model.loadState(state);
        Split split = DataSource.load(source);
        try {
            DataSource.checkFits(config.model(), source, split);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        // A batch beyond the split would only allocate room for examples that are not there.
        int batch = Math.min(batchSize, split.test().size());
        Evaluation.Result r = Evaluation.classification(model, new BatchLoader(split.test(), backend, batch, 0,
                BatchLoader.LastBatch.PARTIAL).inOrder());
        System.out.printf(Locale.ROOT, "%s on %s (%d examples): loss %.4f, error %.2f %%%n", config.model(), source,
                split.test().size(), r.loss(), r.error());
        return 0;
    }
}
