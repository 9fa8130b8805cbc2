package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * The host's C and C++ compilers for tests that build a small native program or library (tests tagged
 * {@code toolchain}): found on {@code PATH}, or the test is skipped saying which compiler was missing.
 */
public final class HostCompiler {

    private HostCompiler() {
    }

    /**
     * @param name {@code gcc} or {@code g++}
     * @return its path; skips the calling test where it is not on {@code PATH}
     */
    public static Path require(String name) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                Path p = Path.of(d.isEmpty() ? "." : d, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        Assumptions.abort(name + " not found on PATH (" + path + ")");
        return null;
    }

    /**
     * Runs a command and fails the test, showing its output, unless it exits 0 within two minutes.
     *
     * @param command the program and its arguments
     * @return what it printed (stdout and stderr together)
     * @throws IOException if it cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + ": timed out");
        assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    /**
     * Compiles C sources into a shared library.
     *
     * @param output the {@code .so} to write
     * @param soname its {@code DT_SONAME}, or null for none
     * @param sources C files
     * @param extra further gcc arguments (libraries to link, ...)
     * @return {@code output}
     * @throws IOException if gcc cannot be started
     * @throws InterruptedException if interrupted while waiting
     */
    public static Path sharedLibrary(Path output, String soname, List<Path> sources, String... extra)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(require("gcc").toString(), "-shared", "-fPIC", "-o",
                output.toString()));
        if (soname != null) {
            cmd.add("-Wl,-soname," + soname);
        }
        for (Path s : sources) {
            cmd.add(s.toString());
        }
        cmd.addAll(List.of(extra));
        run(cmd);
        return output;
    }
}
