package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.OptionChecks;
import io.github.dl4jadamw.examples.Options;
import io.github.dl4jadamw.examples.data.Datasets;
import io.github.dl4jadamw.examples.model.ResNet20;
import io.github.dl4jadamw.examples.report.CifarStyleReport;
import io.github.dl4jadamw.examples.report.JobReport;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.Protocol;
import io.github.dl4jadamw.DecayConvention;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The CIFAR-style recipe: ResNet-20 with BatchNormalization, random crop (4-pixel padding) and horizontal flips,
 * batch 128, for Adam+L2 (cosine annealing), AdamW (cosine annealing) and AdamWR (warm restarts, T_0 = 1 epoch,
 * T_mult = 2), the decoupled ones in the paper's convention with normalized decay. Fashion-MNIST is padded to
 * 32×32; CIFAR-10 (--data, --dataset cifar10) is taken as it is.
 */
public final class CifarStyleJob extends Job {
    /**
     * The budget that fits about an hour of one core for the three optimizers: measured 2026-12-07 on the project's
     * 2-core machine, one ND4J thread, a training step of ResNet-20 costs about 0.11 CPU-seconds per image (9 images/s
     * on an idle core) and evaluation about a third of that; 3 epochs × 3,000 images plus 3 × 2,000 test images
     * take about 20 CPU-minutes per optimizer. On a shared machine the wall time is longer.
     */
    public static final int DEFAULT_EPOCHS = 3, DEFAULT_TRAIN = 3_000, DEFAULT_TEST = 2_000;
    public static final double DEFAULT_LR = 1e-3, DEFAULT_L2 = 5e-4, DEFAULT_WD_NORM = 0.025;

    private final List<OptimizerKind> kinds;
    private final double lr, l2, wdNorm;
    private final List<Long> seeds;
    private final RunSize size;
    private final ResNet20 model = new ResNet20();

    public CifarStyleJob(Options o, List<String> args, Path outDir, CommandLine.ParseResult given) {
        super(o, Mode.CIFAR_STYLE, args, outDir);
        refuseUnread(given);
        kinds = kinds(List.of("adam-l2", "adamw", "adamwr"));
        onlyKinds(mode.flag, kinds, List.of(OptimizerKind.ADAM_L2, OptimizerKind.ADAMW, OptimizerKind.ADAMWR));
        lr = single("--lr", o.lr, DEFAULT_LR);
        l2 = single("--l2", o.l2, DEFAULT_L2);
        wdNorm = single("--wd-norm", o.wdNorm, DEFAULT_WD_NORM);
        seeds = o.seeds != null ? o.seeds : List.of(1L);
        size = RunSize.of(o, DEFAULT_TRAIN, DEFAULT_TEST, DEFAULT_EPOCHS, 128);
        OptionChecks.finitePositive("--lr", List.of(lr));
        OptionChecks.finiteNonNegative("--l2", List.of(l2));
        OptionChecks.finiteNonNegative("--wd-norm", List.of(wdNorm));
        OptionChecks.finitePositive("--restart-t0", o.restartT0);
        OptionChecks.finiteAtLeast("--restart-tmult", o.restartTMult, 1);
        if (kinds.contains(OptimizerKind.ADAMWR)) OptionChecks.restartPeriodAtLeastOneStep(o.restartT0, size.train(), size.batch());
    }

    /** One value of a list option (this recipe runs one setting per optimizer). */
    static double single(String option, List<Double> given, double def) {
        if (given == null) return def;
        if (given.size() != 1)
            throw OptionChecks.invalid(option, given.toString(), "one value: the CIFAR-style recipe runs one setting"
                    + " per optimizer");
        return given.get(0);
    }

    @Override public int trainSize() { return size.train(); }
    @Override public int testSize() { return size.test(); }

    /** Fashion-MNIST's 28×28 images padded to ResNet-20's 32×32; CIFAR-10 as it is. */
    @Override
    public Datasets.Loaded load(Datasets.Choice dc) {
        Datasets.Loaded d = super.load(dc);
        if (d.train.height == ResNet20.SIDE) return d;
        return new Datasets.Loaded(d.kind, d.source, d.train.paddedTo(ResNet20.SIDE), d.test.paddedTo(ResNet20.SIDE));
    }

    @Override
    public List<Protocol> protocols(Datasets.Choice dc) {
        return List.of(new Protocol(ResNet20.ID, dc.kind().id, dc.source(), size.train(), size.test(), size.batch(), size.epochs()));
    }

    @Override
    public void recordMeta(ResultsStore store) {
        store.meta("model", ResNet20.ID);
        store.meta("gridSeeds", seeds);
        store.meta("ompNumThreads", System.getenv("OMP_NUM_THREADS"));
    }

    @Override
    public JobReport report(Datasets.Loaded data) {
        return new CifarStyleReport(command(), !o.noCharts);
    }

    /** Adam+L2 and AdamW under cosine annealing, AdamWR with its restarts; decoupled decay normalized. */
    public List<OptimizerSpec> settings() {
        List<OptimizerSpec> l = new ArrayList<>();
        for (OptimizerKind k : kinds)
            l.add(k == OptimizerKind.ADAM_L2
                    ? OptimizerSpec.paper(k, lr, l2, LrSchedule.COSINE, false)
                    : new OptimizerSpec(k, lr, wdNorm, o.restartT0, o.restartTMult,
                    k == OptimizerKind.ADAMWR ? LrSchedule.RESTARTS : LrSchedule.COSINE,
                    DecayConvention.SCHEDULE_MULTIPLIER, true));
        return l;
    }

    @Override
    public void train(JobRunner runner) {
        List<Planned> plan = new ArrayList<>();
        for (long seed : seeds) for (OptimizerSpec s : settings()) plan.add(new Planned(s, seed));
        runner.run(runner.trainer(model, size.batch(), size.epochs()), plan);
    }
}
