package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.EpochRecord;
import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.examples.train.RunShape;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.nd4j.linalg.learning.config.IUpdater;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Stroke;
import java.awt.geom.Ellipse2D;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** PNG line charts (JFreeChart): accuracy, loss, weight norm, learning-rate / η_t schedule. */
public final class Charts {
    public static final int WIDTH = 1000, HEIGHT = 600;
    static final Font TITLE = new Font("SansSerif", Font.BOLD, 18);
    static final Font SUBTITLE = new Font("SansSerif", Font.PLAIN, 13);
    static final Font AXIS = new Font("SansSerif", Font.PLAIN, 14);
    static final Font TICKS = new Font("SansSerif", Font.PLAIN, 12);
    static final Font LEGEND = new Font("SansSerif", Font.PLAIN, 13);

    private Charts() {}

    /** Base colour of an optimizer (colour-blind-safe palette). */
    public static Color color(OptimizerKind k, int variant) {
        Color base;
        switch (k) {
            case ADAM_L2: base = new Color(0xD55E00); break;  // vermillion
            case ADAMW: base = new Color(0x0072B2); break;    // blue
            case ADAMWR: base = new Color(0x009E73); break;   // green
            case SGDW: base = new Color(0xCC79A7); break;     // reddish purple
            case SGDWR: base = new Color(0x56B4E9); break;    // sky blue
            default: base = new Color(0x555555);
        }
        if (variant == 0) return base;
        float[] hsb = Color.RGBtoHSB(base.getRed(), base.getGreen(), base.getBlue(), null);
        float b = Math.max(0.25f, Math.min(1f, hsb[2] + (variant % 2 == 1 ? -0.18f : 0.18f) * ((variant + 1) / 2)));
        return Color.getHSBColor(hsb[0], hsb[1] * (variant % 2 == 1 ? 1f : 0.7f), b);
    }

    /** The settings to draw, each with its runs (one per seed) and colour. */
    public static final class Line {
        public final OptimizerSpec spec;
        public final List<RunResult> runs;
        public final Color color;
        public final String label;

        public Line(OptimizerSpec spec, List<RunResult> runs, Color color, String label) {
            this.spec = spec;
            this.runs = runs;
            this.color = color;
            this.label = label;
        }
    }

    /** One line per setting in the summary (in the order given); colours by optimizer. */
    public static List<Line> lines(List<Summary.Setting> settings) {
        List<Line> l = new ArrayList<>();
        int[] variant = new int[OptimizerKind.values().length];
        for (Summary.Setting s : settings) {
            int n = s.runs.size();
            l.add(new Line(s.spec, s.runs, color(s.spec.kind, variant[s.spec.kind.ordinal()]++),
                    s.spec.label() + (n > 1 ? " (mean of " + n + " seeds, band min–max)" : " (seed " + s.runs.get(0).seed + ")")));
        }
        return l;
    }

    public static void accuracy(Path file, List<Line> lines, String subtitle) {
        epochChart(file, "Test accuracy per epoch", subtitle, "test accuracy (%)", lines,
                r -> 100 * r.testAccuracy, false, Double.NaN);
    }

    public static void weightNorm(Path file, List<Line> lines, String subtitle) {
        epochChart(file, "Global weight norm ‖W‖₂ per epoch", subtitle + " — epoch 0 = initialisation",
                "‖W‖₂ (all weight matrices and kernels; biases excluded)", lines, r -> r.weightNorm, true, Double.NaN);
    }

    /** Test loss (solid) and train loss (dashed). */
    public static void loss(Path file, List<Line> lines, String subtitle) {
        XYSeriesCollection ds = new XYSeriesCollection();
        XYLineAndShapeRenderer rr = new XYLineAndShapeRenderer(true, true);
        rr.setDrawSeriesLineAsPath(true);
        int i = 0;
        for (Line l : lines) {
            XYSeries test = new XYSeries(l.spec.label() + " — test", false, true);
            XYSeries train = new XYSeries(l.spec.label() + " — train", false, true);
            int epochs = minEpochs(l.runs);
            for (int e = 0; e < epochs; e++) {
                final int ee = e;
                test.add(e + 1, plotted(mean(l.runs, r -> r.records.get(ee).testLoss)));
                train.add(e + 1, plotted(mean(l.runs, r -> r.records.get(ee).trainLoss)));
            }
            ds.addSeries(test);
            ds.addSeries(train);
            style(rr, i, l.color, new BasicStroke(2.2f));
            style(rr, i + 1, l.color, new BasicStroke(1.6f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
                    new float[]{6f, 5f}, 0f));
            i += 2;
        }
        NumberAxis x = epochAxis();
        NumberAxis y = valueAxis("cross-entropy loss");
        XYPlot plot = new XYPlot(ds, x, y, rr);
        save(file, chart("Loss per epoch: test (solid) and train (dashed)", subtitle + " — train loss: mean over the"
                + " epoch's minibatches, data term only", plot));
    }

    private static void epochChart(Path file, String title, String subtitle, String yLabel, List<Line> lines,
                                   ToDoubleFunction<EpochRecord> f, boolean withInitial, double yMin) {
        YIntervalSeriesCollection ds = new YIntervalSeriesCollection();
        DeviationRenderer rr = new DeviationRenderer(true, true);
        rr.setAlpha(0.18f);
        int i = 0;
        for (Line l : lines) {
            YIntervalSeries s = new YIntervalSeries(l.label);
            if (withInitial) {
                double m = mean(l.runs, r -> r.initialWeightNorm);
                double lo = l.runs.stream().mapToDouble(r -> r.initialWeightNorm).min().orElse(m);
                double hi = l.runs.stream().mapToDouble(r -> r.initialWeightNorm).max().orElse(m);
                s.add(0, m, lo, hi);
            }
            int epochs = minEpochs(l.runs);
            for (int e = 0; e < epochs; e++) {
                double[] v = new double[l.runs.size()];
                for (int k = 0; k < v.length; k++) v[k] = plotted(f.applyAsDouble(l.runs.get(k).records.get(e)));
                Summary.Stat st = Summary.Stat.of(v);
                s.add(e + 1, st.mean, st.min, st.max);
            }
            ds.addSeries(s);
            style(rr, i, l.color, new BasicStroke(2.2f));
            rr.setSeriesFillPaint(i, l.color);
            i++;
        }
        NumberAxis x = epochAxis();
        NumberAxis y = valueAxis(yLabel);
        if (!Double.isNaN(yMin)) y.setLowerBound(yMin);
        XYPlot plot = new XYPlot(ds, x, y, rr);
        save(file, chart(title, subtitle, plot));
    }

    /**
     * Learning rate lr_t (top) and schedule multiplier η_t (bottom) at every iteration, x in (fractional) epochs;
     * dashed verticals mark AdamWR's warm restarts.
     */
    public static void schedule(Path file, List<Line> lines, RunShape shape, String subtitle) {
        int epochs = shape.epochs(), iterationsPerEpoch = shape.iterationsPerEpoch();
        XYSeriesCollection lrs = new XYSeriesCollection(), etas = new XYSeriesCollection();
        XYLineAndShapeRenderer r1 = new XYLineAndShapeRenderer(true, false);
        XYLineAndShapeRenderer r2 = new XYLineAndShapeRenderer(true, false);
        r1.setDrawSeriesLineAsPath(true); // one path per series, so dash patterns survive 1000s of points
        r2.setDrawSeriesLineAsPath(true);
        List<Double> restarts = new ArrayList<>();
        int i = 0;
        int total = epochs * iterationsPerEpoch;
        for (Line l : lines) {
            IUpdater u = l.spec.updater(shape);
            XYSeries lr = new XYSeries(l.spec.label(), false, true);
            XYSeries eta = new XYSeries(l.spec.label() + " ", false, true);
            for (int it = 0; it < total; it++) {
                int epoch = it / iterationsPerEpoch;
                double xv = (double) it / iterationsPerEpoch;
                lr.add(xv, OptimizerSpec.learningRate(u, it, epoch));
                eta.add(xv, l.spec.etaOf(u, it, epoch));
            }
            lrs.addSeries(lr);
            etas.addSeries(eta);
            // dashes alternate so that identical flat lines (Adam+L2 and AdamW at one lr) both stay visible
            Stroke st = i % 2 == 0 ? new BasicStroke(3.4f)
                    : new BasicStroke(2.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[]{14f, 12f}, 0f);
            style(r1, i, l.color, st);
            style(r2, i, l.color, st);
            r2.setSeriesVisibleInLegend(i, false);
            if (l.spec.restarts()) {
                double start = 0, len = l.spec.restartT0;
                while (true) {
                    start += len;
                    len *= l.spec.restartTMult;
                    if (start >= epochs - 1e-9) break;
                    if (!restarts.contains(start)) restarts.add(start);
                }
            }
            i++;
        }
        NumberAxis x = epochAxis();
        x.setLabel("epoch (fractional: iteration / iterations per epoch)");
        x.setLowerBound(0);
        x.setUpperBound(epochs);
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(x);
        NumberAxis y1 = valueAxis("learning rate lr_t = α·η_t");
        double maxLr = 0;
        for (int k = 0; k < lrs.getSeriesCount(); k++) maxLr = Math.max(maxLr, lrs.getSeries(k).getMaxY());
        y1.setRange(0, maxLr > 0 ? maxLr * 1.08 : 1);
        y1.setNumberFormatOverride(new java.text.DecimalFormat("0.0###"));
        NumberAxis y2 = valueAxis("multiplier η_t");
        y2.setRange(0, 1.08);
        XYPlot p1 = new XYPlot(lrs, null, y1, r1);
        XYPlot p2 = new XYPlot(etas, null, y2, r2);
        for (XYPlot p : List.of(p1, p2)) {
            stylePlot(p);
            for (double rs : restarts) {
                ValueMarker m = new ValueMarker(rs, new Color(0x777777), new BasicStroke(1f, BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_ROUND, 1f, new float[]{4f, 4f}, 0f));
                p.addDomainMarker(m);
            }
        }
        if (!restarts.isEmpty()) {
            ValueMarker first = (ValueMarker) p1.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND).iterator().next();
            first.setLabel("warm restarts");
            first.setLabelFont(TICKS);
            first.setLabelBackgroundColor(new Color(255, 255, 255, 0));
            first.setLabelPaint(new Color(0x555555));
            first.setLabelOffset(new RectangleInsets(4, 6, 4, 4));
            first.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
            first.setLabelTextAnchor(org.jfree.chart.ui.TextAnchor.TOP_LEFT);
        }
        plot.add(p1, 3);
        plot.add(p2, 2);
        plot.setGap(12);
        save(file, chart("Learning-rate schedule per iteration", subtitle, plot));
    }

    // ---- helpers ----

    static int minEpochs(List<RunResult> runs) {
        return runs.stream().mapToInt(r -> r.records.size()).min().orElse(0);
    }

    /**
     * The value, or NaN (a gap) for ±Infinity: a diverged run's weight norm or loss can overflow, and JFreeChart
     * cannot scale an axis to an infinite value (it throws). NaN, which a diverged run also records, is a gap already.
     */
    static double plotted(double v) {
        return Double.isInfinite(v) ? Double.NaN : v;
    }

    static double mean(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    static void style(XYLineAndShapeRenderer r, int i, Color c, Stroke s) {
        r.setSeriesPaint(i, c);
        r.setSeriesStroke(i, s);
        r.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
    }

    static NumberAxis epochAxis() {
        NumberAxis x = new NumberAxis("epoch");
        x.setAutoRangeIncludesZero(false);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setLabelFont(AXIS);
        x.setTickLabelFont(TICKS);
        return x;
    }

    static NumberAxis valueAxis(String label) {
        NumberAxis y = new NumberAxis(label);
        y.setAutoRangeIncludesZero(false);
        y.setLabelFont(AXIS);
        y.setTickLabelFont(TICKS);
        return y;
    }

    static void stylePlot(XYPlot p) {
        p.setSeriesRenderingOrder(org.jfree.chart.plot.SeriesRenderingOrder.FORWARD); // later series on top
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(new Color(0xDDDDDD));
        p.setRangeGridlinePaint(new Color(0xDDDDDD));
        p.setDomainGridlineStroke(new BasicStroke(1f));
        p.setRangeGridlineStroke(new BasicStroke(1f));
        p.setOutlinePaint(new Color(0x999999));
        p.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
    }

    static JFreeChart chart(String title, String subtitle, org.jfree.chart.plot.Plot plot) {
        if (plot instanceof XYPlot) stylePlot((XYPlot) plot);
        JFreeChart c = new JFreeChart(title, TITLE, plot, true);
        c.setBackgroundPaint(Color.WHITE);
        c.setPadding(new RectangleInsets(8, 8, 8, 16));
        if (subtitle != null && !subtitle.isEmpty()) {
            TextTitle t = new TextTitle(subtitle, SUBTITLE);
            t.setPaint(new Color(0x444444));
            c.addSubtitle(0, t);
        }
        LegendTitle lg = c.getLegend();
        if (lg != null) {
            lg.setItemFont(LEGEND);
            lg.setPosition(RectangleEdge.BOTTOM);
            lg.setFrame(BlockBorder.NONE);
            lg.setBackgroundPaint(Color.WHITE);
        }
        return c;
    }

    static void save(Path file, JFreeChart c) {
        try {
            ChartUtils.saveChartAsPNG(file.toFile(), c, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + file, e);
        }
    }
}
