package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.deeprelax.optim.landscape.Landscape;
import org.deeprelax.optim.landscape.ToyLandscape;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** {@code deeprelax landscape}: the CSV and the PNG it writes, and its usage errors. */
class LandscapeCommandTest {

    record Outcome(int code, String out, String err) {
    }

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new LandscapeCommand());
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int code = cmd.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    static double[][] columns(List<String> rows) {
        double[][] c = new double[5][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            String[] f = rows.get(i).split(",");
            assertEquals(5, f.length, rows.get(i));
            for (int j = 0; j < 5; j++) {
                c[j][i] = Double.parseDouble(f[j]);
            }
        }
        return c;
    }

    @Test
    void writesTheTableAndThePlot(@TempDir Path dir) throws IOException {
        Outcome r = run("--gamma", "0.1", "--beta", "1", "--range", "-3:3", "--points", "61", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(dir.resolve("landscape.csv"), StandardCharsets.UTF_8);
        assertEquals("x,f,local_entropy,local_entropy_pde,moreau", lines.get(0));
        assertEquals(1 + 61, lines.size());
        double[][] c = columns(lines.subList(1, lines.size()));
        assertEquals(-3, c[0][0]);
        assertEquals(0, c[0][30]);
        assertEquals(3, c[0][60]);
        // The same numbers as the library, to the ten digits written.
        Landscape.Table t = Landscape.compute(ToyLandscape.plain(), 0.1, 1, -3, 3, 61);
        double[][] lib = {t.x(), t.f(), t.localEntropy(), t.localEntropyPde(), t.moreau()};
        for (int j = 0; j < 5; j++) {
            for (int i = 0; i < 61; i++) {
                assertEquals(lib[j][i], c[j][i], 1e-9 * Math.max(1, Math.abs(lib[j][i])), "column " + j + " row " + i);
            }
        }
        byte[] png = Files.readAllBytes(dir.resolve("landscape.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, java.util.Arrays.copyOf(png, 8));
        // Nothing half-written is left behind.
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("landscape.csv", "landscape.png"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertTrue(r.out().contains("minima of f:") && r.out().contains("-0.2418"), r.out());
        assertTrue(r.out().contains("minima of f_γ:"), r.out());
    }

    @Test
    void theRandomTermChangesFAndIsReproducible(@TempDir Path dir) throws IOException {
        Outcome a = run("--random-term", "--seed", "5", "--points", "21", "--out", dir.resolve("a").toString());
        Outcome b = run("--random-term", "--seed", "5", "--points", "21", "--out", dir.resolve("b").toString());
        assertEquals(0, a.code(), a.err());
        assertEquals(0, b.code(), b.err());
        String csvA = Files.readString(dir.resolve("a/landscape.csv"));
        assertEquals(csvA, Files.readString(dir.resolve("b/landscape.csv")));
        List<String> lines = List.of(csvA.split("\n"));
        double[][] c = columns(lines.subList(1, lines.size()));
        ToyLandscape perturbed = ToyLandscape.withRandomTerm(5);
        double moved = 0;
        for (int i = 0; i < c[0].length; i++) {
            assertEquals(perturbed.value(c[0][i]), c[1][i], 1e-9 * Math.max(1, Math.abs(c[1][i])));
            moved = Math.max(moved, Math.abs(c[1][i] - ToyLandscape.plain().value(c[0][i])));
        }
        assertTrue(moved > 1e-3 && moved < 0.3, "the random term is small but there: " + moved);
        assertTrue(a.out().contains("random term"), a.out());
    }

    @Test
    void badFlagsExitWithTwoAndNameTheFlag(@TempDir Path dir) {
        String o = dir.toString();
        String[][] cases = {
                {"--gamma", "0"}, {"--gamma", "-1"}, {"--beta", "0"}, {"--range", "3:1"}, {"--range", "garbage"},
                {"--range", "1:1"}, {"--points", "1"}, {"--gamma", "abc"}, {"--seed", "3"}};
        String[] expect = {
                "--gamma 0.0 is not allowed; it must be a finite number > 0",
                "--gamma -1.0 is not allowed",
                "--beta 0.0 is not allowed",
                "--range '3:1' is not allowed; A must be below B",
                "--range 'garbage' is not of the form A:B",
                "--range '1:1' is not allowed",
                "--points 1 is not allowed; it must be between 2 and 100000",
                "--gamma",
                "--seed 3 only chooses the random term"};
        for (int i = 0; i < cases.length; i++) {
            Outcome r = run(cases[i][0], cases[i][1], "--out", o);
            assertEquals(2, r.code(), String.join(" ", cases[i]) + ": " + r.err());
            assertTrue(r.err().contains(expect[i]), String.join(" ", cases[i]) + ": " + r.err());
        }
        assertFalse(Files.exists(dir.resolve("landscape.csv")), "nothing is written on a usage error");
    }

    @Test
    @Tag("reliability")
    void workBeyondTheBudgetIsAUsageErrorSayingWhatFits(@TempDir Path dir) {
        for (String[] c : new String[][] {{"--beta", "1e10"}, {"--beta", "1e30"}, {"--range", "-1e30:1e30"},
                {"--gamma", "1e300"}}) {
            long start = System.nanoTime();
            Outcome r = run(c[0], c[1], "--out", dir.toString());
            assertEquals(2, r.code(), String.join(" ", c) + ": " + r.err());
            assertTrue(r.err().contains("quadrature") && r.err().contains("more than the") && r.err().contains(c[0]),
                    String.join(" ", c) + ": " + r.err());
            assertTrue((System.nanoTime() - start) / 1e9 < 5, "refused at once");
        }
        Outcome beta = run("--beta", "1e10", "--out", dir.toString());
        assertTrue(beta.err().matches("(?s).*the largest --beta that fits here is about \\d.*"), beta.err());
        assertFalse(Files.exists(dir.resolve("landscape.csv")));
    }

    @Test
    void negativeRangesParse(@TempDir Path dir) {
        Outcome r = run("--range", "-2:-1", "--points", "5", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void helpNamesEveryFlag() {
        Outcome r = run("--help");
        assertEquals(0, r.code());
        for (String flag : new String[] {"--gamma", "--beta", "--range", "--points", "--random-term", "--seed", "--out"}) {
            assertTrue(r.out().contains(flag), flag);
        }
    }
}
