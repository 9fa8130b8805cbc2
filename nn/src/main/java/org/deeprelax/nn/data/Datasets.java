package org.deeprelax.nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loaders for the datasets of the experiments: MNIST-format IDX directories (MNIST, the shipped
 * {@code data/mnist-10k} subset, Fashion-MNIST) and the binary version of CIFAR-10. Each returns a
 * {@link Split} whose pixels are scaled to [0, 1] and then normalised as asked
 * ({@link Normalization#STANDARDIZE} by default).
 *
 * <p>When data is missing, the exception says where it looked (absolute path), which file names it
 * expected and how to obtain them.
 */
public final class Datasets {

    /** Where the Debian package dataset-fashion-mnist installs Fashion-MNIST. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The four files of an MNIST-format directory, in the order train images, train labels, test images, test labels. */
    public static final List<String> MNIST_FILES = List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz");

    /** The training files of the CIFAR-10 binary version, in load order. */
    public static final List<String> CIFAR10_TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin",
            "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");

    /** The test file of the CIFAR-10 binary version. */
    public static final String CIFAR10_TEST_FILE = "test_batch.bin";

    /** The folder the official CIFAR-10 binary archive unpacks to; accepted below the given directory. */
    private static final String CIFAR10_ARCHIVE_DIR = "cifar-10-batches-bin";

    private static final String GZ = ".gz";

    private static final String MNIST_HINT = "These are the MNIST distribution's IDX files (gzip-compressed or raw; "
            + "the names without .gz are accepted too). The repository ships a 10,000-digit subset in data/mnist-10k.";

    private static final String FASHION_HINT = "To get Fashion-MNIST, install the Debian package dataset-fashion-mnist "
            + "(apt-get install dataset-fashion-mnist), which puts these files in " + FASHION_MNIST_DIR
            + ", or pass the directory that holds them.";

    private static final String CIFAR_HINT = "These are the files of the CIFAR-10 binary version (cifar-10-binary.tar.gz "
            + "from https://www.cs.toronto.edu/~kriz/cifar.html; the " + CIFAR10_ARCHIVE_DIR + " folder it unpacks to "
            + "is accepted too). Each file is a sequence of 3073-byte records: 1 label byte (0-9), then 3072 pixel "
            + "bytes, the R, G and B planes of a 32×32 image, 1024 bytes each, row-major.";

    private Datasets() {
    }

    /**
     * Loads an MNIST-format directory, standardised with the training split's mean and std.
     *
     * @param dir the directory holding the four {@link #MNIST_FILES}, e.g. {@code data/mnist-10k}
     * @return the split, one channel of 28×28 (or whatever the files say), 10 classes
     * @throws DataFileException if the data is missing or malformed
     * @throws IOException if reading fails
     */
    public static Split mnist(Path dir) throws IOException {
        return mnist(dir, Normalization.STANDARDIZE);
    }

    /**
     * Loads an MNIST-format directory.
     *
     * @param dir the directory holding the four {@link #MNIST_FILES}
     * @param normalization how to normalise the pixels
     * @return the split
     * @throws DataFileException if the data is missing or malformed
     * @throws IOException if reading fails
     */
    public static Split mnist(Path dir, Normalization normalization) throws IOException {
        return idx("mnist", "MNIST", dir, normalization, MNIST_HINT);
    }

    /**
     * Loads Fashion-MNIST from {@link #FASHION_MNIST_DIR}, standardised.
     *
     * @return the split: 60,000 training and 10,000 test images, 28×28, 10 classes
     * @throws DataFileException if the data is missing (the message says how to install it) or malformed
     * @throws IOException if reading fails
     */
    public static Split fashionMnist() throws IOException {
        return fashionMnist(FASHION_MNIST_DIR, Normalization.STANDARDIZE);
    }

    /**
     * Loads Fashion-MNIST from another directory, standardised.
     *
     * @param dir the directory holding the four {@link #MNIST_FILES}
     * @return the split
     * @throws DataFileException if the data is missing or malformed
     * @throws IOException if reading fails
     */
    public static Split fashionMnist(Path dir) throws IOException {
        return fashionMnist(dir, Normalization.STANDARDIZE);
    }

    /**
     * Loads Fashion-MNIST.
     *
     * @param dir the directory holding the four {@link #MNIST_FILES}
     * @param normalization how to normalise the pixels
     * @return the split
     * @throws DataFileException if the data is missing or malformed
     * @throws IOException if reading fails
     */
    public static Split fashionMnist(Path dir, Normalization normalization) throws IOException {
        return idx("fashion-mnist", "Fashion-MNIST", dir, normalization, FASHION_HINT);
    }

    /**
     * Loads the binary version of CIFAR-10, standardised per channel with the training split's statistics.
     *
     * @param dir the directory holding {@link #CIFAR10_TRAIN_FILES} and {@link #CIFAR10_TEST_FILE}, or
     *        its parent if they are in a {@code cifar-10-batches-bin} folder
     * @return the split: 3×32×32 images, 10 classes
     * @throws DataFileException if the data is missing or malformed
     * @throws IOException if reading fails
     */
    public static Split cifar10(Path dir) throws IOException {
        return cifar10(dir, Normalization.STANDARDIZE);
    }

    /**
     * Loads the binary version of CIFAR-10. The training split is the five batch files in order.
     * Memory: 4 bytes per pixel, about 740 MB for the full 60,000 images.
     *
     * @param dir the directory holding the batch files, or its parent as for {@link #cifar10(Path)}
     * @param normalization how to normalise; {@link Normalization#GCN_ZCA} takes minutes (see {@link ZcaWhitening})
     * @return the split
     * @throws DataFileException if the data is missing or malformed
     * @throws IOException if reading fails
     */
    public static Split cifar10(Path dir, Normalization normalization) throws IOException {
        List<String> names = new ArrayList<>(CIFAR10_TRAIN_FILES);
        names.add(CIFAR10_TEST_FILE);
        Path abs = dir.toAbsolutePath().normalize();
        Path nested = abs.resolve(CIFAR10_ARCHIVE_DIR);
        if (!Files.exists(abs.resolve(CIFAR10_TEST_FILE)) && Files.isDirectory(nested)) {
            abs = nested;
        }
        requireFiles("CIFAR-10", abs, names, names, CIFAR_HINT);
        List<Cifar10Reader.Part> parts = new ArrayList<>();
        for (String name : CIFAR10_TRAIN_FILES) {
            parts.add(Cifar10Reader.read(abs.resolve(name)));
        }
        Dataset train = concat("cifar10/train", parts);
        Dataset test = concat("cifar10/test", List.of(Cifar10Reader.read(abs.resolve(CIFAR10_TEST_FILE))));
        Split split = new Split(train, test);
        normalization.applyInPlace(split);
        return split;
    }

    private static Dataset concat(String name, List<Cifar10Reader.Part> parts) {
        int n = 0;
        for (Cifar10Reader.Part p : parts) {
            n += p.labels().length;
        }
        float[] images = new float[n * Cifar10Reader.PIXELS];
        int[] labels = new int[n];
        int at = 0;
        for (Cifar10Reader.Part p : parts) {
            int k = p.labels().length;
            System.arraycopy(p.images(), 0, images, at * Cifar10Reader.PIXELS, k * Cifar10Reader.PIXELS);
            System.arraycopy(p.labels(), 0, labels, at, k);
            at += k;
        }
        return new Dataset(name, images, labels, Cifar10Reader.CHANNELS, Cifar10Reader.SIDE, Cifar10Reader.SIDE,
                Cifar10Reader.CLASSES);
    }

    private static Split idx(String name, String title, Path dir, Normalization normalization, String hint)
            throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        List<String> found = requireFiles(title, abs, MNIST_FILES, alternatives(MNIST_FILES), hint);
        Dataset train = IdxDatasetReader.read(name + "/train", abs.resolve(found.get(0)), abs.resolve(found.get(1)), 10);
        Dataset test = IdxDatasetReader.read(name + "/test", abs.resolve(found.get(2)), abs.resolve(found.get(3)), 10);
        if (train.height() != test.height() || train.width() != test.width()) {
            throw new DataFileException("train and test images differ in size: " + abs.resolve(found.get(0)) + " has "
                    + train.height() + "×" + train.width() + " but " + abs.resolve(found.get(2)) + " has "
                    + test.height() + "×" + test.width(), abs.resolve(found.get(2)), -1);
        }
        Split split = new Split(train, test);
        normalization.applyInPlace(split);
        return split;
    }

    /** The name without .gz, also accepted, since a file decompressed by hand usually loses the suffix. */
    private static List<String> alternatives(List<String> names) {
        List<String> alt = new ArrayList<>();
        for (String n : names) {
            alt.add(n.endsWith(GZ) ? n.substring(0, n.length() - GZ.length()) : n);
        }
        return alt;
    }

    /**
     * Checks that {@code dir} holds every expected file (or its alternative name), and returns the
     * name found for each; otherwise throws a message with the absolute directory, the expected
     * names, the missing ones and the hint on how to get them.
     */
    private static List<String> requireFiles(String title, Path dir, List<String> expected, List<String> alternative,
                                             String hint) throws DataFileException {
        String expectedText = String.join(", ", expected);
        if (!Files.exists(dir)) {
            throw new DataFileException(title + " not found: the directory " + dir + " does not exist. Expected it to "
                    + "hold " + expectedText + ". " + hint, dir, -1);
        }
        if (!Files.isDirectory(dir)) {
            throw new DataFileException(title + " not found: " + dir + " is not a directory. Expected a directory "
                    + "holding " + expectedText + ". " + hint, dir, -1);
        }
        List<String> found = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            if (Files.isRegularFile(dir.resolve(expected.get(i)))) {
                found.add(expected.get(i));
            } else if (Files.isRegularFile(dir.resolve(alternative.get(i)))) {
                found.add(alternative.get(i));
            } else {
                missing.add(expected.get(i));
            }
        }
        if (!missing.isEmpty()) {
            throw new DataFileException(title + " incomplete: the directory " + dir + " lacks "
                    + String.join(", ", missing) + ". Expected it to hold " + expectedText + ". " + hint,
                    dir.resolve(missing.get(0)), -1);
        }
        return found;
    }
}
