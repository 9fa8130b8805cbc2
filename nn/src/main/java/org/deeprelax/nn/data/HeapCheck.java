package org.deeprelax.nn.data;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Refuses to read a data file whose contents could not fit in the Java heap, before allocating for it:
 * an {@code OutOfMemoryError} halfway through says nothing about which file or how much it needed.
 */
final class HeapCheck {

    /** Bytes a data file's contents take once read: the bytes themselves and 4 bytes per value as floats or ints. */
    static final int BYTES_PER_VALUE = 5;

    private HeapCheck() {
    }

    /**
     * Returns the most the heap can ever hold.
     *
     * @return the most the heap can ever hold
     */
    static long heapLimit() {
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * Refuses a data file whose contents cannot fit in the heap, before anything is allocated.
     *
     * @param file the data file
     * @param values how many one-byte values it holds
     * @param limit the heap's size
     * @throws DataFileException naming the file, what it needs and how to give Java more, if it cannot fit
     */
    static void require(Path file, long values, long limit) throws DataFileException {
        long need = values * BYTES_PER_VALUE;
        if (need > limit) {
            throw new DataFileException(String.format(Locale.ROOT, "%s: reading it needs about %d MB of memory (%d bytes, "
                            + "then 4 bytes each as numbers), but the Java heap holds at most %d MB; give Java more with -Xmx "
                            + "(for ./deeprelax: DEEPRELAX_JAVA_OPTS=-Xmx%dg)", file.toAbsolutePath(), (need + (1 << 19)) >> 20,
                    values, limit >> 20, Math.max(2, (2 * need >> 30) + 1)), file, -1);
        }
    }
}
