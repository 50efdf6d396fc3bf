package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.RunResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the paper jobs' and the CIFAR-style job's reports share: into the results folder, the charts (when asked for
 * and there are complete runs), then report.md, written whole. Subclasses say what the charts and the text are.
 */
abstract class FolderReport implements JobReport {
    /** The command that reproduces the job, quoted in the report. */
    protected final String command;
    private final boolean charts;

    FolderReport(String command, boolean charts) {
        this.command = command;
        this.charts = charts;
    }

    @Override
    public final void write(ResultsStore store, boolean drawCharts) {
        List<RunResult> runs = store.completeRuns();
        Path dir = store.dir();
        try {
            Files.createDirectories(dir);
            if (drawCharts && charts && !runs.isEmpty()) drawCharts(dir, runs);
            ResultsStore.writeAtomically(dir.resolve(Report.REPORT),
                    markdown(store, runs, store.runs().size() - runs.size()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + dir, e);
        }
    }

    /** The charts of these (complete, at least one) runs, into {@code dir}. */
    abstract void drawCharts(Path dir, List<RunResult> runs) throws IOException;

    /** report.md's text; {@code incomplete} runs of the store are not among {@code runs}. */
    abstract String markdown(ResultsStore store, List<RunResult> runs, int incomplete);
}
