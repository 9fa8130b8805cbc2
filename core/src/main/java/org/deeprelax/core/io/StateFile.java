package org.deeprelax.core.io;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A checkpoint: named sections of floats, longs or text, written atomically and read back with every
 * length checked. Models, optimizers and the training loop each put their own sections, under their own
 * prefix, into one file.
 *
 * <p>Layout (big-endian): the 8 bytes {@code DRLXSTAT}, an int version, an int section count, then per
 * section a UTF name, a type byte ({@code F}, {@code L} or {@code S}), an int length and the data.
 */
public final class StateFile {

    private static final byte[] MAGIC = "DRLXSTAT".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;

    private final Map<String, Object> sections = new LinkedHashMap<>();
    private final String source;

    /** Creates an empty state to fill and write. */
    public StateFile() {
        this("a new state");
    }

    private StateFile(String source) {
        this.source = source;
    }

    /** @return where this state was read from, for messages */
    public String source() {
        return source;
    }

    /** @param name section name @param data the values (kept, not copied) */
    public void putFloats(String name, float[] data) {
        sections.put(name, data);
    }

    /** @param name section name @param data the values (kept, not copied) */
    public void putLongs(String name, long[] data) {
        sections.put(name, data);
    }

    /** @param name section name @param text the text */
    public void putString(String name, String text) {
        sections.put(name, text);
    }

    /** @param name section name @return whether it exists */
    public boolean has(String name) {
        return sections.containsKey(name);
    }

    /** @param name section name @return its floats @throws IllegalArgumentException if absent or of another type */
    public float[] getFloats(String name) {
        return get(name, float[].class);
    }

    /** @param name section name @return its longs @throws IllegalArgumentException if absent or of another type */
    public long[] getLongs(String name) {
        return get(name, long[].class);
    }

    /** @param name section name @return its text @throws IllegalArgumentException if absent or of another type */
    public String getString(String name) {
        return get(name, String.class);
    }

    private <T> T get(String name, Class<T> type) {
        Object v = sections.get(name);
        if (v == null) {
            throw new IllegalArgumentException(source + " has no section '" + name + "'");
        }
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException(source + ": section '" + name + "' is not of type " + type.getSimpleName());
        }
        return type.cast(v);
    }

    /**
     * Writes to a temporary file beside {@code path}, then renames it over {@code path}, so a crash
     * never leaves a half-written checkpoint where a good one was.
     *
     * @param path the destination
     */
    public void write(Path path) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(sections.size());
            for (Map.Entry<String, Object> e : sections.entrySet()) {
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
            }
            out.flush();
            AtomicFiles.write(path, bytes.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a state written by {@link #write}.
     *
     * @param path the file
     * @return its sections
     * @throws IllegalArgumentException if the file is not a state file or is truncated, naming the byte offset
     */
    public static StateFile read(Path path) {
        byte[] all;
        try {
            all = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + path + ": " + e.getMessage(), e);
        }
        StateFile state = new StateFile(path.toString());
        ByteBuffer in = ByteBuffer.wrap(all);
        need(path, in, MAGIC.length + 8, "the header");
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException(path + " is not a DeepRelax checkpoint (byte offset 0 does not start with DRLXSTAT)");
        }
        int version = in.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException(path + ": checkpoint version " + version + " at byte offset 8; this build reads " + VERSION);
        }
        int count = in.getInt();
        for (int s = 0; s < count; s++) {
            need(path, in, 2, "a section name");
            int nameLen = Short.toUnsignedInt(in.getShort());
            need(path, in, nameLen + 5, "section " + s);
            byte[] nb = new byte[nameLen];
            in.get(nb);
            String name = new String(nb, StandardCharsets.UTF_8);
            byte type = in.get();
            int len = in.getInt();
            if (len < 0) {
                throw new IllegalArgumentException(path + ": section '" + name + "' has negative length at byte offset " + (in.position() - 4));
            }
            switch (type) {
                case 'F' -> {
                    need(path, in, 4L * len, "section '" + name + "'");
                    float[] f = new float[len];
                    in.asFloatBuffer().get(f);
                    in.position(in.position() + 4 * len);
                    state.sections.put(name, f);
                }
                case 'L' -> {
                    need(path, in, 8L * len, "section '" + name + "'");
                    long[] l = new long[len];
                    in.asLongBuffer().get(l);
                    in.position(in.position() + 8 * len);
                    state.sections.put(name, l);
                }
                case 'S' -> {
                    need(path, in, len, "section '" + name + "'");
                    byte[] b = new byte[len];
                    in.get(b);
                    state.sections.put(name, new String(b, StandardCharsets.UTF_8));
                }
                default -> throw new IllegalArgumentException(path + ": section '" + name + "' has unknown type byte "
                        + type + " at byte offset " + (in.position() - 5));
            }
        }
        if (in.hasRemaining()) {
            throw new IllegalArgumentException(path + ": " + in.remaining() + " unexpected bytes after the last section, at byte offset " + in.position());
        }
        return state;
    }

    private static void need(Path path, ByteBuffer in, long bytes, String what) {
        if (in.remaining() < bytes) {
            throw new IllegalArgumentException(path + " is truncated: " + what + " needs " + bytes
                    + " bytes at byte offset " + in.position() + ", but the file ends at " + in.limit());
        }
    }
}
