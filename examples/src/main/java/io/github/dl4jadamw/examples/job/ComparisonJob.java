package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.OptionChecks;
import io.github.dl4jadamw.examples.Options;
import io.github.dl4jadamw.examples.data.Datasets;
import io.github.dl4jadamw.examples.model.Models;
import io.github.dl4jadamw.examples.report.JobReport;
import io.github.dl4jadamw.examples.report.ProtocolText;
import io.github.dl4jadamw.examples.report.Report;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.report.Summary;
import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.Protocol;
import io.github.dl4jadamw.examples.train.Recipe;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.examples.train.Trainer;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The main job, --quick and --sweep: Adam+L2 vs AdamW vs AdamWR (or SGDW/SGDWR) under PyTorch's lr-coupled decay,
 * each optimizer's λ on its own list; the sweep then runs each optimizer's best setting on more seeds. The runs may
 * take a PyTorch recipe's training-step options ({@link Recipe}: --clip-global-norm, --accumulation-steps, --warmup,
 * --ema) and one --schedules for the kinds without restarts.
 */
public final class ComparisonJob extends Job {
    static final List<Double> SWEEP_LR = List.of(1e-3, 3e-3);
    static final List<Double> SWEEP_L2 = List.of(0.0, 1e-4, 5e-4, 2e-3, 8e-3);
    static final List<Double> SWEEP_WD = List.of(0.0, 0.05, 0.2, 0.8, 3.2);

    private final List<OptimizerKind> kinds;
    private final List<Double> lrs, l2s, wds;
    private final List<Long> gridSeeds, extraSeeds;
    private final RunSize size;
    /** The schedule of adam-l2, adamw and sgdw (adamwr and sgdwr: their restarts). */
    private final LrSchedule schedule;
    private final Recipe recipe;
    private Models model;

    public ComparisonJob(Options o, Mode mode, List<String> args, java.nio.file.Path outDir,
                         CommandLine.ParseResult given) {
        super(o, mode, args, outDir);
        boolean sweep = mode == Mode.SWEEP, quick = mode == Mode.QUICK;
        kinds = kinds(List.of("adam-l2", "adamw", "adamwr"));
        refuseIgnoredOptions(given);
        lrs = o.lr != null ? o.lr : sweep ? SWEEP_LR : List.of(1e-3);
        l2s = o.l2 != null ? o.l2 : sweep ? SWEEP_L2 : List.of(5e-4);
        wds = o.wd != null ? o.wd : sweep ? SWEEP_WD : List.of(0.05);
        gridSeeds = o.seeds != null ? o.seeds : List.of(1L);
        extraSeeds = o.bestSeeds != null ? o.bestSeeds : List.of(1L, 2L, 3L);
        size = quick ? RunSize.of(o, 2000, 1000, 2, 64) : RunSize.of(o, 10_000, 10_000, 15, 64);
        schedule = schedule();
        checkValues();
        recipe = recipe();
    }

    /** The one schedule of --schedules (default fixed) for the kinds without restarts. */
    private LrSchedule schedule() {
        if (o.schedules == null) return LrSchedule.FIXED;
        List<LrSchedule> l = new ArrayList<>();
        for (String s : o.schedules) {
            LrSchedule x = LrSchedule.parse(s);
            if (!l.contains(x)) l.add(x);
        }
        String given = String.join(",", o.schedules);
        if (l.size() != 1)
            throw OptionChecks.invalid("--schedules", given, "must be one schedule in this job (fixed, step, cosine or"
                    + " linear; the paper modes compare several)");
        if (l.get(0) == LrSchedule.RESTARTS)
            throw OptionChecks.invalid("--schedules", given, "must be fixed, step, cosine or linear in this job (warm"
                    + " restarts are -O adamwr and sgdwr)");
        return l.get(0);
    }

    /**
     * The recipe options, checked against each other and the run before any data loads. Clipping, accumulation and
     * the EMA are the library's: DL4J's own Adam (adam-l2) has none of them, and training the baseline without them
     * would compare two recipes under one name, so they are refused with adam-l2 rather than applied to some runs
     * only. The warm-up is a learning-rate schedule, which DL4J's Adam takes too: it applies to every kind without
     * restarts.
     */
    private Recipe recipe() {
        int k = o.accumulationSteps != null ? o.accumulationSteps : 1;
        if (o.accumulationSteps != null) OptionChecks.positive("--accumulation-steps", k);
        if (o.clipGlobalNorm != null) OptionChecks.clipNorm("--clip-global-norm", o.clipGlobalNorm);
        if (o.ema != null) OptionChecks.emaDecay("--ema", o.ema);
        long w = o.warmup != null ? o.warmup : 0;
        if (w < 0) throw OptionChecks.invalid("--warmup", Long.toString(w), "must be an integer >= 0 (optimizer steps)");
        Recipe r = new Recipe(o.clipGlobalNorm != null ? o.clipGlobalNorm : 0, k, w, o.ema);
        if (kinds.contains(OptimizerKind.ADAM_L2)) {
            String what = r.clips() ? "--clip-global-norm = " + OptionChecks.text(r.clipGlobalNorm())
                    : r.accumulates() ? "--accumulation-steps = " + k
                    : r.averages() ? "--ema = " + OptionChecks.text(r.emaDecay()) : null;
            if (what != null)
                throw new IllegalArgumentException(what + " is invalid with -O adam-l2: DL4J's own Adam has no"
                        + " global-norm clipping, gradient accumulation or EMA of the weights, and a baseline without"
                        + " them would train another recipe; drop adam-l2 from -O (e.g. -O adamw,adamwr)");
        }
        if (r.warmsUp()) {
            for (OptimizerKind kind : kinds)
                if (kind.restarts())
                    throw new IllegalArgumentException("--warmup = " + w + " is invalid with -O " + kind.id + ": warm"
                            + " restarts take no warm-up here (a warm-up before a restart schedule is no transformers"
                            + " schedule); drop adamwr and sgdwr from -O");
            if (!schedule.takesWarmup())
                throw new IllegalArgumentException("--warmup = " + w + " is invalid with --schedules " + schedule.id
                        + ": a warm-up precedes fixed, cosine or linear (transformers' schedules with warm-up)");
            OptionChecks.warmupShorterThanRun(w, size.epochs(), size.train(), size.batch(), k);
        }
        if (r.accumulates() && kinds.stream().anyMatch(OptimizerKind::restarts))
            OptionChecks.restartPeriodAtLeastOneStep(o.restartT0, size.train(), size.batch(), k);
        return r;
    }

    private void checkValues() {
        OptionChecks.finitePositive("--lr", lrs);
        OptionChecks.finiteNonNegative("--l2", l2s);
        OptionChecks.finiteNonNegative("--wd", wds);
        if (kinds.stream().anyMatch(k -> k != OptimizerKind.ADAM_L2)) OptionChecks.decayPerStepBelowOne(lrs, wds);
        // the library's own ranges (CosineWarmRestarts), checked here so that they fail before anything trains
        OptionChecks.finitePositive("--restart-t0", o.restartT0);
        OptionChecks.finiteAtLeast("--restart-tmult", o.restartTMult, 1);
        if (kinds.stream().anyMatch(OptimizerKind::restarts))
            OptionChecks.restartPeriodAtLeastOneStep(o.restartT0, size.train(), size.batch());
        Datasets.Kind.parse(o.dataset);
    }

    /** Options a job would ignore are refused, naming them, rather than dropped without a word. */
    private void refuseIgnoredOptions(CommandLine.ParseResult given) {
        List<String> ignored = new ArrayList<>();
        for (String opt : List.of("--wd-norm", "--budgets", "--grid-results"))
            if (given.hasMatchedOption(opt)) ignored.add(opt + " (only the paper modes use it)");
        boolean l2Used = kinds.contains(OptimizerKind.ADAM_L2);
        boolean restartsUsed = kinds.stream().anyMatch(OptimizerKind::restarts);
        if (given.hasMatchedOption("--schedules") && kinds.stream().allMatch(OptimizerKind::restarts))
            ignored.add("--schedules (adamwr and sgdwr keep their warm restarts)");
        if (given.hasMatchedOption("--l2") && !l2Used) ignored.add("--l2 (only adam-l2 uses it)");
        if (given.hasMatchedOption("--wd") && kinds.stream().allMatch(k -> k == OptimizerKind.ADAM_L2))
            ignored.add("--wd (adam-l2 uses --l2)");
        if (given.hasMatchedOption("--best-seeds") && mode != Mode.SWEEP) ignored.add("--best-seeds (only --sweep uses it)");
        for (String opt : List.of("--restart-t0", "--restart-tmult"))
            if (given.hasMatchedOption(opt) && !restartsUsed) ignored.add(opt + " (only adamwr and sgdwr use it)");
        if (!ignored.isEmpty())
            throw new IllegalArgumentException("this job would ignore " + String.join(", ", ignored)
                    + ": drop it, or add the optimizer that uses it to -O");
    }

    @Override public int trainSize() { return size.train(); }
    @Override public int testSize() { return size.test(); }

    @Override
    public Datasets.Choice dataChoice() {
        Datasets.Choice dc = super.dataChoice();
        model = o.model != null ? Models.parse(o.model)
                : dc.kind() == Datasets.Kind.CIFAR10 ? Models.CIFAR10 : Models.FMNIST_MLP;
        return dc;
    }

    @Override
    public List<Protocol> protocols(Datasets.Choice dc) {
        return List.of(new Protocol(model.id, dc.kind().id, dc.source(), size.train(), size.test(), size.batch(), size.epochs(), recipe));
    }

    /**
     * Restart runs of another T_0/T_mult would share the new runs' labels, CSV rows and model files (which name the
     * optimizer, lr and λ only), so a folder holding them is refused as one of another protocol is.
     */
    @Override
    public void checkResumed(ResultsStore store) {
        if (kinds.stream().noneMatch(OptimizerKind::restarts)) return;
        for (RunResult r : store.completeRuns())
            if (r.optimizer.kind.restarts()
                    && (r.optimizer.restartT0 != o.restartT0 || r.optimizer.restartTMult != o.restartTMult))
                throw new IllegalArgumentException("--resume: " + store.dir().resolve(ResultsStore.JSON)
                        + " holds restart runs with T_0 = " + Fmt.num(r.optimizer.restartT0) + ", T_mult = "
                        + Fmt.num(r.optimizer.restartTMult) + " (run " + r.runId + "), this job's are T_0 = "
                        + Fmt.num(o.restartT0) + ", T_mult = " + Fmt.num(o.restartTMult) + "; the report could not tell"
                        + " them apart. Resume with --restart-t0/--restart-tmult as they were, or write into another --out");
    }

    @Override
    public void recordMeta(ResultsStore store) {
        store.meta("gridSeeds", gridSeeds);
        store.meta("model", model.id);
    }

    @Override
    public JobReport report(Datasets.Loaded data) {
        String origin = ProtocolText.dataOrigin(o.data != null ? o.data.toString() : data.source, data.train.name);
        return context(mode, command(), !o.noCharts, new LinkedHashSet<>(gridSeeds), model,
                kinds, ProtocolText.comparison(origin, size.train(), size.test(), model, size.batch(), size.epochs(), kinds, o.restartT0,
                        o.restartTMult, schedule, recipe));
    }

    /** The report of a main/quick/sweep job. */
    static Report.Context context(Mode mode, String command, boolean charts, java.util.Set<Long> gridSeeds, Models m,
                                  List<OptimizerKind> kinds, String protocol) {
        Report.Context c = new Report.Context();
        c.mode = mode.id;
        c.sweep = mode == Mode.SWEEP;
        c.gridSeeds = gridSeeds;
        c.command = command;
        c.charts = charts;
        c.title = kinds.stream().map(k -> k.label).collect(java.util.stream.Collectors.joining(" vs "))
                + (m != null ? " — " + m.id : "") + (c.sweep ? " (sweep)" : "");
        c.protocol = protocol;
        return c;
    }

    @Override
    public void train(JobRunner runner) {
        Trainer trainer = runner.trainer(model, size.batch(), size.epochs());
        List<OptimizerSpec> grid = new ArrayList<>();
        // interleave the optimizers so that a partial sweep covers all of them evenly
        int nLam = Math.max(l2s.size(), wds.size());
        for (double a : lrs)
            for (int i = 0; i < nLam; i++)
                for (OptimizerKind k : kinds) {
                    List<Double> lams = k == OptimizerKind.ADAM_L2 ? l2s : wds;
                    if (i < lams.size())
                        grid.add(new OptimizerSpec(k, a, lams.get(i), o.restartT0, o.restartTMult,
                                k.restarts() ? LrSchedule.RESTARTS : schedule, DecayConvention.LR_COUPLED, false,
                                recipe));
                }
        List<Planned> plan = new ArrayList<>();
        for (OptimizerSpec s : grid) for (long seed : gridSeeds) plan.add(new Planned(s, seed));
        runner.run(trainer, plan);
        if (mode == Mode.SWEEP) runner.run(trainer, bestOnMoreSeeds(runner));
    }

    /** The sweep's second stage: each optimizer's best grid setting on --best-seeds. */
    private List<Planned> bestOnMoreSeeds(JobRunner runner) {
        Summary sum = new Summary(runner.store().completeRuns());
        List<Planned> more = new ArrayList<>();
        for (OptimizerKind k : kinds) {
            Summary.Setting b = sum.best(k, new LinkedHashSet<>(gridSeeds));
            if (b == null) continue;
            runner.progress().line("best " + k.label + " setting on seed(s) " + gridSeeds + ": " + b.spec.label()
                    + " → runs with seeds " + extraSeeds);
            for (long seed : extraSeeds) more.add(new Planned(b.spec, seed));
        }
        return more;
    }
}
