package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.examples.train.RunShape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The schedules experiment's report: Adam+L2 and AdamW at their best cosine-grid cell under each schedule, over
 * seeds; what each schedule does against a fixed rate, and AdamW against Adam+L2 under each.
 */
public final class PaperSchedulesReport extends FolderReport {
    public PaperSchedulesReport(String command, boolean charts) {
        super(command, charts);
    }

    /** The runs of one optimizer under one schedule (its one α, λ), or an empty list. */
    static List<RunResult> runs(List<RunResult> all, OptimizerKind k, LrSchedule s) {
        List<RunResult> l = new ArrayList<>();
        for (RunResult r : all) if (r.optimizer.kind == k && r.optimizer.schedule == s) l.add(r);
        l.sort(java.util.Comparator.comparingLong(r -> r.seed));
        return l;
    }

    static Summary.Stat stat(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
        return Summary.Stat.of(runs.stream().mapToDouble(f).toArray());
    }

    static final ToDoubleFunction<RunResult> ERROR = r -> r.diverged() ? Double.NaN : 100 * (1 - r.last().testAccuracy);
    static final ToDoubleFunction<RunResult> LOSS = r -> r.diverged() ? Double.NaN : r.last().testLoss;

    static List<LrSchedule> schedules(List<RunResult> runs) {
        List<LrSchedule> l = new ArrayList<>();
        for (LrSchedule s : LrSchedule.values()) if (runs.stream().anyMatch(r -> r.optimizer.schedule == s)) l.add(s);
        return l;
    }

    static List<OptimizerKind> kinds(List<RunResult> runs) {
        return runs.stream().map(r -> r.optimizer.kind).distinct().sorted().toList();
    }

    @Override
    void drawCharts(Path dir, List<RunResult> runs) {
        charts(dir, runs);
    }

    static void charts(Path dir, List<RunResult> runs) {
        List<Summary.Setting> settings = new ArrayList<>();
        Summary sum = new Summary(runs);
        for (LrSchedule s : schedules(runs))
            for (Summary.Setting x : sum.settings.values()) if (x.spec.schedule == s) settings.add(x);
        List<Charts.Line> lines = Charts.lines(settings);
        RunResult any = runs.get(0);
        String sub = any.model + " on " + any.dataset + ", batch " + any.batchSize + "; each optimizer at its best cosine-grid (α, λ)";
        Charts.accuracy(dir.resolve(Report.ACCURACY), lines, sub);
        Charts.loss(dir.resolve(Report.LOSS), lines, sub);
        Charts.weightNorm(dir.resolve(Report.WEIGHT_NORM), lines, sub);
        Charts.schedule(dir.resolve(Report.SCHEDULE), lines, new RunShape(any.trainSize, any.batchSize, any.epochs),
                any.iterationsPerEpoch + " iterations per epoch; step-drop ×0.1 at 50% and 75%; warm restarts T_0 = 1"
                        + " epoch, T_mult = 2");
    }

    @Override
    String markdown(ResultsStore store, List<RunResult> runs, int incomplete) {
        StringBuilder md = new StringBuilder(PaperText.header("Learning-rate schedules: Adam+L2 vs AdamW at their best"
                + " cosine-grid settings", "paper-schedules", command, runs, incomplete));
        if (runs.isEmpty()) return md.append("No complete run yet.\n").toString();
        RunResult any = runs.get(0);
        md.append("## Protocol\n\n")
                .append(PaperText.dataModelBatches(any, PaperText.meta(store.meta(), "trainData"), any.epochs + " epochs"))
                .append(ProtocolText.paperOptimizers(false)).append(ProtocolText.SCHEDULES)
                .append("- Settings: each optimizer's best (α, λ) of the paper grid's cosine panel (lowest final test"
                        + " error, seed 1; grid results: `").append(PaperText.meta(store.meta(), "gridResults"))
                .append("`), the same under every schedule: ");
        List<String> cells = new ArrayList<>();
        for (OptimizerKind k : kinds(runs)) {
            RunResult r = runs.stream().filter(x -> x.optimizer.kind == k).findFirst().orElseThrow();
            cells.add(k.label + " α = " + Fmt.num(r.optimizer.lr) + ", λ = " + Fmt.num(r.optimizer.lambda)
                    + (r.optimizer.lambda == 0 ? " (no decay: plain " + (k == OptimizerKind.ADAM_L2 ? "Adam" : "Adam in "
                    + "the library's kernel") + ")" : ""));
        }
        md.append(String.join("; ", cells)).append(".\n").append(ProtocolText.MEASURED).append("\n");

        md.append("## Final numbers per optimizer and schedule\n\nMean ± sample standard deviation over seeds; error in %.\n\n");
        md.append("| optimizer | schedule | seeds | final test error | final test loss | final ‖W‖₂ | lowest error over the epochs |\n"
                + "|---|---|---|---:|---:|---:|---:|\n");
        for (LrSchedule s : schedules(runs))
            for (OptimizerKind k : kinds(runs)) {
                List<RunResult> rs = runs(runs, k, s);
                if (rs.isEmpty()) continue;
                md.append("| ").append(k.label).append(" | ").append(s.label).append(" | ")
                        .append(String.join(", ", rs.stream().map(r -> String.valueOf(r.seed)).toList())).append(" | ")
                        .append(Report.pm(stat(rs, ERROR), false, 2)).append(" | ").append(Report.pm(stat(rs, LOSS), false, 4))
                        .append(" | ").append(Report.pm(stat(rs, r -> r.last().weightNorm), false, 2)).append(" | ")
                        .append(Report.pm(stat(rs, r -> 100 * (1 - r.best().testAccuracy)), false, 2)).append(" |\n");
            }
        md.append("\n").append(decouplingSection(runs)).append(scheduleSection(runs));
        md.append("## Charts\n\n![Test accuracy per epoch](").append(Report.ACCURACY).append(")\n\n![Loss per epoch](")
                .append(Report.LOSS).append(")\n\n![Weight norm per epoch](").append(Report.WEIGHT_NORM)
                .append(")\n\n![Learning-rate schedules](").append(Report.SCHEDULE).append(")\n\n")
                .append("Every epoch of every run, with its configuration: `results.csv`, `results.json`.\n");
        return md.toString();
    }

    /** Per seed: b − a of the runs of the same seed (NaN if either is missing or diverged). */
    static double[] paired(List<RunResult> a, List<RunResult> b, ToDoubleFunction<RunResult> f) {
        List<Double> d = new ArrayList<>();
        for (RunResult x : a)
            for (RunResult y : b)
                if (x.seed == y.seed) d.add(f.applyAsDouble(y) - f.applyAsDouble(x));
        return d.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static String pairedCell(double[] d, String fmt) {
        if (d.length == 0) return "–";
        Summary.Stat s = Summary.Stat.of(d);
        long lower = java.util.Arrays.stream(d).filter(x -> x < 0).count();
        String sdFmt = fmt.replace("+", "");
        return (d.length > 1 ? Fmt.f(fmt + " ± " + sdFmt, s.mean, s.sd) : Fmt.f(fmt, s.mean)) + " (lower on " + lower
                + " of " + d.length + ")";
    }

    static String decouplingSection(List<RunResult> runs) {
        StringBuilder md = new StringBuilder("## Does decoupling keep its advantage under each schedule?\n\n"
                + "AdamW − Adam+L2 on the same seed (negative: AdamW lower), mean ± sd over seeds, and on how many "
                + "seeds AdamW is lower.\n\n| schedule | Δ final test error (points) | Δ final test loss |\n|---|---:|---:|\n");
        for (LrSchedule s : schedules(runs)) {
            List<RunResult> a = runs(runs, OptimizerKind.ADAM_L2, s), w = runs(runs, OptimizerKind.ADAMW, s);
            md.append("| ").append(s.label).append(" | ").append(pairedCell(paired(a, w, ERROR), "%+.2f")).append(" | ")
                    .append(pairedCell(paired(a, w, LOSS), "%+.4f")).append(" |\n");
        }
        return md.append("\n").toString();
    }

    static String scheduleSection(List<RunResult> runs) {
        StringBuilder md = new StringBuilder("## What does each schedule do against a fixed learning rate?\n\n"
                + "Schedule − fixed, same optimizer and seed (negative: the schedule lower).\n\n"
                + "| optimizer | schedule | Δ final test error (points) | Δ final test loss |\n|---|---|---:|---:|\n");
        for (OptimizerKind k : kinds(runs)) {
            List<RunResult> fixed = runs(runs, k, LrSchedule.FIXED);
            for (LrSchedule s : schedules(runs)) {
                if (s == LrSchedule.FIXED) continue;
                List<RunResult> x = runs(runs, k, s);
                md.append("| ").append(k.label).append(" | ").append(s.label).append(" | ")
                        .append(pairedCell(paired(fixed, x, ERROR), "%+.2f")).append(" | ")
                        .append(pairedCell(paired(fixed, x, LOSS), "%+.4f")).append(" |\n");
            }
        }
        return md.append("\n").toString();
    }
}
