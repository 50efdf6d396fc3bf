package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.EpochRecord;
import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.examples.train.RunShape;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CIFAR-style recipe's report: each optimizer's epochs, its final numbers, and the measured throughput. */
public final class CifarStyleReport extends FolderReport {
    public CifarStyleReport(String command, boolean charts) {
        super(command, charts);
    }

    @Override
    void drawCharts(Path dir, List<RunResult> runs) {
        List<Charts.Line> lines = Charts.lines(settings(runs));
        RunResult any = runs.get(0);
        String sub = any.model + " on " + any.dataset + " (" + Fmt.f("%,d", any.trainSize) + " train / "
                + Fmt.f("%,d", any.testSize) + " test images), batch " + any.batchSize;
        Charts.accuracy(dir.resolve(Report.ACCURACY), lines, sub);
        Charts.loss(dir.resolve(Report.LOSS), lines, sub);
        Charts.weightNorm(dir.resolve(Report.WEIGHT_NORM), lines, sub);
        Charts.schedule(dir.resolve(Report.SCHEDULE), lines, new RunShape(any.trainSize, any.batchSize,
                any.epochs), any.iterationsPerEpoch + " iterations per epoch; warm restarts: T_0 = 1 epoch, "
                + "T_mult = 2, η_min = 0");
    }

    private static List<Summary.Setting> settings(List<RunResult> runs) {
        return new ArrayList<>(new Summary(runs).settings.values());
    }

    @Override
    String markdown(ResultsStore store, List<RunResult> runs, int incomplete) {
        return markdown(store, runs, settings(runs), incomplete);
    }

    String markdown(ResultsStore store, List<RunResult> runs, List<Summary.Setting> settings, int incomplete) {
        StringBuilder md = new StringBuilder(PaperText.header("CIFAR-style recipe: ResNet-20 with Adam+L2, AdamW and"
                + " AdamWR", "cifar-style", command, runs, incomplete));
        if (runs.isEmpty()) return md.append("No complete run yet.\n").toString();
        RunResult any = runs.get(0);
        String trainData = PaperText.meta(store.meta(), "trainData");
        md.append("## Protocol\n\n")
                .append(PaperText.dataModelBatches(any, trainData, any.epochs + " epochs"))
                .append(ProtocolText.paperOptimizers(true))
                .append("- Schedules: Adam+L2 and AdamW one cosine annealing over the run (η_t = ½(1 + cos(πt/N)), N = ")
                .append(any.epochs * any.iterationsPerEpoch).append(" iterations); AdamWR warm restarts, T_0 = 1 epoch,"
                        + " T_mult = 2 (fractional epochs), its normalized λ recomputed for each period T_i.\n")
                .append(ProtocolText.MEASURED).append("\n");
        md.append("## Results\n\nOne seed per optimizer unless more are listed; accuracy in %; λ: Adam+L2's L2 "
                + "coefficient, the decoupled optimizers' λ_norm (the λ in force at the last epoch in brackets).\n\n");
        md.append("| optimizer | schedule | α | λ | seeds | final test acc | best test acc (epoch) | final test loss "
                + "| final train loss | final ‖W‖₂ |\n|---|---|---:|---|---|---:|---:|---:|---:|---:|\n");
        for (Summary.Setting s : settings) {
            RunResult r0 = s.runs.get(0);
            md.append("| ").append(s.spec.kind.label).append(" | ").append(s.spec.schedule.label).append(" | ")
                    .append(Fmt.num(s.spec.lr)).append(" | ")
                    .append(s.spec.normalized ? "λ_norm = " + Fmt.num(s.spec.lambda) + " (" + Fmt.f("%.3g", r0.last().lambda) + ")"
                            : Fmt.num(s.spec.lambda)).append(" | ").append(Report.seedList(s.seeds())).append(" | ")
                    .append(Report.finalAccuracyCell(s)).append(" | ").append(Report.pm(s.bestAccuracy(), true, 2))
                    .append(" (").append(Fmt.f("%.0f", s.bestEpoch().mean)).append(") | ")
                    .append(Report.pm(s.finalTestLoss(), false, 4)).append(" | ")
                    .append(Report.pm(s.finalTrainLoss(), false, 4)).append(" | ")
                    .append(Report.pm(s.finalWeightNorm(), false, 2)).append(" |\n");
        }
        md.append("\n## Test accuracy per epoch (%)\n\n");
        List<String> cols = new ArrayList<>();
        for (int e = 1; e <= any.epochs; e++) cols.add("epoch " + e);
        md.append("| run | ").append(String.join(" | ", cols)).append(" |\n|---|")
                .append("---:|".repeat(cols.size())).append("\n");
        for (RunResult r : runs) {
            md.append("| ").append(r.optimizer.label()).append(" seed ").append(r.seed).append(" |");
            for (EpochRecord e : r.records) md.append(" ").append(Fmt.pct(e.testAccuracy)).append(" |");
            md.append("\n");
        }
        md.append("\n").append(throughput(runs, store));
        md.append("## Charts\n\n![Test accuracy per epoch](").append(Report.ACCURACY).append(")\n\n![Loss per epoch](")
                .append(Report.LOSS).append(")\n\n![Weight norm per epoch](").append(Report.WEIGHT_NORM)
                .append(")\n\n![Learning-rate schedule](").append(Report.SCHEDULE).append(")\n\n")
                .append("Every epoch of every run, with its configuration: `results.csv`, `results.json`.\n");
        return md.toString();
    }

    /** Training images per second per run (batch assembly with crop/flip + fit; evaluation apart). */
    static String throughput(List<RunResult> runs, ResultsStore store) {
        StringBuilder md = new StringBuilder("## Throughput\n\nMeasured on this run's machine (")
                .append(PaperText.meta(store.meta(), "availableProcessors")).append(" processors, backend ")
                .append(PaperText.meta(store.meta(), "backend")).append(", OMP_NUM_THREADS = ")
                .append(PaperText.meta(store.meta(), "ompNumThreads")).append("): training images per second of an "
                        + "epoch's training steps (batch assembly with crop and flip, then `fit`), and the evaluation "
                        + "of the test set after each epoch.\n\n");
        md.append("| run | median s/epoch | min s/epoch | images/s (median) | images/s (best epoch) | eval s/epoch |\n"
                + "|---|---:|---:|---:|---:|---:|\n");
        for (RunResult r : runs) {
            double[] t = r.records.stream().mapToDouble(e -> e.trainSeconds).filter(Double::isFinite).sorted().toArray();
            double med = r.medianEpochSeconds(), min = t.length == 0 ? Double.NaN : t[0];
            double ev = r.records.stream().mapToDouble(e -> e.evalSeconds).average().orElse(Double.NaN);
            md.append("| ").append(r.optimizer.label()).append(" seed ").append(r.seed).append(" | ")
                    .append(Fmt.f("%.0f", med)).append(" | ").append(Fmt.f("%.0f", min)).append(" | ")
                    .append(Fmt.f("%.1f", r.trainSize / med)).append(" | ").append(Fmt.f("%.1f", r.trainSize / min))
                    .append(" | ").append(Fmt.f("%.0f", ev)).append(" |\n");
        }
        return md.append("\n").toString();
    }
}
