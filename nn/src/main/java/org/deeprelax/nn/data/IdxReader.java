package org.deeprelax.nn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.deeprelax.core.io.IoErrors;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST, raw or gzip-compressed.
 *
 * <p>Layout (all integers big-endian): two zero bytes, a type byte, a rank byte {@code r}, then
 * {@code r} four-byte dimensions, then {@code product(dims)} elements, row-major, and nothing after.
 * Only the type 0x08 (unsigned byte) is supported, which is what every image and label file of
 * these datasets uses.
 *
 * <p>Compression is recognised by the gzip magic bytes 0x1f 0x8b, not by the file name, so a
 * decompressed file keeps working under its {@code .gz} name and vice versa. (A raw IDX file cannot
 * start with 0x1f: its first byte is always zero.)
 *
 * <p>Every defect is reported as a {@link DataFileException} naming the file and the byte offset
 * (of the decompressed stream for gzip): a wrong magic, an unsupported type, a zero rank or
 * dimension, data that runs out early, and trailing bytes after the data.
 */
public final class IdxReader {

    /** The only element type supported: unsigned byte. */
    static final int TYPE_UNSIGNED_BYTE = 0x08;

    /** The largest byte array the JVM reliably allocates. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * Deflate's greatest compression, about 1032 to 1: a gzip file of C bytes cannot decompress to more
     * than this many times C, so a header declaring more is damaged (or the file is cut short).
     */
    private static final long MAX_DEFLATE_RATIO = 1032;

    /** The fixed part of a gzip header: magic, method, flags, time, extra flags, OS. */
    private static final int GZIP_HEADER = 10;
    private static final int DEFLATE = 8;

    private IdxReader() {
    }

    /**
     * Reads one IDX file whole.
     *
     * @param file the file, raw or gzip-compressed
     * @return its dimensions and data
     * @throws DataFileException if the file is missing or malformed (the message names the file and,
     *         for a format error, the byte offset)
     * @throws IOException if reading fails for another reason
     */
    public static IdxFile read(Path file) throws IOException {
        return read(file, HeapCheck.heapLimit());
    }

    /**
     * Reads an IDX file, checking its size against the file and the heap first.
     *
     * @param file the file, raw or gzip-compressed
     * @param heapLimit the memory its contents may take (the heap's size, or less in tests)
     * @return its dimensions and data
     * @throws DataFileException if the file is missing, unreadable, malformed or too large for the heap
     * @throws IOException if reading fails for another reason
     */
    static IdxFile read(Path file, long heapLimit) throws IOException {
        Path abs = file.toAbsolutePath();
        try (InputStream raw = Files.newInputStream(abs)) {
            long fileSize = Files.size(abs);
            BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
            boolean gzipped = startsWithGzipMagic(buffered);
            InputStream in = gzipped ? gunzip(abs, buffered, fileSize) : buffered;
            // What the stream can hold at most: the file itself, or what deflate can expand it to.
            long capacity = gzipped ? fileSize * MAX_DEFLATE_RATIO : fileSize;
            return parse(new CountingInput(in, abs, gzipped), capacity, fileSize, heapLimit);
        } catch (NoSuchFileException e) {
            throw new DataFileException(abs + ": no such file", abs, -1, e);
        } catch (DataFileException e) {
            throw e;
        } catch (IOException e) {
            throw new DataFileException(abs + ": cannot be read: " + IoErrors.describe(e), abs, -1, e);
        }
    }

    /** Peeks at the first two bytes without consuming them. */
    private static boolean startsWithGzipMagic(BufferedInputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }

    /**
     * Checks the fixed gzip header, whose defects the JDK reports without the file or the place (or with
     * no message at all), then opens the decompressing stream.
     */
    private static InputStream gunzip(Path file, BufferedInputStream in, long fileSize) throws IOException {
        in.mark(GZIP_HEADER);
        byte[] head = in.readNBytes(GZIP_HEADER);
        in.reset();
        if (head.length < GZIP_HEADER) {
            throw compressedAt(file, head.length, "the gzip header is cut short: the file holds " + fileSize
                    + " bytes, but a gzip header alone takes " + GZIP_HEADER);
        }
        if (head[2] != DEFLATE) {
            throw compressedAt(file, 2, "the gzip compression method is " + (head[2] & 0xFF)
                    + ", but gzip has only method 8 (deflate)");
        }
        if ((head[3] & 0xE0) != 0) {
            throw compressedAt(file, 3, String.format("the gzip flag byte is 0x%02x, whose reserved bits 5 to 7 "
                    + "must be zero", head[3] & 0xFF));
        }
        try {
            return new GZIPInputStream(in, 1 << 16);
        } catch (IOException e) {
            throw compressedAt(file, GZIP_HEADER, "the gzip header's optional fields are damaged or cut short ("
                    + IoErrors.reason(e) + ")");
        }
    }

    private static DataFileException compressedAt(Path file, long offset, String problem) {
        return new DataFileException(file + ": at byte offset " + offset + " of the compressed file: " + problem, file, offset);
    }

    private static IdxFile parse(CountingInput in, long capacity, long fileSize, long heapLimit) throws IOException {
        byte[] head = new byte[4];
        int got = in.readFully(head, 0, 4);
        if (got < 4) {
            throw in.error(got, "the file ends inside the 4-byte IDX header (it holds only " + got + " bytes)");
        }
        if (head[0] != 0 || head[1] != 0) {
            throw in.error(0, String.format("not an IDX file: it starts with 0x%02x 0x%02x, but an IDX file "
                    + "starts with 0x00 0x00 (then a type byte and a rank byte)", head[0] & 0xFF, head[1] & 0xFF));
        }
        int type = head[2] & 0xFF;
        if (type != TYPE_UNSIGNED_BYTE) {
            throw in.error(2, String.format("IDX element type 0x%02x (%s) is not supported; only 0x08 "
                    + "(unsigned byte) is", type, typeName(type)));
        }
        int rank = head[3] & 0xFF;
        if (rank == 0) {
            throw in.error(3, "the rank byte is 0, but an IDX array needs at least one dimension");
        }
        byte[] dimBytes = new byte[4 * rank];
        got = in.readFully(dimBytes, 0, dimBytes.length);
        if (got < dimBytes.length) {
            throw in.error(4 + got, "the file ends inside the dimensions: rank " + rank + " needs "
                    + dimBytes.length + " bytes of dimensions from offset 4, only " + got + " are there");
        }
        int[] dims = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++) {
            long d = ((dimBytes[4 * i] & 0xFFL) << 24) | ((dimBytes[4 * i + 1] & 0xFF) << 16)
                    | ((dimBytes[4 * i + 2] & 0xFF) << 8) | (dimBytes[4 * i + 3] & 0xFF);
            if (d == 0) {
                throw in.error(4 + 4 * i, "dimension " + i + " is 0, but every dimension must be positive");
            }
            // Checked before multiplying so that the product cannot overflow a long.
            if (d > MAX_ARRAY || size * d > MAX_ARRAY) {
                throw in.error(4 + 4 * i, "dimension " + i + " is " + d + ": the array would hold more than "
                        + MAX_ARRAY + " elements, which is not a plausible dataset file");
            }
            // Checked before allocating: a few damaged bytes must not ask for gigabytes.
            if (4L + 4L * rank + size * d > capacity && in.gzipped) {
                throw in.error(4 + 4 * i, "dimension " + i + " is " + d + ": the array would hold " + size * d
                        + " elements, but a gzip file of " + fileSize + " bytes decompresses to at most about "
                        + capacity + " bytes; the file is damaged or cut short");
            }
            dims[i] = (int) d;
            size *= d;
        }
        long dataOffset = 4L + 4L * rank;
        if (!in.gzipped && dataOffset + size > fileSize) {
            throw dataRanOut(in, dims, size, dataOffset, fileSize - dataOffset);
        }
        HeapCheck.require(in.file, size, heapLimit);
        byte[] data = new byte[(int) size];
        got = in.readFully(data, 0, data.length);
        if (got < data.length) {
            throw dataRanOut(in, dims, size, dataOffset, got);
        }
        long extra = in.countRest();
        if (extra > 0) {
            throw in.error(dataOffset + size, extra + " trailing byte(s) after the data: dimensions "
                    + dimsText(dims) + " end the array at offset " + (dataOffset + size));
        }
        return new IdxFile(in.file, in.gzipped, dims, data);
    }

    private static DataFileException dataRanOut(CountingInput in, int[] dims, long size, long dataOffset, long got) {
        return in.error(dataOffset + got, "the data ran out: dimensions " + dimsText(dims) + " need "
                + size + " data bytes from offset " + dataOffset + " (a stream of " + (dataOffset + size)
                + " bytes), but only " + got + " are there");
    }

    /** Names the IDX element types, so an error says what the file holds, not only a number. */
    static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned byte";
            case 0x09 -> "signed byte";
            case 0x0B -> "16-bit integer";
            case 0x0C -> "32-bit integer";
            case 0x0D -> "32-bit float";
            case 0x0E -> "64-bit float";
            default -> "not an IDX type";
        };
    }

    /** Joins dimensions with ×, the way messages show shapes. */
    static String dimsText(int[] dims) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            sb.append(i == 0 ? "" : "×").append(dims[i]);
        }
        return sb.toString();
    }

    /**
     * Tracks the offset in the (decompressed) stream, so that every error, including one thrown by
     * the gzip decoder on a damaged file, can say where it happened.
     */
    private static final class CountingInput {
        final InputStream in;
        final Path file;
        final boolean gzipped;
        long position;

        CountingInput(InputStream in, Path file, boolean gzipped) {
            this.in = in;
            this.file = file;
            this.gzipped = gzipped;
        }

        /** Reads up to {@code len} bytes, fewer only at end of stream; returns how many were read. */
        int readFully(byte[] dst, int off, int len) throws IOException {
            int done = 0;
            while (done < len) {
                int n;
                try {
                    n = in.read(dst, off + done, len - done);
                } catch (IOException e) {
                    throw damaged(e);
                }
                if (n < 0) {
                    break;
                }
                done += n;
                position += n;
            }
            return done;
        }

        /** Counts (and discards) the bytes left in the stream. */
        long countRest() throws IOException {
            byte[] sink = new byte[8192];
            long extra = 0;
            while (true) {
                int n;
                try {
                    n = in.read(sink);
                } catch (IOException e) {
                    throw damaged(e);
                }
                if (n < 0) {
                    return extra;
                }
                extra += n;
                position += n;
            }
        }

        DataFileException error(long offset, String problem) {
            return DataFileException.at(file, offset, gzipped, problem);
        }

        /** A read failure inside the stream: for gzip, a truncated or corrupt compressed file. */
        private DataFileException damaged(IOException e) {
            String what = gzipped ? "the gzip stream is truncated or corrupt (" : "reading failed (";
            return new DataFileException(DataFileException.where(file, position, gzipped) + what
                    + IoErrors.reason(e) + ")", file, position, e);
        }
    }
}
