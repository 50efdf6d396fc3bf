package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.examples.report.PaperGridReport;
import io.github.dl4jadamw.examples.report.Report;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.RunResult;
import io.github.dl4jadamw.DecayConvention;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** --paper-grid end to end on a tiny slice (seconds). */
class PaperGridTest {
    @TempDir
    Path tmp;

    static final String[] TINY = {"--lr", "1e-3,3e-3", "--l2", "0,1e-4", "--wd", "0,1e-3", "--train-size", "128",
            "--test-size", "64", "--epochs", "2"};

    static String[] args(Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("--paper-grid"));
        a.addAll(List.of(TINY));
        a.addAll(List.of("--out", out.toString()));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void aTinyGridWritesEveryCellHeatmapsAndAReport_andResumes() throws Exception {
        Path out = tmp.resolve("paper-grid");
        CompareOptimizersTest.Result r = CompareOptimizersTest.run(args(out, "--progress", "lines"));
        assertEquals(0, r.code(), r.err() + r.out());
        List<RunResult> runs = ResultsStore.load(out).completeRuns();
        assertEquals(2 * 2 * 2 * 2, runs.size(), "2 schedules × 2 α × 2 λ × 2 optimizers");
        assertEquals(LrSchedule.COSINE, runs.get(0).optimizer.schedule, "the cosine panel runs first");
        for (RunResult x : runs) {
            assertEquals(2, x.records.size());
            assertEquals(x.optimizer.kind == OptimizerKind.ADAMW ? DecayConvention.SCHEDULE_MULTIPLIER
                    : DecayConvention.LR_COUPLED, x.optimizer.convention, x.runId);
            // 128 images / 64 = 2 iterations per epoch, N = 4; epoch 1 ends at t = 1: η = ½(1 + cos(π/4))
            double eta = x.optimizer.schedule == LrSchedule.COSINE ? 0.5 * (1 + Math.cos(Math.PI / 4)) : 1;
            assertEquals(eta, x.records.get(0).eta, 1e-12, x.runId);
            assertEquals(x.optimizer.lr * eta, x.records.get(0).lr, 1e-15, x.runId);
            assertEquals(x.optimizer.lambda, x.records.get(1).lambda, 0, x.runId);
        }
        String csv = Files.readString(out.resolve(ResultsStore.CSV));
        assertTrue(csv.contains(",SCHEDULE_MULTIPLIER,cosine,false,"), csv);
        String md = Files.readString(out.resolve(Report.REPORT));
        for (String s : List.of("## Where the best λ lies at each learning rate", "## Is the good region separable?",
                "**AdamW (paper convention) — cosine annealing**", "**Adam+L2 — fixed lr**", "PyTorch λ/α of the best",
                "## Final test loss", "## Final weight norm"))
            assertTrue(md.contains(s), s + " in\n" + md);
        for (String png : List.of(PaperGridReport.HEATMAP_ERROR, PaperGridReport.HEATMAP_LOSS,
                PaperGridReport.HEATMAP_NORM, PaperGridReport.HEATMAP_PYTORCH))
            assertTrue(Files.size(out.resolve(png)) > 10_000, png);

        CompareOptimizersTest.Result again = CompareOptimizersTest.run(args(out, "--progress", "lines", "--resume"));
        assertEquals(0, again.code(), again.err());
        assertFalse(again.err().contains("epoch  1/2"), "nothing trained again:\n" + again.err());
        assertEquals(csv, Files.readString(out.resolve(ResultsStore.CSV)));

        Files.delete(out.resolve(PaperGridReport.HEATMAP_ERROR));
        CompareOptimizersTest.Result ro = CompareOptimizersTest.run("--report-only", "--out", out.toString());
        assertEquals(0, ro.code(), ro.err());
        assertTrue(Files.isRegularFile(out.resolve(PaperGridReport.HEATMAP_ERROR)), "re-rendered as a paper grid");
    }

    @Test
    void optionsItDoesNotReadAndOtherOptimizersAreRefused() {
        CompareOptimizersTest.Result r = CompareOptimizersTest.run(args(tmp.resolve("a"), "--best-seeds", "2"));
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--paper-grid does not read --best-seeds"), r.err());
        CompareOptimizersTest.Result k = CompareOptimizersTest.run(args(tmp.resolve("b"), "-O", "adamwr"));
        assertEquals(1, k.code());
        assertTrue(k.err().contains("optimizer adamwr is not part of this experiment"), k.err());
        CompareOptimizersTest.Result d = CompareOptimizersTest.run("--paper-grid", "--wd", "1.5", "--out",
                tmp.resolve("c").toString());
        assertEquals(1, d.code());
        assertTrue(d.err().contains("--wd = 1.5 is invalid: must be < 1"), d.err());
        CompareOptimizersTest.Result two = CompareOptimizersTest.run("--paper-grid", "--sweep");
        assertEquals(1, two.code());
        assertTrue(two.err().contains("exclude each other"), two.err());
    }
}
