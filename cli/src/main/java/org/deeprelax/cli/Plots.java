package org.deeprelax.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The run's PNG plots: loss and error against effective epochs, training and validation overlaid. */
final class Plots {

    static {
        System.setProperty("java.awt.headless", "true");
    }

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
        JFreeChart chart = ChartFactory.createXYLineChart(title, "effective epochs", yLabel, data,
                PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesPaint(1, new Color(0xd62728));
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setSeriesStroke(1, new BasicStroke(2f));
        plot.setRenderer(renderer);
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(png, chart, 800, 500);
            RunFiles.writeAtomically(file, png.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("could not draw " + file + ": " + e.getMessage(), e);
        }
    }
}
