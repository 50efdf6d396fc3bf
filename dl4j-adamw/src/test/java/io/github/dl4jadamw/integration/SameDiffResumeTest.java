package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import io.github.dl4jadamw.DecoupledWeightDecay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;

import java.io.File;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SameDiff training saved with its updater state ({@code sd.save(file, true)}) and loaded ({@code SameDiff.load(file,
 * true)}) continues exactly as the run that never stopped: the TrainingConfig with AdamW/AdamWR and the marker comes
 * back from its JSON, and every variable's M and V from the file (loaded without them, it does not).
 */
@Timeout(120)
class SameDiffResumeTest {
    @TempDir
    File dir;

    static void fit(SameDiff sd, int from, int to) {
        for (int k = from; k < to; k++) {
            DataSet d = Support.learnable(40 + k, 16, 4, 3);
            sd.fit(d);
        }
    }

    private void resumesExactly(IUpdater updater, String name) {
        SameDiff straight = SameDiffIntegrationTest.model(DataType.DOUBLE, updater, List.of(DecoupledWeightDecay.allArrays()));
        fit(straight, 0, 8);

        SameDiff first = SameDiffIntegrationTest.model(DataType.DOUBLE, updater, List.of(DecoupledWeightDecay.allArrays()));
        fit(first, 0, 4);
        File file = new File(dir, name + ".sd");
        first.save(file, true);
        SameDiff restored = SameDiff.load(file, true);
        assertEquals(first.getTrainingConfig().getUpdater(), restored.getTrainingConfig().getUpdater());
        assertEquals(4, restored.getTrainingConfig().getIterationCount());
        fit(restored, 4, 8);

        Support.assertSameValues(SameDiffIntegrationTest.vars(straight), SameDiffIntegrationTest.vars(restored));

        // the state is what makes it exact: loaded without it, the same continuation ends elsewhere
        SameDiff stateless = SameDiff.load(file, false);
        fit(stateless, 4, 8);
        double apart = SameDiffIntegrationTest.vars(straight).get("w1").sub(SameDiffIntegrationTest.vars(stateless).get("w1")).amaxNumber().doubleValue();
        assertTrue(apart > 1e-6, "without the updater state w1 ends only " + apart + " away");
    }

    @Test
    void adamWResumesExactly() {
        resumesExactly(AdamW.builder().learningRate(0.02).weightDecay(0.3).build(), "adamw");
    }

    @Test
    void adamWRResumesExactlyMidPeriod() {
        resumesExactly(AdamWR.builder().learningRate(0.02).weightDecay(0.3).restartsInIterations(3, 2).build(),
                "adamwr");
    }
}
