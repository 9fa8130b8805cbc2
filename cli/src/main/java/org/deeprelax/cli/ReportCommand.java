package org.deeprelax.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.deeprelax.core.io.AtomicFiles;
import org.deeprelax.core.io.IoErrors;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code deeprelax report}: gathers the runs under some directories, groups them by data set, model and
 * optimizer, and writes the comparison: validation error (mean ± standard deviation over seeds) at an
 * equal budget of effective epochs and at the end, as a Markdown table, and a plot per data set and model
 * of validation error against effective epochs, one curve (the mean over seeds) per optimizer.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare finished runs in a table and plots.",
                "Validation error by data set, model and optimizer (mean ± std over seeds) at equal effective "
                        + "epochs and at the end; writes DIR/report.md and one PNG per model. A run whose files "
                        + "cannot be read is skipped and named."},
        footer = {"", "Example:", "  ./deeprelax report runs/experiments/mnist-10k --out docs/figures"})
final class ReportCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Color[] COLOURS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0x9467bd), new Color(0xff7f0e)};

    @Parameters(paramLabel = "RUNS", arity = "1..*", description = "directories searched for runs (summary.json + metrics.csv)")
    private List<Path> roots;

    @Option(names = "--out", paramLabel = "DIR", description = "where report.md and the plots go (default: ${DEFAULT-VALUE})",
            defaultValue = "runs/report")
    private Path out;

    /** One run: its group and its metrics. */
    record Run(String data, String model, String optimizer, long seed, List<EpochMetrics> rows) {
    }

    @Override
    public Integer call() throws IOException {
        Map<String, Map<String, List<Run>>> groups = new TreeMap<>();
        for (Run r : findRuns()) {
            groups.computeIfAbsent(r.data() + " / " + r.model(), k -> new TreeMap<>())
                    .computeIfAbsent(r.optimizer(), k -> new ArrayList<>()).add(r);
        }
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("no finished runs (summary.json with metrics.csv) under " + roots);
        }
        StringBuilder md = new StringBuilder();
        md.append("| data / model | optimizer | seeds | budget (effective epochs) | validation error at budget (%) ")
                .append("| effective epochs at end | final validation error (%) | best validation error (%) |\n")
                .append("|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, List<Run>>> g : groups.entrySet()) {
            double budget = Double.MAX_VALUE;
            for (List<Run> runs : g.getValue().values()) {
                for (Run r : runs) {
                    budget = Math.min(budget, r.rows().get(r.rows().size() - 1).effectiveEpoch());
                }
            }
            XYSeriesCollection curves = new XYSeriesCollection();
            for (Map.Entry<String, List<Run>> o : g.getValue().entrySet()) {
                List<Run> runs = o.getValue();
                double[] atBudget = new double[runs.size()];
                double[] last = new double[runs.size()];
                double[] best = new double[runs.size()];
                double budgetUsed = 0;
                for (int i = 0; i < runs.size(); i++) {
                    EpochMetrics b = atOrBefore(runs.get(i).rows(), budget);
                    atBudget[i] = b.validationError();
                    budgetUsed = b.effectiveEpoch();
                    List<EpochMetrics> rows = runs.get(i).rows();
                    last[i] = rows.get(rows.size() - 1).validationError();
                    best[i] = rows.stream().mapToDouble(EpochMetrics::validationError).min().orElseThrow();
                }
                md.append(String.format(Locale.ROOT, "| %s | %s | %d | %s | %s | %s | %s | %s |%n", g.getKey(), o.getKey(),
                        runs.size(), EpochMetricsFormat.number(budgetUsed), meanStd(atBudget),
                        EpochMetricsFormat.number(runs.get(0).rows().get(runs.get(0).rows().size() - 1).effectiveEpoch()),
                        meanStd(last), meanStd(best)));
                curves.addSeries(meanCurve(o.getKey(), runs));
            }
            XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
            for (int i = 0; i < curves.getSeriesCount(); i++) {
                renderer.setSeriesPaint(i, COLOURS[i % COLOURS.length]);
                renderer.setSeriesStroke(i, new BasicStroke(2f));
            }
            String file = g.getKey().replace(" / ", "-") + "-validation-error.png";
            Charts.savePng(Charts.lines(g.getKey() + ": validation error (mean over seeds)", "effective epochs",
                    "validation error (%)", curves, renderer), out.resolve(file));
        }
        AtomicFiles.write(out.resolve("report.md"), md.toString().getBytes(StandardCharsets.UTF_8));
        System.out.print(md);
        System.out.println("wrote " + out.resolve("report.md") + " and one plot per data set and model");
        return 0;
    }

    /**
     * Every finished run under the roots. A run whose files cannot be read is skipped with a line on
     * standard error naming the file and what is wrong, so one broken run does not hide the others.
     */
    private List<Run> findRuns() throws IOException {
        List<Run> runs = new ArrayList<>();
        int skipped = 0;
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                throw new IllegalArgumentException("report: " + root + " is not a directory");
            }
            List<Path> summaries;
            try (Stream<Path> files = Files.walk(root)) {
                summaries = files.filter(p -> p.getFileName().toString().equals("summary.json")).sorted().toList();
            }
            for (Path summary : summaries) {
                Path bad = summary;
                try {
                    JsonNode s = JSON.readTree(summary.toFile());
                    Path metrics = summary.resolveSibling("metrics.csv");
                    if (!"finished".equals(s.path("status").asText()) || !Files.isRegularFile(metrics)) {
                        continue;
                    }
                    JsonNode h = s.path("hyperparameters");
                    for (String key : new String[] {"data", "model", "optimizer", "seed"}) {
                        if (!h.path(key).isValueNode()) {
                            throw new IllegalArgumentException("it has no hyperparameters." + key);
                        }
                    }
                    bad = metrics;
                    runs.add(new Run(h.path("data").asText(), h.path("model").asText(), h.path("optimizer").asText(),
                            h.path("seed").asLong(), readMetrics(metrics)));
                } catch (JsonProcessingException e) {
                    skipped++;
                    System.err.println("deeprelax report: skipping " + bad + ": " + e.getOriginalMessage() + " (line "
                            + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
                } catch (IOException | IllegalArgumentException e) {
                    skipped++;
                    System.err.println("deeprelax report: skipping " + bad + ": " + (e instanceof IOException io
                            ? IoErrors.describe(io) : e.getMessage()));
                }
            }
        }
        if (skipped > 0) {
            System.err.println("deeprelax report: " + skipped + " run" + (skipped == 1 ? "" : "s") + " skipped");
        }
        return runs;
    }

    private static List<EpochMetrics> readMetrics(Path csv) throws IOException {
        List<EpochMetrics> rows = new ArrayList<>();
        List<String> lines = Files.readAllLines(csv);
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            if (f.length != EpochMetrics.FIELDS) {
                throw new IllegalArgumentException("line " + (i + 1) + " has " + f.length + " fields, not "
                        + EpochMetrics.FIELDS + " (" + EpochMetrics.HEADER + ")");
            }
            double[] v = new double[EpochMetrics.FIELDS];
            for (int j = 0; j < EpochMetrics.FIELDS; j++) {
                try {
                    v[j] = Double.parseDouble(f[j]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("line " + (i + 1) + ", field " + (j + 1) + " ('" + f[j]
                            + "') is not a number");
                }
            }
            rows.add(EpochMetrics.fromArray(v));
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("it has no rows");
        }
        return rows;
    }

    /** The last row whose effective epoch is at most the budget (the first row if none is). */
    private static EpochMetrics atOrBefore(List<EpochMetrics> rows, double budget) {
        EpochMetrics pick = rows.get(0);
        for (EpochMetrics r : rows) {
            if (r.effectiveEpoch() <= budget + 1e-9) {
                pick = r;
            }
        }
        return pick;
    }

    private static XYSeries meanCurve(String name, List<Run> runs) {
        XYSeries s = new XYSeries(name + " (" + runs.size() + (runs.size() == 1 ? " seed)" : " seeds)"));
        int n = runs.stream().mapToInt(r -> r.rows().size()).min().orElse(0);
        for (int e = 0; e < n; e++) {
            double sum = 0;
            for (Run r : runs) {
                sum += r.rows().get(e).validationError();
            }
            s.add(runs.get(0).rows().get(e).effectiveEpoch(), sum / runs.size());
        }
        return s;
    }

    /**
     * Formats the values' mean and spread, to two decimals.
     *
     * @param v the values, one a seed
     * @return "mean ± sample standard deviation", or "mean (one seed)" when there is a single value, whose
     *     spread is unknown rather than zero
     */
    static String meanStd(double[] v) {
        double mean = 0;
        for (double x : v) {
            mean += x / v.length;
        }
        double ss = 0;
        for (double x : v) {
            ss += (x - mean) * (x - mean);
        }
        if (v.length == 1) {
            return String.format(Locale.ROOT, "%.2f (one seed)", mean);
        }
        return String.format(Locale.ROOT, "%.2f ± %.2f", mean, Math.sqrt(ss / (v.length - 1)));
    }
}
