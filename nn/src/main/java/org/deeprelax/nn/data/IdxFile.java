package org.deeprelax.nn.data;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The contents of one IDX file of unsigned bytes (element type 0x08): its dimensions and its data,
 * row-major, as read by {@link IdxReader}.
 *
 * @param file the file read, absolute
 * @param gzipped whether it was gzip-compressed (then offsets count decompressed bytes)
 * @param dims the dimensions, each positive; {@code dims[0]} is the number of items
 * @param data the elements, row-major, {@code product(dims)} of them; read them with {@link #unsigned}
 */
public record IdxFile(Path file, boolean gzipped, int[] dims, byte[] data) {

    /**
     * Returns the rank, the number of dimensions.
     *
     * @return the rank, the number of dimensions
     */
    public int rank() {
        return dims.length;
    }

    /**
     * Returns the number of items, {@code dims[0]}.
     *
     * @return the number of items, {@code dims[0]}
     */
    public int count() {
        return dims[0];
    }

    /**
     * Returns the byte offset of the first data element: 4 bytes of magic, then 4 per dimension.
     *
     * @return the byte offset of the first data element: 4 bytes of magic, then 4 per dimension
     */
    public long dataOffset() {
        return 4L + 4L * dims.length;
    }

    /**
     * Reads one element as an unsigned byte.
     *
     * @param i an element index in {@code [0, data.length)}
     * @return element {@code i} as an unsigned value in 0..255
     */
    public int unsigned(int i) {
        return data[i] & 0xFF;
    }

    /**
     * Returns the dimensions joined by ×, e.g. {@code 8000×28×28}.
     *
     * @return the dimensions joined by ×, e.g. {@code 8000×28×28}
     */
    public String dimsText() {
        return IdxReader.dimsText(dims);
    }

    /** Names the file and its shape, not the bytes. */
    @Override
    public String toString() {
        return "IdxFile[" + file + (gzipped ? " (gzip)" : "") + ", " + Arrays.toString(dims) + "]";
    }
}
