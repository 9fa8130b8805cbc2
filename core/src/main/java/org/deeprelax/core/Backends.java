package org.deeprelax.core;

import java.util.ServiceLoader;

import org.deeprelax.core.cpu.CpuBackend;

/**
 * Where backends are found. The CPU backend is always there and is the default; others (CUDA) come from
 * {@link BackendProvider} services on the class path, so this module needs none of them to compile.
 */
public final class Backends {

    private Backends() {
    }

    /**
     * The pure-Java CPU backend, the default.
     *
     * @return the backend
     * @throws IllegalStateException if the JVM was started without {@code --add-modules jdk.incubator.vector},
     *     saying so (see {@link CpuBackend#get()})
     */
    public static Backend cpu() {
        return CpuBackend.get();
    }

    /**
     * Opens a CUDA backend.
     *
     * @param device the GPU ordinal
     * @return a new CUDA backend on that GPU
     * @throws IllegalStateException if the CUDA module is not on the class path, or the provider's own
     *     exception naming the missing driver, library or device
     */
    public static Backend cuda(int device) {
        return provider("cuda").create(device);
    }

    /**
     * Parses a device name: {@code cpu}, {@code cuda} (device 0), {@code cuda:N}, or {@code auto}.
     *
     * @param spec the name
     * @return the backend
     * @throws IllegalArgumentException for an unknown name
     */
    public static Backend byName(String spec) {
        String s = spec.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("cpu")) {
            return cpu();
        }
        if (s.equals("auto")) {
            return auto();
        }
        int colon = s.indexOf(':');
        String kind = colon < 0 ? s : s.substring(0, colon);
        int device = 0;
        if (colon >= 0) {
            try {
                device = Integer.parseInt(s.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + spec + "': expected " + kind + ":N with N a number");
            }
        }
        return provider(kind).create(device);
    }

    /**
     * The first CUDA device when one initialises, otherwise the CPU, with a one-line notice on stderr
     * saying why the GPU was not used.
     *
     * @return the backend
     */
    public static Backend auto() {
        try {
            return cuda(0);
        } catch (RuntimeException | LinkageError e) {
            // The first line names what is missing; drop the list of directories that follows it.
            String why = e.getMessage() == null ? e.toString()
                    : e.getMessage().lines().findFirst().orElse("").replaceFirst(";? ?searched:$", "");
            System.err.println("deeprelax: no usable GPU, running on the CPU (" + why + ")");
            return cpu();
        }
    }

    private static BackendProvider provider(String kind) {
        StringBuilder known = new StringBuilder("cpu");
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.name().equalsIgnoreCase(kind)) {
                return p;
            }
            known.append(", ").append(p.name());
        }
        if (kind.equals("cuda")) {
            throw new IllegalStateException("no CUDA backend on the class path: add the deeprelax-cuda module (known: "
                    + known + ")");
        }
        throw new IllegalArgumentException("unknown device '" + kind + "' (known: " + known + ", auto)");
    }
}
