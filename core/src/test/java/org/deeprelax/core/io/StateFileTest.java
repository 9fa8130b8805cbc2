package org.deeprelax.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint files: checksums that catch damage anywhere, and errors naming the file, section and byte offset. */
@Tag("reliability")
class StateFileTest {

    private static StateFile sample() {
        StateFile s = new StateFile();
        s.putString("train.config", "{\"model\":\"lenet\"}");
        s.putLongs("train.epoch", new long[] {3});
        float[] w = new float[1000];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i);
        }
        s.putFloats("model.parameters", w);
        return s;
    }

    /** Where section {@code name}'s data starts in {@code bytes}: after its UTF name, type byte and length. */
    private static int dataOffset(byte[] bytes, String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + n.length < bytes.length; i++) {
            if (Arrays.equals(Arrays.copyOfRange(bytes, i, i + n.length), n) && bytes[i - 1] == n.length) {
                return i + n.length + 5;
            }
        }
        throw new AssertionError(name);
    }

    private static IllegalArgumentException readDamaged(Path dir, byte[] bytes) throws Exception {
        Path file = dir.resolve("damaged.state");
        Files.write(file, bytes);
        return assertThrows(IllegalArgumentException.class, () -> StateFile.read(file));
    }

    @Test
    void roundTripsEverySectionType(@TempDir Path dir) {
        StateFile s = sample();
        Path file = dir.resolve("a.state");
        s.write(file);
        StateFile r = StateFile.read(file);
        assertEquals("{\"model\":\"lenet\"}", r.getString("train.config"));
        assertEquals(3, r.getLong("train.epoch", 1, 10));
        assertArrayEquals(s.getFloats("model.parameters"), r.getFiniteFloats("model.parameters", 1000));
    }

    @Test
    void sixteenFlippedBytesInTheWeightsNameTheSectionAndItsBytes(@TempDir Path dir) throws Exception {
        byte[] b = sample().toBytes();
        int at = dataOffset(b, "model.parameters") + 400;
        for (int i = 0; i < 16; i++) {
            b[at + i] ^= (byte) 0x5a;
        }
        IllegalArgumentException e = readDamaged(dir, b);
        assertTrue(e.getMessage().contains("damaged.state: section 'model.parameters' (byte offsets ")
                && e.getMessage().contains("is damaged: its CRC32C is"), e.getMessage());
    }

    @Test
    void everySingleFlippedBitIsCaught(@TempDir Path dir) throws Exception {
        StateFile small = new StateFile();
        small.putLongs("train.epoch", new long[] {2});
        small.putFloats("w", new float[] {1, 2});
        byte[] good = small.toBytes();
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] b = good.clone();
                b[i] ^= (byte) (1 << bit);
                IllegalArgumentException e = readDamaged(dir, b);
                assertTrue(e.getMessage().contains("damaged.state") && e.getMessage().contains("byte offset"),
                        "byte " + i + " bit " + bit + ": " + e.getMessage());
            }
        }
    }

    @Test
    void aDamagedHeaderIsCaughtByTheFileChecksum(@TempDir Path dir) throws Exception {
        byte[] b = sample().toBytes();
        // The section count, 3 → 2: the three sections still parse, two of them, then bytes remain.
        ByteBuffer.wrap(b).putInt(12, 2);
        IllegalArgumentException e = readDamaged(dir, b);
        assertTrue(e.getMessage().contains("checksum does not match"), e.getMessage());
    }

    @Test
    void aTruncatedFileSaysWhereItEnds(@TempDir Path dir) throws Exception {
        byte[] b = sample().toBytes();
        IllegalArgumentException e = readDamaged(dir, Arrays.copyOf(b, b.length - 100));
        assertTrue(e.getMessage().contains("section 'model.parameters' needs") && e.getMessage().contains("truncated")
                && e.getMessage().contains("byte offset"), e.getMessage());
        IllegalArgumentException tail = readDamaged(dir, Arrays.copyOf(b, b.length - 2));
        assertTrue(tail.getMessage().contains("truncated"), tail.getMessage());
    }

    @Test
    void valuesOutOfRangeNameTheSectionAndTheirByteOffset(@TempDir Path dir) {
        StateFile s = new StateFile();
        s.putLongs("train.epoch", new long[] {99});
        s.putLongs("pair", new long[] {1, 2});
        s.putFloats("w", new float[] {0, Float.NaN});
        Path file = dir.resolve("r.state");
        s.write(file);
        StateFile r = StateFile.read(file);
        int epochData = dataOffset(s.toBytes(), "train.epoch");
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> r.getLong("train.epoch", 1, 4));
        assertEquals(file + ": section 'train.epoch' at byte offset " + epochData + ": it holds 99, outside the allowed [1, 4]",
                range.getMessage());
        IllegalArgumentException two = assertThrows(IllegalArgumentException.class, () -> r.getLong("pair", 0, 9));
        assertTrue(two.getMessage().contains("it holds 2 values, one was expected"), two.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> r.getFiniteFloats("w", 2));
        assertEquals(file + ": section 'w' at byte offset " + (dataOffset(s.toBytes(), "w") + 4)
                + ": value 1 is NaN, but every value must be finite", nan.getMessage());
        IllegalArgumentException length = assertThrows(IllegalArgumentException.class, () -> r.getFiniteFloats("w", 3));
        assertTrue(length.getMessage().contains("it holds 2 values, 3 were expected"), length.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> r.getLong("absent", 0, 1));
        assertEquals(file + " has no section 'absent'", missing.getMessage());
    }

    @Test
    void notACheckpointAndAnOldVersionAreNamed(@TempDir Path dir) throws Exception {
        IllegalArgumentException e = readDamaged(dir, "{\"hello\": 1}".getBytes(StandardCharsets.UTF_8));
        assertTrue(e.getMessage().contains("is not a DeepRelax checkpoint"), e.getMessage());
        byte[] v1 = sample().toBytes();
        ByteBuffer.wrap(v1).putInt(8, 1);
        IllegalArgumentException old = readDamaged(dir, v1);
        assertTrue(old.getMessage().contains("version 1 at byte offset 8") && old.getMessage().contains("no checksums"),
                old.getMessage());
    }
}
