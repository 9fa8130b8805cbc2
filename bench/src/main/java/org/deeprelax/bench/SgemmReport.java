package org.deeprelax.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link SgemmBenchmark} and prints its rate in GFLOP/s, one line per size after JMH's own output:
 *
 * <pre>
 * SGEMM n=1024 ms=9.812 error=0.120 gflops=218.86
 * </pre>
 *
 * <p>Arguments are JMH's command-line options (for instance {@code -f 1 -wi 3 -i 5 -r 1s -p n=1024}),
 * applied on top of the benchmark's annotations. Run it with
 * {@code java -cp bench/target/benchmarks.jar org.deeprelax.bench.SgemmReport}.
 */
public final class SgemmReport {

    private SgemmReport() {
    }

    /**
     * Runs the benchmark and prints the table.
     *
     * @param args JMH options
     * @throws RunnerException if JMH fails
     * @throws CommandLineOptionException if an option is malformed
     */
    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        CommandLineOptions cli = new CommandLineOptions(args);
        OptionsBuilder options = new OptionsBuilder();
        options.parent(cli);
        options.include(SgemmBenchmark.class.getName() + ".sgemm");
        Collection<RunResult> results = new Runner(options.build()).run();
        List<String> lines = new ArrayList<>();
        for (RunResult r : results) {
            int n = Integer.parseInt(r.getParams().getParam("n"));
            double ms = r.getPrimaryResult().getScore();
            double err = r.getPrimaryResult().getScoreError();
            double gflops = 2.0 * n * n * n / (ms * 1e6);
            lines.add(String.format(Locale.ROOT, "SGEMM n=%d ms=%.3f error=%.3f gflops=%.2f", n, ms, err, gflops));
        }
        System.out.println();
        lines.forEach(System.out::println);
    }
}
