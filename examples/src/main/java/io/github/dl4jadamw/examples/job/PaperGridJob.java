package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.OptionChecks;
import io.github.dl4jadamw.examples.Options;
import io.github.dl4jadamw.examples.data.Datasets;
import io.github.dl4jadamw.examples.model.Models;
import io.github.dl4jadamw.examples.report.JobReport;
import io.github.dl4jadamw.examples.report.PaperGridReport;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.Protocol;
import io.github.dl4jadamw.examples.train.Trainer;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The paper's lr × λ grid (Loshchilov &amp; Hutter, Fig. 2) on the fmnist-mlp protocol: Adam+L2 (λ the L2
 * coefficient) and AdamW in the paper's convention (decay per step η_t·λ), each under a fixed learning rate and one
 * cosine annealing over the run. The cosine panel comes first: the schedules experiment starts from its best cells.
 */
public final class PaperGridJob extends Job {
    public static final List<Double> LR = List.of(1e-4, 3e-4, 1e-3, 3e-3, 1e-2);
    public static final List<Double> LAMBDA = List.of(0.0, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3);

    private final List<OptimizerKind> kinds;
    private final List<Double> lrs, l2s, wds;
    private final List<LrSchedule> schedules;
    private final List<Long> seeds;
    private final RunSize size;

    public PaperGridJob(Options o, List<String> args, Path outDir, CommandLine.ParseResult given) {
        super(o, Mode.PAPER_GRID, args, outDir);
        refuseUnread(given);
        kinds = kinds(List.of("adam-l2", "adamw"));
        onlyKinds(mode.flag, kinds, List.of(OptimizerKind.ADAM_L2, OptimizerKind.ADAMW));
        lrs = o.lr != null ? o.lr : LR;
        l2s = o.l2 != null ? o.l2 : LAMBDA;
        wds = o.wd != null ? o.wd : LAMBDA;
        schedules = schedules(List.of("cosine", "fixed"));
        seeds = o.seeds != null ? o.seeds : List.of(1L);
        size = RunSize.of(o, 10_000, 10_000, 15, 64);
        OptionChecks.finitePositive("--lr", lrs);
        OptionChecks.finiteNonNegative("--l2", l2s);
        OptionChecks.finiteNonNegative("--wd", wds);
        paperDecayBelowOne("--wd", wds);
        OptionChecks.finitePositive("--restart-t0", o.restartT0);
        OptionChecks.finiteAtLeast("--restart-tmult", o.restartTMult, 1);
        if (schedules.contains(LrSchedule.RESTARTS))
            OptionChecks.restartPeriodAtLeastOneStep(o.restartT0, size.train(), size.batch());
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
    }

    @Override
    public JobReport report(Datasets.Loaded data) {
        return new PaperGridReport(command(), !o.noCharts);
    }

    @Override
    public void train(JobRunner runner) {
        Trainer trainer = runner.trainer(Models.FMNIST_MLP, size.batch(), size.epochs());
        List<Planned> plan = new ArrayList<>();
        int nLam = Math.max(l2s.size(), wds.size());
        for (LrSchedule s : schedules)
            for (double a : lrs)
                for (int i = 0; i < nLam; i++)
                    for (OptimizerKind k : kinds) {
                        List<Double> lams = k == OptimizerKind.ADAM_L2 ? l2s : wds;
                        if (i >= lams.size()) continue;
                        OptimizerSpec spec = new OptimizerSpec(k, a, lams.get(i), o.restartT0, o.restartTMult, s,
                                k == OptimizerKind.ADAM_L2 ? io.github.dl4jadamw.DecayConvention.LR_COUPLED
                                        : io.github.dl4jadamw.DecayConvention.SCHEDULE_MULTIPLIER, false);
                        for (long seed : seeds) plan.add(new Planned(spec, seed));
                    }
        runner.run(trainer, plan);
    }
}
