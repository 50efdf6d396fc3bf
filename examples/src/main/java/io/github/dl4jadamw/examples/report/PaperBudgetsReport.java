package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.RunResult;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The budgets experiment's report: final test error and loss over λ_norm for each budget (epochs), the raw λ each
 * λ_norm gave, and where the best λ_norm and the best raw λ lie per budget.
 */
public final class PaperBudgetsReport extends FolderReport {
    public static final String CHART_ERROR = "budgets_error.png", CHART_LOSS = "budgets_loss.png";
    public PaperBudgetsReport(String command, boolean charts) {
        super(command, charts);
    }

    /** The runs of one budget and λ_norm. */
    static List<RunResult> cell(List<RunResult> runs, int epochs, double wdNorm) {
        List<RunResult> l = new ArrayList<>();
        for (RunResult r : runs) if (r.epochs == epochs && r.optimizer.lambda == wdNorm) l.add(r);
        return l;
    }

    static double mean(List<RunResult> rs, ToDoubleFunction<RunResult> f) {
        if (rs.isEmpty() || rs.stream().anyMatch(RunResult::diverged)) return Double.NaN;
        return rs.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    static final ToDoubleFunction<RunResult> ERROR = r -> 100 * (1 - r.last().testAccuracy);
    static final ToDoubleFunction<RunResult> LOSS = r -> r.last().testLoss;
    /** The raw λ the library applied (λ_norm·√(b/(B·T))). */
    static final ToDoubleFunction<RunResult> RAW = r -> r.last().lambda;

    static List<Integer> budgets(List<RunResult> runs) {
        return new ArrayList<>(new TreeSet<>(runs.stream().map(r -> r.epochs).toList()));
    }

    static List<Double> norms(List<RunResult> runs) {
        return new ArrayList<>(new TreeSet<>(runs.stream().map(r -> r.optimizer.lambda).toList()));
    }

    /** The λ_norm of the lowest mean of {@code f} at a budget (NaN if none). */
    static double best(List<RunResult> runs, int e, ToDoubleFunction<RunResult> f) {
        double b = Double.NaN, bv = Double.POSITIVE_INFINITY;
        for (double w : norms(runs)) {
            double v = mean(cell(runs, e, w), f);
            if (!Double.isNaN(v) && v < bv) {
                bv = v;
                b = w;
            }
        }
        return b;
    }

    @Override
    void drawCharts(Path dir, List<RunResult> runs) {
        chart(dir.resolve(CHART_ERROR), runs, ERROR, "final test error (%)", "Final test error");
        chart(dir.resolve(CHART_LOSS), runs, LOSS, "final test loss", "Final test loss");
    }

    @Override
    String markdown(ResultsStore store, List<RunResult> runs, int incomplete) {
        StringBuilder md = new StringBuilder(PaperText.header("Training budgets: AdamW with normalized weight decay",
                "paper-budgets", command, runs, incomplete));
        if (runs.isEmpty()) return md.append("No complete run yet.\n").toString();
        RunResult any = runs.get(0);
        List<Integer> budgets = budgets(runs);
        List<Double> norms = norms(runs);
        md.append("## Protocol\n\n")
                .append(PaperText.dataModelBatches(any, PaperText.meta(store.meta(), "trainData"),
                        String.join(", ", budgets.stream().map(String::valueOf).toList()) + " epochs (one budget per run)"))
                .append(ProtocolText.paperOptimizers(true))
                .append("- AdamW only, α = ").append(Fmt.num(any.optimizer.lr)).append(", one cosine annealing over each "
                        + "run (η_t = ½(1 + cos(πt/N)), N = epochs × ").append(any.iterationsPerEpoch)
                .append(" iterations); λ = λ_norm·√(b/(B·T)) with b = ").append(any.batchSize).append(", B = ")
                .append(Fmt.f("%,d", any.trainSize)).append(", T = the budget; seed ").append(PaperGridReport.seeds(runs))
                .append(".\n").append(ProtocolText.MEASURED).append("\n");
        md.append(summary(runs, budgets));
        md.append(table(runs, budgets, norms, "Final test error (%)", ERROR, "%.2f", ERROR));
        md.append(table(runs, budgets, norms, "Final test loss", LOSS, "%.4f", LOSS));
        md.append(table(runs, budgets, norms, "Raw λ = λ_norm·√(b/(B·T)) (as the library applied it)", RAW, "%.3g", null));
        md.append(table(runs, budgets, norms, "Final weight norm ‖W‖₂", r -> r.last().weightNorm, "%.2f", null));
        md.append("## Charts\n\n![Final test error over λ_norm and over the raw λ](").append(CHART_ERROR)
                .append(")\n\n![Final test loss over λ_norm and over the raw λ](").append(CHART_LOSS).append(")\n\n")
                .append("Every epoch of every run, with its configuration: `results.csv`, `results.json`.\n");
        return md.toString();
    }

    static String summary(List<RunResult> runs, List<Integer> budgets) {
        StringBuilder md = new StringBuilder("## Best λ_norm and best raw λ per budget\n\n");
        md.append("| epochs | best λ_norm by error (error %) | its raw λ | λ_norm within ").append(Fmt.num(PaperGridReport.NEAR_PP))
                .append(" points | best λ_norm by test loss (loss) | its raw λ |\n|---:|---:|---:|---|---:|---:|\n");
        List<Double> bestE = new ArrayList<>(), bestL = new ArrayList<>();
        for (int e : budgets) {
            double be = best(runs, e, ERROR), bl = best(runs, e, LOSS);
            bestE.add(be);
            bestL.add(bl);
            List<String> near = new ArrayList<>();
            double ev = Double.isNaN(be) ? Double.NaN : mean(cell(runs, e, be), ERROR);
            for (double w : norms(runs)) {
                double v = mean(cell(runs, e, w), ERROR);
                if (!Double.isNaN(v) && v <= ev + PaperGridReport.NEAR_PP) near.add(Fmt.num(w));
            }
            md.append("| ").append(e).append(" | ").append(Double.isNaN(be) ? "–" : Fmt.num(be) + " (" + Fmt.f("%.2f", ev) + ")")
                    .append(" | ").append(Double.isNaN(be) ? "–" : raw(mean(cell(runs, e, be), RAW)))
                    .append(" | ").append(String.join(", ", near)).append(" | ")
                    .append(Double.isNaN(bl) ? "–" : Fmt.num(bl) + " (" + Fmt.f("%.4f", mean(cell(runs, e, bl), LOSS)) + ")")
                    .append(" | ").append(Double.isNaN(bl) ? "–" : raw(mean(cell(runs, e, bl), RAW))).append(" |\n");
        }
        md.append("\n");
        md.append("- By final test error the best λ_norm is ").append(sameOrMoves(bestE, budgets)).append(".\n");
        md.append("- By final test loss the best λ_norm is ").append(sameOrMoves(bestL, budgets)).append(".\n");
        List<Double> norms = norms(runs);
        double top = norms.get(norms.size() - 1);
        List<String> edge = new ArrayList<>();
        for (int i = 0; i < budgets.size(); i++)
            if ((bestE.get(i) == top || bestL.get(i) == top) && top > 0) edge.add(String.valueOf(budgets.get(i)));
        if (!edge.isEmpty())
            md.append("- At ").append(String.join(", ", edge)).append(" epochs a best λ_norm is the largest run ("
                    + Fmt.num(top) + "): the optimum may lie above it.\n");
        md.append("- At a fixed λ_norm the raw λ falls as 1/√T: from ").append(budgets.get(0)).append(" to ")
                .append(budgets.get(budgets.size() - 1)).append(" epochs by √(").append(budgets.get(budgets.size() - 1))
                .append("/").append(budgets.get(0)).append(") = ")
                .append(Fmt.f("%.2f", Math.sqrt((double) budgets.get(budgets.size() - 1) / budgets.get(0))))
                .append("×; a best λ_norm that stays put is a best raw λ that moves by that factor.\n\n");
        return md.toString();
    }

    /** A raw λ: 0 as "0", else three significant digits. */
    static String raw(double v) {
        return v == 0 ? "0" : Fmt.f("%.3g", v);
    }

    static String sameOrMoves(List<Double> best, List<Integer> budgets) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < budgets.size(); i++)
            parts.add(Double.isNaN(best.get(i)) ? "–" : Fmt.num(best.get(i)) + " at " + budgets.get(i) + " epochs");
        boolean same = best.stream().distinct().count() == 1 && !Double.isNaN(best.get(0));
        return (same ? "the same at every budget: " : "not the same at every budget: ") + String.join(", ", parts);
    }

    static String table(List<RunResult> runs, List<Integer> budgets, List<Double> norms, String what,
                        ToDoubleFunction<RunResult> f, String fmt, ToDoubleFunction<RunResult> boldBy) {
        StringBuilder md = new StringBuilder("## ").append(what).append("\n\nRows λ_norm, columns budget (epochs)")
                .append(boldBy != null ? "; **bold**: the budget's lowest" : "").append(".\n\n");
        md.append(PaperText.mdTableHeader("λ_norm \\ epochs", budgets.stream().map(String::valueOf).toList()));
        for (double w : norms) {
            md.append("| ").append(Fmt.num(w)).append(" |");
            for (int e : budgets) {
                List<RunResult> c = cell(runs, e, w);
                double m = c.isEmpty() ? Double.NaN : mean(c, f);
                String v = c.isEmpty() ? "–" : m == 0 ? "0" : PaperText.f(fmt, m);
                boolean bold = boldBy != null && !c.isEmpty() && best(runs, e, boldBy) == w;
                md.append(" ").append(bold ? "**" + v + "**" : v).append(" |");
            }
            md.append("\n");
        }
        return md.append("\n").toString();
    }

    /** Left: the value over λ_norm (evenly spaced); right: over the raw λ (log axis, λ = 0 left out). */
    static void chart(Path file, List<RunResult> runs, ToDoubleFunction<RunResult> f, String yLabel, String title) {
        List<Integer> budgets = budgets(runs);
        List<Double> norms = norms(runs);
        XYSeriesCollection byNorm = new XYSeriesCollection(), byRaw = new XYSeriesCollection();
        for (int e : budgets) {
            XYSeries a = new XYSeries(e + " epochs", false, true), b = new XYSeries(e + " epochs ", false, true);
            for (int i = 0; i < norms.size(); i++) {
                List<RunResult> c = cell(runs, e, norms.get(i));
                double v = mean(c, f);
                if (c.isEmpty() || Double.isNaN(v)) continue;
                a.add(i, v);
                double raw = mean(c, RAW);
                if (raw > 0) b.add(raw, v);
            }
            byNorm.addSeries(a);
            byRaw.addSeries(b);
        }
        SymbolAxis x1 = new SymbolAxis("normalized decay λ_norm", norms.stream().map(Fmt::num).toArray(String[]::new));
        x1.setLabelFont(Charts.AXIS);
        x1.setTickLabelFont(Charts.TICKS);
        LogAxis x2 = new LogAxis("raw λ = λ_norm·√(b/(B·T)) (per step η_t·λ)");
        x2.setLabelFont(Charts.AXIS);
        x2.setTickLabelFont(Charts.TICKS);
        x2.setBase(10);
        x2.setSmallestValue(1e-8);
        x2.setNumberFormatOverride(new java.text.DecimalFormat("0.#E0"));   // the value, not its exponent
        NumberAxis y = Charts.valueAxis(yLabel);
        CombinedRangeXYPlot plot = new CombinedRangeXYPlot(y);
        XYPlot p1 = new XYPlot(byNorm, x1, null, renderer(budgets.size(), true));
        XYPlot p2 = new XYPlot(byRaw, x2, null, renderer(budgets.size(), false));
        Charts.stylePlot(p1);
        Charts.stylePlot(p2);
        plot.add(p1, 1);
        plot.add(p2, 1);
        plot.setGap(16);
        JFreeChart c = Charts.chart(title + " of AdamW (cosine annealing, α = " + Fmt.num(runs.get(0).optimizer.lr)
                + ") by budget", "left: over λ_norm; right: over the raw λ it gives at each budget (λ_norm = 0 only on "
                + "the left); seed " + PaperGridReport.seeds(runs), plot);
        Charts.save(file, c);
    }

    static XYLineAndShapeRenderer renderer(int n, boolean legend) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        Color[] cs = {new Color(0x56B4E9), new Color(0x0072B2), new Color(0x000000), new Color(0xD55E00),
                new Color(0x009E73)};
        for (int i = 0; i < n; i++) {
            Charts.style(r, i, cs[i % cs.length], new BasicStroke(2.2f));
            r.setSeriesVisibleInLegend(i, legend);
        }
        return r;
    }
}
