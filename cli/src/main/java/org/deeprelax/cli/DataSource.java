package org.deeprelax.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.deeprelax.nn.data.Datasets;
import org.deeprelax.nn.data.Split;

/**
 * Resolves {@code --data}: {@code mnist-10k} (shipped in the repository's {@code data/}),
 * {@code fashion-mnist} (the Debian package's directory) or {@code cifar10:DIR}.
 */
final class DataSource {

    /** What {@code --data} accepts, for messages. */
    static final String CHOICES = "mnist-10k, fashion-mnist, cifar10:DIR";

    private DataSource() {
    }

    static void validate(String spec) {
        if (!spec.equals("mnist-10k") && !spec.equals("fashion-mnist") && !spec.startsWith("cifar10:")) {
            throw new IllegalArgumentException("--data '" + spec + "' is not one of " + CHOICES);
        }
        if (spec.startsWith("cifar10:") && spec.length() == "cifar10:".length()) {
            throw new IllegalArgumentException("--data cifar10:DIR needs the directory holding data_batch_1.bin … test_batch.bin");
        }
    }

    /** @param spec a validated {@code --data} value @return its train and test splits, normalised */
    static Split load(String spec) throws IOException {
        validate(spec);
        if (spec.equals("mnist-10k")) {
            return Datasets.mnist(mnist10kDir());
        }
        if (spec.equals("fashion-mnist")) {
            return Datasets.fashionMnist();
        }
        return Datasets.cifar10(Path.of(spec.substring("cifar10:".length())));
    }

    /** @return the image shape {@code [c, h, w]} the source yields */
    static int[] inputShape(String spec) {
        return spec.startsWith("cifar10:") ? new int[] {3, 32, 32} : new int[] {1, 28, 28};
    }

    /**
     * The shipped MNIST-10k: under {@code deeprelax.home} (set by the {@code ./deeprelax} script), else the
     * first {@code data/mnist-10k} found from the working directory upwards.
     */
    static Path mnist10kDir() {
        String home = System.getProperty("deeprelax.home");
        if (home != null) {
            return Path.of(home, "data", "mnist-10k");
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("data").resolve("mnist-10k");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        return Path.of("data", "mnist-10k").toAbsolutePath();
    }
}
