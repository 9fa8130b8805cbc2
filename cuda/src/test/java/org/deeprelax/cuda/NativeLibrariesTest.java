package org.deeprelax.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeprelax.cuda.bindings.CudaLibraryException;
import org.deeprelax.cuda.bindings.NativeLibraries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Library discovery: the search order, and an error that names the library and every directory searched. */
class NativeLibrariesTest {

    @Test
    void aMissingLibraryIsNamedWithEveryDirectorySearched(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        Map<String, String> env = Map.of(NativeLibraries.ENV, a + ":" + b, "LD_LIBRARY_PATH", "/nonexistent/x");
        CudaLibraryException e = assertThrows(CudaLibraryException.class,
                () -> NativeLibraries.find(env, List.of("libdeeprelax-bogus.so.13", "libdeeprelax-bogus.so.12")));
        String m = e.getMessage();
        assertTrue(m.contains("libdeeprelax-bogus.so.13") && m.contains("libdeeprelax-bogus.so.12"), m);
        assertTrue(m.contains(a.toString()) && m.contains(b.toString()), m);
        assertTrue(m.contains(NativeLibraries.ENV), m);
        assertTrue(m.indexOf(a.toString()) < m.indexOf(b.toString()), "the variable's directories come first, in order");
    }

    @Test
    void thePreferredNameWinsThenTheFirstDirectory(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        Files.createFile(a.resolve("libfake.so.12"));
        Files.createFile(b.resolve("libfake.so.13"));
        Files.createFile(b.resolve("libfake.so.12"));
        Map<String, String> env = Map.of(NativeLibraries.ENV, a + ":" + b);
        assertEquals(b.resolve("libfake.so.13"), NativeLibraries.find(env, List.of("libfake.so.13", "libfake.so.12")));
        assertEquals(a.resolve("libfake.so.12"), NativeLibraries.find(env, List.of("libfake.so.12")));
    }

    @Test
    void pythonWheelsAreSearched(@TempDir Path tmp) throws Exception {
        Path lib = Files.createDirectories(tmp.resolve("lib/python3.12/site-packages/nvidia/cudnn/lib"));
        Files.createFile(lib.resolve("libcudnn-fake.so.9"));
        Map<String, String> env = Map.of("VIRTUAL_ENV", tmp.toString(), "HOME", tmp.resolve("home").toString());
        assertEquals(lib.resolve("libcudnn-fake.so.9"), NativeLibraries.find(env, List.of("libcudnn-fake.so.9")));
    }
}
