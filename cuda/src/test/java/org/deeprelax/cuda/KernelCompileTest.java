package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles every kernel file with {@code nvcc} where it is installed, with the options NVRTC gets, so a
 * broken kernel never lands; skipped (with the reason) where there is no nvcc. The compile is tagged
 * {@code toolchain}: it needs a compiler, not a GPU, and the GPU check leaves it to CI.
 */
class KernelCompileTest {

    static Path nvcc() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getenv("CUDA_HOME");
        if (home != null) {
            candidates.add(Path.of(home, "bin", "nvcc"));
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(":")) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d, "nvcc"));
                }
            }
        }
        candidates.add(Path.of("/usr/local/cuda/bin/nvcc"));
        for (Path p : candidates) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    @Test
    @Tag("toolchain")
    void everyKernelFileCompilesWithNvcc(@TempDir Path tmp) throws Exception {
        Path nvcc = nvcc();
        Assumptions.assumeTrue(nvcc != null, "nvcc not found (CUDA_HOME, PATH, /usr/local/cuda/bin)");
        for (var h : KernelCompiler.headers().entrySet()) {
            Files.writeString(tmp.resolve(h.getKey()), h.getValue(), StandardCharsets.UTF_8);
        }
        for (String family : KernelCompiler.FAMILIES) {
            Path src = tmp.resolve(family + ".cu");
            Files.writeString(src, KernelCompiler.resource(family + ".cu"), StandardCharsets.UTF_8);
            // The options NVRTC gets (KernelCompiler.options), for sm_90; -c to a cubin-bearing object.
            ProcessBuilder pb = new ProcessBuilder(nvcc.toString(), "-std=c++17", "-arch=sm_90", "--fmad=false",
                    "-I" + tmp, "-c", "-o", tmp.resolve(family + ".o").toString(), src.toString())
                    .redirectErrorStream(true);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), family + ".cu: nvcc timed out");
            assertEquals(0, p.exitValue(), family + ".cu does not compile:\n" + out);
        }
    }

    @Test
    void everyKernelTheBackendLaunchesIsDefined() throws Exception {
        int count = 0;
        for (String source : new String[] {"CudaBackend.java", "CudaUpdates.java"}) {
            Path file = Path.of("src/main/java/org/deeprelax/cuda", source);
            if (!Files.exists(file)) {
                file = Path.of("cuda").resolve(file);
            }
            Assumptions.assumeTrue(Files.exists(file), source + " not found from " + Path.of("").toAbsolutePath());
            var m = java.util.regex.Pattern.compile("kernel\\(\"(\\w+)\", \"(\\w+)\"\\)").matcher(Files.readString(file));
            while (m.find()) {
                String src = KernelCompiler.resource(m.group(1) + ".cu");
                assertTrue(src.contains("__global__ void " + m.group(2) + "(")
                                || src.contains(") " + m.group(2) + "("),
                        source + " launches " + m.group(2) + ", which " + m.group(1) + ".cu lacks");
                count++;
            }
        }
        assertTrue(count >= 23, "found only " + count + " launches");
    }
}
