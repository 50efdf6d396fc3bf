package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.examples.data.Cifar10Download;
import io.github.dl4jadamw.examples.data.DataDownloadException;
import io.github.dl4jadamw.examples.data.DataFormatException;
import io.github.dl4jadamw.examples.data.Datasets;
import io.github.dl4jadamw.examples.data.FashionMnist;
import io.github.dl4jadamw.examples.model.Models;
import io.github.dl4jadamw.examples.report.Report;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.report.Summary;
import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.Progress;
import io.github.dl4jadamw.examples.train.Protocol;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.examples.train.Trainer;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Trains the same network with each chosen optimizer (Adam+L2, AdamW, AdamWR) under the same seed, data order and
 * budget, and writes results.json/csv, report.md and PNG charts.
 */
@Command(name = "dl4j-adamw-examples", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        version = "dl4j-adamw-examples 0.1.0-SNAPSHOT (Deeplearning4j 1.0.0-M2.1)",
        description = {
                "Adam+L2 (DL4J's Adam with .l2 on weights) vs AdamW vs AdamWR under one protocol: the same network, "
                        + "seed, data order and budget for every optimizer. Writes results.json, results.csv, "
                        + "report.md and PNG charts into --out.",
                "",
                "Modes:",
                "  (default)  the main job: lr 1e-3, adam-l2 λ=5e-4, adamw and adamwr λ=0.05, seed 1, fmnist-mlp on "
                        + "the embedded Fashion-MNIST subset (about a minute on 2 cores).",
                "  --quick    2,000 train / 1,000 test images, 2 epochs (seconds).",
                "  --sweep    the grid lr {1e-3, 3e-3} × λ (adam-l2 {0, 1e-4, 5e-4, 2e-3, 8e-3}; adamw and adamwr "
                        + "{0, 0.05, 0.2, 0.8, 3.2}) on --seeds (default 1), then each optimizer's best setting on "
                        + "--best-seeds (default 1,2,3); adds heatmaps of the final test error.",
                "Any option below overrides the mode's default.",
                ""},
        footer = {"",
                "Examples:",
                "  dl4j-adamw-examples                                    (the main job, into results/main)",
                "  dl4j-adamw-examples --sweep --resume --progress lines  (the fmnist-mlp sweep, into results/sweep)",
                "  dl4j-adamw-examples --data /usr/share/datasets/fashion-mnist --train-size 60000 --out results/full",
                "  dl4j-adamw-examples --data ~/cifar-10-batches-bin --model cifar10 --out results/cifar10",
                "  dl4j-adamw-examples --dataset cifar10 --out results/cifar10   (DL4J downloads and caches CIFAR-10)",
                "",
                "λ: for adam-l2 the L2 coefficient (gradient += λ·W, weights only); for adamw/adamwr/sgdw/sgdwr the decoupled "
                        + "decay, lr-coupled as in PyTorch (W -= lr_t·λ·W every step, weights only).",
                "AdamWR, SGDWR: cosine warm restarts, T_0 = 1 epoch, T_mult = 2 (1+2+4+8 = 15 epochs), advanced every "
                        + "iteration, η_min = 0."})
public final class CompareOptimizers implements Callable<Integer> {
    static final List<Double> SWEEP_LR = List.of(1e-3, 3e-3);
    static final List<Double> SWEEP_L2 = List.of(0.0, 1e-4, 5e-4, 2e-3, 8e-3);
    static final List<Double> SWEEP_WD = List.of(0.0, 0.05, 0.2, 0.8, 3.2);

    @Option(names = "--quick", description = "Small slice: 2,000 train / 1,000 test images, 2 epochs (seconds).")
    boolean quick;

    @Option(names = "--sweep", description = "The sweep grid (see above) and each optimizer's best setting over --best-seeds.")
    boolean sweep;

    @Option(names = {"-O", "--optimizers"}, split = ",", paramLabel = "NAME",
            description = "Optimizers, comma-separated: adam-l2, adamw, adamwr, sgdw, sgdwr (SGD with momentum 0.9 and decoupled decay, with/without restarts: give them an SGD-sized --lr, e.g. 0.05). Default: adam-l2,adamw,adamwr.")
    List<String> optimizers;

    @Option(names = "--lr", split = ",", paramLabel = "α", description = "Base learning rate(s). Default: 1e-3 (sweep: 1e-3,3e-3).")
    List<Double> lr;

    @Option(names = "--l2", split = ",", paramLabel = "λ", description = "Adam+L2 coefficient(s) λ. Default: 5e-4 (sweep: 0,1e-4,5e-4,2e-3,8e-3).")
    List<Double> l2;

    @Option(names = "--wd", split = ",", paramLabel = "λ", description = "AdamW/AdamWR/SGDW/SGDWR decoupled decay λ (lr-coupled). Default: 0.05 (sweep: 0,0.05,0.2,0.8,3.2).")
    List<Double> wd;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED", description = "Seeds for every setting. Default: 1.")
    List<Long> seeds;

    @Option(names = "--best-seeds", split = ",", paramLabel = "SEED", description = "Sweep: seeds for each optimizer's best setting (found on --seeds). Default: 1,2,3.")
    List<Long> bestSeeds;

    @Option(names = "--model", paramLabel = "MODEL", description = "fmnist-mlp (default for Fashion-MNIST), fmnist-cnn, cifar10 (default for CIFAR-10 data).")
    String model;

    @Option(names = "--data", paramLabel = "DIR", description = "Directory with CIFAR-10 binary files (data_batch_1..5.bin, test_batch.bin) or Fashion-MNIST IDX files (train-images-idx3-ubyte[.gz], ...). Default: the embedded Fashion-MNIST subset, or with --dataset cifar10 DL4J's CIFAR-10 cache.")
    Path data;

    @Option(names = "--dataset", paramLabel = "KIND", defaultValue = "auto", description = "auto (from --data), fashion-mnist or cifar10. cifar10 without --data: CIFAR-10 through DL4J's Cifar10Fetcher, which downloads it once into its cache, ~/.deeplearning4j/data/cifar10 (the JVM option -Dorg.deeplearning4j.resources.directory=DIR moves ~/.deeplearning4j). Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--train-size", paramLabel = "N", description = "First N training images. Default: 10000 (quick: 2000).")
    Integer trainSize;

    @Option(names = "--test-size", paramLabel = "N", description = "First N test images. Default: 10000 (quick: 1000).")
    Integer testSize;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs. Default: 15 (quick: 2).")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "B", defaultValue = "64", description = "Minibatch size (last partial batch kept). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--restart-t0", paramLabel = "T0", defaultValue = "1", description = "AdamWR/SGDWR: first restart period in epochs. Default: ${DEFAULT-VALUE}.")
    double restartT0;

    @Option(names = "--restart-tmult", paramLabel = "TM", defaultValue = "2", description = "AdamWR/SGDWR: period multiplier. Default: ${DEFAULT-VALUE}.")
    double restartTMult;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Output directory. Default: results/main, results/quick or results/sweep (relative to the working directory).")
    Path out;

    @Option(names = "--resume", description = "Keep complete runs already in --out/results.json that match a planned run (same protocol, setting and seed) instead of training them again. Refuses (before loading data) a results.json with runs of another protocol (model, data, --train-size, --test-size, --batch-size, --epochs), which would mix into the report.")
    boolean resume;

    @Option(names = "--save-models", description = "Save each trained network with its updater state (DL4J ModelSerializer) as --out/models/RUN.zip.")
    boolean saveModels;

    @Option(names = "--no-charts", description = "Write results and report.md without PNG charts.")
    boolean noCharts;

    @Option(names = "--report-only", description = "Do not train: rewrite report.md and charts from --out/results.json, as the job that wrote it did (main, quick or sweep).")
    boolean reportOnly;

    @Option(names = "--progress", paramLabel = "MODE", defaultValue = "auto", description = "auto, bar, lines or off (progress on stderr; auto = bar on a terminal, lines otherwise). Default: ${DEFAULT-VALUE}.")
    String progressMode;

    @Spec
    CommandSpec spec;

    /** Where the data came from ({@link Datasets.Loaded#source}, or the results' record of it). */
    private String dataSource;
    /** The training images' own description ({@link io.github.dl4jadamw.examples.data.ImageData#name}), or null. */
    private String trainData;
    private final PrintStream stdout;
    private final PrintStream stderr;
    private String[] rawArgs = new String[0];

    public CompareOptimizers() {
        this(System.out, System.err);
    }

    public CompareOptimizers(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the program; returns the exit code (0 ok, 1 error, 2 usage). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CompareOptimizers app = new CompareOptimizers(out, err);
        app.rawArgs = args.clone();
        CommandLine cl = new CommandLine(app);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof DataFormatException || ex instanceof DataDownloadException
                    || ex instanceof IllegalArgumentException || ex instanceof UnsupportedOperationException) {
                err.println("error: " + ex.getMessage());
                return 1;
            }
            throw ex;
        });
        return cl.execute(args);
    }

    String mode() {
        return sweep ? "sweep" : quick ? "quick" : "main";
    }

    @Override
    public Integer call() {
        if (sweep && quick) throw new IllegalArgumentException("--sweep and --quick exclude each other");
        Progress.Mode pm;
        try {
            pm = Progress.Mode.valueOf(progressMode.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--progress " + progressMode + ": expected auto, bar, lines or off");
        }
        Progress progress = new Progress(stderr, pm);
        Path outDir = out != null ? out : Path.of("results", mode());

        // ---- the plan ----
        List<OptimizerKind> kinds = new ArrayList<>();
        for (String o : optimizers != null ? optimizers : List.of("adam-l2", "adamw", "adamwr")) {
            OptimizerKind k = OptimizerKind.parse(o);
            if (!kinds.contains(k)) kinds.add(k);
        }
        refuseIgnoredOptions(kinds);
        List<Double> lrs = lr != null ? lr : sweep ? SWEEP_LR : List.of(1e-3);
        List<Double> l2s = l2 != null ? l2 : sweep ? SWEEP_L2 : List.of(5e-4);
        List<Double> wds = wd != null ? wd : sweep ? SWEEP_WD : List.of(0.05);
        List<Long> gridSeeds = seeds != null ? seeds : List.of(1L);
        List<Long> extraSeeds = bestSeeds != null ? bestSeeds : List.of(1L, 2L, 3L);
        int nTrain = trainSize != null ? trainSize : quick ? 2000 : 10_000;
        int nTest = testSize != null ? testSize : quick ? 1000 : 10_000;
        int nEpochs = epochs != null ? epochs : quick ? 2 : 15;
        OptionChecks.positive("--train-size", nTrain);
        OptionChecks.positive("--test-size", nTest);
        OptionChecks.positive("--epochs", nEpochs);
        OptionChecks.positive("--batch-size", batchSize);
        OptionChecks.finitePositive("--lr", lrs);
        OptionChecks.finiteNonNegative("--l2", l2s);
        OptionChecks.finiteNonNegative("--wd", wds);
        if (kinds.stream().anyMatch(k -> k != OptimizerKind.ADAM_L2)) OptionChecks.decayPerStepBelowOne(lrs, wds);
        // the library's own ranges (CosineWarmRestarts), checked here so that they fail before anything trains
        OptionChecks.finitePositive("--restart-t0", restartT0);
        OptionChecks.finiteAtLeast("--restart-tmult", restartTMult, 1);
        if (kinds.stream().anyMatch(OptimizerKind::restarts))
            OptionChecks.restartPeriodAtLeastOneStep(restartT0, nTrain, batchSize);
        Datasets.Kind dk = Datasets.Kind.parse(dataset);

        if (reportOnly) {
            ResultsStore st = ResultsStore.load(outDir);
            if (st.runs().isEmpty()) throw new IllegalArgumentException(outDir.resolve(ResultsStore.JSON) + ": no runs to report");
            RunResult first = st.runs().get(0); // describe the protocol the results were produced with
            Object savedMode = st.meta().get("mode");   // and render them as that job did: sweep sections, quick sizes
            if (savedMode instanceof JsonNode) {
                String m = ((JsonNode) savedMode).asText();
                sweep = m.equals("sweep");
                quick = m.equals("quick");
            }
            trainSize = first.trainSize;
            testSize = first.testSize;
            epochs = first.epochs;
            batchSize = first.batchSize;
            dataSource = first.dataSource;
            Object td = st.meta().get("trainData");
            trainData = td instanceof JsonNode ? ((JsonNode) td).asText() : null;
            data = first.dataSource == null || first.dataSource.startsWith("embedded")
                    || first.dataSource.startsWith(Cifar10Download.SOURCE_PREFIX) ? null : Path.of(first.dataSource);
            // the restart schedule of the results' AdamWR/SGDWR runs (the other kinds carry the defaults)
            st.runs().stream().filter(x -> x.optimizer.kind.restarts()).findFirst().ifPresent(x -> {
                restartT0 = x.optimizer.restartT0;
                restartTMult = x.optimizer.restartTMult;
            });
            Report.Context rc = context(outDir, savedGridSeeds(st), Models.parse(st.runs().get(0).model),
                    st.runs().stream().map(x -> x.optimizer.kind).distinct().sorted().toList());
            Object args = st.meta().get("args");
            if (args instanceof JsonNode && ((JsonNode) args).isArray()) {
                List<String> a = new ArrayList<>();
                ((JsonNode) args).forEach(n -> a.add(n.asText()));
                rc.command = String.join(" ", a); // the arguments of the job that produced the results
            }
            Report.write(st, rc);
            stdout.println(Report.table(st.completeRuns()));
            stdout.println("report: " + outDir.resolve(Report.REPORT));
            return 0;
        }

        // ---- data and model: chosen and checked before anything is read ----
        Datasets.Choice dc = Datasets.choose(data, dk);
        if (dc.embedded()) {
            String more = " (give --data DIR with the full files; Debian: apt-get install dataset-fashion-mnist, then"
                    + " --data /usr/share/datasets/fashion-mnist)";
            OptionChecks.atMost("--train-size", nTrain, FashionMnist.EMBEDDED_TRAIN,
                    "the embedded Fashion-MNIST subset has " + FashionMnist.EMBEDDED_TRAIN + " training images" + more);
            OptionChecks.atMost("--test-size", nTest, FashionMnist.EMBEDDED_TEST,
                    "the embedded Fashion-MNIST subset has " + FashionMnist.EMBEDDED_TEST + " test images" + more);
        }
        Models m = model != null ? Models.parse(model) : dc.kind() == Datasets.Kind.CIFAR10 ? Models.CIFAR10 : Models.FMNIST_MLP;
        ResultsStore store = resume ? ResultsStore.load(outDir) : new ResultsStore(outDir);
        store.dropIncomplete();
        if (resume) {
            refuseOtherProtocols(store, new Protocol(m.id, dc.kind().id, dc.source(), nTrain, nTest, batchSize, nEpochs));
            refuseOtherRestartSchedules(store, kinds);
        }

        long t0 = System.nanoTime();
        if (dc.kind() == Datasets.Kind.CIFAR10 && dc.dir() == null && !Cifar10Download.isCached())
            progress.line("CIFAR-10 is not in DL4J's cache " + Cifar10Download.cacheDir() + ": DL4J's Cifar10Fetcher"
                    + " downloads it from " + Cifar10Download.url() + " (once)");
        Datasets.Loaded d = Datasets.load(dc, nTrain, nTest);
        dataSource = d.source;
        trainData = d.train.name;
        Trainer trainer = new Trainer(m, d.train, d.test, d.kind.id, d.source, batchSize, nEpochs, progress);
        progress.line(Fmt.f("data: %s — %s + %s, loaded in %.1f s", d.source, d.train, d.test, (System.nanoTime() - t0) / 1e9));
        progress.line("backend: " + Nd4j.getBackend().getClass().getSimpleName() + ", " + Nd4j.getEnvironment().maxThreads()
                + " threads; output: " + outDir.toAbsolutePath().normalize());

        List<OptimizerSpec> grid = new ArrayList<>();
        // interleave the optimizers so that a partial sweep covers all of them evenly
        int nLam = Math.max(l2s.size(), wds.size());
        for (double a : lrs)
            for (int i = 0; i < nLam; i++)
                for (OptimizerKind k : kinds) {
                    List<Double> lams = k == OptimizerKind.ADAM_L2 ? l2s : wds;
                    if (i < lams.size()) grid.add(new OptimizerSpec(k, a, lams.get(i), restartT0, restartTMult));
                }

        store.meta("mode", mode());
        store.meta("args", List.of(rawArgs));
        store.meta("gridSeeds", gridSeeds);
        store.meta("started", Instant.now().toString());
        store.meta("model", m.id);
        store.meta("dataset", d.kind.id);
        store.meta("dataSource", d.source);
        store.meta("trainData", d.train.name);
        store.meta("backend", Nd4j.getBackend().getClass().getSimpleName());
        store.meta("java", System.getProperty("java.version"));
        store.meta("availableProcessors", Runtime.getRuntime().availableProcessors());
        Report.Context ctx = context(outDir, new LinkedHashSet<>(gridSeeds), m, kinds);

        List<Planned> plan = new ArrayList<>();
        for (OptimizerSpec s : grid) for (long seed : gridSeeds) plan.add(new Planned(s, seed));
        int[] counter = {0};
        long jobStart = System.nanoTime();
        runAll(plan, trainer, store, ctx, progress, counter, jobStart);

        if (sweep) {
            Summary sum = new Summary(store.completeRuns());
            List<Planned> more = new ArrayList<>();
            for (OptimizerKind k : kinds) {
                Summary.Setting b = sum.best(k, new LinkedHashSet<>(gridSeeds));
                if (b == null) continue;
                progress.line("best " + k.label + " setting on seed(s) " + gridSeeds + ": " + b.spec.label()
                        + " → runs with seeds " + extraSeeds);
                for (long seed : extraSeeds) more.add(new Planned(b.spec, seed));
            }
            runAll(more, trainer, store, ctx, progress, counter, jobStart);
        }

        store.meta("finished", Instant.now().toString());
        store.save();
        Report.write(store, ctx);
        stdout.println();
        stdout.println(Report.table(store.completeRuns()));
        stdout.println("results: " + outDir.resolve(ResultsStore.JSON) + ", " + outDir.resolve(ResultsStore.CSV));
        stdout.println("report:  " + outDir.resolve(Report.REPORT) + (ctx.charts ? " (+ PNG charts)" : ""));
        stdout.println(Fmt.f("total time %s", Fmt.duration((System.nanoTime() - jobStart) / 1e9)));
        return 0;
    }

    private record Planned(OptimizerSpec spec, long seed) {}

    /**
     * --resume keeps the complete runs of --out/results.json, and the report averages a setting's runs: runs of
     * another model, data or budget would mix into its rows (a 1-epoch run averaged with a 3-epoch one). Refused
     * rather than dropped, as dropping would delete those results from results.json when it is saved again.
     */
    /** Options a job would ignore are refused, naming them, rather than dropped without a word. */
    private void refuseIgnoredOptions(List<OptimizerKind> kinds) {
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        List<String> ignored = new ArrayList<>();
        if (reportOnly) {   // the results decide these; --out, --sweep/--quick (which directory), charts, progress do not
            for (String o : List.of("--optimizers", "--lr", "--l2", "--wd", "--seeds", "--best-seeds", "--model",
                    "--data", "--dataset", "--train-size", "--test-size", "--epochs", "--batch-size", "--restart-t0",
                    "--restart-tmult", "--resume", "--save-models"))
                if (given.hasMatchedOption(o)) ignored.add(o);
            if (!ignored.isEmpty())
                throw new IllegalArgumentException("--report-only rewrites the report of the results in --out as they"
                        + " were produced, so it takes no " + String.join(", ", ignored));
            return;
        }
        boolean l2Used = kinds.contains(OptimizerKind.ADAM_L2);
        boolean restartsUsed = kinds.stream().anyMatch(OptimizerKind::restarts);
        if (given.hasMatchedOption("--l2") && !l2Used) ignored.add("--l2 (only adam-l2 uses it)");
        if (given.hasMatchedOption("--wd") && kinds.stream().allMatch(k -> k == OptimizerKind.ADAM_L2))
            ignored.add("--wd (adam-l2 uses --l2)");
        if (given.hasMatchedOption("--best-seeds") && !sweep) ignored.add("--best-seeds (only --sweep uses it)");
        for (String o : List.of("--restart-t0", "--restart-tmult"))
            if (given.hasMatchedOption(o) && !restartsUsed) ignored.add(o + " (only adamwr and sgdwr use it)");
        if (!ignored.isEmpty())
            throw new IllegalArgumentException("this job would ignore " + String.join(", ", ignored)
                    + ": drop it, or add the optimizer that uses it to -O");
    }

    /**
     * The seeds every grid setting of the results ran with (what the best setting is chosen on): saved with the
     * results since this was recorded, else read from the saved arguments' --seeds, else the default, 1.
     */
    static Set<Long> savedGridSeeds(ResultsStore st) {
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

    /**
     * Restart runs of another T_0/T_mult would share the new runs' labels, CSV rows and model files (which name the
     * optimizer, lr and λ only), so a folder holding them is refused as one of another protocol is.
     */
    private void refuseOtherRestartSchedules(ResultsStore store, List<OptimizerKind> kinds) {
        if (kinds.stream().noneMatch(OptimizerKind::restarts)) return;
        for (RunResult r : store.completeRuns())
            if (r.optimizer.kind.restarts()
                    && (r.optimizer.restartT0 != restartT0 || r.optimizer.restartTMult != restartTMult))
                throw new IllegalArgumentException("--resume: " + store.dir().resolve(ResultsStore.JSON)
                        + " holds restart runs with T_0 = " + Fmt.num(r.optimizer.restartT0) + ", T_mult = "
                        + Fmt.num(r.optimizer.restartTMult) + " (run " + r.runId + "), this job's are T_0 = "
                        + Fmt.num(restartT0) + ", T_mult = " + Fmt.num(restartTMult) + "; the report could not tell"
                        + " them apart. Resume with --restart-t0/--restart-tmult as they were, or write into another --out");
    }

    private static void refuseOtherProtocols(ResultsStore store, Protocol planned) {
        for (RunResult r : store.completeRuns()) {
            List<String> diff = planned.differences(Protocol.of(r));
            if (!diff.isEmpty())
                throw new IllegalArgumentException("--resume: " + store.dir().resolve(ResultsStore.JSON)
                        + " holds runs of another protocol (run " + r.runId + ": " + String.join(", ", diff)
                        + "); they would be mixed into this job's report. Resume with the options that produced"
                        + " them, or write into another --out");
        }
    }

    private void runAll(List<Planned> plan, Trainer trainer, ResultsStore store, Report.Context ctx,
                        Progress progress, int[] counter, long jobStart) {
        // how many will actually train (for the run counter)
        Map<String, Planned> todo = new LinkedHashMap<>();
        for (Planned p : plan) todo.put(keyOf(trainer, p), p);
        for (Map.Entry<String, Planned> e : todo.entrySet()) {
            Planned p = e.getValue();
            counter[0]++;
            if (store.completed(e.getKey()) != null) {
                progress.line("[" + counter[0] + "] " + p.spec.label() + " seed " + p.seed + ": already in "
                        + store.dir().resolve(ResultsStore.JSON) + " (--resume), skipped");
                continue;
            }
            String label = Fmt.f("[run %d, %s elapsed]", counter[0], Fmt.duration((System.nanoTime() - jobStart) / 1e9));
            Path modelFile = saveModels ? store.dir().resolve("models").resolve(p.spec.key() + "_s" + p.seed + ".zip") : null;
            RunResult r = trainer.run(p.spec, p.seed, label, rr -> {
                store.put(rr);
                store.save();
            }, modelFile);
            store.put(r);
            store.save();
            // report.md after every run; charts at most once a minute while the job runs (and at its end)
            boolean charts = ctx.charts && System.nanoTime() - lastCharts > 60e9;
            Report.write(store, ctx, charts);
            if (charts) lastCharts = System.nanoTime();
        }
    }

    private long lastCharts = System.nanoTime() - (long) 61e9;

    private static String keyOf(Trainer t, Planned p) {
        // the key a finished RunResult of this plan entry will have (see RunResult.key)
        RunResult probe = new RunResult();
        probe.optimizer = p.spec;
        probe.seed = p.seed;
        probe.model = t.modelId();
        probe.dataset = t.datasetId();
        probe.trainSize = t.trainSize();
        probe.testSize = t.testSize();
        probe.batchSize = t.batchSize();
        probe.epochs = t.epochs();
        return probe.key();
    }

    /** {@code kinds}: the optimizers the report covers, which name it. */
    private Report.Context context(Path outDir, Set<Long> gridSeeds, Models m, List<OptimizerKind> kinds) {
        Report.Context c = new Report.Context();
        c.mode = mode();
        c.sweep = sweep;
        c.gridSeeds = gridSeeds;
        c.command = String.join(" ", rawArgs);
        c.charts = !noCharts;
        c.title = kinds.stream().map(k -> k.label).collect(java.util.stream.Collectors.joining(" vs "))
                + (m != null ? " — " + m.id : "") + (sweep ? " (sweep)" : "");
        c.protocol = protocolText(m, kinds);
        return c;
    }

    /** The protocol as the report states it; only the optimizers in {@code kinds} are described. */
    private String protocolText(Models m, List<OptimizerKind> kinds) {
        int nTrain = trainSize != null ? trainSize : quick ? 2000 : 10_000;
        int nTest = testSize != null ? testSize : quick ? 1000 : 10_000;
        int nEpochs = epochs != null ? epochs : quick ? 2 : 15;
        StringBuilder s = new StringBuilder();
        String from = data != null ? "`" + data + "`"
                : dataSource != null && dataSource.startsWith(Cifar10Download.SOURCE_PREFIX)
                ? "CIFAR-10 from DL4J's download cache `" + dataSource.substring(Cifar10Download.SOURCE_PREFIX.length())
                + "` (Cifar10Fetcher's PNG folders, " + (trainData != null && trainData.contains("pseudo-random order")
                ? "images in a fixed pseudo-random order: their file names carry no CIFAR-10 image number)"
                : "images ordered by the number in their file names)")
                : "the embedded Fashion-MNIST subset";
        s.append("- Data: ").append(from)
                .append(", first ").append(Fmt.f("%,d", nTrain)).append(" training and ").append(Fmt.f("%,d", nTest))
                .append(" test images, pixels / 255")
                .append(m != null && m.augmented() ? ", random crop (" + m.cropPadding + "-pixel zero padding) and horizontal flip on training images" : ", no augmentation")
                .append(".\n");
        if (m != null) s.append("- Model: `").append(m.id).append("`, float32, weights U(−1/√fan_in, 1/√fan_in) "
                + "(`WeightInit.UNIFORM`), biases 0, softmax + multi-class cross-entropy.\n");
        s.append("- Batch ").append(batchSize).append(" (last partial batch kept), ").append(nEpochs)
                .append(" epochs, training order reshuffled every epoch from (seed, epoch): every optimizer sees the "
                        + "same batches in the same order and starts from the same weights.\n");
        boolean adamL2 = kinds.contains(OptimizerKind.ADAM_L2), adamR = kinds.contains(OptimizerKind.ADAMWR),
                adamW = adamR || kinds.contains(OptimizerKind.ADAMW), sgdR = kinds.contains(OptimizerKind.SGDWR),
                sgd = sgdR || kinds.contains(OptimizerKind.SGDW);
        List<String> adam = new ArrayList<>();
        if (adamL2) adam.add("Adam+L2: DL4J's `org.nd4j.linalg.learning.config.Adam` with `.l2(λ)` (gradient += λ·W, "
                + "weights only).");
        if (adamW) adam.add("AdamW: `io.github.dl4jadamw.AdamW`, decoupled decay W −= lr_t·λ·W (lr-coupled, PyTorch "
                + "convention), weights only (`DecoupledWeightDecay.onWeights()`).");
        if (adamR) adam.add("AdamWR: AdamW with the warm restarts below.");
        if (!adam.isEmpty()) s.append("- ").append(String.join(" ", adam)).append(" β = (0.9, 0.999), ε = 1e-8.\n");
        if (sgd)
            s.append("- SGDW/SGDWR: `io.github.dl4jadamw.SGDW`/`SGDWR` (the paper's Algorithm 1), momentum 0.9, "
                    + "lr-coupled decoupled decay W −= lr_t·λ·W on weights").append(sgdR ? "; SGDWR with the warm "
                    + "restarts below" : "").append(".\n");
        if (adamR || sgdR)
            s.append("- Warm restarts: cosine annealing, T_0 = ").append(Fmt.num(restartT0)).append(" epoch, T_mult = ")
                    .append(Fmt.num(restartTMult)).append(", η_min = 0, advanced every iteration (fractional epochs), "
                            + "lr_t = α·η_t.\n");
        s.append("- Measured each epoch: test accuracy and loss (inference mode), train loss (mean data loss over the "
                + "epoch's minibatches, without the L2 term), global weight norm, lr_t and η_t.\n");
        return s.toString();
    }
}
