package org.deeprelax.nn.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builders of small data files for the tests, and the location of the shipped MNIST subset. */
final class TestFiles {

    private TestFiles() {
    }

    /** An IDX header of type 0x08 with the given dimensions, followed by {@code data}. */
    static byte[] idx(int[] dims, byte[] data) {
        return idx(0x08, dims, data);
    }

    static byte[] idx(int type, int[] dims, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(0);
        out.write(type);
        out.write(dims.length);
        for (int d : dims) {
            out.write(d >>> 24);
            out.write(d >>> 16);
            out.write(d >>> 8);
            out.write(d);
        }
        out.writeBytes(data);
        return out.toByteArray();
    }

    static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        return file;
    }

    /** {@code n} bytes with value {@code i % mod} at position i. */
    static byte[] ramp(int n, int mod) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % mod);
        }
        return b;
    }

    /**
     * Writes an MNIST-format directory of {@code nTrain} and {@code nTest} 2×3 images (gzip), with labels
     * {@code i % 10}.
     */
    static void writeMnistDir(Path dir, int nTrain, int nTest) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idx(new int[] {nTrain, 2, 3}, ramp(nTrain * 6, 256))));
        write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idx(new int[] {nTrain}, ramp(nTrain, 10))));
        write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(idx(new int[] {nTest, 2, 3}, ramp(nTest * 6, 256))));
        write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idx(new int[] {nTest}, ramp(nTest, 10))));
    }

    /**
     * The shipped data/mnist-10k: Maven runs tests in the module directory, so walk up from
     * {@code user.dir} to the directory that holds it.
     */
    static Path mnist10k() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("data").resolve("mnist-10k");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no data/mnist-10k above " + dir);
    }
}
