package org.deeprelax.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistTest {

    @TempDir
    Path tmp;

    private static double[] meanStd(float[] x) {
        double s = 0;
        for (float v : x) {
            s += v;
        }
        double mean = s / x.length;
        double q = 0;
        for (float v : x) {
            q += (v - mean) * (v - mean);
        }
        return new double[] {mean, Math.sqrt(q / x.length)};
    }

    @Test
    void shippedMnist10kLoads() throws IOException {
        Split s = Datasets.mnist(TestFiles.mnist10k());
        Dataset train = s.train();
        Dataset test = s.test();
        assertEquals(8000, train.size());
        assertEquals(2000, test.size());
        for (Dataset d : new Dataset[] {train, test}) {
            assertEquals(1, d.channels());
            assertEquals(28, d.height());
            assertEquals(28, d.width());
            assertEquals(10, d.numClasses());
            for (int i = 0; i < d.size(); i++) {
                assertTrue(d.label(i) >= 0 && d.label(i) <= 9);
            }
        }
        int[] counts = new int[10];
        int[] a = train.classCounts();
        int[] b = test.classCounts();
        for (int c = 0; c < 10; c++) {
            counts[c] = a[c] + b[c];
        }
        // From data/mnist-10k/README.md.
        assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, counts);

        double[] ms = meanStd(train.images());
        assertEquals(0, ms[0], 1e-4);
        assertEquals(1, ms[1], 1e-4);
        // The test split is standardised with the training statistics: close to, not exactly, 0 and 1.
        double[] mt = meanStd(test.images());
        assertEquals(0, mt[0], 0.05);
        assertEquals(1, mt[1], 0.05);
    }

    @Test
    void unitRangeHoldsBytesOver255() throws IOException {
        Split s = Datasets.mnist(TestFiles.mnist10k(), Normalization.UNIT_RANGE);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : s.train().images()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            // Every value is some byte / 255.
            assertEquals(Math.round(v * 255) / 255f, v);
        }
        assertEquals(0f, min);
        assertEquals(1f, max);
        // Standardisation is an affine map of exactly these values with the training mean and std.
        Split std = Datasets.mnist(TestFiles.mnist10k());
        ChannelStandardization stats = ChannelStandardization.fit(s.train());
        assertArrayEquals(stats.apply(s.test()).images(), std.test().images());
    }

    @Test
    void fashionMnistWhenInstalled() throws IOException {
        assumeTrue(Files.isDirectory(Datasets.FASHION_MNIST_DIR), "Fashion-MNIST is not installed in "
                + Datasets.FASHION_MNIST_DIR + " (apt-get install dataset-fashion-mnist); skipping");
        Split s = Datasets.fashionMnist();
        assertEquals(60000, s.train().size());
        assertEquals(10000, s.test().size());
        assertEquals(28, s.train().height());
        assertEquals(28, s.train().width());
        int[] counts = s.train().classCounts();
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, counts[c], "class " + c);
        }
        assertEquals("fashion-mnist/train", s.train().name());
        double[] ms = meanStd(s.train().images());
        assertEquals(0, ms[0], 1e-4);
        assertEquals(1, ms[1], 1e-4);
    }

    @Test
    void syntheticDirectoryLoadsRawNamesToo() throws IOException {
        Path dir = tmp.resolve("m");
        TestFiles.writeMnistDir(dir, 12, 5);
        // A decompressed file under the name without .gz is accepted.
        byte[] raw = TestFiles.idx(new int[] {5}, TestFiles.ramp(5, 10));
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        TestFiles.write(dir.resolve("t10k-labels-idx1-ubyte"), raw);
        Split s = Datasets.mnist(dir, Normalization.UNIT_RANGE);
        assertEquals(12, s.train().size());
        assertEquals(2, s.train().height());
        assertEquals(3, s.train().width());
        assertEquals(7, s.train().label(7));
        assertEquals(4, s.test().label(4));
        // Image 1, row 1, column 2 is byte 6 + 3 + 2 = 11.
        assertEquals(11 / 255f, s.train().pixel(1, 0, 1, 2));
    }

    @Test
    @Tag("reliability")
    void labelOutOfRangeNamesFileOffsetAndValue() throws IOException {
        Path dir = tmp.resolve("m");
        TestFiles.writeMnistDir(dir, 12, 5);
        byte[] labels = TestFiles.ramp(12, 10);
        labels[7] = 10;
        Path f = TestFiles.write(dir.resolve("train-labels-idx1-ubyte.gz"),
                TestFiles.gzip(TestFiles.idx(new int[] {12}, labels)));
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.mnist(dir));
        String m = e.getMessage();
        assertTrue(m.contains(f.toAbsolutePath().toString()), m);
        assertTrue(m.contains("byte offset 15"), m);
        assertTrue(m.contains("label 10"), m);
    }

    @Test
    @Tag("reliability")
    void mismatchedCountsNameBothFiles() throws IOException {
        Path dir = tmp.resolve("m");
        TestFiles.writeMnistDir(dir, 12, 5);
        TestFiles.write(dir.resolve("t10k-labels-idx1-ubyte.gz"),
                TestFiles.gzip(TestFiles.idx(new int[] {4}, TestFiles.ramp(4, 10))));
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.mnist(dir));
        String m = e.getMessage();
        assertTrue(m.contains(dir.resolve("t10k-images-idx3-ubyte.gz").toAbsolutePath().toString()), m);
        assertTrue(m.contains(dir.resolve("t10k-labels-idx1-ubyte.gz").toAbsolutePath().toString()), m);
        assertTrue(m.contains("5 images") && m.contains("4 labels"), m);
    }

    @Test
    @Tag("reliability")
    void wrongRankIsRejected() throws IOException {
        Path dir = tmp.resolve("m");
        TestFiles.writeMnistDir(dir, 12, 5);
        Path f = TestFiles.write(dir.resolve("train-images-idx3-ubyte.gz"),
                TestFiles.gzip(TestFiles.idx(new int[] {12, 6}, TestFiles.ramp(72, 256))));
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.mnist(dir));
        assertTrue(e.getMessage().contains(f.toAbsolutePath().toString()) && e.getMessage().contains("rank 3"),
                e.getMessage());
        assertEquals(3, e.offset());
    }

    @Test
    @Tag("reliability")
    void missingDirectorySaysWhereWhatAndHow() {
        Path dir = tmp.resolve("absent");
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.fashionMnist(dir));
        String m = e.getMessage();
        assertTrue(m.contains(dir.toAbsolutePath().toString()), m);
        for (String name : Datasets.MNIST_FILES) {
            assertTrue(m.contains(name), m);
        }
        assertTrue(m.contains("apt-get install dataset-fashion-mnist"), m);
        assertTrue(m.contains("dataset-fashion-mnist"), m);

        DataFileException em = assertThrows(DataFileException.class, () -> Datasets.mnist(dir));
        for (String name : Datasets.MNIST_FILES) {
            assertTrue(em.getMessage().contains(name), em.getMessage());
        }
        assertTrue(em.getMessage().contains(dir.toAbsolutePath().toString()), em.getMessage());
    }

    @Test
    @Tag("reliability")
    void missingFileIsNamed() throws IOException {
        Path dir = tmp.resolve("m");
        TestFiles.writeMnistDir(dir, 12, 5);
        Files.delete(dir.resolve("train-labels-idx1-ubyte.gz"));
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.mnist(dir));
        String m = e.getMessage();
        assertTrue(m.contains("lacks train-labels-idx1-ubyte.gz"), m);
        assertTrue(m.contains(dir.toAbsolutePath().toString()), m);
    }
}
