package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.OptionChecks;
import io.github.dl4jadamw.examples.Options;
import io.github.dl4jadamw.examples.data.Datasets;
import io.github.dl4jadamw.examples.data.FashionMnist;
import io.github.dl4jadamw.examples.report.JobReport;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.Protocol;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;

/**
 * One job of the program: its options checked and defaulted at construction (before anything is read or written),
 * the data it trains on, the runs it plans, and the report it writes. {@link JobRunner} drives it.
 */
public abstract class Job {
    protected final Options o;
    protected final Mode mode;
    /** The arguments as given (reports quote them). */
    protected final List<String> args;
    /** Where the results go. */
    protected final java.nio.file.Path outDir;

    protected Job(Options o, Mode mode, List<String> args, java.nio.file.Path outDir) {
        this.o = o;
        this.mode = mode;
        this.args = args;
        this.outDir = outDir;
    }

    /** The arguments as one line. */
    protected String command() {
        return String.join(" ", args);
    }

    public Mode mode() { return mode; }

    /** Training images of each run. */
    public abstract int trainSize();

    /** Test images of each run. */
    public abstract int testSize();

    /** The data, chosen and checked without reading an image. */
    public Datasets.Choice dataChoice() {
        Datasets.Choice dc = Datasets.choose(o.data, Datasets.Kind.parse(o.dataset));
        if (dc.embedded()) {
            String more = " (give --data DIR with the full files; Debian: apt-get install dataset-fashion-mnist, then"
                    + " --data /usr/share/datasets/fashion-mnist)";
            OptionChecks.atMost("--train-size", trainSize(), FashionMnist.EMBEDDED_TRAIN,
                    "the embedded Fashion-MNIST subset has " + FashionMnist.EMBEDDED_TRAIN + " training images" + more);
            OptionChecks.atMost("--test-size", testSize(), FashionMnist.EMBEDDED_TEST,
                    "the embedded Fashion-MNIST subset has " + FashionMnist.EMBEDDED_TEST + " test images" + more);
        }
        return dc;
    }

    /** Loads the chosen data (a job may transform it, e.g. pad the images). */
    public Datasets.Loaded load(Datasets.Choice dc) {
        return Datasets.load(dc, trainSize(), testSize());
    }

    /** The protocols of the runs this job trains: --resume refuses saved runs of any other. */
    public abstract List<Protocol> protocols(Datasets.Choice dc);

    /** Further checks of the results a --resume keeps (e.g. their restart schedules). */
    public void checkResumed(ResultsStore store) {}

    /** What results.json's meta records of this job, besides what {@link JobRunner} records. */
    public void recordMeta(ResultsStore store) {}

    /** The report of this job's results, for the loaded data. */
    public abstract JobReport report(Datasets.Loaded data);

    /** The file name --save-models gives a run's network. */
    public String modelFileName(Planned p, io.github.dl4jadamw.examples.train.Trainer t) {
        return p.spec().key() + "_s" + p.seed() + ".zip";
    }

    /** Trains the planned runs, stage by stage, through the runner. */
    public abstract void train(JobRunner runner);

    // ---- helpers for the jobs' option handling ----

    /** The optimizers of -O (default {@code def}), each once, in the order given. */
    protected List<OptimizerKind> kinds(List<String> def) {
        List<OptimizerKind> kinds = new ArrayList<>();
        for (String s : o.optimizers != null ? o.optimizers : def) {
            OptimizerKind k = OptimizerKind.parse(s);
            if (!kinds.contains(k)) kinds.add(k);
        }
        return kinds;
    }

    /** Refuses the options given that this paper mode does not read ({@link Mode#reads}). */
    protected void refuseUnread(CommandLine.ParseResult given) {
        List<String> ignored = new ArrayList<>();
        for (String opt : List.of("--optimizers", "--lr", "--l2", "--wd", "--wd-norm", "--schedules", "--budgets",
                "--grid-results", "--seeds", "--best-seeds", "--model", "--data", "--dataset", "--train-size",
                "--test-size", "--epochs", "--batch-size", "--restart-t0", "--restart-tmult", "--clip-global-norm",
                "--accumulation-steps", "--warmup", "--ema"))
            if (given.hasMatchedOption(opt) && !mode.reads().contains(opt)) ignored.add(opt);
        if (!ignored.isEmpty())
            throw new IllegalArgumentException(mode.flag + " does not read " + String.join(", ", ignored)
                    + ": drop it (" + mode.flag + " reads " + String.join(", ", mode.reads()) + ")");
    }

    /** The schedules of --schedules (default {@code def}), each once, in the order given. */
    protected List<io.github.dl4jadamw.examples.train.LrSchedule> schedules(List<String> def) {
        List<io.github.dl4jadamw.examples.train.LrSchedule> l = new ArrayList<>();
        for (String s : o.schedules != null ? o.schedules : def) {
            io.github.dl4jadamw.examples.train.LrSchedule x = io.github.dl4jadamw.examples.train.LrSchedule.parse(s);
            if (x == io.github.dl4jadamw.examples.train.LrSchedule.LINEAR)   // not one of the paper's schedules
                throw OptionChecks.invalid("--schedules", s, "must be fixed, step, cosine or restarts in "
                        + mode.flag + " (the paper's schedules; linear is for the main job, --quick and --sweep)");
            if (!l.contains(x)) l.add(x);
        }
        return l;
    }

    /** The paper convention's decay per step is η_t·λ ≤ λ: each λ must be below 1. */
    protected static void paperDecayBelowOne(String option, List<Double> lambdas) {
        for (double l : lambdas)
            if (!(l < 1))
                throw OptionChecks.invalid(option, OptionChecks.text(l), "must be < 1 (in the paper's convention the"
                        + " decay per step is η_t·λ; each step multiplies the weights by 1 − η_t·λ)");
    }

    /** Only these optimizers: a paper mode compares fixed ones. */
    protected static void onlyKinds(String mode, List<OptimizerKind> kinds, List<OptimizerKind> allowed) {
        for (OptimizerKind k : kinds)
            if (!allowed.contains(k))
                throw new IllegalArgumentException(mode + ": optimizer " + k.id + " is not part of this experiment"
                        + " (it compares " + String.join(", ", allowed.stream().map(x -> x.id).toList()) + ")");
    }
}
