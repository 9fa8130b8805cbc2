package org.deeprelax.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;

import org.deeprelax.optim.landscape.Landscape;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.SeriesRenderingOrder;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** {@code landscape.png}: f, the local entropy by quadrature and by the PDE, and the Moreau envelope, overlaid. */
final class LandscapePlot {

    private LandscapePlot() {
    }

    static void write(Path file, Landscape.Table t, String title) {
        XYSeries f = new XYSeries("f");
        XYSeries quad = new XYSeries("local entropy f_γ (quadrature)");
        XYSeries pde = new XYSeries("f_γ by the viscous HJ PDE (dx = " + t.pdeDx() + ")");
        XYSeries moreau = new XYSeries("Moreau envelope (β → ∞)");
        for (int i = 0; i < t.size(); i++) {
            f.add(t.x()[i], t.f()[i]);
            quad.add(t.x()[i], t.localEntropy()[i]);
            pde.add(t.x()[i], t.localEntropyPde()[i]);
            moreau.add(t.x()[i], t.moreau()[i]);
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(f);
        data.addSeries(quad);
        data.addSeries(pde);
        data.addSeries(moreau);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        // One path per series, so a dash pattern runs along the curve instead of restarting every segment.
        renderer.setDrawSeriesLineAsPath(true);
        renderer.setSeriesPaint(0, Color.BLACK);
        renderer.setSeriesPaint(1, new Color(0x1f77b4));
        renderer.setSeriesPaint(2, new Color(0xff7f0e));
        renderer.setSeriesPaint(3, new Color(0x2ca02c));
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        renderer.setSeriesStroke(1, new BasicStroke(3f));
        // Dashed and thinner, so the quadrature curve it should lie on stays visible underneath.
        renderer.setSeriesStroke(2, new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f,
                new float[] {6f, 4f}, 0f));
        renderer.setSeriesStroke(3, new BasicStroke(2f));
        JFreeChart chart = Charts.lines(title, "x", "value", data, renderer);
        // JFreeChart draws the last series first by default; draw in order so the dashed PDE curve lies
        // on top of the quadrature curve it should cover.
        chart.getXYPlot().setSeriesRenderingOrder(SeriesRenderingOrder.FORWARD);
        Charts.savePng(chart, file);
    }
}
