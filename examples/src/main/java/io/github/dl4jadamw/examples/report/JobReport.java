package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.RunResult;

import java.util.List;

/** What a job writes from its results: report.md and charts, and the summary table printed at its end. */
public interface JobReport {
    /** Writes report.md, and the charts unless {@code charts} is false, for the complete runs of {@code store}. */
    void write(ResultsStore store, boolean charts);

    /** The plain-text table printed when the job ends. */
    default String table(List<RunResult> runs) {
        return Report.table(runs);
    }
}
