package org.deeprelax.cuda.bindings;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening libraries: by path, by bare name through the dynamic loader when no search directory holds
 * them, companions checked before anything loads, and errors that carry the loader's reason.
 */
class NativeLibraryTest {

    @Test
    void aLibraryInNoSearchDirectoryIsOpenedByTheDynamicLoader() throws Throwable {
        NativeLibrary libc = NativeLibrary.open(List.of(), List.of("libdeeprelax-absent.so.1", "libc.so.6"),
                found -> List.of());
        assertEquals("libc.so.6 (found by the dynamic loader)", libc.location());
        MethodHandle strlen = libc.function("strlen", FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        try (Arena a = Arena.ofConfined()) {
            assertEquals(5L, (long) strlen.invokeExact(a.allocateFrom("cudnn")));
        }
        CudaLibraryException e = assertThrows(CudaLibraryException.class,
                () -> libc.function("cudnnCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS)));
        assertTrue(e.getMessage().contains("cudnnCreate") && e.getMessage().contains("libc.so.6"), e.getMessage());
    }

    @Test
    void aMissingLibraryIsNamedWithEveryDirectoryAndTheLoadersReason(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path b = Files.createDirectory(tmp.resolve("b"));
        CudaLibraryException e = assertThrows(CudaLibraryException.class, () -> NativeLibrary.open(List.of(a, b),
                List.of("libdeeprelax-bogus.so.13", "libdeeprelax-bogus.so.12"), found -> List.of()));
        String m = e.getMessage();
        assertTrue(m.contains("libdeeprelax-bogus.so.13 or libdeeprelax-bogus.so.12"), m);
        assertTrue(m.indexOf(a.toString()) > 0 && m.indexOf(a.toString()) < m.indexOf(b.toString()), m);
        assertTrue(m.contains("libdeeprelax-bogus.so.13: cannot open shared object file"), "dlerror's text: " + m);
        assertTrue(m.contains(NativeLibraries.ENV), m);
    }

    @Test
    void aFileThatIsNoLibrarySaysWhyItDidNotLoad(@TempDir Path tmp) throws Exception {
        Files.writeString(tmp.resolve("libcublas.so.13"), "not an ELF file; ".repeat(20));
        CudaLibraryException e = assertThrows(CudaLibraryException.class,
                () -> NativeLibrary.open(List.of(tmp), List.of("libcublas.so.13"), found -> List.of()));
        assertTrue(e.getMessage().contains("found " + tmp.resolve("libcublas.so.13") + " but could not load it: "),
                e.getMessage());
        assertTrue(e.getMessage().contains("invalid ELF header"), "dlerror's text: " + e.getMessage());
    }

    @Test
    void aMissingCudnnSublibraryIsAClearErrorBeforeAnythingLoads(@TempDir Path tmp) throws Exception {
        // Every file but two is present; none is a real library, so loading any of them would fail with
        // another message: the missing ones are reported before anything is loaded.
        Files.writeString(tmp.resolve("libcudnn.so.9"), "placeholder");
        for (String sub : Cudnn.SUBLIBRARIES) {
            if (!sub.equals("libcudnn_cnn.so.9") && !sub.equals("libcudnn_heuristic.so.9")) {
                Files.writeString(tmp.resolve(sub), "placeholder");
            }
        }
        CudaLibraryException e = assertThrows(CudaLibraryException.class,
                () -> NativeLibrary.open(List.of(tmp), List.of("libcudnn.so.9"), found -> Cudnn.SUBLIBRARIES));
        String m = e.getMessage();
        assertTrue(m.startsWith("libcudnn.so.9 opens libcudnn_graph.so.9, "), m);
        assertTrue(m.contains("but libcudnn_heuristic.so.9, libcudnn_cnn.so.9 are in none of them:\n  " + tmp), m);
        assertTrue(m.contains("libcudnn_heuristic.so.9: cannot open shared object file"), "dlerror's text: " + m);
        assertTrue(m.contains("Install the missing files beside libcudnn.so.9"), m);
    }

    @Test
    void theBuiltinsNameIsNvrtcsOwnVersion() {
        assertEquals("libnvrtc-builtins.so.13.0", Nvrtc.builtinsName(13, 0));
        assertEquals("libnvrtc-builtins.so.12.4", Nvrtc.builtinsName(12, 4));
    }
}
