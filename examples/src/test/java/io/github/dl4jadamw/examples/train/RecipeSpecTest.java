package io.github.dl4jadamw.examples.train;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.SGDW;
import io.github.dl4jadamw.examples.model.Models;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The recipe options in an optimizer setting: the updaters carry exactly them, and the warm-up schedules give
 * transformers' multipliers, written here from transformers' lr lambdas (t the optimizer step, w the warm-up, T the
 * steps of the run): constant {@code t < w ? t/w : 1}, linear {@code t < w ? t/w : (T − t)/(T − w)}, cosine
 * {@code t < w ? t/w : ½(1 + cos(π(t − w)/(T − w)))}.
 */
class RecipeSpecTest {
    /** 256 images, batch 64: 4 minibatches per epoch; 3 epochs: 12 minibatches. */
    static final RunShape SHAPE = new RunShape(256, 64, 3);

    static OptimizerSpec spec(OptimizerKind k, LrSchedule s, Recipe r) {
        return new OptimizerSpec(k, 1e-3, k == OptimizerKind.ADAM_L2 ? 5e-4 : 0.05, 1, 2,
                k.restarts() ? LrSchedule.RESTARTS : s, DecayConvention.LR_COUPLED, false, r);
    }

    @Test
    void warmupSchedulesAreTransformers() {
        int w = 4, n = 12;
        ISchedule constant = LrSchedule.FIXED.values(1, SHAPE, 1, 2, w);
        ISchedule linear = LrSchedule.LINEAR.values(1, SHAPE, 1, 2, w);
        ISchedule cosine = LrSchedule.COSINE.values(1, SHAPE, 1, 2, w);
        for (int t = 0; t < n; t++) {
            double warm = t / (double) w;
            assertEquals(t < w ? warm : 1, constant.valueAt(t, 0), 1e-15, "constant t=" + t);
            assertEquals(t < w ? warm : (n - t) / (double) (n - w), linear.valueAt(t, 0), 1e-15, "linear t=" + t);
            assertEquals(t < w ? warm : 0.5 * (1 + Math.cos(Math.PI * (t - w) / (n - w))), cosine.valueAt(t, 0), 1e-15,
                    "cosine t=" + t);
        }
        // get_constant_schedule_with_warmup stays at 1 however long the network trains on
        assertEquals(1.0, constant.valueAt(1_000_000_000, 0));
        // linear without warm-up: (T − t)/T
        ISchedule lin0 = LrSchedule.LINEAR.values(1, SHAPE, 1, 2, 0);
        for (int t = 0; t < n; t++) assertEquals((n - t) / (double) n, lin0.valueAt(t, 0), 1e-15);
        // under accumulation over 3 the run has 12 / 3 = 4 optimizer steps: the warm-up of 4 is the whole run
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LrSchedule.COSINE.values(1, SHAPE.withAccumulationSteps(3), 1, 2, 4));
        assertEquals("--warmup 4 is invalid: must be 1 to 3 (shorter than the run's 4 optimizer steps)", e.getMessage());
        for (LrSchedule s : List.of(LrSchedule.STEP_DROP, LrSchedule.RESTARTS))
            assertThrows(IllegalArgumentException.class, () -> s.values(1, SHAPE, 1, 2, 2), s.id);
    }

    @Test
    void theDecoupledUpdatersCarryExactlyTheOptions() {
        Recipe r = new Recipe(0.5, 3, 2, 0.995);
        for (OptimizerKind k : List.of(OptimizerKind.ADAMW, OptimizerKind.SGDW)) {
            OptimizerSpec s = spec(k, LrSchedule.LINEAR, r);
            // read back from a network built as the trainer builds it
            MultiLayerNetwork net = Models.FMNIST_MLP.network(s, 1, SHAPE, 10);
            for (int layer = 0; layer < 3; layer++) {
                IUpdater u = ((BaseLayer) net.getLayer(layer).conf().getLayer()).getIUpdater();
                io.github.dl4jadamw.DecoupledDecayUpdater d = k == OptimizerKind.ADAMW
                        ? assertInstanceOf(AdamW.class, u) : assertInstanceOf(SGDW.class, u);
                assertEquals(0.5, d.getClipGlobalNorm());
                assertEquals(3, d.getAccumulationSteps());
                assertEquals(0.995, d.getEmaDecay());
                // 12 minibatches / 3 = 4 optimizer steps: get_linear_schedule_with_warmup(opt, 2, 4)
                assertEquals(io.github.dl4jadamw.schedule.LinearWarmupDecay.of(2, 4), d.getSchedule());
                // η at DL4J iteration 7 is that of optimizer step 7 / 3 = 2: (4 − 2)/(4 − 2) = 1; at 5 (step 1): ½
                assertEquals(1.0, OptimizerSpec.eta(u, 7, 1), 1e-15);
                assertEquals(0.5, OptimizerSpec.eta(u, 5, 1), 1e-15);
                assertEquals(0.5e-3, s.updater(SHAPE).getLearningRate(5, 1), 1e-18);
            }
        }
        // options off: the library's defaults (no clipping, k = 1, no EMA), as before the options existed
        AdamW plain = (AdamW) spec(OptimizerKind.ADAMW, LrSchedule.FIXED, Recipe.NONE).updater(SHAPE);
        assertEquals(0.0, plain.getClipGlobalNorm());
        assertEquals(1, plain.getAccumulationSteps());
        assertNull(plain.getEmaDecay());
        assertNull(plain.getSchedule());
    }

    @Test
    void adamL2TakesTheWarmupOnlyAsAnAbsoluteLearningRate() {
        OptimizerSpec s = spec(OptimizerKind.ADAM_L2, LrSchedule.FIXED, new Recipe(0, 1, 4, null));
        Adam a = assertInstanceOf(Adam.class, s.updater(SHAPE));
        for (int t = 0; t < 12; t++) {
            assertEquals(1e-3 * Math.min(1, t / 4.0), a.getLearningRate(t, 0), 1e-18, "t=" + t);
            assertEquals(Math.min(1, t / 4.0), s.etaOf(a, t, 0), 1e-15);
        }
        for (Recipe r : List.of(new Recipe(1, 1, 0, null), new Recipe(0, 2, 0, null), new Recipe(0, 1, 0, 0.9))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> spec(OptimizerKind.ADAM_L2, LrSchedule.FIXED, r));
            assertTrue(e.getMessage().startsWith("adam-l2: " + r.beyondDl4jAdam().get(0) + " is invalid"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> spec(OptimizerKind.ADAMWR, LrSchedule.RESTARTS, new Recipe(0, 1, 2, null)));
        assertTrue(e.getMessage().contains("--warmup 2 is invalid with the restarts schedule"), e.getMessage());
    }

    @Test
    void theOptionsAreInTheSettingsIdentityAndInTheProtocol() {
        Recipe r = new Recipe(1, 4, 50, 0.999);
        OptimizerSpec a = spec(OptimizerKind.ADAMW, LrSchedule.COSINE, r);
        assertEquals("adamw_lr1e-3_wd0.05_cosine_clip1_acc4_wu50_ema0.999", a.key());
        assertEquals("adamw_lr1e-3_wd0.05", spec(OptimizerKind.ADAMW, LrSchedule.FIXED, Recipe.NONE).key(),
                "keys without options as they always were");
        assertNotEquals(a, spec(OptimizerKind.ADAMW, LrSchedule.COSINE, new Recipe(1, 4, 50, 0.99)));
        assertEquals(a, spec(OptimizerKind.ADAMW, LrSchedule.COSINE, new Recipe(1, 4, 50, 0.999)));
        assertEquals("AdamW lr=1e-3 λ=0.05 (cosine annealing after 50 warm-up steps)", a.label());
        Protocol p = new Protocol("m", "d", "s", 1, 1, 1, 1, r), q = new Protocol("m", "d", "s", 1, 1, 1, 1);
        assertEquals(List.of("--clip-global-norm off (here 1)", "--accumulation-steps off (here 4)",
                "--warmup off (here 50)", "--ema off (here 0.999)"), p.differences(q));
        assertEquals(List.of(), q.differences(new Protocol("m", "d", "s", 1, 1, 1, 1, Recipe.NONE)));
    }

    @Test
    void runShapeCountsOptimizerSteps() {
        RunShape s = new RunShape(10_000, 64, 15, 4);   // 157 minibatches per epoch (prime), 2,355 in all
        assertEquals(157, s.iterationsPerEpoch());
        assertEquals(2355, s.iterations());
        assertEquals(157 / 4.0, s.stepsPerEpoch());
        assertEquals(588, s.steps());        // ⌊2355 / 4⌋
        assertEquals(3, s.unstepped());      // 2355 − 4·588
    }
}
