package org.deeprelax.nn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import org.deeprelax.core.io.IoErrors;

/**
 * Reads one file of the CIFAR-10 binary version: a sequence of 3073-byte records, each one label byte
 * (0–9) followed by 3072 pixel bytes, the red, green and blue planes of a 32×32 image (1024 bytes
 * each, rows top to bottom, columns left to right). That is already the C×H×W order of a
 * {@link Dataset}, so a record's pixels are copied straight across.
 *
 * <p>The official files hold 10,000 records each, but any whole number of records is accepted, so
 * that subsets and test fixtures load too.
 */
final class Cifar10Reader {

    /** Channels, rows and columns of a CIFAR-10 image. */
    static final int CHANNELS = 3;
    static final int SIDE = 32;
    /** Pixel bytes per record. */
    static final int PIXELS = CHANNELS * SIDE * SIDE;
    /** Bytes per record: the label and the pixels. */
    static final int RECORD = 1 + PIXELS;
    /** CIFAR-10 has ten classes. */
    static final int CLASSES = 10;

    /** The images and labels of one file, before they are concatenated into a split. */
    record Part(float[] images, int[] labels) {
    }

    private Cifar10Reader() {
    }

    /**
     * Reads one CIFAR-10 binary batch file.
     *
     * @param file one batch file
     * @return its records, pixels scaled to [0, 1]
     * @throws DataFileException if the file is missing, empty, holds an incomplete record, or a label
     *         byte is 10 or more
     * @throws IOException if reading fails
     */
    static Part read(Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        byte[] bytes;
        try {
            // Everything that the size alone decides is checked before the file is read.
            long size = Files.size(abs);
            if (size == 0) {
                throw DataFileException.at(abs, 0, false, "the file is empty; a CIFAR-10 batch holds records of "
                        + RECORD + " bytes (1 label byte + " + PIXELS + " pixel bytes)");
            }
            long records = size / RECORD;
            long rest = size % RECORD;
            if (rest != 0) {
                throw DataFileException.at(abs, records * RECORD, false, "incomplete record: the file is " + size
                        + " bytes, " + records + " whole records of " + RECORD + " bytes (1 label byte + " + PIXELS
                        + " pixel bytes) and " + rest + " bytes of record " + records + ", which starts here");
            }
            HeapCheck.require(abs, size, HeapCheck.heapLimit());
            bytes = Files.readAllBytes(abs);
        } catch (NoSuchFileException e) {
            throw new DataFileException(abs + ": no such file", abs, -1, e);
        } catch (DataFileException e) {
            throw e;
        } catch (IOException e) {
            throw new DataFileException(abs + ": cannot be read: " + IoErrors.describe(e), abs, -1, e);
        }
        int records = bytes.length / RECORD;
        int[] labels = new int[records];
        float[] images = new float[records * PIXELS];
        for (int r = 0; r < records; r++) {
            int at = r * RECORD;
            int label = bytes[at] & 0xFF;
            if (label >= CLASSES) {
                throw DataFileException.at(abs, at, false, "label byte " + label + " of record " + r
                        + " is out of range: CIFAR-10 labels are 0.." + (CLASSES - 1));
            }
            labels[r] = label;
            PixelScale.toUnit(bytes, at + 1, images, r * PIXELS, PIXELS);
        }
        return new Part(images, labels);
    }
}
