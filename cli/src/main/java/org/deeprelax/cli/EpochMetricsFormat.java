package org.deeprelax.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The final table a run prints, and number formatting shared by the reports. */
final class EpochMetricsFormat {

    private EpochMetricsFormat() {
    }

    static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }

    static void table(PrintStream out, List<EpochMetrics> rows) {
        out.println();
        out.println("epoch  eff.epoch  train loss  train err %  val loss  val err %   seconds");
        for (EpochMetrics r : rows) {
            out.printf(Locale.ROOT, "%5d  %9s  %10.4f  %11.2f  %8.4f  %9.2f  %8.1f%n", r.epoch(), number(r.effectiveEpoch()),
                    r.trainLoss(), r.trainError(), r.validationLoss(), r.validationError(), r.seconds());
        }
        EpochMetrics best = rows.stream().min((a, b) -> Double.compare(a.validationError(), b.validationError())).orElseThrow();
        EpochMetrics last = rows.get(rows.size() - 1);
        out.printf(Locale.ROOT, "final validation error %.2f %% (best %.2f %% at epoch %d)%n", last.validationError(),
                best.validationError(), best.epoch());
    }
}
