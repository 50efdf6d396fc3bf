package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.OptionChecks;
import io.github.dl4jadamw.examples.Options;
import io.github.dl4jadamw.examples.data.Datasets;
import io.github.dl4jadamw.examples.model.Models;
import io.github.dl4jadamw.examples.report.GridCells;
import io.github.dl4jadamw.examples.report.JobReport;
import io.github.dl4jadamw.examples.report.PaperSchedulesReport;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.Protocol;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.DecayConvention;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's schedule comparison: Adam+L2 and AdamW, each at its best (α, λ) of the paper grid's cosine panel,
 * under a fixed learning rate, a step-drop (×0.1 at 50% and 75% of the iterations), cosine annealing and warm
 * restarts (T_0 = 1 epoch, T_mult = 2), on seeds 1–3.
 */
public final class PaperSchedulesJob extends Job {
    private final List<OptimizerKind> kinds;
    private final List<LrSchedule> schedules;
    private final List<Long> seeds;
    private final RunSize size;
    private final Path gridDir;
    /** Each optimizer's best cosine cell of the grid. */
    private final Map<OptimizerKind, GridCells.Cell> best = new LinkedHashMap<>();

    public PaperSchedulesJob(Options o, List<String> args, Path outDir, CommandLine.ParseResult given) {
        super(o, Mode.PAPER_SCHEDULES, args, outDir);
        refuseUnread(given);
        kinds = kinds(List.of("adam-l2", "adamw"));
        onlyKinds(mode.flag, kinds, List.of(OptimizerKind.ADAM_L2, OptimizerKind.ADAMW));
        schedules = schedules(List.of("fixed", "step", "cosine", "restarts"));
        seeds = o.seeds != null ? o.seeds : List.of(1L, 2L, 3L);
        size = RunSize.of(o, 10_000, 10_000, 15, 64);
        OptionChecks.finitePositive("--restart-t0", o.restartT0);
        OptionChecks.finiteAtLeast("--restart-tmult", o.restartTMult, 1);
        if (schedules.contains(LrSchedule.RESTARTS))
            OptionChecks.restartPeriodAtLeastOneStep(o.restartT0, size.train(), size.batch());
        gridDir = o.gridResults != null ? o.gridResults : outDir.resolveSibling(Mode.PAPER_GRID.id);
        readGrid();
    }

    /** Each optimizer's best cosine cell of the grid, whose runs must have this job's protocol. */
    private void readGrid() {
        if (!Files.isRegularFile(gridDir.resolve(ResultsStore.JSON)))
            throw new IllegalArgumentException("--grid-results " + gridDir + ": no " + ResultsStore.JSON + " (run"
                    + " --paper-grid first, or give its output folder with --grid-results)");
        ResultsStore grid = ResultsStore.load(gridDir);
        for (OptimizerKind k : kinds) {
            GridCells cells = new GridCells(grid.completeRuns(), k, LrSchedule.COSINE, null);
            GridCells.Cell b = cells.best();
            if (b == null)
                throw new IllegalArgumentException("--grid-results " + gridDir + ": no complete " + k.label
                        + " run under cosine annealing to choose the best (α, λ) from");
            RunResult r = b.runs.get(0);
            if (r.trainSize != size.train() || r.testSize != size.test() || r.batchSize != size.batch() || r.epochs != size.epochs())
                throw new IllegalArgumentException("--grid-results " + gridDir + ": its runs have --train-size "
                        + r.trainSize + ", --test-size " + r.testSize + ", --batch-size " + r.batchSize + ", --epochs "
                        + r.epochs + "; this job's are " + size.train() + ", " + size.test() + ", " + size.batch() + ", " + size.epochs());
            best.put(k, b);
        }
    }

    @Override public int trainSize() { return size.train(); }
    @Override public int testSize() { return size.test(); }

    @Override
    public List<Protocol> protocols(Datasets.Choice dc) {
        return List.of(new Protocol(Models.FMNIST_MLP.id, dc.kind().id, dc.source(), size.train(), size.test(), size.batch(), size.epochs()));
    }

    @Override
    public void recordMeta(ResultsStore store) {
        store.meta("model", Models.FMNIST_MLP.id);
        store.meta("gridSeeds", seeds);
        store.meta("gridResults", gridDir.toString());
        List<Map<String, Object>> cells = new ArrayList<>();
        best.forEach((k, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("optimizer", k.id);
            m.put("learningRate", c.lr);
            m.put("lambda", c.lambda);
            m.put("cosineGridError", c.error());
            cells.add(m);
        });
        store.meta("bestCosineCells", cells);
    }

    @Override
    public JobReport report(Datasets.Loaded data) {
        return new PaperSchedulesReport(command(), !o.noCharts);
    }

    @Override
    public void train(JobRunner runner) {
        best.forEach((k, c) -> runner.progress().line("best " + k.label + " cell of the cosine grid (" + gridDir
                + "): α = " + Fmt.num(c.lr) + ", λ = " + Fmt.num(c.lambda) + ", " + Fmt.f("%.2f", c.error()) + "% error"));
        List<Planned> plan = new ArrayList<>();
        for (long seed : seeds)
            for (LrSchedule s : schedules)
                for (OptimizerKind k : kinds) {
                    GridCells.Cell c = best.get(k);
                    plan.add(new Planned(new OptimizerSpec(k, c.lr, c.lambda, o.restartT0, o.restartTMult, s,
                            k == OptimizerKind.ADAM_L2 ? DecayConvention.LR_COUPLED
                                    : DecayConvention.SCHEDULE_MULTIPLIER, false), seed));
                }
        runner.run(runner.trainer(Models.FMNIST_MLP, size.batch(), size.epochs()), plan);
    }
}
