package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.OptimizerKind;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Paper-style heatmaps (Loshchilov &amp; Hutter, Fig. 2): final test error over learning rate (x) × decay λ (y),
 * one panel per optimizer side by side, one shared colour scale, the best cell outlined. Plain Java2D.
 */
public final class Heatmap {
    static final int CELL_W = 130, CELL_H = 54, PANEL_GAP = 120, LEFT = 110, TOP = 96, BOTTOM = 86, BAR_W = 22;

    private Heatmap() {}

    /** Image width for {@code panels} panels of {@code cols} columns, unless the titles need more (for tests). */
    public static int width(int panels, int cols) {
        return LEFT + panels * cols * CELL_W + (panels - 1) * PANEL_GAP + 130;
    }

    /** Image height for {@code rows} rows and a one-line subtitle. */
    public static int height(int rows) {
        return TOP + rows * CELL_H + BOTTOM;
    }

    /**
     * Draws the heatmap of final test error (mean over {@code seeds}; null = all seeds) for each optimizer in
     * {@code kinds} that has settings in {@code summary}.
     */
    public static void write(Path file, Summary summary, List<OptimizerKind> kinds, Set<Long> seeds, String title,
                             String subtitle) {
        kinds = kinds.stream().filter(k -> !summary.of(k).isEmpty()).toList();
        if (kinds.isEmpty()) throw new IllegalArgumentException("no settings to draw");
        int rows = 0, cols = 0;
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (OptimizerKind k : kinds) {
            rows = Math.max(rows, summary.lambdas(k).size());
            cols = Math.max(cols, summary.learningRates(k).size());
            for (Summary.Setting s : summary.of(k)) {
                double err = 100 * (1 - s.finalAccuracyOver(seeds));
                if (Double.isNaN(err)) continue;
                lo = Math.min(lo, err);
                hi = Math.max(hi, err);
            }
        }
        if (!(hi > lo)) { hi = lo + 1; }
        // the subtitle may be split at "; " into lines that fit; the image is widened if one line is still too wide
        java.awt.Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        FontMetrics sfm = probe.getFontMetrics(Charts.SUBTITLE);
        int w = width(kinds.size(), cols);
        java.util.List<String> subLines = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String part : subtitle.split("; ")) {
            String cand = cur.length() == 0 ? part : cur + "; " + part;
            if (cur.length() > 0 && sfm.stringWidth(cand) > w - 40) {
                subLines.add(cur.toString());
                cur = new StringBuilder(part);
            } else {
                cur = new StringBuilder(cand);
            }
        }
        subLines.add(cur.toString());
        for (String l : subLines) w = Math.max(w, sfm.stringWidth(l) + 40);
        w = Math.max(w, probe.getFontMetrics(Charts.TITLE).stringWidth(title) + 40);
        probe.dispose();
        int extra = (subLines.size() - 1) * 18;
        int h = height(rows) + extra;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas(img, title, subLines);
        g.translate(0, extra);

        int x0 = LEFT;
        for (OptimizerKind k : kinds) {
            List<Double> lrs = summary.learningRates(k), lams = summary.lambdas(k);
            int pw = lrs.size() * CELL_W, ph = lams.size() * CELL_H;
            int py = TOP + (rows - lams.size()) * CELL_H;
            Summary.Setting best = summary.best(k, seeds);
            g.setFont(new Font("SansSerif", Font.BOLD, 15));
            g.setColor(Color.BLACK);
            center(g, k.label, x0 + pw / 2, TOP - 12);
            for (int c = 0; c < lrs.size(); c++) {
                for (int r = 0; r < lams.size(); r++) {
                    int cx = x0 + c * CELL_W, cy = py + (lams.size() - 1 - r) * CELL_H; // λ grows upwards
                    Summary.Setting s = summary.get(k, lrs.get(c), lams.get(r));
                    double err = s == null ? Double.NaN : 100 * (1 - s.finalAccuracyOver(seeds));
                    if (Double.isNaN(err)) {
                        g.setColor(new Color(0xEEEEEE));
                        g.fillRect(cx, cy, CELL_W, CELL_H);
                        g.setColor(new Color(0x888888));
                        g.setFont(Charts.TICKS);
                        center(g, s != null && s.divergedOver(seeds) ? "diverged" : "not run", cx + CELL_W / 2,
                                cy + CELL_H / 2 + 5);
                        continue;
                    }
                    Color col = colormap((err - lo) / (hi - lo));
                    g.setColor(col);
                    g.fillRect(cx, cy, CELL_W, CELL_H);
                    g.setColor(luminance(col) > 0.55 ? Color.BLACK : Color.WHITE);
                    g.setFont(new Font("SansSerif", s == best ? Font.BOLD : Font.PLAIN, 15));
                    center(g, Fmt.f("%.2f%%", err), cx + CELL_W / 2, cy + CELL_H / 2 + 6);
                }
            }
            g.setColor(new Color(0x666666));
            g.setStroke(new BasicStroke(1f));
            g.drawRect(x0, py, pw, ph);
            if (best != null) {
                int c = lrs.indexOf(best.spec.lr), r = lams.indexOf(best.spec.lambda);
                g.setColor(Color.BLACK);
                g.setStroke(new BasicStroke(3.5f));
                g.drawRect(x0 + c * CELL_W + 2, py + (lams.size() - 1 - r) * CELL_H + 2, CELL_W - 4, CELL_H - 4);
            }
            // axes
            g.setColor(Color.BLACK);
            g.setFont(Charts.TICKS);
            for (int c = 0; c < lrs.size(); c++)
                center(g, Fmt.num(lrs.get(c)), x0 + c * CELL_W + CELL_W / 2, py + ph + 20);
            for (int r = 0; r < lams.size(); r++) {
                String t = Fmt.num(lams.get(r));
                FontMetrics fm = g.getFontMetrics();
                g.drawString(t, x0 - 8 - fm.stringWidth(t), py + (lams.size() - 1 - r) * CELL_H + CELL_H / 2 + 5);
            }
            g.setFont(Charts.AXIS);
            center(g, "learning rate α", x0 + pw / 2, py + ph + 46);
            AffineTransform old = g.getTransform();
            g.rotate(-Math.PI / 2, x0 - 62, py + ph / 2.0);
            center(g, k == OptimizerKind.ADAM_L2 ? "L2 coefficient λ" : "weight decay λ (lr-coupled)", x0 - 62,
                    py + ph / 2 + 5);
            g.setTransform(old);
            x0 += pw + PANEL_GAP;
        }
        // colour bar
        int bx = x0 - PANEL_GAP + 34, by = TOP, bh = rows * CELL_H;
        for (int y = 0; y < bh; y++) {
            g.setColor(colormap(1 - (double) y / (bh - 1)));
            g.fillRect(bx, by + y, BAR_W, 1);
        }
        g.setColor(new Color(0x666666));
        g.setStroke(new BasicStroke(1f));
        g.drawRect(bx, by, BAR_W, bh);
        g.setColor(Color.BLACK);
        g.setFont(Charts.TICKS);
        for (int i = 0; i <= 4; i++) {
            double v = hi - (hi - lo) * i / 4;
            int y = by + (int) Math.round((double) bh * i / 4);
            g.drawLine(bx + BAR_W, y, bx + BAR_W + 4, y);
            g.drawString(Fmt.f("%.1f%%", v), bx + BAR_W + 7, y + 5);
        }
        g.setFont(Charts.SUBTITLE);
        g.drawString("test error", bx - 8, by + bh + 24);
        g.setFont(Charts.SUBTITLE);
        g.setColor(new Color(0x444444));
        g.drawString("Bold value, thick frame: the best setting of each optimizer.", LEFT, h - extra - 12);
        g.dispose();
        try {
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** 0 = lowest error (pale yellow) … 1 = highest (dark red): a YlOrRd-like ramp. */
    static Color colormap(double t) {
        t = Math.max(0, Math.min(1, t));
        int[][] stops = {{255, 255, 204}, {254, 217, 118}, {253, 141, 60}, {227, 26, 28}, {128, 0, 38}};
        double p = t * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) Math.floor(p));
        double f = p - i;
        int[] a = stops[i], b = stops[i + 1];
        return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
                (int) Math.round(a[2] + f * (b[2] - a[2])));
    }

    static double luminance(Color c) {
        return (0.2126 * c.getRed() + 0.7152 * c.getGreen() + 0.0722 * c.getBlue()) / 255;
    }

    /**
     * The image's graphics, antialiased, on white, with the title centred at the top and each subtitle line below it
     * (as every heatmap here starts).
     */
    static Graphics2D canvas(BufferedImage img, String title, List<String> subtitleLines) {
        int w = img.getWidth();
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(Charts.TITLE);
        center(g, title, w / 2, 30);
        g.setFont(Charts.SUBTITLE);
        g.setColor(new Color(0x444444));
        for (int i = 0; i < subtitleLines.size(); i++) center(g, subtitleLines.get(i), w / 2, 54 + 18 * i);
        return g;
    }

    static void center(Graphics2D g, String s, int cx, int baseline) {
        FontMetrics fm = g.getFontMetrics();
        g.drawString(s, cx - fm.stringWidth(s) / 2, baseline);
    }
}
