package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** Choosing the best setting: a diverged run's accuracy is not its setting's. */
class SummaryTest {
    private static RunResult run(double lambda, long seed, double trainLoss, double finalAccuracy) {
        RunResult r = ResultsStoreTest.run(new OptimizerSpec(OptimizerKind.ADAMW, 1e-3, lambda), trainLoss);
        r.runId = r.optimizer.key() + "_s" + seed;
        r.seed = seed;
        r.last().testAccuracy = finalAccuracy;
        return r;
    }

    @Test
    void aDivergedSettingIsNeverTheBest() {
        // λ = 0.2 scores higher on its final epoch but one of its seeds diverged (the library refused a NaN step and
        // kept the last finite weights, whose accuracy can be anything)
        Summary sum = new Summary(List.of(run(0.05, 1, 0.4, 0.80), run(0.05, 2, 0.4, 0.82),
                run(0.2, 1, 0.4, 0.90), run(0.2, 2, Double.NaN, 0.95)));
        assertEquals(0.05, sum.best(OptimizerKind.ADAMW, null).spec.lambda);
        assertEquals(0.05, sum.bestAt(OptimizerKind.ADAMW, 1e-3, null).spec.lambda);
        Summary.Setting diverged = sum.get(OptimizerKind.ADAMW, 1e-3, 0.2);
        assertTrue(Double.isNaN(diverged.finalAccuracyOver(null)));
        assertTrue(diverged.divergedOver(Set.of(2L)));
        // over seed 1 alone the same setting did not diverge, and wins
        assertFalse(diverged.divergedOver(Set.of(1L)));
        assertEquals(0.2, sum.best(OptimizerKind.ADAMW, Set.of(1L)).spec.lambda);
        assertEquals("diverged (1 of 2 seeds)", Report.finalAccuracyCell(diverged));
        assertEquals("81.00 ± 1.41", Report.finalAccuracyCell(sum.get(OptimizerKind.ADAMW, 1e-3, 0.05)));
    }
}
