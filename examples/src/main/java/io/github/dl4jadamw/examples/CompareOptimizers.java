package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.examples.data.DataDownloadException;
import io.github.dl4jadamw.examples.data.DataFormatException;
import io.github.dl4jadamw.examples.job.CifarStyleJob;
import io.github.dl4jadamw.examples.job.ComparisonJob;
import io.github.dl4jadamw.examples.job.Job;
import io.github.dl4jadamw.examples.job.JobRunner;
import io.github.dl4jadamw.examples.job.Mode;
import io.github.dl4jadamw.examples.job.PaperBudgetsJob;
import io.github.dl4jadamw.examples.job.PaperGridJob;
import io.github.dl4jadamw.examples.job.PaperSchedulesJob;
import io.github.dl4jadamw.examples.job.ReportOnly;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.Progress;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The examples' command line: trains the same network with each chosen optimizer (Adam+L2, AdamW, AdamWR, ...) under
 * the same seed, data order and budget, or runs one of the paper's experiments, and writes results.json/csv,
 * report.md and PNG charts. The jobs themselves live in {@link io.github.dl4jadamw.examples.job}.
 */
@Command(name = "dl4j-adamw-examples", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 100,
        version = "dl4j-adamw-examples 0.1.0 (Deeplearning4j 1.0.0-M2.1)",
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
                "  --paper-grid       α {1e-4 … 1e-2} × λ {0, 1e-5 … 1e-3}: Adam+L2 and AdamW (paper convention, step "
                        + "η_t·λ), fixed lr and cosine annealing, 15 epochs, seed 1 (120 runs, about an hour on 2 cores).",
                "  --paper-schedules  each optimizer's best cosine cell of --grid-results under fixed, step-drop, cosine "
                        + "and warm restarts, seeds 1-3.",
                "  --paper-budgets    AdamW, cosine, α 1e-3: normalized decay λ_norm {0 … 0.08} × 5, 15, 45 epochs.",
                "  --cifar-style      ResNet-20 (BatchNormalization, crop + flip, batch 128): Adam+L2, AdamW, AdamWR.",
                "Any option below overrides the mode's default.",
                ""},
        footer = {"",
                "Examples:",
                "  dl4j-adamw-examples                                    (the main job, into results/main)",
                "  dl4j-adamw-examples --sweep --resume --progress lines  (the fmnist-mlp sweep, into results/sweep)",
                "  dl4j-adamw-examples --data /usr/share/datasets/fashion-mnist --train-size 60000 --out results/full",
                "  dl4j-adamw-examples --data ~/cifar-10-batches-bin --model cifar10 --out results/cifar10",
                "  dl4j-adamw-examples --dataset cifar10 --out results/cifar10   (DL4J downloads and caches CIFAR-10)",
                "  dl4j-adamw-examples --paper-grid --resume --progress lines   (into results/paper-grid)",
                "  dl4j-adamw-examples --quick -O adamw --schedules cosine --warmup 10 --clip-global-norm 1 \\",
                "      --accumulation-steps 2 --ema 0.9   (a PyTorch recipe's step: warm-up + cosine, clip_grad_norm_,",
                "                                          accumulation, EMA of the weights; decoupled optimizers only)",
                "",
                "λ: for adam-l2 the L2 coefficient (gradient += λ·W, weights only); for adamw/adamwr/sgdw/sgdwr the decoupled "
                        + "decay, lr-coupled as in PyTorch (W -= lr_t·λ·W every step, weights only).",
                "AdamWR, SGDWR: cosine warm restarts, T_0 = 1 epoch, T_mult = 2 (1+2+4+8 = 15 epochs), advanced every "
                        + "iteration, η_min = 0."})
public final class CompareOptimizers implements Callable<Integer> {
    @Mixin
    Options o = new Options();

    @Spec
    CommandSpec spec;

    private final PrintStream stdout;
    private final PrintStream stderr;
    private List<String> rawArgs = List.of();

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
        app.rawArgs = List.of(args);
        CommandLine cl = new CommandLine(app);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
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

    /** The plan: which job, checked options, then either a report re-rendered or the job trained. */
    @Override
    public Integer call() {
        Mode mode = Mode.of(o);
        Progress progress = new Progress(stderr, progressMode());
        Path outDir = o.out != null ? o.out : Path.of("results", mode.id);
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        if (o.reportOnly) return ReportOnly.render(outDir, mode, given, rawArgs, !o.noCharts, stdout);
        Job job = job(mode, outDir, given);
        return new JobRunner(outDir, progress, stdout, rawArgs, o.resume, o.saveModels, !o.noCharts).run(job);
    }

    /** The job of {@code mode}, its options defaulted and checked (before anything is read or written). */
    private Job job(Mode mode, Path outDir, CommandLine.ParseResult given) {
        switch (mode) {
            case PAPER_GRID: return new PaperGridJob(o, rawArgs, outDir, given);
            case CIFAR_STYLE: return new CifarStyleJob(o, rawArgs, outDir, given);
            case PAPER_SCHEDULES: return new PaperSchedulesJob(o, rawArgs, outDir, given);
            case PAPER_BUDGETS: return new PaperBudgetsJob(o, rawArgs, outDir, given);
            default: return new ComparisonJob(o, mode, rawArgs, outDir, given);
        }
    }

    private Progress.Mode progressMode() {
        try {
            return Progress.Mode.valueOf(o.progressMode.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--progress " + o.progressMode + ": expected auto, bar, lines or off");
        }
    }

    /** See {@link ReportOnly#savedGridSeeds}. */
    static Set<Long> savedGridSeeds(ResultsStore st) {
        return ReportOnly.savedGridSeeds(st);
    }
}
