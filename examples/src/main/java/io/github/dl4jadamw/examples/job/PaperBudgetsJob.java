package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.OptionChecks;
import io.github.dl4jadamw.examples.Options;
import io.github.dl4jadamw.examples.data.Datasets;
import io.github.dl4jadamw.examples.model.Models;
import io.github.dl4jadamw.examples.report.JobReport;
import io.github.dl4jadamw.examples.report.PaperBudgetsReport;
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
 * The paper's budgets: AdamW (paper convention) with one cosine annealing over 5, 15 and 45 epochs, at α = 1e-3,
 * with the normalized decay λ = λ_norm·√(b/(B·T)) for λ_norm ∈ {0, 0.0025, …, 0.08}: does the best λ_norm stay put
 * across budgets while the best raw λ moves?
 */
public final class PaperBudgetsJob extends Job {
    public static final List<Double> WD_NORM = List.of(0.0, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08);
    public static final List<Integer> BUDGETS = List.of(5, 15, 45);

    private final double lr;
    private final List<Double> wdNorms;
    private final List<Integer> budgets;
    private final List<Long> seeds;
    private final RunSize size;   // its epochs are --budgets

    public PaperBudgetsJob(Options o, List<String> args, Path outDir, CommandLine.ParseResult given) {
        super(o, Mode.PAPER_BUDGETS, args, outDir);
        refuseUnread(given);
        lr = CifarStyleJob.single("--lr", o.lr, 1e-3);
        wdNorms = o.wdNorm != null ? o.wdNorm : WD_NORM;
        budgets = o.budgets != null ? o.budgets : BUDGETS;
        seeds = o.seeds != null ? o.seeds : List.of(1L);
        size = RunSize.of(o, 10_000, 10_000, 1, 64);   // its epochs are --budgets
        for (int e : budgets) OptionChecks.positive("--budgets", e);
        OptionChecks.finitePositive("--lr", List.of(lr));
        OptionChecks.finiteNonNegative("--wd-norm", wdNorms);
        if (size.batch() > size.train())   // b/B is the share of the data one step sees
            throw OptionChecks.invalid("--batch-size", Integer.toString(size.batch()), "must be <= --train-size ("
                    + size.train() + ") for the normalized decay √(b/(B·T))");
    }

    @Override public int trainSize() { return size.train(); }
    @Override public int testSize() { return size.test(); }

    @Override
    public List<Protocol> protocols(Datasets.Choice dc) {
        List<Protocol> l = new ArrayList<>();
        for (int e : budgets)
            l.add(new Protocol(Models.FMNIST_MLP.id, dc.kind().id, dc.source(), size.train(), size.test(), size.batch(), e));
        return l;
    }

    @Override
    public void recordMeta(ResultsStore store) {
        store.meta("model", Models.FMNIST_MLP.id);
        store.meta("gridSeeds", seeds);
        store.meta("budgets", budgets);
    }

    @Override
    public JobReport report(Datasets.Loaded data) {
        return new PaperBudgetsReport(command(), !o.noCharts);
    }

    /** The same setting runs at each budget: the epochs tell the saved networks apart. */
    @Override
    public String modelFileName(Planned p, Trainer t) {
        return p.spec().key() + "_e" + t.epochs() + "_s" + p.seed() + ".zip";
    }

    @Override
    public void train(JobRunner runner) {
        for (int e : budgets) {
            List<Planned> plan = new ArrayList<>();
            for (long seed : seeds)
                for (double w : wdNorms)
                    plan.add(new Planned(OptimizerSpec.paper(OptimizerKind.ADAMW, lr, w, LrSchedule.COSINE, true), seed));
            runner.run(runner.trainer(Models.FMNIST_MLP, size.batch(), e), plan);
        }
    }
}
