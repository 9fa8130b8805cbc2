package org.deeprelax.nn.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path tmp;

    private static void assertMentions(DataFileException e, Path file, long offset) {
        String m = e.getMessage();
        assertTrue(m.contains(file.toAbsolutePath().toString()), () -> "message lacks the file: " + m);
        assertTrue(m.contains("byte offset " + offset), () -> "message lacks offset " + offset + ": " + m);
        assertEquals(offset, e.offset());
        assertEquals(file.toAbsolutePath(), e.file());
    }

    @Test
    void readsRawFile() throws IOException {
        byte[] data = TestFiles.ramp(2 * 3 * 4, 256);
        Path f = TestFiles.write(tmp.resolve("a.idx"), TestFiles.idx(new int[] {2, 3, 4}, data));
        IdxFile idx = IdxReader.read(f);
        assertFalse(idx.gzipped());
        assertArrayEquals(new int[] {2, 3, 4}, idx.dims());
        assertArrayEquals(data, idx.data());
        assertEquals(16, idx.dataOffset());
        assertEquals(2, idx.count());
    }

    @Test
    void detectsGzipByMagicNotByName() throws IOException {
        byte[] data = new byte[] {0, 1, (byte) 200, (byte) 255};
        byte[] raw = TestFiles.idx(new int[] {4}, data);
        // A gzip file without .gz, and a raw file with .gz: both must be read correctly.
        IdxFile gz = IdxReader.read(TestFiles.write(tmp.resolve("labels"), TestFiles.gzip(raw)));
        IdxFile plain = IdxReader.read(TestFiles.write(tmp.resolve("labels.gz"), raw));
        assertTrue(gz.gzipped());
        assertFalse(plain.gzipped());
        assertArrayEquals(data, gz.data());
        assertArrayEquals(data, plain.data());
        assertEquals(200, gz.unsigned(2));
        assertEquals(255, gz.unsigned(3));
    }

    @Test
    @Tag("reliability")
    void truncatedRawFileNamesFileAndOffset() throws IOException {
        byte[] full = TestFiles.idx(new int[] {10, 2, 2}, TestFiles.ramp(40, 7));
        Path f = TestFiles.write(tmp.resolve("trunc.idx"), Arrays.copyOf(full, full.length - 15));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        // Header 16 bytes, 40 data bytes expected, 25 there: data runs out at offset 41.
        assertMentions(e, f, 41);
        assertTrue(e.getMessage().contains("40 data bytes"), e.getMessage());
        assertFalse(e.getMessage().contains("gzip"), e.getMessage());
    }

    @Test
    @Tag("reliability")
    void truncatedGzipContentGivesDecompressedOffset() throws IOException {
        byte[] full = TestFiles.idx(new int[] {10, 2, 2}, TestFiles.ramp(40, 7));
        Path f = TestFiles.write(tmp.resolve("trunc.gz"), TestFiles.gzip(Arrays.copyOf(full, full.length - 1)));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertMentions(e, f, 55);
        assertTrue(e.getMessage().contains("decompressed gzip stream"), e.getMessage());
    }

    @Test
    @Tag("reliability")
    void cutGzipStreamIsReportedWithOffset() throws IOException {
        byte[] full = TestFiles.idx(new int[] {1000}, TestFiles.ramp(1000, 10));
        byte[] gz = TestFiles.gzip(full);
        Path f = TestFiles.write(tmp.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains(f.toAbsolutePath().toString()), e.getMessage());
        assertTrue(e.getMessage().contains("decompressed gzip stream"), e.getMessage());
        assertTrue(e.offset() >= 0 && e.offset() <= full.length, e.getMessage());
    }

    @Test
    @Tag("reliability")
    void wrongMagic() throws IOException {
        byte[] bytes = TestFiles.idx(new int[] {3}, new byte[3]);
        bytes[1] = 0x08;
        Path f = TestFiles.write(tmp.resolve("magic.idx"), bytes);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertMentions(e, f, 0);
        assertTrue(e.getMessage().contains("not an IDX file"), e.getMessage());
    }

    @Test
    @Tag("reliability")
    void unsupportedTypeIsNamed() throws IOException {
        Path f = TestFiles.write(tmp.resolve("float.idx"), TestFiles.idx(0x0D, new int[] {1}, new byte[4]));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertMentions(e, f, 2);
        assertTrue(e.getMessage().contains("0x0d (32-bit float)"), e.getMessage());
    }

    @Test
    @Tag("reliability")
    void zeroRankAndZeroDimensionAreRejected() throws IOException {
        Path r0 = TestFiles.write(tmp.resolve("r0.idx"), TestFiles.idx(new int[] {}, new byte[0]));
        assertMentions(assertThrows(DataFileException.class, () -> IdxReader.read(r0)), r0, 3);
        Path d0 = TestFiles.write(tmp.resolve("d0.idx"), TestFiles.idx(new int[] {5, 0, 3}, new byte[0]));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(d0));
        assertMentions(e, d0, 8);
        assertTrue(e.getMessage().contains("dimension 1 is 0"), e.getMessage());
    }

    @Test
    @Tag("reliability")
    void hugeDimensionIsRejectedBeforeAllocating() throws IOException {
        Path f = TestFiles.write(tmp.resolve("huge.idx"), TestFiles.idx(new int[] {-1}, new byte[0]));
        assertMentions(assertThrows(DataFileException.class, () -> IdxReader.read(f)), f, 4);
    }

    @Test
    @Tag("reliability")
    void trailingBytesAreRejected() throws IOException {
        byte[] bytes = TestFiles.idx(new int[] {3, 2}, new byte[6 + 5]);
        Path f = TestFiles.write(tmp.resolve("trail.idx"), bytes);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertMentions(e, f, 12 + 6);
        assertTrue(e.getMessage().contains("5 trailing byte"), e.getMessage());
        Path g = TestFiles.write(tmp.resolve("trail.gz"), TestFiles.gzip(bytes));
        DataFileException eg = assertThrows(DataFileException.class, () -> IdxReader.read(g));
        assertMentions(eg, g, 18);
        assertTrue(eg.getMessage().contains("decompressed"), eg.getMessage());
    }

    @Test
    @Tag("reliability")
    void truncatedHeaderAndEmptyFile() throws IOException {
        Path empty = TestFiles.write(tmp.resolve("empty.idx"), new byte[0]);
        assertMentions(assertThrows(DataFileException.class, () -> IdxReader.read(empty)), empty, 0);
        byte[] full = TestFiles.idx(new int[] {3, 2}, new byte[6]);
        Path dims = TestFiles.write(tmp.resolve("dims.idx"), Arrays.copyOf(full, 9));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(dims));
        assertMentions(e, dims, 9);
    }

    @Test
    @Tag("reliability")
    void missingFileNamesThePath() {
        Path f = tmp.resolve("nope.idx");
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains(f.toAbsolutePath().toString()), e.getMessage());
        assertEquals(-1, e.offset());
    }

    @Test
    @Tag("reliability")
    void aGzipHeaderOfTwoBytesIsNamedNotNull() throws IOException {
        Path f = TestFiles.write(tmp.resolve("two.gz"), new byte[] {0x1f, (byte) 0x8b});
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().startsWith(f.toAbsolutePath() + ": at byte offset 2 of the compressed file: the gzip "
                + "header is cut short"), e.getMessage());
    }

    @Test
    @Tag("reliability")
    void aDamagedCompressionMethodByteIsNamedWithTheFile() throws IOException {
        byte[] gz = TestFiles.gzip(TestFiles.idx(new int[] {4}, new byte[] {1, 2, 3, 4}));
        gz[2] = 7;
        Path f = TestFiles.write(tmp.resolve("method.gz"), gz);
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertEquals(f.toAbsolutePath() + ": at byte offset 2 of the compressed file: the gzip compression method is 7, "
                + "but gzip has only method 8 (deflate)", e.getMessage());
        gz[2] = 8;
        gz[3] = (byte) 0xe0;
        DataFileException flags = assertThrows(DataFileException.class,
                () -> IdxReader.read(TestFiles.write(tmp.resolve("flags.gz"), gz)));
        assertTrue(flags.getMessage().contains("byte offset 3 of the compressed file: the gzip flag byte"), flags.getMessage());
    }

    @Test
    @Tag("reliability")
    void aSmallGzipDeclaringSevenHundredMillionItemsIsRefusedBeforeAllocating() throws IOException {
        // 3 MB of compressed zeros hold at most about 3 GB, but here 64 kB hold 64 MB: far fewer than declared.
        byte[] gz = TestFiles.gzip(TestFiles.idx(new int[] {700_000_000}, new byte[1 << 16]));
        Path f = TestFiles.write(tmp.resolve("huge-labels.gz"), gz);
        long before = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertTrue(e.getMessage().contains("byte offset 4 of the decompressed gzip stream: dimension 0 is 700000000")
                && e.getMessage().contains("a gzip file of " + gz.length + " bytes decompresses to at most"), e.getMessage());
        long after = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        assertTrue(after - before < 200_000_000, "no 700 MB array was allocated: " + (after - before));
    }

    @Test
    @Tag("reliability")
    void aRawFileDeclaringMoreThanItHoldsIsRefusedBeforeAllocating() throws IOException {
        Path f = TestFiles.write(tmp.resolve("huge.idx"), TestFiles.idx(new int[] {700_000_000, 1, 1}, new byte[100]));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f));
        assertMentions(e, f, 116);
        assertTrue(e.getMessage().contains("the data ran out"), e.getMessage());
    }

    @Test
    @Tag("reliability")
    void dataLargerThanTheHeapIsRefusedSayingWhatItNeeds() throws IOException {
        Path f = TestFiles.write(tmp.resolve("big.idx"), TestFiles.idx(new int[] {1000, 28, 28}, new byte[784_000]));
        DataFileException e = assertThrows(DataFileException.class, () -> IdxReader.read(f, 1_000_000));
        assertTrue(e.getMessage().contains(f.toAbsolutePath().toString())
                && e.getMessage().contains("needs about 4 MB of memory") && e.getMessage().contains("-Xmx"), e.getMessage());
    }
}
