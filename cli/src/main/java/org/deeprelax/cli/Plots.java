package org.deeprelax.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The run's PNG plots: loss and error against effective epochs, training and validation overlaid. */
final class Plots {

    private Plots() {
    }

    static void write(Path dir, List<EpochMetrics> rows, String title) {
        write(dir.resolve("loss.png"), rows, title + ": loss", "cross-entropy",
                EpochMetrics::trainLoss, EpochMetrics::validationLoss);
        write(dir.resolve("error.png"), rows, title + ": error", "error (%)",
                EpochMetrics::trainError, EpochMetrics::validationError);
    }

    private static void write(Path file, List<EpochMetrics> rows, String title, String yLabel,
                              ToDoubleFunction<EpochMetrics> train, ToDoubleFunction<EpochMetrics> validation) {
        XYSeries t = new XYSeries("training");
        XYSeries v = new XYSeries("validation");
        for (EpochMetrics r : rows) {
            t.add(r.effectiveEpoch(), train.applyAsDouble(r));
            v.add(r.effectiveEpoch(), validation.applyAsDouble(r));
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(t);
        data.addSeries(v);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0xd62728));
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setSeriesStroke(1, new BasicStroke(2f));
        Charts.savePng(Charts.lines(title, "effective epochs", yLabel, data, renderer), file);
    }
}
