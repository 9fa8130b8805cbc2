package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/jdk25.sh}, the one place where {@code ./deeprelax}, {@code ./run-tests}, {@code .ci/run} and
 * the GPU scripts find JDK 25, read the JVM flags and decide whether the jar is stale; run with bash on
 * stand-in JDKs and a stand-in source tree.
 */
class LauncherScriptsTest {

    private static final Path ROOT = (Files.isRegularFile(Path.of("scripts/jdk25.sh")) ? Path.of("") : Path.of(".."))
            .toAbsolutePath().normalize();

    private record Result(int exit, String stdout, String stderr) {
    }

    private static Result bash(String script, Map<String, String> env, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).directory(dir.toFile());
        pb.environment().remove("JAVA_HOME");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), script + " timed out");
        return new Result(p.exitValue(), out, err);
    }

    /** A stand-in JDK whose java prints the version line of {@code version}. */
    private static Path jdk(Path dir, String version) throws IOException {
        Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("java", "javac")) {
            Path f = dir.resolve("bin").resolve(tool);
            Files.writeString(f, "#!/bin/sh\necho 'openjdk version \"" + version + "\" 2025-10-21' >&2\n");
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return dir;
    }

    @Test
    void withOnlyJava17AroundTheTestCommandFailsAtOnceWithOneLine(@TempDir Path tmp) throws Exception {
        Path java17 = jdk(tmp.resolve("jvm/java-17-openjdk-amd64"), "17.0.16");
        Map<String, String> env = Map.of("PATH", java17.resolve("bin") + ":/usr/bin:/bin",
                "DEEPRELAX_JDK_DIRS", tmp.resolve("jvm") + "/*");
        Result r = bash(ROOT.resolve("run-tests") + " -q", env, tmp);
        assertEquals(1, r.exit(), r.stderr());
        assertEquals("", r.stdout());
        List<String> lines = r.stderr().lines().toList();
        assertEquals(1, lines.size(), r.stderr());
        assertTrue(lines.getFirst().startsWith("run-tests: no JDK 25 found ("), r.stderr());
        assertTrue(lines.getFirst().contains("java on PATH is " + java17.toRealPath()), r.stderr());
        assertTrue(lines.getFirst().endsWith("install a JDK 25, for example Temurin 25, and set JAVA_HOME to it"),
                r.stderr());
    }

    @Test
    void aJdk25IsFoundBesideAJava17OnPathAndJavaHomeWinsWhenItIs25(@TempDir Path tmp) throws Exception {
        Path java17 = jdk(tmp.resolve("jvm/java-17-openjdk-amd64"), "17.0.16");
        Path java25 = jdk(tmp.resolve("jvm/temurin-25-jdk-amd64"), "25.0.1");
        Path other25 = jdk(tmp.resolve("elsewhere/jdk-25"), "25.0.2");
        String script = ". " + ROOT.resolve("scripts/jdk25.sh") + " && deeprelax_use_jdk25 t && echo \"$JAVA_HOME\"";
        Map<String, String> env = Map.of("PATH", java17.resolve("bin") + ":/usr/bin:/bin",
                "DEEPRELAX_JDK_DIRS", tmp.resolve("jvm") + "/*");
        assertEquals(java25.toString(), bash(script, env, tmp).stdout().strip());
        Map<String, String> withHome = new java.util.HashMap<>(env);
        withHome.put("JAVA_HOME", other25.toString());
        assertEquals(other25.toString(), bash(script, withHome, tmp).stdout().strip());
        withHome.put("JAVA_HOME", java17.toString());
        assertEquals(java25.toString(), bash(script, withHome, tmp).stdout().strip(), "a JAVA_HOME of 17 is passed over");
    }

    @Test
    void theFlagsAreThePomsProperty() throws Exception {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        String property = pom.replaceAll("(?s).*<deeprelax.jvm.flags>(.*?)</deeprelax.jvm.flags>.*", "$1");
        Result r = bash(". scripts/jdk25.sh && deeprelax_jvm_flags", Map.of(), ROOT);
        assertEquals(0, r.exit(), r.stderr());
        assertEquals(property, r.stdout().strip());
        assertTrue(property.contains("--enable-native-access=ALL-UNNAMED") && property.contains("jdk.incubator.vector"));
    }

    @Test
    void theJarIsStaleWhenAnySourceKernelResourceOrPomIsNewerButNotATest(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("repo");
        Files.createDirectories(root.resolve("scripts"));
        Files.copy(ROOT.resolve("scripts/jdk25.sh"), root.resolve("scripts/jdk25.sh"));
        List<Path> sources = new ArrayList<>();
        for (String f : List.of("pom.xml", "cuda/pom.xml", "core/src/main/java/org/x/A.java",
                "cuda/src/main/resources/org/deeprelax/cuda/kernels/updates.cu",
                "cuda/src/main/resources/org/deeprelax/cuda/kernels/philox.cuh",
                "cli/src/main/resources/META-INF/services/org.x.Provider")) {
            Path p = root.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "x");
            sources.add(p);
        }
        List<Path> ignored = new ArrayList<>();                  // build output and tests never count
        for (String f : List.of("cuda/target/classes/org/deeprelax/cuda/kernels/updates.cu",
                "core/src/test/java/org/x/ATest.java")) {
            Path p = root.resolve(f);
            Files.createDirectories(p.getParent());
            Files.writeString(p, "x");
            ignored.add(p);
        }
        Path jar = root.resolve("cli/target/deeprelax.jar");
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "jar");
        FileTime old = FileTime.fromMillis(System.currentTimeMillis() - 3_600_000);
        FileTime built = FileTime.fromMillis(System.currentTimeMillis() - 1_800_000);
        FileTime now = FileTime.fromMillis(System.currentTimeMillis());
        String stale = ". scripts/jdk25.sh && deeprelax_stale_source cli/target/deeprelax.jar";
        for (Path changed : sources) {
            for (Path s : sources) {
                Files.setLastModifiedTime(s, old);
            }
            for (Path i : ignored) {
                Files.setLastModifiedTime(i, now);
            }
            Files.setLastModifiedTime(jar, built);
            assertEquals("", bash(stale, Map.of(), root).stdout(), "up to date");
            Files.setLastModifiedTime(changed, now);
            assertEquals(changed.toString(), bash(stale, Map.of(), root).stdout().strip(), "stale by " + changed);
        }
    }
}
