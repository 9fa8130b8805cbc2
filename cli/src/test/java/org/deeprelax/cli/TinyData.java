package org.deeprelax.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.deeprelax.nn.data.Datasets;
import org.deeprelax.nn.data.IdxFile;
import org.deeprelax.nn.data.IdxReader;

/** Small MNIST-format directories for {@code --data mnist:DIR}, cut from the shipped MNIST-10k, so a test epoch takes moments. */
final class TinyData {

    private TinyData() {
    }

    /**
     * Writes the first {@code nTrain} training and {@code nTest} test digits of MNIST-10k as raw IDX files.
     *
     * @return the directory
     */
    static Path mnist(Path dir, int nTrain, int nTest) throws IOException {
        Files.createDirectories(dir);
        Path from = DataSource.mnist10kDir();
        int[] counts = {nTrain, nTrain, nTest, nTest};
        for (int i = 0; i < 4; i++) {
            String name = Datasets.MNIST_FILES.get(i);
            IdxFile f = IdxReader.read(from.resolve(name));
            int[] dims = f.dims().clone();
            dims[0] = counts[i];
            int itemSize = f.data().length / f.count();
            Files.write(dir.resolve(name.replace(".gz", "")), idx(dims, Arrays.copyOf(f.data(), counts[i] * itemSize)));
        }
        return dir;
    }

    /** An IDX file of unsigned bytes: its header, then {@code data}. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, 8, (byte) dims.length});
        for (int d : dims) {
            out.writeBytes(new byte[] {(byte) (d >>> 24), (byte) (d >>> 16), (byte) (d >>> 8), (byte) d});
        }
        out.writeBytes(data);
        return out.toByteArray();
    }
}
