package org.deeprelax.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench/gpu-check.sh}'s verdict, run for real against a stand-in {@code .device}: its {@code java}
 * replays what the JUnit console launcher printed (recorded on a machine without a GPU by that very
 * script, and variants of it), and a stand-in {@code nvidia-smi} on {@code PATH} lists a GPU or none.
 * The check passes with every CUDA test skipped only where no GPU is listed; where one is, a skip, a
 * backend that did not open, a failure, a run with no tests or a failed benchmark each make it fail.
 */
class GpuCheckScriptTest {

    private static final Path ROOT = Files.isRegularFile(Path.of("bench/gpu-check.sh")) ? Path.of("")
            : Path.of("..");

    @TempDir
    Path tmp;

    private Path fake;
    private Path device;
    private Path bin;

    private static String fixture(String name) throws IOException {
        try (InputStream in = GpuCheckScriptTest.class.getResourceAsStream("gpu-check/" + name)) {
            assertTrue(in != null, "fixture " + name + " is missing");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Path executable(Path file, String text) throws IOException {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    @BeforeEach
    void standInDevice() throws IOException {
        fake = Files.createDirectory(tmp.resolve("fake"));
        device = tmp.resolve("device");
        Files.createDirectories(device.resolve("jre/bin"));
        Files.createDirectories(device.resolve("jars"));
        Files.writeString(device.resolve("jars/deeprelax-cuda-tests.jar"), "stand-in");
        Files.writeString(device.resolve("junit-platform-console-standalone.jar"), "stand-in");
        executable(device.resolve("jre/bin/java"), """
                #!/bin/bash
                printf '%s\\n' "$*" >> "$FAKE/args.txt"
                case " $* " in
                  *" -version "*) echo 'openjdk version "25.0.1" 2025-10-21' >&2; exit 0 ;;
                  *" execute "*) cat "$FAKE/console.txt"; exit "$(cat "$FAKE/console.rc")" ;;
                  *" discover "*) cat "$FAKE/discover.txt"; exit 0 ;;
                  *" org.deeprelax.cuda.GpuBench "*) cat "$FAKE/bench.txt"; exit "$(cat "$FAKE/bench.rc")" ;;
                esac
                echo "stand-in java: unexpected arguments $*" >&2
                exit 99
                """);
        executable(fake.resolve("python"), """
                #!/bin/bash
                echo "DEVICE NVIDIA H200 torch 2.11.0 cudnn 91900"
                echo "RESULT sgemm4096 2.6000 2.5000"
                echo "RESULT conv1_fwd 0.1000 0.0900"
                """);
        Files.writeString(fake.resolve("discover.txt"), fixture("discover-toolchain.txt"));
        Files.writeString(fake.resolve("bench.txt"), "DEVICE NVIDIA H200\nRESULT sgemm4096 2.8600 2.8000\n"
                + "RESULT conv1_fwd 0.1200 0.1100\n");
        Files.writeString(fake.resolve("bench.rc"), "0");
        bin = Files.createDirectory(tmp.resolve("bin"));
    }

    private void gpus(boolean listed) throws IOException {
        executable(bin.resolve("nvidia-smi"), listed ? """
                #!/bin/bash
                case "$1" in
                  -L) echo "GPU 0: NVIDIA H200 (UUID: GPU-00000000-0000-0000-0000-000000000000)" ;;
                  *) echo "NVIDIA H200, 580.95.05, 143771 MiB" ;;
                esac
                """ : """
                #!/bin/bash
                echo "No devices were found"
                exit 6
                """);
    }

    private void console(String output, int rc) throws IOException {
        Files.writeString(fake.resolve("console.txt"), output);
        Files.writeString(fake.resolve("console.rc"), Integer.toString(rc));
    }

    private record Result(int exit, String output) {
    }

    private Result check(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", ROOT.resolve("bench/gpu-check.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("PATH", bin + ":/usr/bin:/bin");
        env.put("FAKE", fake.toString());
        env.put("DEEPRELAX_DEVICE_DIR", device.toString());
        env.put("OUT", tmp.resolve("out").toString());
        env.put("TORCH_PYTHON", fake.resolve("python").toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "gpu-check.sh timed out:\n" + out);
        return new Result(p.exitValue(), out);
    }

    /**
     * The recorded run with the GPU present: the reason blocks and the backend's skip notice give way to
     * its "GPU tests run on" line, every aborted test passes, the counts follow.
     */
    static String passing(String noGpu) {
        StringBuilder out = new StringBuilder();
        boolean inReason = false;
        int aborted = 0;
        for (String line : noGpu.split("\n", -1)) {
            if (line.startsWith("GPU tests skipped: ")) {
                inReason = true;
                out.append("GPU tests run on cuda:0: NVIDIA H200\n");
                continue;
            }
            if (inReason) {
                inReason = !line.startsWith("Install ");
                continue;
            }
            int mark = line.indexOf(" ■ Assumption failed: ");
            if (mark >= 0) {
                out.append(line, 0, mark).append(" ✔\n");
                aborted++;
                continue;
            }
            if (line.startsWith("│") && !line.contains("─ ")) {
                continue;                                  // a reason's continuation line
            }
            out.append(line).append('\n');
        }
        String text = out.toString();
        int passed = Integer.parseInt(text.replaceAll("(?s).*\\[ *(\\d+) tests successful *\\].*", "$1"));
        return text.replaceAll("\\[ *\\d+ tests aborted *\\]", "[         0 tests aborted         ]")
                .replaceAll("\\[ *\\d+ tests successful *\\]", "[        " + (passed + aborted) + " tests successful      ]");
    }

    @Test
    void withoutAGpuTheSkippedTestsPassTheCheckAndAreNamedWithTheirReason() throws Exception {
        gpus(false);
        console(fixture("console-no-gpu.txt"), 0);
        Result r = check("--tests-only");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().contains("gpu-check: no GPU here"), r.output());
        assertTrue(r.output().contains("gpu-check: 10 test classes found: "), r.output());
        for (String cls : List.of("CudaBackendTest", "PhiloxCudaTest", "MnistFcGpuTest")) {
            assertTrue(r.output().matches("(?s).*gpu-check: skipped: " + cls
                    + ", (\\d+) of \\1 tests: no usable GPU: cannot find libcuda.so.1; searched:.*"), r.output());
        }
        assertTrue(r.output().contains("gpu-check: left to CI (tagged toolchain: they need a compiler, not a GPU): "
                + "CompanionPreloadTest."), r.output());
        assertTrue(r.output().matches("(?s).*\ntests: \\d+ passed, 0 failed, \\d+ skipped \\(of \\d+ found.*"),
                r.output());
        assertTrue(!r.output().contains("FAIL"), r.output());
        assertTrue(r.output().endsWith("gpu-check: PASS\n"), r.output());
        String args = Files.readString(fake.resolve("args.txt"));
        for (String a : List.of("--enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector",
                "execute", "--select-package org.deeprelax.cuda", "--exclude-tag toolchain", "--fail-if-no-tests")) {
            assertTrue(args.contains(a), "the launcher is run with " + a + ":\n" + args);
        }
    }

    @Test
    void withAGpuTheSameSkipsFailTheCheck() throws Exception {
        gpus(true);
        console(fixture("console-no-gpu.txt"), 0);
        Result r = check();
        assertEquals(1, r.exit(), r.output());
        assertTrue(r.output().contains("gpu-check: nvidia-smi lists 1 GPU(s)"), r.output());
        assertTrue(r.output().contains("gpu-check: FAIL: the CUDA backend did not open on a machine with a GPU: "
                + "no usable GPU: cannot find libcuda.so.1"), r.output());
        assertTrue(r.output().matches("(?s).*gpu-check: FAIL: \\d+ tests skipped or aborted on a machine with a GPU.*"),
                r.output());
        assertTrue(r.output().endsWith("gpu-check: FAILED (the FAIL lines above say why)\n"), r.output());
    }

    @Test
    void withAGpuEveryTestPassingAndTheBenchmarkRunPassesAndTabulates() throws Exception {
        gpus(true);
        console(passing(fixture("console-no-gpu.txt")), 0);
        Result r = check("5");
        assertEquals(0, r.exit(), r.output());
        assertTrue(r.output().matches("(?s).*\ntests: \\d+ passed, 0 failed, 0 skipped.*"), r.output());
        assertTrue(r.output().contains("| sgemm4096            |           2.8600 |           2.6000 |     1.10 |"),
                r.output());
        assertTrue(r.output().contains("| conv1_bwd_data       |                - |                - |        - |"),
                r.output());
        assertTrue(r.output().contains("SGEMM 4096: 48.1 TFLOP/s (DeepRelax)"), r.output());
        assertTrue(r.output().endsWith("gpu-check: PASS\n"), r.output());
        assertTrue(Files.readString(fake.resolve("args.txt")).contains("org.deeprelax.cuda.GpuBench 5"));
    }

    @Test
    void withAGpuABenchmarkThatFailsOrABackendThatDidNotOpenFails() throws Exception {
        gpus(true);
        console(passing(fixture("console-no-gpu.txt")), 0);
        Files.writeString(fake.resolve("bench.rc"), "1");
        Result bench = check();
        assertEquals(1, bench.exit(), bench.output());
        assertTrue(bench.output().contains("gpu-check: FAIL: GpuBench failed"), bench.output());
        console(passing(fixture("console-no-gpu.txt")).replace("GPU tests run on cuda:0: NVIDIA H200\n", ""), 0);
        Result silent = check("--tests-only");
        assertEquals(1, silent.exit(), silent.output());
        assertTrue(silent.output().contains("gpu-check: FAIL: the CUDA backend did not open on a machine with a GPU: "
                + "no reason printed"), silent.output());
    }

    @Test
    void aFailedTestFailsTheCheckWithOrWithoutAGpu() throws Exception {
        String recorded = fixture("console-no-gpu.txt");
        String failing = recorded.replaceFirst("(│  │  ├─ \\w+\\(\\)) ✔", "$1 ✘ expected: <1.0> but was: <2.0>")
                .replaceAll("\\[ *0 tests failed *\\]", "[         1 tests failed          ]");
        for (boolean listed : new boolean[] {false, true}) {
            gpus(listed);
            console(failing, 1);
            Result r = check("--tests-only");
            assertEquals(1, r.exit(), r.output());
            assertTrue(r.output().contains("gpu-check: FAIL: 1 tests failed"), r.output());
        }
    }

    @Test
    void noTestsFoundFailsTheCheckEvenWhenTheLauncherExitsZero() throws Exception {
        gpus(false);
        for (int rc : new int[] {2, 0}) {
            console(fixture("console-no-tests.txt"), rc);
            Result r = check("--tests-only");
            assertEquals(1, r.exit(), r.output());
            assertTrue(r.output().contains("gpu-check: FAIL: no test ran (the console launcher found 0 tests; exit "
                    + rc + ")"), r.output());
        }
    }

    @Test
    void aMissingRuntimeOrLauncherStopsAtOnceSayingWhatToRun() throws Exception {
        gpus(true);
        Files.delete(device.resolve("junit-platform-console-standalone.jar"));
        Result launcher = check();
        assertEquals(2, launcher.exit(), launcher.output());
        assertTrue(launcher.output().contains("run bench/gpu-prepare.sh"), launcher.output());
        Files.delete(device.resolve("jre/bin/java"));
        Result runtime = check();
        assertEquals(2, runtime.exit(), runtime.output());
        assertTrue(runtime.output().contains("no Java 25 runtime at " + device.resolve("jre")), runtime.output());
    }
}
