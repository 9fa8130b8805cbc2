package org.deeprelax.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeprelax.cuda.bindings.Nvrtc;

/**
 * Compiles the kernel families ({@code kernels/*.cu} resources) with NVRTC for one device architecture and
 * keeps the cubins on disk, so only the first run on a machine pays the compile (about a third of a
 * second per file). The cache key is a SHA-256 of the source, the headers, the options (which name the
 * architecture) and the NVRTC version; a file is written to a temporary name and moved into place, so
 * concurrent runs never read half a cubin.
 *
 * <p>Options: {@code --gpu-architecture=sm_XY} for the device's compute capability, {@code -default-device},
 * {@code --std=c++17}, {@code --fmad=false} (no multiply-add contraction, so the update kernels round as
 * the CPU's Java does) and no {@code --use_fast_math} (transcendentals stay the accurate versions).
 */
final class KernelCompiler {

    /** Header files among the resources that a kernel file may include, by include name. */
    private static final List<String> RESOURCE_HEADERS = List.of("philox.cuh", "blocksum.cuh");
    /** The kernel families, one file each. */
    static final List<String> FAMILIES = List.of("elementwise", "reduce", "softmax", "layernorm", "random",
            "updates");

    private final Nvrtc nvrtc;
    private final Path cacheDir;
    private final String arch;

    /**
     * A compiler for one device architecture.
     *
     * @param nvrtc the compiler
     * @param cacheDir where cubins are kept (created when missing); null disables the disk cache
     * @param ccMajor compute capability major
     * @param ccMinor compute capability minor
     */
    KernelCompiler(Nvrtc nvrtc, Path cacheDir, int ccMajor, int ccMinor) {
        this.nvrtc = nvrtc;
        this.cacheDir = cacheDir;
        this.arch = "sm_" + ccMajor + ccMinor;
    }

    /**
     * Returns the compile options for this architecture.
     *
     * @return the compile options for this architecture
     */
    List<String> options() {
        return List.of("--gpu-architecture=" + arch, "-default-device", "--std=c++17", "--fmad=false");
    }

    /**
     * The cubin of a kernel family, from the disk cache or freshly compiled.
     *
     * @param family e.g. {@code updates}
     * @return its cubin, from the cache or freshly compiled
     */
    byte[] cubin(String family) {
        String source = resource(family + ".cu");
        Map<String, String> headers = headers();
        int[] v = nvrtc.version();
        String key = hash(source, headers, options(), "nvrtc " + v[0] + "." + v[1]);
        Path file = cacheDir == null ? null : cacheDir.resolve(family + "-" + arch + "-" + key.substring(0, 24) + ".cubin");
        if (file != null && Files.isRegularFile(file)) {
            try {
                return Files.readAllBytes(file);
            } catch (IOException e) {
                // An unreadable cache entry is recompiled below.
            }
        }
        byte[] image = nvrtc.compile(source, family + ".cu", options(), headers, true);
        if (file != null) {
            try {
                Files.createDirectories(cacheDir);
                Path tmp = Files.createTempFile(cacheDir, family, ".tmp");
                Files.write(tmp, image);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // The cache is an optimisation: a read-only home directory only costs a recompile next time.
            }
        }
        return image;
    }

    /**
     * Every header a kernel file may include: the resource headers and the generated {@link OpCodes#HEADER}.
     *
     * @return include name to text, in a fixed order (it enters the cache key)
     */
    static Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h : RESOURCE_HEADERS) {
            headers.put(h, resource(h));
        }
        headers.put(OpCodes.HEADER, OpCodes.header());
        return headers;
    }

    /**
     * Reads a kernel resource.
     *
     * @param name a file under {@code org/deeprelax/cuda/kernels/}
     * @return its text
     */
    static String resource(String name) {
        String path = "/org/deeprelax/cuda/kernels/" + name;
        try (InputStream in = KernelCompiler.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel resource " + path + " is missing from the cuda module");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hash(String source, Map<String, String> headers, List<String> options, String version) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(source.getBytes(StandardCharsets.UTF_8));
            for (var e : headers.entrySet()) {
                md.update((e.getKey() + "\0" + e.getValue()).getBytes(StandardCharsets.UTF_8));
            }
            md.update(String.join("\0", options).getBytes(StandardCharsets.UTF_8));
            md.update(version.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
