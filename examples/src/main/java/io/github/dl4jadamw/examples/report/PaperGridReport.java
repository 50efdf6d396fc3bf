package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.RunResult;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The paper grid's report: final test error, test loss and weight norm over α × λ for each optimizer and schedule,
 * where the best λ lies at each α, whether the good region is separable, and AdamW's cells at PyTorch's λ/α.
 */
public final class PaperGridReport extends FolderReport {
    public static final String HEATMAP_ERROR = "heatmap_error.png", HEATMAP_LOSS = "heatmap_test_loss.png",
            HEATMAP_NORM = "heatmap_weight_norm.png", HEATMAP_PYTORCH = "heatmap_adamw_pytorch_lambda.png";
    /** A λ within this many percentage points of a column's best error counts as near-best (about the seed noise). */
    public static final double NEAR_PP = 0.5;
    /** ... and within this fraction of the column's lowest test loss. */
    public static final double NEAR_LOSS = 0.02;
    static final List<OptimizerKind> KINDS = List.of(OptimizerKind.ADAM_L2, OptimizerKind.ADAMW);

    public PaperGridReport(String command, boolean charts) {
        super(command, charts);
    }

    /** The panels present, schedules in enum order (fixed first), Adam+L2 before AdamW. */
    static List<GridCells> panels(List<RunResult> runs) {
        List<GridCells> l = new ArrayList<>();
        for (LrSchedule s : LrSchedule.values())
            for (OptimizerKind k : KINDS) {
                GridCells g = new GridCells(runs, k, s, null);
                if (!g.isEmpty()) l.add(g);
            }
        return l;
    }

    static String panelTitle(GridCells g) {
        return (g.kind == OptimizerKind.ADAMW ? "AdamW (paper convention)" : g.kind.label) + " — " + g.schedule.label;
    }

    static String lambdaName(OptimizerKind k) {
        return k == OptimizerKind.ADAM_L2 ? "L2 coefficient λ" : "weight decay λ (step η_t·λ)";
    }

    @Override
    void drawCharts(Path dir, List<RunResult> runs) {
        heatmaps(dir, runs);
    }

    @Override
    String markdown(ResultsStore store, List<RunResult> runs, int incomplete) {
        StringBuilder md = new StringBuilder(PaperText.header("The paper's learning rate × weight decay grid: Adam+L2"
                + " vs AdamW", "paper-grid", command, runs, incomplete));
        if (runs.isEmpty()) return md.append("No complete run yet.\n").toString();
        RunResult any = runs.get(0);
        md.append("## Protocol\n\n")
                .append(PaperText.dataModelBatches(any, PaperText.meta(store.meta(), "trainData"), any.epochs + " epochs"))
                .append(ProtocolText.paperOptimizers(false))
                .append("- Schedules: a fixed learning rate, and one cosine annealing over the whole run, η_t = "
                        + "½(1 + cos(πt/N)) for iterations t = 0 … N−1 (N = ").append(any.epochs * any.iterationsPerEpoch)
                .append("), no restart.\n")
                .append("- Grid: α × λ as in the tables; seed ").append(seeds(runs))
                .append(". Every cell is the final epoch; a run whose loss turned NaN/Inf is \"diverged\".\n")
                .append(ProtocolText.MEASURED).append("\n");
        List<GridCells> panels = panels(runs);
        md.append(bestLambdaSection(panels));
        md.append(separabilitySection(panels));
        md.append(tablesSection(panels, "Final test error (%)", GridCells.Cell::error, "%.2f"));
        md.append(tablesSection(panels, "Final test loss", GridCells.Cell::testLoss, "%.4f"));
        md.append(tablesSection(panels, "Final weight norm ‖W‖₂", GridCells.Cell::weightNorm, "%.2f"));
        md.append("## Charts\n\n");
        md.append("![Final test error](").append(HEATMAP_ERROR).append(")\n\n");
        md.append("![Final test loss](").append(HEATMAP_LOSS).append(")\n\n");
        md.append("![Final weight norm](").append(HEATMAP_NORM).append(")\n\n");
        md.append("![AdamW at PyTorch's λ](").append(HEATMAP_PYTORCH).append(")\n\n");
        md.append("Every epoch of every run, with its configuration: `results.csv`, `results.json`.\n");
        return md.toString();
    }

    static String seeds(List<RunResult> runs) {
        return String.join(", ", runs.stream().map(r -> r.seed).distinct().sorted().map(String::valueOf).toList());
    }

    /** Per panel and α: the best λ by final test error, the near-best λs, the best λ by test loss. */
    static String bestLambdaSection(List<GridCells> panels) {
        StringBuilder md = new StringBuilder("## Where the best λ lies at each learning rate\n\n");
        md.append("Per learning rate α: the λ of the lowest final test error, every λ within ").append(Fmt.num(NEAR_PP))
                .append(" percentage points of it (\"near-best\": about the spread between seeds), and the λ of the "
                        + "lowest final test loss. For AdamW, PyTorch's λ of the best cell is λ/α.\n\n");
        for (GridCells g : panels) {
            md.append("**").append(panelTitle(g)).append("**\n\n");
            md.append("| α | best λ (error %) | near-best λ | best λ by test loss (loss) |")
                    .append(g.kind == OptimizerKind.ADAMW ? " PyTorch λ/α of the best |" : "").append("\n");
            md.append("|---:|---:|---|---:|").append(g.kind == OptimizerKind.ADAMW ? "---:|" : "").append("\n");
            for (double a : g.learningRates()) {
                GridCells.Cell b = g.bestAt(a), bl = g.bestLossAt(a);
                md.append("| ").append(Fmt.num(a)).append(" | ")
                        .append(b == null ? "all diverged" : Fmt.num(b.lambda) + " (" + PaperText.pct(b.error()) + ")")
                        .append(" | ").append(String.join(", ", nearBest(g, a).stream().map(Fmt::num).toList()))
                        .append(" | ").append(bl == null ? "–" : Fmt.num(bl.lambda) + " (" + Fmt.f("%.4f", bl.testLoss()) + ")")
                        .append(" |");
                if (g.kind == OptimizerKind.ADAMW)
                    md.append(" ").append(b == null ? "–" : Fmt.f("%.3g", b.lambda / a)).append(" |");
                md.append("\n");
            }
            GridCells.Cell best = g.best();
            if (best != null)
                md.append("\nBest cell: α = ").append(Fmt.num(best.lr)).append(", λ = ").append(Fmt.num(best.lambda))
                        .append(": ").append(PaperText.pct(best.error())).append("% error, test loss ")
                        .append(Fmt.f("%.4f", best.testLoss())).append(".\n");
            md.append("\n");
        }
        return md.toString();
    }

    /** The λs within {@link #NEAR_PP} of the best error at α. */
    static List<Double> nearBest(GridCells g, double a) {
        GridCells.Cell b = g.bestAt(a);
        List<Double> l = new ArrayList<>();
        if (b == null) return l;
        for (double lam : g.lambdas()) {
            GridCells.Cell c = g.get(a, lam);
            if (c != null && c.error() <= b.error() + NEAR_PP) l.add(lam);
        }
        return l;
    }

    /** The λs within {@link #NEAR_LOSS} of the lowest test loss at α. */
    static List<Double> nearBestLoss(GridCells g, double a) {
        GridCells.Cell b = g.bestLossAt(a);
        List<Double> l = new ArrayList<>();
        if (b == null) return l;
        for (double lam : g.lambdas()) {
            GridCells.Cell c = g.get(a, lam);
            if (c != null && c.testLoss() <= b.testLoss() * (1 + NEAR_LOSS)) l.add(lam);
        }
        return l;
    }

    /**
     * The slope of log10(best λ) over log10 α, least squares over the columns whose best λ is above 0 (NaN with
     * fewer than two): about 0 when the best λ stays put as α changes (a separable basin), about −1 when it falls as
     * 1/α (the diagonal a coupled decay predicts).
     */
    static double slope(List<double[]> points) {
        if (points.size() < 2) return Double.NaN;
        double mx = 0, my = 0;
        for (double[] p : points) {
            mx += p[0];
            my += p[1];
        }
        mx /= points.size();
        my /= points.size();
        double sxy = 0, sxx = 0;
        for (double[] p : points) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    static List<double[]> bestPoints(GridCells g, boolean byLoss) {
        List<double[]> pts = new ArrayList<>();
        for (double a : g.learningRates()) {
            GridCells.Cell b = byLoss ? g.bestLossAt(a) : g.bestAt(a);
            if (b != null && b.lambda > 0) pts.add(new double[]{Math.log10(a), Math.log10(b.lambda)});
        }
        return pts;
    }

    /** The λs near-best (by error, or by loss) at every α of the panel where anything converged. */
    static List<Double> commonNearBest(GridCells g, boolean byLoss) {
        List<Double> common = null;
        for (double a : g.learningRates()) {
            List<Double> nb = byLoss ? nearBestLoss(g, a) : nearBest(g, a);
            if (nb.isEmpty()) continue;
            if (common == null) common = new ArrayList<>(nb);
            else common.retainAll(nb);
        }
        return common == null ? List.of() : common;
    }

    static String separabilitySection(List<GridCells> panels) {
        StringBuilder md = new StringBuilder("## Is the good region separable?\n\n");
        md.append("Separable means the best λ does not move when α does: one λ is near-best at every α (within ")
                .append(Fmt.num(NEAR_PP)).append(" points of error; within ").append(Fmt.num(100 * NEAR_LOSS))
                .append("% of the lowest test loss), and the best λ's slope over α on log scales is about 0. A slope "
                        + "near −1 is the diagonal of a coupled decay (best λ ∝ 1/α). Slopes are fitted over the α "
                        + "whose best λ is above 0. In PyTorch's convention AdamW's λ is λ/α, so the same cells have "
                        + "slope s − 1 there.\n\n");
        md.append("| panel | best λ per α (error) | slope | λ near-best at every α (error) | best λ per α (loss) | slope "
                + "(loss) | λ near-best at every α (loss) |\n|---|---|---:|---|---|---:|---|\n");
        for (GridCells g : panels) {
            List<String> bestE = new ArrayList<>(), bestL = new ArrayList<>();
            for (double a : g.learningRates()) {
                GridCells.Cell b = g.bestAt(a), bl = g.bestLossAt(a);
                bestE.add(b == null ? "–" : Fmt.num(b.lambda));
                bestL.add(bl == null ? "–" : Fmt.num(bl.lambda));
            }
            List<Double> ce = commonNearBest(g, false), cl = commonNearBest(g, true);
            md.append("| ").append(panelTitle(g)).append(" | ").append(String.join(", ", bestE)).append(" | ")
                    .append(slopeText(slope(bestPoints(g, false)))).append(" | ")
                    .append(ce.isEmpty() ? "none" : String.join(", ", ce.stream().map(Fmt::num).toList())).append(" | ")
                    .append(String.join(", ", bestL)).append(" | ").append(slopeText(slope(bestPoints(g, true))))
                    .append(" | ").append(cl.isEmpty() ? "none" : String.join(", ", cl.stream().map(Fmt::num).toList()))
                    .append(" |\n");
        }
        md.append("\n(α ascending: ").append(panels.isEmpty() ? "" : String.join(", ",
                panels.get(0).learningRates().stream().map(Fmt::num).toList())).append(".)\n\n");
        md.append(verdicts(panels));
        return md.toString();
    }

    static String slopeText(double s) {
        return Double.isNaN(s) ? "–" : Fmt.f("%+.2f", s);
    }

    /**
     * The basin's shape as the runs show it: "flat" when λ moves the value at no α by more than the near-best margin
     * (the heatmap cannot show a shape), "separable" when one λ is near-best at every α, "diagonal" when none is and
     * the best λ falls with α (slope ≤ −0.5), else "neither".
     */
    static String shape(GridCells g, boolean byLoss) {
        boolean flat = true;
        for (double a : g.learningRates()) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (double lam : g.lambdas()) {
                GridCells.Cell c = g.get(a, lam);
                double v = c == null ? Double.NaN : byLoss ? c.testLoss() : c.error();
                if (Double.isNaN(v)) continue;
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            if (hi > (byLoss ? lo * (1 + NEAR_LOSS) : lo + NEAR_PP)) flat = false;
        }
        if (flat) return "flat";
        List<Double> common = commonNearBest(g, byLoss);
        if (!common.isEmpty())
            return common.contains(0.0) ? "separable, λ = 0 among the λ near-best at every α (no decay is as good)"
                    : "separable";
        List<String> edge = topEdge(g, byLoss);
        if (edge.size() >= 2)
            return "open upwards: the best λ is the grid's largest at α = " + String.join(", ", edge)
                    + " (the basin reaches beyond the grid)";
        double s = slope(bestPoints(g, byLoss));
        if (!Double.isNaN(s) && s <= -0.5) return "diagonal (the best λ falls as α grows)";
        if (!Double.isNaN(s) && s >= 0.5) return "rising (the best λ grows with α)";
        return "neither";
    }

    /** The α at which the best λ is the largest λ of the grid. */
    static List<String> topEdge(GridCells g, boolean byLoss) {
        List<Double> lams = g.lambdas();
        double top = lams.get(lams.size() - 1);
        List<String> l = new ArrayList<>();
        for (double a : g.learningRates()) {
            GridCells.Cell b = byLoss ? g.bestLossAt(a) : g.bestAt(a);
            if (b != null && b.lambda == top && top > 0) l.add(Fmt.num(a));
        }
        return l;
    }

    /** One sentence per panel, from the numbers above. */
    static String verdicts(List<GridCells> panels) {
        StringBuilder md = new StringBuilder();
        md.append("Shape per panel, by this rule: flat when λ moves the value by less than the near-best margin at "
                + "every α (the heatmap shows no basin); separable when one λ is near-best at every α; open upwards when "
                + "the best λ is the grid's largest at two or more α; else diagonal or rising when the best λ's slope "
                + "over α is ≤ −0.5 or ≥ +0.5; else neither.\n\n| panel | by final test error | by final test loss |\n|---|---|---|\n");
        for (GridCells g : panels)
            md.append("| ").append(panelTitle(g)).append(" | ").append(shape(g, false)).append(" | ")
                    .append(shape(g, true)).append(" |\n");
        md.append("\n");
        for (GridCells g : panels) {
            List<Double> ce = commonNearBest(g, false), cl = commonNearBest(g, true);
            double se = slope(bestPoints(g, false)), sl = slope(bestPoints(g, true));
            md.append("- ").append(panelTitle(g)).append(": ");
            md.append(ce.isEmpty() ? "no single λ is near-best by error at every α"
                    : "λ = " + String.join(" or ", ce.stream().map(Fmt::num).toList()) + " is near-best by error at every α");
            md.append("; ").append(cl.isEmpty() ? "no single λ is near-best by test loss at every α"
                    : "by test loss λ = " + String.join(" or ", cl.stream().map(Fmt::num).toList()) + " is at every α");
            md.append(". Slope of the best λ over α: ").append(slopeText(se)).append(" (error), ").append(slopeText(sl))
                    .append(" (loss)");
            if (g.kind == OptimizerKind.ADAMW && !Double.isNaN(sl))
                md.append("; at PyTorch's λ/α: ").append(slopeText(sl - 1)).append(" (loss)");
            md.append(".\n");
        }
        return md.append("\n").toString();
    }

    static String tablesSection(List<GridCells> panels, String what, ToDoubleFunction<GridCells.Cell> f, String fmt) {
        StringBuilder md = new StringBuilder("## ").append(what).append("\n\nRows λ, columns α; **bold**: the panel's "
                + "best cell by final test error.\n\n");
        for (GridCells g : panels) {
            md.append("**").append(panelTitle(g)).append("** — ").append(lambdaName(g.kind)).append("\n\n");
            md.append(PaperText.mdTableHeader("λ \\ α", g.learningRates().stream().map(Fmt::num).toList()));
            GridCells.Cell best = g.best();
            for (double lam : g.lambdas()) {
                md.append("| ").append(Fmt.num(lam)).append(" |");
                for (double a : g.learningRates()) {
                    GridCells.Cell c = g.get(a, lam);
                    String cell = c == null ? "–" : PaperText.f(fmt, f.applyAsDouble(c));
                    md.append(" ").append(c != null && c == best ? "**" + cell + "**" : cell).append(" |");
                }
                md.append("\n");
            }
            md.append("\n");
        }
        return md.toString();
    }

    static void heatmaps(Path dir, List<RunResult> runs) {
        List<GridCells> panels = panels(runs);
        RunResult any = runs.get(0);
        String sub = any.model + " on " + any.dataset + " (" + Fmt.f("%,d", any.trainSize) + " train / "
                + Fmt.f("%,d", any.testSize) + " test images), batch " + any.batchSize + ", " + any.epochs
                + " epochs, seed " + seeds(runs) + "; AdamW in the paper's convention (decay per step η_t·λ)";
        PanelHeatmap.write(dir.resolve(HEATMAP_ERROR), "Final test error", sub, rows(panels, GridCells.Cell::error),
                v -> Fmt.f("%.2f%%", v), "test error");
        PanelHeatmap.write(dir.resolve(HEATMAP_LOSS), "Final test loss", sub, rows(panels, GridCells.Cell::testLoss),
                v -> Fmt.f("%.3f", v), "test loss");
        PanelHeatmap.write(dir.resolve(HEATMAP_NORM), "Final weight norm ‖W‖₂", sub,
                rows(panels, GridCells.Cell::weightNorm), v -> Fmt.f("%.1f", v), "‖W‖₂");
        List<PanelHeatmap.Panel> pt = new ArrayList<>();
        for (GridCells g : panels) if (g.kind == OptimizerKind.ADAMW) pt.add(pytorchPanel(g));
        if (!pt.isEmpty())
            PanelHeatmap.write(dir.resolve(HEATMAP_PYTORCH), "AdamW's final test error at PyTorch's λ = λ/α", sub
                    + "; each cell drawn at λ/α", List.of(pt), v -> Fmt.f("%.2f%%", v), "test error");
    }

    /** Panels in rows, one row per schedule. */
    static List<List<PanelHeatmap.Panel>> rows(List<GridCells> panels, ToDoubleFunction<GridCells.Cell> f) {
        List<List<PanelHeatmap.Panel>> rows = new ArrayList<>();
        LrSchedule cur = null;
        for (GridCells g : panels) {
            if (g.schedule != cur) {
                rows.add(new ArrayList<>());
                cur = g.schedule;
            }
            rows.get(rows.size() - 1).add(panel(g, f, lambdaName(g.kind)));
        }
        return rows;
    }

    static PanelHeatmap.Panel panel(GridCells g, ToDoubleFunction<GridCells.Cell> f, String yLabel) {
        List<Double> lrs = g.learningRates(), lams = g.lambdas();
        PanelHeatmap.Panel p = new PanelHeatmap.Panel(panelTitle(g), "learning rate α", yLabel,
                lrs.stream().map(Fmt::num).toList(), lams.stream().map(Fmt::num).toList());
        GridCells.Cell best = g.best();
        for (int c = 0; c < lrs.size(); c++)
            for (int r = 0; r < lams.size(); r++) {
                GridCells.Cell cell = g.get(lrs.get(c), lams.get(r));
                if (cell == null) continue;
                p.values[c][r] = f.applyAsDouble(cell);
                if (cell.diverged()) p.notes[c][r] = "diverged";
                if (cell == best) {
                    p.bestCol = c;
                    p.bestRow = r;
                }
            }
        return p;
    }

    /** AdamW's error cells placed at PyTorch's λ/α on a log axis (λ = 0 in a band below). */
    static PanelHeatmap.Panel pytorchPanel(GridCells g) {
        PanelHeatmap.Panel p = panel(g, GridCells.Cell::error, "PyTorch's λ = λ/α (step lr_t·λ)");
        List<Double> lrs = g.learningRates(), lams = g.lambdas();
        p.logY = new double[lrs.size()][lams.size()];
        for (int c = 0; c < lrs.size(); c++)
            for (int r = 0; r < lams.size(); r++)
                p.logY[c][r] = lams.get(r) > 0 ? Math.log10(lams.get(r) / lrs.get(c)) : Double.NaN;
        return p;
    }
}
