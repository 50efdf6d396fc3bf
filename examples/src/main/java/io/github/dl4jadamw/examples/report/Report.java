package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.examples.train.RunShape;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Writes report.md, the charts, and the plain-text summary table of a results directory. */
public final class Report {
    public static final String REPORT = "report.md";
    public static final String ACCURACY = "accuracy.png", LOSS = "loss.png", WEIGHT_NORM = "weight_norm.png",
            SCHEDULE = "schedule.png", HEATMAP = "heatmap.png";

    private Report() {}

    /** What a report is about: the protocol and, in sweep mode, which seeds every grid setting ran with. */
    public static final class Context implements JobReport {
        public String title = "Adam+L2 vs AdamW vs AdamWR";
        public String mode = "main";
        public String command = "";
        public boolean sweep;
        /** Seeds that every setting of the grid ran with: the best setting is chosen on these. */
        public Set<Long> gridSeeds;
        public String protocol = "";
        public boolean charts = true;

        @Override
        public void write(ResultsStore store, boolean charts) {
            Report.write(store, this, charts);
        }
    }

    /** Writes report.md and the charts for the complete runs of {@code store}. */
    public static void write(ResultsStore store, Context ctx) {
        write(store, ctx, ctx.charts);
    }

    /** As {@link #write(ResultsStore, Context)}; {@code charts} false skips the PNGs this time. */
    public static void write(ResultsStore store, Context ctx, boolean charts) {
        Path dir = store.dir();
        List<RunResult> runs = store.completeRuns();
        Summary sum = new Summary(runs);
        try {
            Files.createDirectories(dir);
            if (charts && !runs.isEmpty()) writeCharts(dir, sum, ctx, runs);
            ResultsStore.writeAtomically(dir.resolve(REPORT), markdown(sum, ctx, runs, store.runs().size() - runs.size()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + dir, e);
        }
    }

    /** The settings the line charts show: all (main mode), or each optimizer's best setting (sweep). */
    static List<Summary.Setting> shown(Summary sum, Context ctx) {
        List<Summary.Setting> l = new ArrayList<>();
        for (OptimizerKind k : sum.kinds()) {
            if (ctx.sweep) {
                Summary.Setting b = sum.best(k, ctx.gridSeeds);
                if (b != null) l.add(b);
            } else {
                l.addAll(sum.of(k));
            }
        }
        return l;
    }

    static void writeCharts(Path dir, Summary sum, Context ctx, List<RunResult> runs) {
        List<Charts.Line> lines = Charts.lines(shown(sum, ctx));
        RunResult any = runs.get(0);
        String sub = any.model + " on " + any.dataset + " (" + Fmt.f("%,d", any.trainSize) + " train / "
                + Fmt.f("%,d", any.testSize) + " test images), batch " + any.batchSize
                + (ctx.sweep ? " — best setting of each optimizer" : "");
        Charts.accuracy(dir.resolve(ACCURACY), lines, sub);
        Charts.loss(dir.resolve(LOSS), lines, sub);
        Charts.weightNorm(dir.resolve(WEIGHT_NORM), lines, sub);
        Charts.schedule(dir.resolve(SCHEDULE), lines, new RunShape(any.trainSize, any.batchSize, any.epochs),
                any.iterationsPerEpoch + " iterations per epoch; warm restarts: T_0 = "
                        + Fmt.num(lines.stream().filter(l -> l.spec.restarts())
                        .map(l -> l.spec.restartT0).findFirst().orElse(1.0)) + " epoch, T_mult = "
                        + Fmt.num(lines.stream().filter(l -> l.spec.restarts())
                        .map(l -> l.spec.restartTMult).findFirst().orElse(2.0)) + ", η_min = 0");
        if (ctx.sweep)
            Heatmap.write(dir.resolve(HEATMAP), sum, sum.kinds(), ctx.gridSeeds,
                    "Final test error after " + any.epochs + " epochs",
                    any.model + " on " + any.dataset + ", mean over seed(s) " + seedList(ctx.gridSeeds)
                            + "; λ: Adam+L2 = L2 coefficient, AdamW/AdamWR = decoupled decay (step lr_t·λ)");
    }

    static String seedList(Set<Long> seeds) {
        return seeds == null ? "all" : seeds.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    static String pm(Summary.Stat s, boolean percent, int decimals) {
        double k = percent ? 100 : 1;
        String f = "%." + decimals + "f";
        if (s.n <= 1) return Fmt.f(f, k * s.mean);
        return Fmt.f(f + " ± " + f, k * s.mean, k * s.sd);
    }

    /** The final accuracy, or "diverged (k of n seeds)": a diverged run's accuracy is not the setting's. */
    static String finalAccuracyCell(Summary.Setting s) {
        long d = s.divergedRuns();
        return d == 0 ? pm(s.finalAccuracy(), true, 2) : "diverged (" + d + " of " + s.runs.size() + " seeds)";
    }

    static String markdown(Summary sum, Context ctx, List<RunResult> runs, int incomplete) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(ctx.title).append("\n\n");
        if (runs.isEmpty()) {
            md.append("No complete run yet.\n");
            return md.toString();
        }
        md.append("Generated by the `dl4j-adamw-examples` program (").append(ctx.mode).append(" mode). ");
        md.append(ctx.command.isEmpty() ? "No arguments (the main job). " : "Arguments: `" + ctx.command + "`. ");
        md.append(runs.size()).append(" complete run(s)");
        if (incomplete > 0) md.append(", ").append(incomplete).append(" still running or interrupted (not counted)");
        md.append(".\n\n");
        md.append("## Protocol\n\n").append(ctx.protocol).append("\n");
        resultsSection(md, sum);
        emaSection(md, sum);
        if (ctx.sweep) {
            bestSettingSection(md, sum, ctx);
            bestLambdaPerLrSection(md, sum, ctx);
            errorGridSection(md, sum, ctx);
        }
        timingSection(md, sum, runs);
        chartsSection(md, ctx);
        return md.toString();
    }

    private static void resultsSection(StringBuilder md, Summary sum) {
        md.append("## Results per optimizer and setting\n\n");
        md.append("Mean ± sample standard deviation over seeds (a single number: one seed). Accuracy and error in %; "
                + "\"best\" is the highest test accuracy over the epochs, \"final\" the last epoch's.\n\n");
        md.append("| optimizer | lr | λ | seeds | final test acc | best test acc | best at epoch | final test loss "
                + "| final train loss | final ‖W‖₂ | train s/epoch |\n");
        md.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (OptimizerKind k : sum.kinds())
            for (Summary.Setting s : sum.of(k))
                md.append("| ").append(k.label).append(" | ").append(Fmt.num(s.spec.lr)).append(" | ")
                        .append(Fmt.num(s.spec.lambda)).append(" | ").append(seedList(s.seeds())).append(" | ")
                        .append(finalAccuracyCell(s)).append(" | ").append(pm(s.bestAccuracy(), true, 2))
                        .append(" | ").append(pm(s.bestEpoch(), false, s.runs.size() > 1 ? 1 : 0)).append(" | ")
                        .append(pm(s.finalTestLoss(), false, 4)).append(" | ").append(pm(s.finalTrainLoss(), false, 4))
                        .append(" | ").append(pm(s.finalWeightNorm(), false, 2)).append(" | ")
                        .append(pm(s.epochSeconds(), false, 2)).append(" |\n");
        md.append("\n");
        if (sum.settings.values().stream().allMatch(x -> x.runs.size() == 1))
            md.append("One seed per setting: with a constant learning rate the test accuracy of this protocol moves by "
                    + "about a point from epoch to epoch and from seed to seed, so smaller differences between "
                    + "optimizers are noise; `--seeds 1,2,3` gives mean ± sd.\n\n");
    }

    /**
     * With --ema: each setting's final test accuracy and loss of the raw weights beside those of their EMA (only runs
     * that recorded the EMA; none without the option).
     */
    private static void emaSection(StringBuilder md, Summary sum) {
        List<Summary.Setting> withEma = new ArrayList<>();
        for (OptimizerKind k : sum.kinds())
            for (Summary.Setting s : sum.of(k))
                if (s.runs.stream().allMatch(r -> r.last().emaTestAccuracy != null)) withEma.add(s);
        if (withEma.isEmpty()) return;
        md.append("## Raw weights and their EMA\n\n");
        md.append("The last epoch's test accuracy (%) and loss of the trained weights and of their exponential moving"
                + " average (`--ema`), evaluated the same way; mean ± sd over seeds.\n\n");
        md.append("| optimizer | lr | λ | seeds | final test acc | EMA final test acc | final test loss "
                + "| EMA final test loss |\n");
        md.append("|---|---:|---:|---|---:|---:|---:|---:|\n");
        for (Summary.Setting s : withEma) {
            Summary.Stat acc = Summary.Stat.of(s.runs.stream().mapToDouble(r -> r.last().emaTestAccuracy).toArray());
            Summary.Stat loss = Summary.Stat.of(s.runs.stream().mapToDouble(r -> r.last().emaTestLoss).toArray());
            md.append("| ").append(s.spec.kind.label).append(" | ").append(Fmt.num(s.spec.lr)).append(" | ")
                    .append(Fmt.num(s.spec.lambda)).append(" | ").append(seedList(s.seeds())).append(" | ")
                    .append(finalAccuracyCell(s)).append(" | ").append(pm(acc, true, 2)).append(" | ")
                    .append(pm(s.finalTestLoss(), false, 4)).append(" | ").append(pm(loss, false, 4)).append(" |\n");
        }
        md.append("\n");
    }

    private static void bestSettingSection(StringBuilder md, Summary sum, Context ctx) {
        md.append("## Best setting per optimizer\n\n");
        md.append("Chosen by the highest mean **final** test accuracy over seed(s) ").append(seedList(ctx.gridSeeds))
                .append(" (the seeds every grid setting ran with), then reported over all seeds it ran with; a "
                        + "setting with a diverged run is not chosen. As in the paper, the selection uses the test set: there is no separate validation "
                        + "split in this protocol.\n\n");
        md.append("| optimizer | lr | λ | seeds | final test acc | final test error | best test acc |\n");
        md.append("|---|---:|---:|---|---:|---:|---:|\n");
        Summary.Setting base = sum.best(OptimizerKind.ADAM_L2, ctx.gridSeeds);
        for (OptimizerKind k : sum.kinds()) {
            Summary.Setting b = sum.best(k, ctx.gridSeeds);
            if (b == null) continue;
            Summary.Stat err = Summary.Stat.of(b.runs.stream().mapToDouble(r -> 1 - r.last().testAccuracy).toArray());
            md.append("| ").append(k.label).append(" | ").append(Fmt.num(b.spec.lr)).append(" | ")
                    .append(Fmt.num(b.spec.lambda)).append(" | ").append(seedList(b.seeds())).append(" | ")
                    .append(pm(b.finalAccuracy(), true, 2)).append(" | ").append(pm(err, true, 2)).append(" | ")
                    .append(pm(b.bestAccuracy(), true, 2)).append(" |\n");
        }
        if (base != null) {
            md.append("\n");
            for (OptimizerKind k : sum.kinds()) {
                if (k == OptimizerKind.ADAM_L2) continue;
                Summary.Setting b = sum.best(k, ctx.gridSeeds);
                if (b == null) continue;
                Set<Long> common = b.seeds();
                common.retainAll(base.seeds());
                double d = 100 * (b.finalAccuracyOver(common) - base.finalAccuracyOver(common));
                md.append("- ").append(k.label).append(" (best) − Adam+L2 (best), final test accuracy on the common "
                        + "seed(s) ").append(seedList(common)).append(": ").append(Fmt.f("%+.2f", d))
                        .append(" percentage points.\n");
            }
        }
    }

    private static void bestLambdaPerLrSection(StringBuilder md, Summary sum, Context ctx) {
        md.append("\n## Does the best λ move with the learning rate?\n\n");
        md.append("Best λ at each learning rate (mean final test accuracy over seed(s) ")
                .append(seedList(ctx.gridSeeds)).append(").\n\n");
        List<Double> allLr = new ArrayList<>();
        for (OptimizerKind k : sum.kinds()) for (double lr : sum.learningRates(k)) if (!allLr.contains(lr)) allLr.add(lr);
        allLr.sort(Double::compare);
        md.append("| optimizer |");
        for (double lr : allLr) md.append(" lr = ").append(Fmt.num(lr)).append(" |");
        md.append("\n|---|");
        for (int i = 0; i < allLr.size(); i++) md.append("---:|");
        md.append("\n");
        for (OptimizerKind k : sum.kinds()) {
            md.append("| ").append(k.label).append(" |");
            for (double lr : allLr) {
                Summary.Setting b = sum.bestAt(k, lr, ctx.gridSeeds);
                md.append(b == null ? " – |" : " λ = " + Fmt.num(b.spec.lambda) + " ("
                        + Fmt.pct(b.finalAccuracyOver(ctx.gridSeeds)) + "%) |");
            }
            md.append("\n");
        }
    }

    private static void errorGridSection(StringBuilder md, Summary sum, Context ctx) {
        md.append("\n## Final test error grid (%)\n\nMean over seed(s) ").append(seedList(ctx.gridSeeds))
                .append("; rows λ, columns learning rate; **bold** = best of the optimizer. Also as ")
                .append("`heatmap.png`.\n\n");
        for (OptimizerKind k : sum.kinds()) {
            List<Double> lrs = sum.learningRates(k), lams = sum.lambdas(k);
            Summary.Setting b = sum.best(k, ctx.gridSeeds);
            md.append("**").append(k.label).append("** — λ: ").append(k == OptimizerKind.ADAM_L2
                    ? "L2 coefficient" : "decoupled weight decay (lr-coupled)").append("\n\n| λ \\ lr |");
            for (double lr : lrs) md.append(" ").append(Fmt.num(lr)).append(" |");
            md.append("\n|---:|");
            for (int i = 0; i < lrs.size(); i++) md.append("---:|");
            md.append("\n");
            for (double lam : lams) {
                md.append("| ").append(Fmt.num(lam)).append(" |");
                for (double lr : lrs) {
                    Summary.Setting s = sum.get(k, lr, lam);
                    double a = s == null ? Double.NaN : s.finalAccuracyOver(ctx.gridSeeds);
                    String cell = s != null && s.divergedOver(ctx.gridSeeds) ? "diverged"
                            : Double.isNaN(a) ? "–" : Fmt.f("%.2f", 100 * (1 - a));
                    md.append(" ").append(s != null && s == b ? "**" + cell + "**" : cell).append(" |");
                }
                md.append("\n");
            }
            md.append("\n");
        }
    }

    private static void timingSection(StringBuilder md, Summary sum, List<RunResult> runs) {
        RunResult any = runs.get(0);
        md.append("## Training time per optimizer\n\n");
        md.append("Wall time of an epoch's training steps (batch assembly + `fit`, no evaluation) over all epochs of "
                + "the optimizer's runs (not an epoch cut short by a diverged run's refused step): median and minimum; ").append(any.iterationsPerEpoch)
                .append(" iterations of batch ").append(any.batchSize).append(", ").append(Fmt.f("%,d", any.numParams))
                .append(" parameters. The forward/backward pass is the same for all; the difference is the updater "
                        + "(DL4J's Adam op + L2 regularization, or the AdamW kernel + decay marker). On a shared "
                        + "machine the minimum is the better estimate of the cost.\n\n");
        md.append("| optimizer | epochs timed | median s/epoch | min s/epoch | images/s at min | eval s/epoch |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        for (OptimizerKind k : sum.kinds()) {
            double[] t = runs.stream().filter(r -> r.optimizer.kind == k).flatMap(r -> r.records.stream())
                    .mapToDouble(e -> e.trainSeconds).filter(Double::isFinite).sorted().toArray(); // NaN: untimed
            double ev = runs.stream().filter(r -> r.optimizer.kind == k).flatMap(r -> r.records.stream())
                    .mapToDouble(e -> e.evalSeconds).average().orElse(Double.NaN);
            double med = t.length == 0 ? Double.NaN : t.length % 2 == 1 ? t[t.length / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
            md.append("| ").append(k.label).append(" | ").append(t.length).append(" | ").append(Fmt.f("%.2f", med))
                    .append(" | ").append(Fmt.f("%.2f", t.length == 0 ? Double.NaN : t[0])).append(" | ")
                    .append(Fmt.f("%,.0f", any.trainSize / (t.length == 0 ? Double.NaN : t[0]))).append(" | ")
                    .append(Fmt.f("%.2f", ev)).append(" |\n");
        }
    }

    private static void chartsSection(StringBuilder md, Context ctx) {
        md.append("\n## Charts\n\n");
        if (ctx.sweep)
            md.append("![Final test error heatmaps](").append(HEATMAP).append(")\n\n");
        md.append("![Test accuracy per epoch](").append(ACCURACY).append(")\n\n");
        md.append("![Learning-rate schedule](").append(SCHEDULE).append(")\n\n");
        md.append("![Weight norm per epoch](").append(WEIGHT_NORM).append(")\n\n");
        md.append("![Loss per epoch](").append(LOSS).append(")\n\n");
        md.append("Every epoch of every run, with its configuration: `results.csv`, `results.json`.\n");
    }

    /** The plain-text summary table printed at the end of a job. */
    public static String table(List<RunResult> runs) {
        Summary sum = new Summary(runs);
        StringBuilder s = new StringBuilder();
        String head = Fmt.f("%-8s %8s %8s %-7s %16s %16s %6s %10s %10s %8s", "optimizer", "lr", "λ", "seeds",
                "final acc %", "best acc %", "@ep", "test loss", "‖W‖₂", "s/epoch");
        s.append(head).append('\n').append("-".repeat(head.length())).append('\n');
        for (OptimizerKind k : sum.kinds())
            for (Summary.Setting st : sum.of(k))
                s.append(Fmt.f("%-8s %8s %8s %-7s %16s %16s %6s %10s %10s %8s", k.label, Fmt.num(st.spec.lr),
                        Fmt.num(st.spec.lambda), seedList(st.seeds()), pm(st.finalAccuracy(), true, 2),
                        pm(st.bestAccuracy(), true, 2), Fmt.f("%.0f", st.bestEpoch().mean),
                        Fmt.f("%.4f", st.finalTestLoss().mean), Fmt.f("%.2f", st.finalWeightNorm().mean),
                        Fmt.f("%.2f", st.epochSeconds().mean))).append('\n');
        return s.toString();
    }

}
