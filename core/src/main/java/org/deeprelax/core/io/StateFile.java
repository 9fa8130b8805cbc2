package org.deeprelax.core.io;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * A checkpoint: named sections of floats, longs or text, written atomically and read back with every
 * length and checksum checked. Models, optimizers and the training loop each put their own sections,
 * under their own prefix, into one file.
 *
 * <p>Layout (big-endian): the 8 bytes {@code DRLXSTAT}, an int version, an int section count, then per
 * section a UTF name, a type byte ({@code F}, {@code L} or {@code S}), an int length, the data and the
 * CRC32C of the section's bytes from its name to its last data byte; the file ends with the CRC32C of
 * every byte before it. The section checksums say which part of a damaged file is damaged; the file's
 * covers the header and the section count, which no section checksum does.
 *
 * <p>Readers check what they take: {@link #getLong(String, long, long)} a single value and its range,
 * {@link #getFiniteFloats} the length and that every value is finite; {@link #invalid} words any other
 * problem the same way, naming the file, the section and the byte offset.
 */
public final class StateFile {

    private static final byte[] MAGIC = "DRLXSTAT".getBytes(StandardCharsets.US_ASCII);
    /** Version 2 added the checksums; version 1 files have none and are refused. */
    private static final int VERSION = 2;
    private static final int HEADER = MAGIC.length + 8;
    private static final int CHECKSUM = 4;

    private final Map<String, Object> sections = new LinkedHashMap<>();
    /** Byte offset of each section's first data byte, for messages; empty for a state not read from a file. */
    private final Map<String, Long> dataOffsets = new HashMap<>();
    private final String source;

    /** Creates an empty state to fill and write. */
    public StateFile() {
        this("a new state");
    }

    private StateFile(String source) {
        this.source = source;
    }

    /**
     * Returns where this state was read from, for messages.
     *
     * @return where this state was read from, for messages
     */
    public String source() {
        return source;
    }

    /**
     * Adds a section of floats.
     *
     * @param name section name
     * @param data the values (kept, not copied)
     */
    public void putFloats(String name, float[] data) {
        sections.put(name, data);
    }

    /**
     * Adds a section of longs.
     *
     * @param name section name
     * @param data the values (kept, not copied)
     */
    public void putLongs(String name, long[] data) {
        sections.put(name, data);
    }

    /**
     * Adds a section of text.
     *
     * @param name section name
     * @param text the text
     */
    public void putString(String name, String text) {
        sections.put(name, text);
    }

    /**
     * Tells whether a section exists.
     *
     * @param name section name
     * @return whether it exists
     */
    public boolean has(String name) {
        return sections.containsKey(name);
    }

    /**
     * Reads a section of floats.
     *
     * @param name section name
     * @return its floats
     * @throws IllegalArgumentException if absent or of another type
     */
    public float[] getFloats(String name) {
        return get(name, float[].class);
    }

    /**
     * Reads a section of floats that must hold a given number of finite values.
     *
     * @param name section name
     * @param length how many values it must hold
     * @return its floats
     * @throws IllegalArgumentException if absent, of another type or length, or a value is NaN or infinite,
     *         naming the section and the byte offset
     */
    public float[] getFiniteFloats(String name, int length) {
        float[] f = getFloats(name);
        if (f.length != length) {
            throw invalid(name, -1, "it holds " + f.length + " values, " + length + " were expected");
        }
        for (int i = 0; i < f.length; i++) {
            if (!Float.isFinite(f[i])) {
                throw invalid(name, 4L * i, "value " + i + " is " + f[i] + ", but every value must be finite");
            }
        }
        return f;
    }

    /**
     * Reads a section of longs.
     *
     * @param name section name
     * @return its longs
     * @throws IllegalArgumentException if absent or of another type
     */
    public long[] getLongs(String name) {
        return get(name, long[].class);
    }

    /**
     * Reads a section that must hold one long within a range.
     *
     * @param name section name
     * @param min the smallest value allowed
     * @param max the largest value allowed
     * @return the section's one value
     * @throws IllegalArgumentException if absent, of another type, not exactly one value, or out of range,
     *         naming the section and the byte offset
     */
    public long getLong(String name, long min, long max) {
        long[] v = getLongs(name);
        if (v.length != 1) {
            throw invalid(name, -1, "it holds " + v.length + " values, one was expected");
        }
        if (v[0] < min || v[0] > max) {
            throw invalid(name, 0, "it holds " + v[0] + ", outside the allowed [" + min + ", " + max + "]");
        }
        return v[0];
    }

    /**
     * Reads a section of text.
     *
     * @param name section name
     * @return its text
     * @throws IllegalArgumentException if absent or of another type
     */
    public String getString(String name) {
        return get(name, String.class);
    }

    /**
     * Words a problem with a section's contents the way every other error of this class is worded.
     *
     * @param name the section
     * @param byteInSection the offset of the offending value within the section's data, or -1 for the
     *        section as a whole
     * @param problem what is wrong
     * @return the exception to throw: "FILE: section 'NAME' at byte offset N: PROBLEM"
     */
    public IllegalArgumentException invalid(String name, long byteInSection, String problem) {
        Long start = dataOffsets.get(name);
        String where = start == null ? "" : " at byte offset " + (start + Math.max(0, byteInSection));
        return new IllegalArgumentException(source + ": section '" + name + "'" + where + ": " + problem);
    }

    private <T> T get(String name, Class<T> type) {
        Object v = sections.get(name);
        if (v == null) {
            throw new IllegalArgumentException(source + " has no section '" + name + "'");
        }
        if (!type.isInstance(v)) {
            throw invalid(name, -1, "it is not of type " + type.getSimpleName());
        }
        return type.cast(v);
    }

    /**
     * Returns the file's bytes, as {@link #write} stores them.
     *
     * @return the file's bytes, as {@link #write} stores them
     */
    public byte[] toBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(sections.size());
            for (Map.Entry<String, Object> e : sections.entrySet()) {
                int start = out.size();
                out.writeUTF(e.getKey());
                switch (e.getValue()) {
                    case float[] f -> {
                        out.writeByte('F');
                        out.writeInt(f.length);
                        ByteBuffer b = ByteBuffer.allocate(4 * f.length);
                        b.asFloatBuffer().put(f);
                        out.write(b.array());
                    }
                    case long[] l -> {
                        out.writeByte('L');
                        out.writeInt(l.length);
                        for (long v : l) {
                            out.writeLong(v);
                        }
                    }
                    case String s -> {
                        byte[] utf = s.getBytes(StandardCharsets.UTF_8);
                        out.writeByte('S');
                        out.writeInt(utf.length);
                        out.write(utf);
                    }
                    default -> throw new IllegalStateException("unexpected section type " + e.getValue().getClass());
                }
                out.flush();
                out.writeInt(crc(bytes.toByteArray(), start, out.size()));
            }
            out.flush();
            byte[] body = bytes.toByteArray();
            out.writeInt(crc(body, 0, body.length));
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes to a temporary file beside {@code path}, syncs it and renames it over {@code path}, so a crash
     * never leaves a half-written checkpoint where a good one was.
     *
     * @param path the destination
     */
    public void write(Path path) {
        AtomicFiles.write(path, toBytes());
    }

    /**
     * Reads a state written by {@link #write}, checking every section's checksum and the file's.
     *
     * @param path the file
     * @return its sections
     * @throws IllegalArgumentException if the file is not a state file, is truncated or damaged, naming the
     *         file, the section and the byte offset
     */
    public static StateFile read(Path path) {
        byte[] all;
        try {
            all = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path + " (" + IoErrors.describe(e) + ")", e);
        }
        return parse(path.toString(), all);
    }

    /**
     * Reads a state from the bytes {@link #toBytes} gave, checking every section's checksum and the whole's,
     * as {@link #read} does for a file (a state sent from one process to another).
     *
     * @param source what the bytes are, for messages (such as the file they came from)
     * @param all the bytes
     * @return the sections
     * @throws IllegalArgumentException if the bytes are not a state, are truncated or damaged, naming the
     *         source, the section and the byte offset
     */
    public static StateFile parse(String source, byte[] all) {
        StateFile state = new StateFile(source);
        ByteBuffer in = ByteBuffer.wrap(all);
        if (all.length < HEADER || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException(source + " is not a DeepRelax checkpoint (byte offset 0 does not start with DRLXSTAT"
                    + (all.length < HEADER ? ", and the file holds only " + all.length + " bytes)" : ")"));
        }
        in.position(MAGIC.length);
        int version = in.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException(source + ": checkpoint version " + version + " at byte offset 8; this build reads "
                    + VERSION + (version == 1 ? " (version 1 had no checksums: train the run again)" : ""));
        }
        // The file's checksum is checked after the sections, whose own checksums can say where damage is;
        // but a structural error in a damaged file is reported together with the checksum's verdict.
        boolean fileIntact = all.length >= HEADER + CHECKSUM
                && crc(all, 0, all.length - CHECKSUM) == ByteBuffer.wrap(all, all.length - CHECKSUM, CHECKSUM).getInt();
        String verdict = fileIntact ? "" : "; the file's checksum does not match: it is truncated or damaged";
        int count = in.getInt();
        if (count < 0) {
            throw new IllegalArgumentException(source + ": the section count at byte offset 12 is " + count + verdict);
        }
        for (int s = 0; s < count; s++) {
            int start = in.position();
            need(source, in, 2, "the name of section " + s, verdict);
            int nameLen = Short.toUnsignedInt(in.getShort());
            need(source, in, nameLen + 5L, "section " + s, verdict);
            byte[] nb = new byte[nameLen];
            in.get(nb);
            String name = new String(nb, StandardCharsets.UTF_8);
            byte type = in.get();
            int len = in.getInt();
            int width = switch (type) {
                case 'F' -> 4;
                case 'L' -> 8;
                case 'S' -> 1;
                default -> throw new IllegalArgumentException(source + ": section '" + name + "' has unknown type byte "
                        + type + " at byte offset " + (in.position() - 5) + verdict);
            };
            if (len < 0) {
                throw new IllegalArgumentException(source + ": section '" + name + "' has negative length " + len
                        + " at byte offset " + (in.position() - 4) + verdict);
            }
            long dataStart = in.position();
            need(source, in, (long) width * len + CHECKSUM, "section '" + name + "'", verdict);
            int dataEnd = (int) (dataStart + (long) width * len);
            int stored = ByteBuffer.wrap(all, dataEnd, CHECKSUM).getInt();
            int computed = crc(all, start, dataEnd);
            if (stored != computed) {
                throw new IllegalArgumentException(String.format(
                        "%s: section '%s' (byte offsets %d to %d) is damaged: its CRC32C is 0x%08x, but the checksum "
                                + "stored at byte offset %d is 0x%08x", source, name, start, dataEnd - 1, computed, dataEnd, stored));
            }
            Object value = switch (type) {
                case 'F' -> {
                    float[] f = new float[len];
                    in.asFloatBuffer().get(f);
                    yield f;
                }
                case 'L' -> {
                    long[] l = new long[len];
                    in.asLongBuffer().get(l);
                    yield l;
                }
                default -> new String(all, (int) dataStart, len, StandardCharsets.UTF_8);
            };
            if (state.sections.put(name, value) != null) {
                throw new IllegalArgumentException(source + ": section '" + name + "' at byte offset " + start
                        + " appears twice" + verdict);
            }
            state.dataOffsets.put(name, dataStart);
            in.position(dataEnd + CHECKSUM);
        }
        if (in.remaining() != CHECKSUM) {
            throw new IllegalArgumentException(source + ": after the last section, at byte offset " + in.position() + ", "
                    + in.remaining() + " bytes remain where the 4-byte file checksum should end the file" + verdict);
        }
        if (!fileIntact) {
            throw new IllegalArgumentException(String.format("%s: the file's checksum at byte offset %d does not match: "
                    + "the header (byte offsets 0 to %d) or the checksum itself is damaged", source, in.position(), HEADER - 1));
        }
        return state;
    }

    private static int crc(byte[] b, int from, int to) {
        CRC32C c = new CRC32C();
        c.update(b, from, to - from);
        return (int) c.getValue();
    }

    private static void need(String source, ByteBuffer in, long bytes, String what, String verdict) {
        if (in.remaining() < bytes) {
            throw new IllegalArgumentException(source + ": " + what + " needs " + bytes + " bytes at byte offset "
                    + in.position() + ", but the file ends at " + in.limit() + verdict);
        }
    }
}
