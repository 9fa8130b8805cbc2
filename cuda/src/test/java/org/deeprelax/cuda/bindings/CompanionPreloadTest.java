package org.deeprelax.cuda.bindings;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.deeprelax.cuda.HostCompiler;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why companions are preloaded, shown with three small libraries built by gcc in a directory the dynamic
 * loader does not search: {@code libdrsub.so.9}; {@code libdrmain.so.1}, which {@code dlopen}s
 * {@code "libdrsub.so.9"} by bare name at run time (as cuDNN 9 opens its sub-libraries and NVRTC its
 * builtins); {@code libdrdep.so.1}, linked against it ({@code DT_NEEDED}, as libcublas needs
 * libcublasLt). Opened by path alone, the first fails inside a call and the second does not load, with
 * the loader's reason; with the companion preloaded by full path, both work. Skipped without gcc.
 */
@Tag("toolchain")
class CompanionPreloadTest {

    private static final FunctionDescriptor INT = FunctionDescriptor.of(JAVA_INT);

    @Test
    void aCompanionPreloadedByFullPathAnswersBareNameRequests(@TempDir Path tmp) throws Throwable {
        Path lib = Files.createDirectory(tmp.resolve("lib"));
        Path sub = Files.writeString(tmp.resolve("sub.c"), "int deeprelax_sub_value(void) { return 42; }\n");
        Path main = Files.writeString(tmp.resolve("main.c"), """
                #include <dlfcn.h>
                int deeprelax_probe(void) {
                    void *h = dlopen("libdrsub.so.9", RTLD_NOW);
                    if (!h) return -1;
                    int (*f)(void) = (int (*)(void)) dlsym(h, "deeprelax_sub_value");
                    return f ? f() : -2;
                }
                """);
        Path dep = Files.writeString(tmp.resolve("dep.c"),
                "int deeprelax_sub_value(void);\nint deeprelax_dep(void) { return deeprelax_sub_value() + 1; }\n");
        HostCompiler.sharedLibrary(lib.resolve("libdrsub.so.9"), "libdrsub.so.9", List.of(sub));
        HostCompiler.sharedLibrary(lib.resolve("libdrmain.so.1"), "libdrmain.so.1", List.of(main), "-ldl");
        HostCompiler.sharedLibrary(lib.resolve("libdrdep.so.1"), "libdrdep.so.1", List.of(dep), "-L" + lib,
                "-l:libdrsub.so.9");

        NativeLibrary opener = NativeLibrary.open(List.of(lib), List.of("libdrmain.so.1"), found -> List.of());
        MethodHandle probe = opener.function("deeprelax_probe", INT);
        assertEquals(-1, (int) probe.invokeExact(), "by path alone, the bare-name dlopen inside the call fails");
        CudaLibraryException e = assertThrows(CudaLibraryException.class,
                () -> NativeLibrary.open(List.of(lib), List.of("libdrdep.so.1"), found -> List.of()));
        assertTrue(e.getMessage().contains("libdrsub.so.9: cannot open shared object file"), e.getMessage());
        assertTrue(e.getMessage().contains("LD_LIBRARY_PATH"), e.getMessage());

        NativeLibrary linked = NativeLibrary.open(List.of(lib), List.of("libdrdep.so.1"),
                found -> List.of("libdrsub.so.9"));
        assertEquals(List.of("libdrsub.so.9 from " + lib.resolve("libdrsub.so.9")), linked.companions());
        assertEquals(43, (int) linked.function("deeprelax_dep", INT).invokeExact());
        assertEquals(42, (int) probe.invokeExact(), "the preloaded soname answers the bare-name dlopen");
    }
}
