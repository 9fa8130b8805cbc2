package org.deeprelax.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.deeprelax.nn.data.Dataset;
import org.deeprelax.nn.data.Datasets;
import org.deeprelax.nn.data.Split;
import org.deeprelax.nn.models.Models;

/**
 * Resolves {@code --data}: {@code mnist-10k} (shipped in the repository's {@code data/}),
 * {@code fashion-mnist} (the Debian package's directory), {@code mnist:DIR} (any directory of the four
 * MNIST-format IDX files, such as the full MNIST) or {@code cifar10:DIR}.
 */
final class DataSource {

    /** What {@code --data} accepts, for messages. */
    static final String CHOICES = "mnist-10k, fashion-mnist, mnist:DIR, cifar10:DIR";

    private static final String MNIST_DIR = "mnist:";
    private static final String CIFAR_DIR = "cifar10:";

    private DataSource() {
    }

    static void validate(String spec) {
        if (!spec.equals("mnist-10k") && !spec.equals("fashion-mnist") && !spec.startsWith(MNIST_DIR)
                && !spec.startsWith(CIFAR_DIR)) {
            throw new IllegalArgumentException("--data '" + spec + "' is not one of " + CHOICES);
        }
        if (spec.equals(CIFAR_DIR)) {
            throw new IllegalArgumentException("--data cifar10:DIR needs the directory holding data_batch_1.bin … test_batch.bin");
        }
        if (spec.equals(MNIST_DIR)) {
            throw new IllegalArgumentException("--data mnist:DIR needs the directory holding "
                    + String.join(", ", Datasets.MNIST_FILES));
        }
    }

    /**
     * The value with its directory made absolute, so that a run saved with it resumes from any working
     * directory.
     *
     * @param spec a {@code --data} value
     * @return the same source, its directory (if it names one) absolute and normalised
     */
    static String absolute(String spec) {
        for (String prefix : new String[] {MNIST_DIR, CIFAR_DIR}) {
            if (spec.startsWith(prefix) && spec.length() > prefix.length()) {
                return prefix + Path.of(spec.substring(prefix.length())).toAbsolutePath().normalize();
            }
        }
        return spec;
    }

    /**
     * @param spec a {@code --data} value
     * @return what kind of data it is, whatever directory it names: {@code mnist-10k}, {@code fashion-mnist},
     *         {@code mnist:} or {@code cifar10:}
     */
    static String kind(String spec) {
        return spec.startsWith(MNIST_DIR) ? MNIST_DIR : spec.startsWith(CIFAR_DIR) ? CIFAR_DIR : spec;
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
        if (spec.startsWith(MNIST_DIR)) {
            return Datasets.mnist(Path.of(spec.substring(MNIST_DIR.length())));
        }
        return Datasets.cifar10(Path.of(spec.substring(CIFAR_DIR.length())));
    }

    /**
     * @return the image shape {@code [c, h, w]} the source yields; for {@code mnist:DIR} the usual 28×28,
     *         which {@link #checkFits} confirms once the files are read
     */
    static int[] inputShape(String spec) {
        return spec.startsWith(CIFAR_DIR) ? new int[] {3, 32, 32} : new int[] {1, 28, 28};
    }

    /**
     * Checks that the images read fit the model, before any reaches a layer.
     *
     * @param model the model's name
     * @param spec the {@code --data} value
     * @param split what it holds
     * @throws IllegalArgumentException naming both shapes
     */
    static void checkFits(String model, String spec, Split split) {
        int[] expected = Models.inputShape(model);
        for (Dataset d : new Dataset[] {split.train(), split.test()}) {
            int[] given = {d.channels(), d.height(), d.width()};
            if (!Arrays.equals(expected, given)) {
                throw new IllegalArgumentException("model " + model + " takes " + Arrays.toString(expected)
                        + " images, but --data " + spec + " holds " + Arrays.toString(given) + " images (" + d.name() + ")");
            }
        }
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
