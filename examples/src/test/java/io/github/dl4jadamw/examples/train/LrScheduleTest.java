package io.github.dl4jadamw.examples.train;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecayConvention;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

import static org.junit.jupiter.api.Assertions.*;

/** The schedules' values against their closed forms, through the updaters the runs use. */
class LrScheduleTest {
    /** 15 iterations: 5 epochs of 3 batches (B = 9, b = 3: three full batches). */
    static final RunShape N15 = new RunShape(9, 3, 5);

    @Test
    void stepDropIsOneThenATenthFromHalfThenAHundredthFromThreeQuarters() {
        assertEquals(15, N15.iterations());
        // N = 15: N/2 = 7.5 and 3N/4 = 11.25, so t = 0..7 → 1, t = 8..11 → 0.1, t = 12..14 → 0.01 (written out)
        double[] expected = {1, 1, 1, 1, 1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01};
        OptimizerSpec w = OptimizerSpec.paper(OptimizerKind.ADAMW, 3e-3, 1e-4, LrSchedule.STEP_DROP, false);
        OptimizerSpec l2 = OptimizerSpec.paper(OptimizerKind.ADAM_L2, 3e-3, 1e-4, LrSchedule.STEP_DROP, false);
        IUpdater uw = w.updater(N15), ul = l2.updater(N15);
        for (int t = 0; t < 15; t++) {
            int epoch = t / 3;
            assertEquals(expected[t], w.etaOf(uw, t, epoch), 1e-15, "AdamW η at t = " + t);
            assertEquals(3e-3 * expected[t], uw.getLearningRate(t, epoch), 1e-15, "AdamW lr at t = " + t);
            assertEquals(3e-3 * expected[t], ul.getLearningRate(t, epoch), 1e-15, "Adam+L2 lr at t = " + t);
            assertEquals(expected[t], l2.etaOf(ul, t, epoch), 1e-12, "Adam+L2 η at t = " + t);
        }
        // N = 8: the drops land on t = 4 and t = 6 exactly
        RunShape n8 = new RunShape(4, 1, 2);
        IUpdater u8 = w.updater(n8);
        double[] e8 = {1, 1, 1, 1, 0.1, 0.1, 0.01, 0.01};
        for (int t = 0; t < 8; t++) assertEquals(e8[t], w.etaOf(u8, t, t / 4), 1e-15, "t = " + t);
    }

    @Test
    void cosineIsOneAnnealingOverTheRun() {
        OptimizerSpec w = OptimizerSpec.paper(OptimizerKind.ADAMW, 1e-3, 3e-4, LrSchedule.COSINE, false);
        OptimizerSpec l2 = OptimizerSpec.paper(OptimizerKind.ADAM_L2, 1e-3, 3e-4, LrSchedule.COSINE, false);
        IUpdater uw = w.updater(N15), ul = l2.updater(N15);
        for (int t = 0; t < 15; t++) {
            double eta = 0.5 * (1 + Math.cos(Math.PI * t / 15));
            assertEquals(eta, w.etaOf(uw, t, t / 3), 1e-15, "η at t = " + t);
            assertEquals(1e-3 * eta, ul.getLearningRate(t, t / 3), 1e-15, "Adam+L2 lr at t = " + t);
        }
        assertEquals(1.0, w.etaOf(uw, 0, 0));
        // the paper's convention: λ is the per-step decay at η = 1, not multiplied by α
        AdamW a = (AdamW) uw;
        assertEquals(DecayConvention.SCHEDULE_MULTIPLIER, a.getDecayConvention());
        assertEquals(3e-4, a.getWeightDecay());
        assertEquals(1e-3, a.getLearningRate());
        assertInstanceOf(Adam.class, ul);
    }

    @Test
    void warmRestartsReturnToOneAtEachRestart() {
        OptimizerSpec w = OptimizerSpec.paper(OptimizerKind.ADAMW, 1e-3, 1e-4, LrSchedule.RESTARTS, false);
        IUpdater u = w.updater(N15);   // 3 iterations per epoch: restarts after 1 and 1 + 2 epochs, t = 3 and t = 9
        for (int t : new int[]{0, 3, 9}) assertEquals(1.0, w.etaOf(u, t, t / 3), 1e-15, "restart at t = " + t);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 2 / 6)), w.etaOf(u, 5, 1), 1e-12, "t = 5: 2 of 6 iterations into period 2");
    }

    @Test
    void normalizedDecayIsLambdaNormTimesRootOfBatchOverImagesTimesEpochs() {
        // b = 3, B = 9, T = 5: λ = λ_norm·√(3/45)
        OptimizerSpec w = OptimizerSpec.paper(OptimizerKind.ADAMW, 1e-3, 0.02, LrSchedule.COSINE, true);
        IUpdater u = w.updater(N15);
        assertEquals(0.02 * Math.sqrt(3.0 / 45), w.lambdaAt(u, 7), 1e-15);
        assertEquals("adamw_lr1e-3_wdn0.02_paper_cosine", w.key());
        assertEquals("AdamW lr=1e-3 λ_norm=0.02 (paper convention, cosine annealing)", w.label());
    }

    @Test
    void badCombinationsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> OptimizerSpec.paper(OptimizerKind.ADAM_L2, 1e-3, 1e-4, LrSchedule.COSINE, true));
        assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec(OptimizerKind.ADAMWR, 1e-3, 1e-4, 1, 2,
                LrSchedule.COSINE, DecayConvention.LR_COUPLED, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerSpec.paper(OptimizerKind.ADAMW, 1e-3, 1e-4, LrSchedule.COSINE, false).updater(20));
        assertTrue(e.getMessage().contains("length is not known"), e.getMessage());
    }
}
