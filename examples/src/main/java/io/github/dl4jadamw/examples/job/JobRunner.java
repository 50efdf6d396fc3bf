package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.data.Cifar10Download;
import io.github.dl4jadamw.examples.data.Datasets;
import io.github.dl4jadamw.examples.model.Architecture;
import io.github.dl4jadamw.examples.report.JobReport;
import io.github.dl4jadamw.examples.report.Report;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.Progress;
import io.github.dl4jadamw.examples.train.Protocol;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.examples.train.Trainer;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link Job}: opens (or, with --resume, reloads and checks) the results, loads the data, trains the job's
 * plan run by run — saving results.json/csv after every epoch and report.md after every run — and finishes with the
 * report, the charts and a summary table.
 */
public final class JobRunner {
    private final Path outDir;
    private final Progress progress;
    private final PrintStream stdout;
    private final List<String> rawArgs;
    private final boolean resume, saveModels, charts;
    private ResultsStore store;
    private Datasets.Loaded data;
    private JobReport report;
    private Job job;
    private int counter;
    private long jobStart;
    private long lastCharts = System.nanoTime() - (long) 61e9;

    public JobRunner(Path outDir, Progress progress, PrintStream stdout, List<String> rawArgs, boolean resume,
                     boolean saveModels, boolean charts) {
        this.outDir = outDir;
        this.progress = progress;
        this.stdout = stdout;
        this.rawArgs = rawArgs;
        this.resume = resume;
        this.saveModels = saveModels;
        this.charts = charts;
    }

    /** The whole job: results opened and checked, data loaded, the plan trained, the report written. */
    public int run(Job job) {
        this.job = job;
        Datasets.Choice dc = job.dataChoice();
        openResults(job, dc);
        loadData(job, dc);
        recordMeta(job);
        report = job.report(data);
        jobStart = System.nanoTime();
        job.train(this);
        return finish();
    }

    public ResultsStore store() { return store; }
    public Datasets.Loaded data() { return data; }
    public Progress progress() { return progress; }

    /** --resume keeps the complete runs of results.json, and refuses them if they are of another protocol. */
    private void openResults(Job job, Datasets.Choice dc) {
        store = resume ? ResultsStore.load(outDir) : new ResultsStore(outDir);
        store.dropIncomplete();
        if (!resume) return;
        refuseOtherProtocols(store, job.protocols(dc));
        job.checkResumed(store);
    }

    /**
     * The report averages a setting's runs: runs of another model, data or budget would mix into its rows (a 1-epoch
     * run averaged with a 3-epoch one). Refused rather than dropped, as dropping would delete those results from
     * results.json when it is saved again.
     */
    static void refuseOtherProtocols(ResultsStore store, List<Protocol> planned) {
        for (RunResult r : store.completeRuns()) {
            Protocol theirs = Protocol.of(r);
            if (planned.contains(theirs)) continue;
            List<String> diff = closest(planned, theirs).differences(theirs);
            throw new IllegalArgumentException("--resume: " + store.dir().resolve(ResultsStore.JSON)
                    + " holds runs of another protocol (run " + r.runId + ": " + String.join(", ", diff)
                    + "); they would be mixed into this job's report. Resume with the options that produced"
                    + " them, or write into another --out");
        }
    }

    /** The planned protocol that differs least from {@code p}. */
    private static Protocol closest(List<Protocol> planned, Protocol p) {
        Protocol best = planned.get(0);
        for (Protocol q : planned) if (q.differences(p).size() < best.differences(p).size()) best = q;
        return best;
    }

    private void loadData(Job job, Datasets.Choice dc) {
        long t0 = System.nanoTime();
        if (dc.kind() == Datasets.Kind.CIFAR10 && dc.dir() == null && !Cifar10Download.isCached())
            progress.line("CIFAR-10 is not in DL4J's cache " + Cifar10Download.cacheDir() + ": DL4J's Cifar10Fetcher"
                    + " downloads it from " + Cifar10Download.url() + " (once)");
        data = job.load(dc);
        progress.line(Fmt.f("data: %s — %s + %s, loaded in %.1f s", data.source, data.train, data.test,
                (System.nanoTime() - t0) / 1e9));
        progress.line("backend: " + Nd4j.getBackend().getClass().getSimpleName() + ", "
                + Nd4j.getEnvironment().maxThreads() + " threads; output: " + outDir.toAbsolutePath().normalize());
    }

    private void recordMeta(Job job) {
        store.meta("mode", job.mode().id);
        store.meta("args", rawArgs);
        store.meta("started", Instant.now().toString());
        store.meta("dataset", data.kind.id);
        store.meta("dataSource", data.source);
        store.meta("trainData", data.train.name);
        store.meta("backend", Nd4j.getBackend().getClass().getSimpleName());
        store.meta("java", System.getProperty("java.version"));
        store.meta("availableProcessors", Runtime.getRuntime().availableProcessors());
        job.recordMeta(store);
    }

    /** A trainer of {@code model} on the loaded data. */
    public Trainer trainer(Architecture model, int batchSize, int epochs) {
        return new Trainer(model, data.train, data.test, data.kind.id, data.source, batchSize, epochs, progress);
    }

    /** Trains every planned run not already complete in the results (--resume), in order. */
    public void run(Trainer trainer, List<Planned> plan) {
        Map<String, Planned> todo = new LinkedHashMap<>();
        for (Planned p : plan) todo.put(keyOf(trainer, p), p);
        for (Map.Entry<String, Planned> e : todo.entrySet()) {
            Planned p = e.getValue();
            counter++;
            if (store.completed(e.getKey()) != null) {
                progress.line("[" + counter + "] " + p.spec().label() + " seed " + p.seed() + ": already in "
                        + store.dir().resolve(ResultsStore.JSON) + " (--resume), skipped");
                continue;
            }
            String label = Fmt.f("[run %d, %s elapsed]", counter, Fmt.duration((System.nanoTime() - jobStart) / 1e9));
            Path modelFile = saveModels ? store.dir().resolve("models").resolve(job.modelFileName(p, trainer)) : null;
            RunResult r = trainer.run(p.spec(), p.seed(), label, rr -> {
                store.put(rr);
                store.save();
            }, modelFile);
            store.put(r);
            store.save();
            // report.md after every run; charts at most once a minute while the job runs (and at its end)
            boolean chartsNow = charts && System.nanoTime() - lastCharts > 60e9;
            report.write(store, chartsNow);
            if (chartsNow) lastCharts = System.nanoTime();
        }
    }

    /** The key a finished RunResult of this plan entry will have (see {@link RunResult#key}). */
    static String keyOf(Trainer t, Planned p) {
        RunResult probe = new RunResult();
        probe.optimizer = p.spec();
        probe.seed = p.seed();
        probe.model = t.modelId();
        probe.dataset = t.datasetId();
        probe.trainSize = t.trainSize();
        probe.testSize = t.testSize();
        probe.batchSize = t.batchSize();
        probe.epochs = t.epochs();
        return probe.key();
    }

    private int finish() {
        store.meta("finished", Instant.now().toString());
        store.save();
        report.write(store, charts);
        stdout.println();
        stdout.println(report.table(store.completeRuns()));
        stdout.println("results: " + outDir.resolve(ResultsStore.JSON) + ", " + outDir.resolve(ResultsStore.CSV));
        stdout.println("report:  " + outDir.resolve(Report.REPORT) + (charts ? " (+ PNG charts)" : ""));
        stdout.println(Fmt.f("total time %s", Fmt.duration((System.nanoTime() - jobStart) / 1e9)));
        return 0;
    }
}
