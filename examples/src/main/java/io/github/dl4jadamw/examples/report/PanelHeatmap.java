package io.github.dl4jadamw.examples.report;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleFunction;

/**
 * Heatmaps in the paper's layout (Loshchilov &amp; Hutter, Fig. 2): learning rate on x, λ on y (growing upwards), one
 * panel per optimizer and schedule, panels in rows, one colour scale for the whole figure, the best cell of each
 * panel outlined. A panel's rows may sit at arbitrary heights on a log axis ({@link Panel#logY}): that draws a grid
 * whose λ is rescaled per column, e.g. AdamW's cells at PyTorch's λ/α. Plain Java2D.
 */
public final class PanelHeatmap {
    static final int CELL_W = 104, CELL_H = 46, GAP_X = 120, GAP_Y = 110, LEFT = 120, TOP = 110, BAR_W = 22;
    /** Pixels per decade of a log-y panel. */
    static final int DECADE_H = 96;

    private PanelHeatmap() {}

    /** One panel: values[c][r] for column c (x, left to right) and row r (y, bottom to top); NaN = no value. */
    public static final class Panel {
        public final String title, xLabel, yLabel;
        public final List<String> cols, rows;
        public final double[][] values;
        /** Text for a cell without a value ("diverged", "not run"), by [c][r]; null = "not run". */
        public final String[][] notes;
        /** The best cell, outlined (−1: none). */
        public int bestCol = -1, bestRow = -1;
        /** log10 of each cell's y value, [c][r]; null = rows on a regular grid. NaN = the bottom band (λ = 0). */
        public double[][] logY;
        /** The label of the bottom band of a log-y panel. */
        public String zeroLabel = "0";

        public Panel(String title, String xLabel, String yLabel, List<String> cols, List<String> rows) {
            this.title = title;
            this.xLabel = xLabel;
            this.yLabel = yLabel;
            this.cols = cols;
            this.rows = rows;
            this.values = new double[cols.size()][rows.size()];
            this.notes = new String[cols.size()][rows.size()];
            for (double[] v : values) java.util.Arrays.fill(v, Double.NaN);
        }

        int width() { return cols.size() * CELL_W; }

        int height() {
            if (logY == null) return rows.size() * CELL_H;
            double[] r = logRange();
            return (int) Math.ceil((r[1] - r[0]) * DECADE_H) + CELL_H;   // + the bottom band
        }

        /** {lowest edge, highest edge} of the log-y cells. */
        double[] logRange() {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols.size(); c++)
                for (int r = 0; r < rows.size(); r++) {
                    double[] e = logEdges(c, r);
                    if (e == null) continue;
                    lo = Math.min(lo, e[0]);
                    hi = Math.max(hi, e[1]);
                }
            return new double[]{lo, hi};
        }

        /** {lower, upper} edge in log10 of cell (c, r): halfway to its neighbours in the column. */
        double[] logEdges(int c, int r) {
            double y = logY[c][r];
            if (Double.isNaN(y)) return null;
            double below = Double.NaN, above = Double.NaN;
            for (int k = r - 1; k >= 0 && Double.isNaN(below); k--) below = logY[c][k];
            for (int k = r + 1; k < rows.size() && Double.isNaN(above); k++) above = logY[c][k];
            double lo = !Double.isNaN(below) ? (y + below) / 2 : !Double.isNaN(above) ? y - (above - y) / 2 : y - 0.25;
            double hi = !Double.isNaN(above) ? (y + above) / 2 : !Double.isNaN(below) ? y + (y - below) / 2 : y + 0.25;
            return new double[]{lo, hi};
        }
    }

    /**
     * Draws {@code panels} (rows of panels) into {@code file}. {@code format} writes a value into its cell,
     * {@code scale} names the colour bar; low values are pale, high values dark.
     */
    public static void write(Path file, String title, String subtitle, List<List<Panel>> panels,
                             DoubleFunction<String> format, String scale) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        int w = 0, h = TOP;
        for (List<Panel> row : panels) {
            int rw = LEFT, rh = 0;
            for (Panel p : row) {
                for (double[] col : p.values)
                    for (double v : col)
                        if (Double.isFinite(v)) {
                            lo = Math.min(lo, v);
                            hi = Math.max(hi, v);
                        }
                rw += p.width() + GAP_X;
                rh = Math.max(rh, p.height());
            }
            w = Math.max(w, rw + 60);
            h += rh + GAP_Y;
        }
        if (!(hi > lo)) hi = lo + 1;
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        w = Math.max(w, probe.getFontMetrics(Charts.TITLE).stringWidth(title) + 40);
        w = Math.max(w, probe.getFontMetrics(Charts.SUBTITLE).stringWidth(subtitle) + 40);
        probe.dispose();
        h += 20;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Heatmap.canvas(img, title, List.of(subtitle));

        int y0 = TOP;
        int barX = 0, barTop = TOP, barH = 0;
        for (List<Panel> row : panels) {
            int x0 = LEFT, rh = 0;
            for (Panel p : row) {
                rh = Math.max(rh, p.height());
                draw(g, p, x0, y0, lo, hi, format);
                x0 += p.width() + GAP_X;
            }
            barX = Math.max(barX, x0 - GAP_X + 24);
            barH = y0 + rh - TOP;
            y0 += rh + GAP_Y;
        }
        colourBar(g, barX, barTop, Math.max(barH, 4 * CELL_H), lo, hi, format, scale);
        g.setFont(Charts.SUBTITLE);
        g.setColor(new Color(0x444444));
        g.drawString("Bold value, thick frame: the cell of the panel's lowest final test error.", LEFT, h - 14);
        g.dispose();
        try {
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void draw(Graphics2D g, Panel p, int x0, int y0, double lo, double hi, DoubleFunction<String> format) {
        int pw = p.width(), ph = p.height();
        g.setFont(new Font("SansSerif", Font.BOLD, 15));
        g.setColor(Color.BLACK);
        Heatmap.center(g, p.title, x0 + pw / 2, y0 - 12);
        double[] range = p.logY == null ? null : p.logRange();
        for (int c = 0; c < p.cols.size(); c++)
            for (int r = 0; r < p.rows.size(); r++) {
                int cx = x0 + c * CELL_W, cy, chh;
                if (p.logY == null) {
                    cy = y0 + (p.rows.size() - 1 - r) * CELL_H;
                    chh = CELL_H;
                } else {
                    double[] e = p.logEdges(c, r);
                    if (e == null) {   // the bottom band
                        cy = y0 + ph - CELL_H;
                        chh = CELL_H;
                    } else {
                        cy = y0 + (int) Math.round((range[1] - e[1]) * DECADE_H);
                        chh = (int) Math.round((e[1] - e[0]) * DECADE_H);
                    }
                }
                cell(g, p, c, r, cx, cy, chh, lo, hi, format);
            }
        g.setColor(new Color(0x666666));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(x0, y0, pw, ph);
        g.setColor(Color.BLACK);
        g.setFont(Charts.TICKS);
        for (int c = 0; c < p.cols.size(); c++) Heatmap.center(g, p.cols.get(c), x0 + c * CELL_W + CELL_W / 2, y0 + ph + 20);
        FontMetrics fm = g.getFontMetrics();
        if (p.logY == null) {
            for (int r = 0; r < p.rows.size(); r++) {
                String t = p.rows.get(r);
                g.drawString(t, x0 - 8 - fm.stringWidth(t), y0 + (p.rows.size() - 1 - r) * CELL_H + CELL_H / 2 + 5);
            }
        } else {   // decade ticks, and the bottom band
            for (int d = (int) Math.ceil(range[0]); d <= Math.floor(range[1]); d++) {
                int y = y0 + (int) Math.round((range[1] - d) * DECADE_H);
                String t = io.github.dl4jadamw.examples.train.Fmt.num(Math.pow(10, d));
                g.drawLine(x0 - 5, y, x0, y);
                g.drawString(t, x0 - 8 - fm.stringWidth(t), y + 5);
            }
            g.drawString(p.zeroLabel, x0 - 8 - fm.stringWidth(p.zeroLabel), y0 + ph - CELL_H / 2 + 5);
        }
        g.setFont(Charts.AXIS);
        Heatmap.center(g, p.xLabel, x0 + pw / 2, y0 + ph + 46);
        AffineTransform old = g.getTransform();
        g.rotate(-Math.PI / 2, x0 - 72, y0 + ph / 2.0);
        Heatmap.center(g, p.yLabel, x0 - 72, y0 + ph / 2 + 5);
        g.setTransform(old);
    }

    private static void cell(Graphics2D g, Panel p, int c, int r, int cx, int cy, int ch, double lo, double hi,
                             DoubleFunction<String> format) {
        double v = p.values[c][r];
        boolean best = c == p.bestCol && r == p.bestRow;
        if (!Double.isFinite(v)) {
            g.setColor(new Color(0xEEEEEE));
            g.fillRect(cx, cy, CELL_W, ch);
            g.setColor(new Color(0x888888));
            g.setFont(Charts.TICKS);
            Heatmap.center(g, p.notes[c][r] != null ? p.notes[c][r] : "not run", cx + CELL_W / 2, cy + ch / 2 + 5);
            return;
        }
        Color col = Heatmap.colormap((v - lo) / (hi - lo));
        g.setColor(col);
        g.fillRect(cx, cy, CELL_W, ch);
        g.setColor(new Color(255, 255, 255, 90));
        g.drawRect(cx, cy, CELL_W, ch);
        g.setColor(Heatmap.luminance(col) > 0.55 ? Color.BLACK : Color.WHITE);
        g.setFont(new Font("SansSerif", best ? Font.BOLD : Font.PLAIN, ch < 30 ? 11 : 14));
        Heatmap.center(g, format.apply(v), cx + CELL_W / 2, cy + ch / 2 + 5);
        if (best) {
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(3.5f));
            g.drawRect(cx + 2, cy + 2, CELL_W - 4, ch - 4);
            g.setStroke(new BasicStroke(1f));
        }
    }

    private static void colourBar(Graphics2D g, int bx, int by, int bh, double lo, double hi,
                                  DoubleFunction<String> format, String scale) {
        for (int y = 0; y < bh; y++) {
            g.setColor(Heatmap.colormap(1 - (double) y / (bh - 1)));
            g.fillRect(bx, by + y, BAR_W, 1);
        }
        g.setColor(new Color(0x666666));
        g.drawRect(bx, by, BAR_W, bh);
        g.setColor(Color.BLACK);
        g.setFont(Charts.TICKS);
        for (int i = 0; i <= 4; i++) {
            double v = hi - (hi - lo) * i / 4;
            int y = by + (int) Math.round((double) bh * i / 4);
            g.drawLine(bx + BAR_W, y, bx + BAR_W + 4, y);
            g.drawString(format.apply(v), bx + BAR_W + 7, y + 5);
        }
        g.setFont(Charts.SUBTITLE);
        g.drawString(scale, bx - 8, by - 10);
    }
}
