package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.examples.CompareOptimizersTest.Result;
import io.github.dl4jadamw.examples.report.Report;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.EpochRecord;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.RunResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.github.dl4jadamw.examples.CompareOptimizersTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** A diverging run is recorded as diverged and the job goes on, whichever the optimizer. */
class DivergenceTest {
    @TempDir
    Path tmp;

    @Test
    void aRefusedAdamWStepEndsItsRunNotTheJob() throws Exception {
        // lr 1e38: the first step sends the weights to ~1e38, the next gradient overflows to NaN/Inf. AdamW and
        // SGDWR (the library's policy FAIL) refuse that step; Adam+L2 steps on into NaN weights. λ = 0 for the
        // decoupled ones: lr·λ ≥ 1 is refused before anything trains.
        Path out = tmp.resolve("div");
        Result r = run("-O", "adamw,sgdwr,adam-l2", "--lr", "1e38", "--wd", "0", "--train-size", "128", "--test-size", "64",
                "--epochs", "2", "--out", out.toString(), "--progress", "lines");
        assertEquals(0, r.code(), r.err() + r.out());
        assertTrue(r.err().contains("AdamW refused the step at iteration 1") && r.err().contains("SGDWR refused"), r.err());

        List<RunResult> runs = ResultsStore.load(out).completeRuns();
        assertEquals(List.of(OptimizerKind.ADAMW, OptimizerKind.SGDWR, OptimizerKind.ADAM_L2),
                runs.stream().map(x -> x.optimizer.kind).toList(), "every run recorded, all epochs");
        for (RunResult run : runs) {
            for (EpochRecord e : run.records) assertTrue(Double.isNaN(e.trainLoss), run.runId + " diverged");
            assertEquals(2, run.records.size());
        }
        for (RunResult run : runs.subList(0, 2)) {
            // the refused step did not happen: step 0 only, in epoch 1, none in epoch 2; no epoch timed
            assertEquals(List.of(1, 1), run.records.stream().map(e -> e.iterations).toList(), run.runId);
            assertTrue(run.records.stream().allMatch(e -> Double.isNaN(e.trainSeconds)), run.runId);
        }
        // Adam+L2's NaN weights predict nothing: accuracy 0, not the share of class 0 that argmax over NaN picks
        RunResult nanWeights = runs.get(2);
        assertTrue(Double.isNaN(nanWeights.records.get(1).weightNorm), "Adam+L2's weights are NaN");
        for (EpochRecord e : nanWeights.records) assertEquals(0.0, e.testAccuracy, nanWeights.runId);
        assertTrue(r.out().contains("AdamW") && r.out().contains("SGDWR") && r.out().contains("Adam+L2"), r.out());
        assertTrue(Files.isRegularFile(out.resolve(Report.WEIGHT_NORM)), "charts despite infinite weight norms");
        // the report says so rather than giving the refused runs the accuracy of their last finite weights
        String report = Files.readString(out.resolve(Report.REPORT));
        assertEquals(3, report.lines().filter(l -> l.contains("| diverged (1 of 1 seeds) |")).count(), report);
    }
}
