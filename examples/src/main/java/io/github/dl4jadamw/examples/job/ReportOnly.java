package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.model.Models;
import io.github.dl4jadamw.examples.report.CifarStyleReport;
import io.github.dl4jadamw.examples.report.PaperBudgetsReport;
import io.github.dl4jadamw.examples.report.PaperSchedulesReport;
import io.github.dl4jadamw.examples.report.JobReport;
import io.github.dl4jadamw.examples.report.PaperGridReport;
import io.github.dl4jadamw.examples.report.ProtocolText;
import io.github.dl4jadamw.examples.report.Report;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunResult;
import org.nd4j.shade.jackson.databind.JsonNode;
import picocli.CommandLine;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** --report-only: rewrites report.md and the charts from results.json, as the job that wrote it did. */
public final class ReportOnly {
    private ReportOnly() {}

    /** The options the results decide; --out, the mode flags, charts and progress do not. */
    static final List<String> DECIDED_BY_RESULTS = List.of("--optimizers", "--lr", "--l2", "--wd", "--wd-norm",
            "--schedules", "--budgets", "--grid-results", "--seeds", "--best-seeds", "--model", "--data", "--dataset",
            "--train-size", "--test-size", "--epochs", "--batch-size", "--restart-t0", "--restart-tmult", "--resume",
            "--save-models", "--clip-global-norm", "--accumulation-steps", "--warmup", "--ema");

    /** Renders the report of {@code outDir}'s results; {@code given} is refused any option the results decide. */
    public static int render(Path outDir, Mode asked, CommandLine.ParseResult given, List<String> args, boolean charts,
                             PrintStream stdout) {
        List<String> ignored = new ArrayList<>();
        for (String o : DECIDED_BY_RESULTS) if (given.hasMatchedOption(o)) ignored.add(o);
        if (!ignored.isEmpty())
            throw new IllegalArgumentException("--report-only rewrites the report of the results in --out as they"
                    + " were produced, so it takes no " + String.join(", ", ignored));
        ResultsStore st = ResultsStore.load(outDir);
        if (st.runs().isEmpty())
            throw new IllegalArgumentException(outDir.resolve(ResultsStore.JSON) + ": no runs to report");
        String savedMode = text(st, "mode");
        Mode mode = savedMode != null ? Mode.parse(savedMode) : asked;
        String command = savedArgs(st, args);
        JobReport report = report(st, mode, command, charts);
        report.write(st, charts);
        stdout.println(report.table(st.completeRuns()));
        stdout.println("report: " + outDir.resolve(Report.REPORT));
        return 0;
    }

    static JobReport report(ResultsStore st, Mode mode, String command, boolean charts) {
        switch (mode) {
            case PAPER_GRID: return new PaperGridReport(command, charts);
            case CIFAR_STYLE: return new CifarStyleReport(command, charts);
            case PAPER_SCHEDULES: return new PaperSchedulesReport(command, charts);
            case PAPER_BUDGETS: return new PaperBudgetsReport(command, charts);
            default: return comparison(st, mode, command, charts);
        }
    }

    /** The main/quick/sweep report of saved results: the protocol they were produced with. */
    static Report.Context comparison(ResultsStore st, Mode mode, String command, boolean charts) {
        RunResult first = st.runs().get(0);
        List<OptimizerKind> kinds = st.runs().stream().map(x -> x.optimizer.kind).distinct().sorted().toList();
        // the restart schedule of the results' AdamWR/SGDWR runs (the other kinds carry the defaults)
        double t0 = OptimizerSpec.DEFAULT_RESTART_T0, tMult = OptimizerSpec.DEFAULT_RESTART_TMULT;
        for (RunResult r : st.runs())
            if (r.optimizer.kind.restarts()) {
                t0 = r.optimizer.restartT0;
                tMult = r.optimizer.restartTMult;
                break;
            }
        // the schedule of the kinds without restarts, and the recipe options every run shares (its protocol)
        LrSchedule schedule = st.runs().stream().filter(r -> !r.optimizer.kind.restarts())
                .map(r -> r.optimizer.schedule).findFirst().orElse(LrSchedule.FIXED);
        Models m = Models.parse(first.model);
        String origin = ProtocolText.dataOrigin(first.dataSource, text(st, "trainData"));
        return ComparisonJob.context(mode, command, charts, savedGridSeeds(st), m, kinds,
                ProtocolText.comparison(origin, first.trainSize, first.testSize, m, first.batchSize, first.epochs,
                        kinds, t0, tMult, schedule, first.optimizer.recipe));
    }

    static String text(ResultsStore st, String key) {
        Object v = st.meta().get(key);
        return v instanceof JsonNode ? ((JsonNode) v).asText() : null;
    }

    /** The arguments of the job that produced the results (else today's). */
    static String savedArgs(ResultsStore st, List<String> today) {
        Object args = st.meta().get("args");
        if (args instanceof JsonNode && ((JsonNode) args).isArray()) {
            List<String> a = new ArrayList<>();
            ((JsonNode) args).forEach(n -> a.add(n.asText()));
            return String.join(" ", a);
        }
        return String.join(" ", today);
    }

    /**
     * The seeds every grid setting of the results ran with (what the best setting is chosen on): saved with the
     * results since this was recorded, else read from the saved arguments' --seeds, else the default, 1.
     */
    public static Set<Long> savedGridSeeds(ResultsStore st) {
        Object saved = st.meta().get("gridSeeds"), args = st.meta().get("args");
        Set<Long> seeds = new LinkedHashSet<>();
        if (saved instanceof JsonNode && ((JsonNode) saved).isArray()) {
            ((JsonNode) saved).forEach(n -> seeds.add(n.asLong()));
            return seeds;
        }
        if (args instanceof JsonNode && ((JsonNode) args).isArray()) {
            List<String> a = new ArrayList<>();
            ((JsonNode) args).forEach(n -> a.add(n.asText()));
            for (int i = 0; i < a.size(); i++) {
                String v = a.get(i).startsWith("--seeds=") ? a.get(i).substring("--seeds=".length())
                        : a.get(i).equals("--seeds") && i + 1 < a.size() ? a.get(i + 1) : null;
                if (v != null)   // a repeated --seeds adds to the list, as picocli does
                    for (String x : v.split(",")) seeds.add(Long.parseLong(x.trim()));
            }
        }
        if (seeds.isEmpty()) seeds.add(1L);
        return seeds;
    }
}
