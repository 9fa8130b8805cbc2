package org.deeprelax.cuda.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.deeprelax.core.natives.SearchPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library discovery on fake directory trees: the search order, and which file wins. */
class NativeLibrariesTest {

    private static Path dir(Path root, String relative) throws Exception {
        return Files.createDirectories(root.resolve(relative));
    }

    @Test
    void theSearchOrderIsVariablesToolkitsDriverSystemThenPythonWheels(@TempDir Path tmp) throws Exception {
        Path root = dir(tmp, "root");
        Path var = dir(tmp, "from-variable");
        Path ld = dir(tmp, "from-ld-library-path");
        Path toolkit = dir(root, "usr/local/cuda-13.0/targets/x86_64-linux/lib");
        Path toolkit64 = dir(root, "usr/local/cuda-13.0/lib64");
        Path driver64 = dir(root, "usr/local/nvidia/lib64");
        Path driver = dir(root, "usr/local/nvidia/lib");
        Path system = dir(root, "usr/lib/x86_64-linux-gnu");
        Path venvCublas = dir(tmp, "venv/lib/python3.13/site-packages/nvidia/cublas/lib");
        Path torchCudnn = dir(root, "opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib");
        Path torchNvrtc = dir(root, "opt/torch/.venv/lib/python3.12/site-packages/nvidia/cuda_nvrtc/lib");
        Path userWheel = dir(tmp, "home/.local/lib/python3.11/site-packages/nvidia/cublas/lib");
        dir(root, "usr/local/nvidia/bin");                 // not a library directory: never searched
        Map<String, String> env = Map.of(NativeLibraries.ENV, var.toString(), "LD_LIBRARY_PATH",
                ld + ":" + tmp.resolve("absent"), "VIRTUAL_ENV", tmp.resolve("venv").toString(), "HOME",
                tmp.resolve("home").toString());
        assertEquals(List.of(var, ld, toolkit, toolkit64, driver64, driver, system, venvCublas, torchNvrtc, torchCudnn,
                userWheel), NativeLibraries.searchDirectories(env, root));
    }

    @Test
    void theGpuMachinesLayoutIsFound(@TempDir Path root) throws Exception {
        // The driver in the container's driver folder, cuDNN only in PyTorch's environment.
        Path driver = dir(root, "usr/local/nvidia/lib64");
        Path cudnn = dir(root, "opt/torch/.venv/lib/python3.12/site-packages/nvidia/cudnn/lib");
        Files.createFile(driver.resolve("libcuda.so.1"));
        Files.createFile(cudnn.resolve("libcudnn.so.9"));
        List<Path> dirs = NativeLibraries.searchDirectories(Map.of("HOME", root.resolve("home").toString()), root);
        assertEquals(Optional.of(driver.resolve("libcuda.so.1")), SearchPath.find(dirs, List.of("libcuda.so.1")));
        assertEquals(Optional.of(cudnn.resolve("libcudnn.so.9")), SearchPath.find(dirs, List.of("libcudnn.so.9")));
    }

    @Test
    void thePreferredNameWinsThenTheFirstDirectory(@TempDir Path tmp) throws Exception {
        Path a = dir(tmp, "a");
        Path b = dir(tmp, "b");
        Files.createFile(a.resolve("libfake.so.12"));
        Files.createFile(b.resolve("libfake.so.13"));
        Files.createFile(b.resolve("libfake.so.12"));
        Files.createSymbolicLink(a.resolve("libdangling.so.1"), tmp.resolve("nowhere"));
        List<Path> dirs = List.of(a, b);
        assertEquals(Optional.of(b.resolve("libfake.so.13")),
                SearchPath.find(dirs, List.of("libfake.so.13", "libfake.so.12")));
        assertEquals(Optional.of(a.resolve("libfake.so.12")), SearchPath.find(dirs, List.of("libfake.so.12")));
        assertEquals(Optional.empty(), SearchPath.find(dirs, List.of("libdangling.so.1")), "a dangling link");
    }

    @Test
    void theNotFoundTextNamesTheLibraryEveryDirectoryTheLoaderAndTheVariable(@TempDir Path tmp) throws Exception {
        Path a = dir(tmp, "a");
        Path b = dir(tmp, "b");
        String m = NativeLibraries.notFound("libx.so.13 or libx.so.12", List.of(a, b), "libx.so.13: cannot open");
        assertTrue(m.startsWith("cannot find libx.so.13 or libx.so.12; searched:\n  " + a + "\n  " + b + "\n"), m);
        assertTrue(m.contains("the dynamic loader cannot open it by name: libx.so.13: cannot open"), m);
        assertTrue(m.contains(NativeLibraries.ENV), m);
    }
}
