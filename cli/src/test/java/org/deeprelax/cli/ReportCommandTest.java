package org.deeprelax.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report over hand-written runs: grouping, the equal budget, mean ± sample standard deviation. */
class ReportCommandTest {

    static void run(Path dir, String optimizer, long seed, double[][] effAndError) throws Exception {
        Files.createDirectories(dir);
        StringBuilder csv = new StringBuilder(EpochMetrics.HEADER).append('\n');
        for (int i = 0; i < effAndError.length; i++) {
            csv.append(new EpochMetrics(i + 1, effAndError[i][0], 1, 1, 1, effAndError[i][1], 1).csv()).append('\n');
        }
        Files.writeString(dir.resolve("metrics.csv"), csv);
        Files.writeString(dir.resolve("summary.json"), "{\"status\" : \"finished\", \"hyperparameters\" : {\"data\" : "
                + "\"mnist-10k\", \"model\" : \"lenet\", \"optimizer\" : \"" + optimizer + "\", \"seed\" : " + seed + "}}");
    }

    @Test
    void comparesOptimizersAtTheCommonBudgetAndAtTheEnd(@TempDir Path tmp) throws Exception {
        run(tmp.resolve("a"), "sgd", 1, new double[][] {{10, 3}, {20, 2}, {30, 1}});
        run(tmp.resolve("b"), "sgd", 2, new double[][] {{10, 5}, {20, 4}, {30, 3}});
        run(tmp.resolve("c"), "entropy-sgd", 1, new double[][] {{20, 2.5}});
        run(tmp.resolve("d"), "entropy-sgd", 2, new double[][] {{20, 1.5}});
        Path out = tmp.resolve("report");
        assertEquals(0, MainTest.run("report", tmp.toString(), "--out", out.toString()).code());
        List<String> lines = Files.readAllLines(out.resolve("report.md"));
        assertEquals("| mnist-10k / lenet | entropy-sgd | 2 | 20 | 2.00 ± 0.71 | 20 | 2.00 ± 0.71 | 2.00 ± 0.71 |", lines.get(2));
        assertEquals("| mnist-10k / lenet | sgd | 2 | 20 | 3.00 ± 1.41 | 30 | 2.00 ± 1.41 | 2.00 ± 1.41 |", lines.get(3));
        assertTrue(Files.size(out.resolve("mnist-10k-lenet-validation-error.png")) > 1000);
        assertEquals(1, MainTest.run("report", tmp.resolve("none").toString()).code());
    }

    @Test
    void aSingleSeedIsReportedAsOneSeedNotAsZeroSpread(@TempDir Path tmp) throws Exception {
        run(tmp.resolve("a"), "sam", 1, new double[][] {{10, 3}, {20, 2.5}});
        Path out = tmp.resolve("report");
        assertEquals(0, MainTest.run("report", tmp.toString(), "--out", out.toString()).code());
        List<String> lines = Files.readAllLines(out.resolve("report.md"));
        assertEquals("| mnist-10k / lenet | sam | 1 | 20 | 2.50 (one seed) | 20 | 2.50 (one seed) | 2.50 (one seed) |",
                lines.get(2));
    }

    @Test
    @Tag("reliability")
    void aBrokenRunIsSkippedAndNamedAndTheOthersAreReported(@TempDir Path tmp) throws Exception {
        run(tmp.resolve("good"), "sgd", 1, new double[][] {{10, 3}, {20, 2}});
        run(tmp.resolve("bad-json"), "sgd", 2, new double[][] {{10, 5}});
        Files.writeString(tmp.resolve("bad-json/summary.json"), "{\"status\" : \"finished\", \"hyper");
        run(tmp.resolve("bad-csv"), "sgd", 3, new double[][] {{10, 5}});
        Files.writeString(tmp.resolve("bad-csv/metrics.csv"), EpochMetrics.HEADER + "\n1,10,0.5\n");
        run(tmp.resolve("bad-number"), "sgd", 4, new double[][] {{10, 5}});
        Files.writeString(tmp.resolve("bad-number/metrics.csv"), EpochMetrics.HEADER + "\n1,10,x,1,1,1,1\n");
        run(tmp.resolve("empty-csv"), "sgd", 5, new double[][] {{10, 5}});
        Files.writeString(tmp.resolve("empty-csv/metrics.csv"), EpochMetrics.HEADER + "\n");
        Path out = tmp.resolve("report");
        MainTest.Outcome o = MainTest.run("report", tmp.toString(), "--out", out.toString());
        assertEquals(0, o.code(), o.err());
        assertTrue(o.err().contains("skipping " + tmp.resolve("bad-json/summary.json") + ": "), o.err());
        assertTrue(o.err().contains("skipping " + tmp.resolve("bad-csv/metrics.csv") + ": line 2 has 3 fields"), o.err());
        assertTrue(o.err().contains("skipping " + tmp.resolve("bad-number/metrics.csv") + ": line 2, field 3 ('x')"), o.err());
        assertTrue(o.err().contains("skipping " + tmp.resolve("empty-csv/metrics.csv") + ": it has no rows"), o.err());
        assertTrue(o.err().contains("4 runs skipped"), o.err());
        List<String> lines = Files.readAllLines(out.resolve("report.md"));
        assertEquals(3, lines.size(), "the one good run: " + lines);
        assertTrue(lines.get(2).startsWith("| mnist-10k / lenet | sgd | 1 |"), lines.get(2));
    }
}
