package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.examples.CompareOptimizersTest.Result;
import io.github.dl4jadamw.examples.report.PaperBudgetsReport;
import io.github.dl4jadamw.examples.report.Report;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.github.dl4jadamw.examples.CompareOptimizersTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** --paper-schedules, --paper-budgets and --cifar-style end to end on tiny slices (seconds each). */
class PaperModesTest {
    @TempDir
    Path tmp;

    static final String[] SLICE = {"--train-size", "128", "--test-size", "64", "--epochs", "2"};

    static String[] with(String[] a, String... more) {
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(a), java.util.stream.Stream.of(more))
                .toArray(String[]::new);
    }

    @Test
    void schedulesStartFromTheGridsBestCosineCells() throws Exception {
        Path grid = tmp.resolve("paper-grid"), out = tmp.resolve("paper-schedules");
        Result g = run(with(SLICE, "--paper-grid", "--schedules", "cosine", "--lr", "1e-3,1e-2", "--l2", "0,1e-3",
                "--wd", "0,1e-3", "--out", grid.toString(), "--progress", "off", "--no-charts"));
        assertEquals(0, g.code(), g.err());
        // the best cosine cells by hand: the lowest final test error of each optimizer in the grid's results
        List<RunResult> gridRuns = ResultsStore.load(grid).completeRuns();
        RunResult bestL2 = bestOf(gridRuns, OptimizerKind.ADAM_L2), bestW = bestOf(gridRuns, OptimizerKind.ADAMW);

        Result r = run(with(SLICE, "--paper-schedules", "--seeds", "1,2", "--out", out.toString(), "--progress", "lines"));
        assertEquals(0, r.code(), r.err() + r.out());
        List<RunResult> runs = ResultsStore.load(out).completeRuns();
        assertEquals(2 * 4 * 2, runs.size(), "2 optimizers × 4 schedules × 2 seeds");
        for (RunResult x : runs) {
            RunResult b = x.optimizer.kind == OptimizerKind.ADAM_L2 ? bestL2 : bestW;
            assertEquals(b.optimizer.lr, x.optimizer.lr, x.runId);
            assertEquals(b.optimizer.lambda, x.optimizer.lambda, x.runId);
        }
        assertEquals(List.of(LrSchedule.FIXED, LrSchedule.STEP_DROP, LrSchedule.COSINE, LrSchedule.RESTARTS),
                runs.stream().map(x -> x.optimizer.schedule).distinct().toList());
        // the cosine seed-1 run is the grid's own cell again: same protocol, same numbers
        RunResult cos = runs.stream().filter(x -> x.optimizer.kind == OptimizerKind.ADAMW && x.seed == 1
                && x.optimizer.schedule == LrSchedule.COSINE).findFirst().orElseThrow();
        assertEquals(bestW.last().testAccuracy, cos.last().testAccuracy);
        String md = Files.readString(out.resolve(Report.REPORT));
        for (String s : List.of("## Does decoupling keep its advantage under each schedule?",
                "## What does each schedule do against a fixed learning rate?", "| AdamW | step-drop | 1, 2 |"))
            assertTrue(md.contains(s), s + " in\n" + md);
        for (String png : List.of(Report.ACCURACY, Report.LOSS, Report.WEIGHT_NORM, Report.SCHEDULE))
            assertTrue(Files.isRegularFile(out.resolve(png)), png);

        Result missing = run(with(SLICE, "--paper-schedules", "--out", tmp.resolve("elsewhere/x").toString()));
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("run --paper-grid first"), missing.err());
        Result other = run("--paper-schedules", "--grid-results", grid.toString(), "--out", tmp.resolve("y").toString());
        assertEquals(1, other.code());
        assertTrue(other.err().contains("its runs have --train-size 128"), other.err());
    }

    static RunResult bestOf(List<RunResult> runs, OptimizerKind k) {
        RunResult b = null;
        for (RunResult r : runs)
            if (r.optimizer.kind == k && (b == null || r.last().testAccuracy > b.last().testAccuracy
                    || (r.last().testAccuracy == b.last().testAccuracy && r.last().testLoss < b.last().testLoss)))
                b = r;
        return b;
    }

    @Test
    void budgetsApplyTheNormalizedDecayPerBudget() throws Exception {
        Path out = tmp.resolve("paper-budgets");
        String[] args = {"--paper-budgets", "--budgets", "1,2", "--wd-norm", "0,0.04", "--train-size", "128",
                "--test-size", "64", "--out", out.toString(), "--progress", "lines", "--save-models"};
        Result r = run(args);
        assertEquals(0, r.code(), r.err() + r.out());
        List<RunResult> runs = ResultsStore.load(out).completeRuns();
        assertEquals(4, runs.size());
        for (RunResult x : runs) {
            assertEquals(OptimizerKind.ADAMW, x.optimizer.kind);
            assertEquals(LrSchedule.COSINE, x.optimizer.schedule);
            assertTrue(x.optimizer.normalized);
            // λ = λ_norm·√(b/(B·T)), b = 64, B = 128, T = the budget
            assertEquals(x.optimizer.lambda * Math.sqrt(64.0 / (128 * x.epochs)), x.last().lambda, 1e-15, x.runId);
            assertEquals(x.epochs, x.records.size());
        }
        assertEquals(List.of(1, 1, 2, 2), runs.stream().map(x -> x.epochs).toList());
        assertTrue(Files.isRegularFile(out.resolve("models/adamw_lr1e-3_wdn0.04_paper_cosine_e2_s1.zip")));
        String md = Files.readString(out.resolve(Report.REPORT));
        assertTrue(md.contains("## Best λ_norm and best raw λ per budget") && md.contains("| λ_norm \\ epochs | 1 | 2 |"), md);
        assertTrue(Files.size(out.resolve(PaperBudgetsReport.CHART_ERROR)) > 10_000);

        Result again = run(with(args, "--resume"));
        assertEquals(0, again.code(), again.err());
        assertEquals(4, again.err().split("skipped", -1).length - 1,
                "all four kept:\n" + again.err());
        Result bad = run("--paper-budgets", "--epochs", "3", "--out", tmp.resolve("z").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--paper-budgets does not read --epochs"), bad.err());
    }

    @Test
    void cifarStyleTrainsResNet20OnPaddedImages() throws Exception {
        Path out = tmp.resolve("cifar-style");
        String[] args = {"--cifar-style", "--train-size", "8", "--batch-size", "4", "--test-size", "4", "--epochs",
                "2", "--out", out.toString(), "--progress", "lines"};
        Result r = run(args);
        assertEquals(0, r.code(), r.err() + r.out());
        List<RunResult> runs = ResultsStore.load(out).completeRuns();
        assertEquals(List.of(OptimizerKind.ADAM_L2, OptimizerKind.ADAMW, OptimizerKind.ADAMWR),
                runs.stream().map(x -> x.optimizer.kind).toList());
        assertEquals(List.of(LrSchedule.COSINE, LrSchedule.COSINE, LrSchedule.RESTARTS),
                runs.stream().map(x -> x.optimizer.schedule).toList());
        for (RunResult x : runs) {
            assertEquals("resnet20", x.model);
            assertEquals(2, x.iterationsPerEpoch);
            assertTrue(Double.isFinite(x.last().trainLoss), x.runId);
        }
        assertEquals(5e-4, runs.get(0).last().lambda);
        // AdamW: T = 2 epochs; AdamWR: T = the restart period in force, T_0 = 1 epoch at the end of epoch 1 (b = 4, B = 8)
        assertEquals(0.025 * Math.sqrt(4.0 / (8 * 2)), runs.get(1).last().lambda, 1e-15);
        assertEquals(0.025 * Math.sqrt(4.0 / 8), runs.get(2).records.get(0).lambda, 1e-15, "first period T_0 = 1");
        assertEquals(0.025 * Math.sqrt(4.0 / (8 * 2)), runs.get(2).records.get(1).lambda, 1e-15, "second, T_1 = 2");
        String meta = Files.readString(out.resolve(ResultsStore.JSON));
        assertTrue(meta.contains("padded to 32×32"), "the padded images are recorded");
        String md = Files.readString(out.resolve(Report.REPORT));
        assertTrue(md.contains("## Throughput") && md.contains("ResNet-20") && md.contains("zero-padded to 32×32"), md);
        Result again = run(with(args, "--resume"));
        assertEquals(0, again.code(), again.err());
        assertFalse(again.err().contains("epoch  1/2"), again.err());
    }
}
