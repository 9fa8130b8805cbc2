package org.deeprelax.dist.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.deeprelax.core.natives.SearchPath;
import org.deeprelax.dist.MpiRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where Open MPI's library is looked for, and that the binding finds every symbol in the installed one. */
class MpiLibrariesTest {

    @Test
    void anOpenMpiBuiltFromSourceIsFoundBesideItsMpirun(@TempDir Path tmp) throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("openmpi/bin"));
        Path lib = Files.createDirectories(tmp.resolve("openmpi/lib"));
        Path mpirun = Files.createFile(bin.resolve("mpirun"));
        assertTrue(mpirun.toFile().setExecutable(true));
        Files.createFile(lib.resolve("libmpi-fake.so.40"));
        Map<String, String> env = Map.of("PATH", "/nonexistent:" + bin);
        assertEquals(lib.resolve("libmpi-fake.so.40"), SearchPath.find(MpiLibraries.directories(env), List.of("libmpi-fake.so.40")).orElseThrow());
    }

    @Test
    void theVariableComesFirstThenLdLibraryPath(@TempDir Path tmp) throws Exception {
        Path a = Files.createDirectory(tmp.resolve("a"));
        Path ld = Files.createDirectory(tmp.resolve("ld"));
        Files.createFile(a.resolve("libmpi-fake.so.40"));
        Files.createFile(ld.resolve("libmpi-fake.so.40"));
        Map<String, String> env = Map.of(MpiLibraries.ENV, a.toString(), "LD_LIBRARY_PATH", ld + ":/nonexistent/x");
        List<Path> dirs = MpiLibraries.directories(env);
        assertEquals(List.of(a, ld), dirs.subList(0, 2));
        assertTrue(!dirs.contains(Path.of("/nonexistent/x")), "only existing directories are searched: " + dirs);
        assertEquals(a.resolve("libmpi-fake.so.40"), SearchPath.find(MpiLibraries.directories(env), List.of("libmpi-fake.so.40")).orElseThrow());
    }

    @Test
    void aMissingLibraryNamesEveryDirectoryTheLoadersReasonAndTheMpiVariable(@TempDir Path tmp) {
        Map<String, String> env = Map.of(MpiLibraries.ENV, tmp.toString(), "PATH", "");
        String m = MpiLibraries.notFound(env, "no such file");
        assertTrue(m.startsWith("cannot find libmpi.so.40 (Open MPI); searched:\n  " + tmp + "\n"), m);
        assertTrue(m.contains("the dynamic loader cannot open it by name: no such file"), m);
        assertTrue(m.contains(MpiLibraries.ENV) && m.contains("apt-get install openmpi-bin libopenmpi-dev"), m);
    }

    @Test
    void theInstalledOpenMpiExportsEverySymbolTheBindingUsesAndTellsItsVersionBeforeInit() {
        MpiRun.assumeAvailable();
        Mpi mpi = Mpi.get();
        assertTrue(mpi.libraryPath().endsWith("libmpi.so.40"), mpi.libraryPath());
        assertTrue(mpi.libraryVersion().startsWith("Open MPI v"), mpi.libraryVersion());
        assertTrue(!mpi.initialized(), "nothing initialises MPI in a process that mpirun did not start");
    }
}
