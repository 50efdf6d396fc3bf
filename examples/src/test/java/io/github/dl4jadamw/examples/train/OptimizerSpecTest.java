package io.github.dl4jadamw.examples.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class OptimizerSpecTest {
    @Test
    void sgdwAndSgdwrBuildTheLibraryUpdaters() {
        assertEquals(OptimizerKind.SGDW, OptimizerKind.parse("sgdw"));
        assertEquals(OptimizerKind.SGDWR, OptimizerKind.parse("SGDWR"));
        IUpdater w = new OptimizerSpec(OptimizerKind.SGDW, 0.05, 0.2).updater(157);
        assertInstanceOf(io.github.dl4jadamw.SGDW.class, w);
        assertEquals(0.9, ((io.github.dl4jadamw.SGDW) w).getMomentum());
        assertEquals(0.2, ((io.github.dl4jadamw.SGDW) w).getWeightDecay());
        assertEquals(1.0, OptimizerSpec.eta(w, 500, 3));
        IUpdater wr = new OptimizerSpec(OptimizerKind.SGDWR, 0.05, 0.2).updater(157);
        assertEquals(1.0, OptimizerSpec.eta(wr, 3 * 157, 3), 1e-12, "restart after 1 + 2 epochs");
        double eta100 = 0.5 * (1 + Math.cos(Math.PI * 100 / 157));   // closed form: 100 of 157 iterations into period 0
        assertEquals(eta100, OptimizerSpec.eta(wr, 100, 0), 1e-12);
        assertEquals(0.05 * eta100, OptimizerSpec.learningRate(wr, 100, 0), 1e-14);
        assertTrue(OptimizerKind.SGDWR.restarts() && OptimizerKind.ADAMWR.restarts() && !OptimizerKind.SGDW.restarts());
        IllegalArgumentException u = assertThrows(IllegalArgumentException.class, () -> OptimizerKind.parse("rmsprop"));
        assertTrue(u.getMessage().contains("adam-l2, adamw, adamwr, sgdw, sgdwr"), u.getMessage());
    }

    /** --wd -0 is λ = 0: equal settings must also hash equally (the report groups runs by setting in hash maps). */
    @Test
    void negativeZeroLambdaIsZero() {
        OptimizerSpec a = new OptimizerSpec(OptimizerKind.ADAMW, 1e-3, 0.0), b = new OptimizerSpec(OptimizerKind.ADAMW, 1e-3, -0.0);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
    }

    @Test
    void adamwrRestartsAfter1_3_7EpochsAndEndsAt15() {
        int ipe = 157;
        OptimizerSpec s = new OptimizerSpec(OptimizerKind.ADAMWR, 3e-3, 0.2);
        IUpdater u = s.updater(ipe);
        assertEquals(1.0, OptimizerSpec.eta(u, 0, 0), 1e-12);
        assertEquals(3e-3, OptimizerSpec.learningRate(u, 0, 0), 1e-15);
        for (int restartEpoch : new int[]{1, 3, 7}) {
            int it = restartEpoch * ipe;
            assertEquals(1.0, OptimizerSpec.eta(u, it, restartEpoch), 1e-12, "restart at epoch " + restartEpoch);
            assertTrue(OptimizerSpec.eta(u, it - 1, restartEpoch - 1) < 0.01, "annealed to ~0 before the restart");
        }
        // halfway through the 4th period (7 + 4 = epoch 11): η = 0.5
        assertEquals(0.5, OptimizerSpec.eta(u, 11 * ipe, 11), 1e-9);
        assertTrue(OptimizerSpec.eta(u, 15 * ipe - 1, 14) < 1e-3, "the 15-epoch budget ends at the end of a period");
        // iteration 500: 29 iterations into the 4-epoch period that starts at 3·157 = 471
        double eta500 = 0.5 * (1 + Math.cos(Math.PI * (500 - 471) / (4.0 * ipe)));
        assertEquals(eta500, OptimizerSpec.eta(u, 500, 3), 1e-12);
        assertEquals(3e-3 * eta500, OptimizerSpec.learningRate(u, 500, 3), 1e-14);

        IUpdater w = new OptimizerSpec(OptimizerKind.ADAMW, 1e-3, 0.05).updater(ipe);
        assertEquals(1.0, OptimizerSpec.eta(w, 1000, 6));
        assertEquals(1e-3, OptimizerSpec.learningRate(w, 1000, 6));
    }

    @Test
    void onlyTheRestartKindsCarryARestartSchedule() {
        // --restart-t0/--restart-tmult reach every kind; without restarts a setting is the same whatever they say
        for (OptimizerKind k : List.of(OptimizerKind.ADAM_L2, OptimizerKind.ADAMW, OptimizerKind.SGDW)) {
            OptimizerSpec s = new OptimizerSpec(k, 1e-3, 0.05, 0.5, 3);
            assertEquals(new OptimizerSpec(k, 1e-3, 0.05), s, k.id);
            assertEquals(List.of(1.0, 2.0), List.of(s.restartT0, s.restartTMult), k.id);
        }
        for (OptimizerKind k : List.of(OptimizerKind.ADAMWR, OptimizerKind.SGDWR)) {
            OptimizerSpec s = new OptimizerSpec(k, 1e-3, 0.05, 0.5, 3);
            assertNotEquals(new OptimizerSpec(k, 1e-3, 0.05), s, k.id);
            assertEquals(List.of(0.5, 3.0), List.of(s.restartT0, s.restartTMult), k.id);
            // T_0 = 0.5 epoch of 100 iterations, then 1.5: restarts at iterations 50 and 200
            IUpdater u = s.updater(100);
            assertEquals(1.0, OptimizerSpec.eta(u, 50, 0), 1e-12);
            assertEquals(1.0, OptimizerSpec.eta(u, 200, 2), 1e-12);
            assertEquals(0.5, OptimizerSpec.eta(u, 125, 1), 1e-12, "halfway through the second period");
            assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec(k, 1e-3, 0.05, 0, 2));
            assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec(k, 1e-3, 0.05, 1, 0.5));
            assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec(k, 1e-3, 0.05, 1, Double.POSITIVE_INFINITY));
        }
        assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec(OptimizerKind.ADAMW, Double.POSITIVE_INFINITY, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec(OptimizerKind.ADAM_L2, 1e-3, Double.NaN));
    }

    @Test
    void keysAndLabels() {
        OptimizerSpec s = new OptimizerSpec(OptimizerKind.ADAM_L2, 1e-3, 5e-4);
        assertEquals("adam-l2_lr1e-3_wd5e-4", s.key());
        assertEquals("Adam+L2 lr=1e-3 λ=5e-4", s.label());
        assertEquals("0.05", Fmt.num(0.05));
        assertEquals("3.2", Fmt.num(3.2));
        assertEquals("0", Fmt.num(0));
        assertEquals("3e-3", Fmt.num(0.003));
        assertEquals("8e-3", Fmt.num(8e-3));
        assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec(OptimizerKind.ADAMW, 1e-3, -1));
    }
}
