package org.deeprelax.cli;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.deeprelax.core.io.AtomicFiles;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeriesCollection;

/** The house style of every PNG the command draws, and writing one atomically. */
final class Charts {

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /**
     * @param title chart title
     * @param xLabel x-axis label
     * @param yLabel y-axis label
     * @param data the series
     * @param renderer how the series are drawn (colours, strokes)
     * @return a line chart on a white background with light grid lines
     */
    static JFreeChart lines(String title, String xLabel, String yLabel, XYSeriesCollection data,
                            XYLineAndShapeRenderer renderer) {
        JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL,
                true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        plot.setRenderer(renderer);
        return chart;
    }

    /** @param chart the chart @param file where its 800×500 PNG goes, written atomically */
    static void savePng(JFreeChart chart, Path file) {
        try {
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ChartUtils.writeChartAsPNG(png, chart, 800, 500);
            AtomicFiles.write(file, png.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("could not draw " + file + ": " + e.getMessage(), e);
        }
    }
}
