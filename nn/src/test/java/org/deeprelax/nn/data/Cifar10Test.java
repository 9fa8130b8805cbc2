package org.deeprelax.nn.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {

    @TempDir
    Path tmp;

    /** The label of record r of file f: distinct per file so that the concatenation order shows. */
    private static int label(int f, int r) {
        return (f * 3 + r) % 10;
    }

    /** Pixel byte of file f, record r, channel c, row y, column x: a hash of all five. */
    private static int pixel(int f, int r, int c, int y, int x) {
        return (f * 31 + r * 17 + c * 101 + y * 7 + x * 3) & 0xFF;
    }

    private static byte[] batchFile(int f, int records) {
        byte[] b = new byte[records * 3073];
        for (int r = 0; r < records; r++) {
            int at = r * 3073;
            b[at] = (byte) label(f, r);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        b[at + 1 + c * 1024 + y * 32 + x] = (byte) pixel(f, r, c, y, x);
                    }
                }
            }
        }
        return b;
    }

    /** Five training files of 7 records (files 0..4) and a test file of 3 (file 5). */
    private static Path writeDir(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int f = 0; f < 5; f++) {
            TestFiles.write(dir.resolve("data_batch_" + (f + 1) + ".bin"), batchFile(f, 7));
        }
        TestFiles.write(dir.resolve("test_batch.bin"), batchFile(5, 3));
        return dir;
    }

    @Test
    void syntheticDatasetLoadsWithLabelsAndPlaneLayout() throws IOException {
        Split s = Datasets.cifar10(writeDir(tmp.resolve("c")), Normalization.UNIT_RANGE);
        Dataset train = s.train();
        assertEquals(35, train.size());
        assertEquals(3, s.test().size());
        assertEquals(3, train.channels());
        assertEquals(32, train.height());
        assertEquals(32, train.width());
        for (int f = 0; f < 5; f++) {
            for (int r = 0; r < 7; r++) {
                assertEquals(label(f, r), train.label(f * 7 + r));
            }
        }
        // File 3 (data_batch_4), record 5, green channel, row 17, column 9.
        assertEquals(pixel(3, 5, 1, 17, 9) / 255f, train.pixel(3 * 7 + 5, 1, 17, 9));
        assertEquals(pixel(5, 2, 2, 31, 0) / 255f, s.test().pixel(2, 2, 31, 0));
        assertEquals(pixel(0, 0, 0, 0, 31) / 255f, train.pixel(0, 0, 0, 31));
        assertEquals(label(5, 1), s.test().label(1));
    }

    @Test
    void archiveFolderIsAccepted() throws IOException {
        Path parent = tmp.resolve("p");
        writeDir(parent.resolve("cifar-10-batches-bin"));
        assertEquals(35, Datasets.cifar10(parent).train().size());
    }

    @Test
    void perChannelStandardisation() throws IOException {
        Split s = Datasets.cifar10(writeDir(tmp.resolve("c")));
        float[] x = s.train().images();
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            double sq = 0;
            int count = 0;
            for (int n = 0; n < 35; n++) {
                for (int k = 0; k < 1024; k++) {
                    double v = x[(n * 3 + c) * 1024 + k];
                    sum += v;
                    sq += v * v;
                    count++;
                }
            }
            double mean = sum / count;
            assertEquals(0, mean, 1e-5, "channel " + c);
            assertEquals(1, Math.sqrt(sq / count - mean * mean), 1e-4, "channel " + c);
        }
    }

    @Test
    @Tag("reliability")
    void incompleteRecordGivesItsOffset() throws IOException {
        Path dir = writeDir(tmp.resolve("c"));
        byte[] b = Arrays.copyOf(batchFile(2, 7), 7 * 3073 - 100);
        Path f = TestFiles.write(dir.resolve("data_batch_3.bin"), b);
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.cifar10(dir));
        assertTrue(e.getMessage().contains(f.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("byte offset " + 6 * 3073), e.getMessage());
        assertEquals(6 * 3073, e.offset());
    }

    @Test
    @Tag("reliability")
    void aFileTooLargeForTheHeapIsRefusedBeforeReadingIt() throws IOException {
        Path dir = writeDir(tmp.resolve("c"));
        Path f = dir.resolve("data_batch_2.bin");
        // A sparse file of a million records, 3 GB: more than a byte array can hold, let alone the heap.
        try (java.io.RandomAccessFile r = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(3073L * 1_000_000);
        }
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.cifar10(dir));
        assertTrue(e.getMessage().contains(f.toAbsolutePath().toString()) && e.getMessage().contains("MB of memory")
                && e.getMessage().contains("-Xmx"), e.getMessage());
    }

    @Test
    @Tag("reliability")
    void badLabelByteIsReported() throws IOException {
        Path dir = writeDir(tmp.resolve("c"));
        byte[] b = batchFile(5, 3);
        b[2 * 3073] = 10;
        Path f = TestFiles.write(dir.resolve("test_batch.bin"), b);
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.cifar10(dir));
        String m = e.getMessage();
        assertTrue(m.contains(f.toAbsolutePath().toString()), m);
        assertTrue(m.contains("byte offset " + 2 * 3073), m);
        assertTrue(m.contains("label byte 10"), m);
    }

    @Test
    @Tag("reliability")
    void missingDirectoryDescribesTheFiles() {
        Path dir = tmp.resolve("none");
        DataFileException e = assertThrows(DataFileException.class, () -> Datasets.cifar10(dir));
        String m = e.getMessage();
        assertTrue(m.contains(dir.toAbsolutePath().toString()), m);
        for (String name : Datasets.CIFAR10_TRAIN_FILES) {
            assertTrue(m.contains(name), m);
        }
        assertTrue(m.contains("test_batch.bin"), m);
        assertTrue(m.contains("3072 pixel bytes") && m.contains("1 label byte"), m);
    }
}
