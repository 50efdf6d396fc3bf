package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.StepScalars;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every rejected hyperparameter throws at build time, naming the field, its value and the valid range. */
class ValidationTest {

    private static void rejects(Executable build, String... mustMention) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build);
        for (String s : mustMention)
            assertTrue(e.getMessage().contains(s), "message '" + e.getMessage() + "' should mention '" + s + "'");
    }

    @Test
    void adamwHyperparameters() {
        rejects(() -> AdamW.builder().learningRate(-1e-3).build(), "learningRate", "-0.001", ">= 0");
        rejects(() -> AdamW.builder().learningRate(Double.NaN).build(), "learningRate", "NaN", ">= 0");
        rejects(() -> AdamW.builder().learningRate(Double.POSITIVE_INFINITY).build(), "learningRate", "Infinity");
        rejects(() -> AdamW.builder().beta1(1.0).build(), "beta1", "1.0", "[0, 1)");
        rejects(() -> AdamW.builder().beta1(-0.1).build(), "beta1", "-0.1", "[0, 1)");
        rejects(() -> AdamW.builder().beta2(1.5).build(), "beta2", "1.5", "[0, 1)");
        rejects(() -> AdamW.builder().beta2(Double.NaN).build(), "beta2", "NaN", "[0, 1)");
        rejects(() -> AdamW.builder().epsilon(0).build(), "epsilon", "0.0", "> 0");
        rejects(() -> AdamW.builder().epsilon(-1e-8).build(), "epsilon", "-1.0E-8", "> 0");
        rejects(() -> AdamW.builder().epsilon(Double.NaN).build(), "epsilon", "NaN");
        rejects(() -> AdamW.builder().weightDecay(-0.01).build(), "weightDecay", "-0.01", ">= 0");
        rejects(() -> AdamW.builder().weightDecay(Double.NaN).build(), "weightDecay", "NaN");
        rejects(() -> AdamW.builder().weightDecay(Double.POSITIVE_INFINITY).build(), "weightDecay", "Infinity");
        rejects(() -> AdamW.builder().decayConvention(null).build(), "decayConvention", "null");
        rejects(() -> AdamW.builder().learningRate(1e-3).build().setLrAndSchedule(-1, null), "learningRate", "-1.0");
        assertDoesNotThrow(() -> AdamW.builder().learningRate(0).weightDecay(0).beta1(0).beta2(0).build());
        // below 1 but 1 in float32, where libnd4j's Adam op (the ND4J-op kernel) would divide by 1 − β = 0
        rejects(() -> AdamW.builder().beta2(1 - 1e-9).build(), "beta2", "0.999999999", "[0, 1 − 2^-25)", "float32");
        rejects(() -> AdamW.builder().beta1(1 - 0x1p-25).build(), "beta1", "[0, 1 − 2^-25)");
        assertDoesNotThrow(() -> AdamW.builder().betas(Math.nextDown(1 - 0x1p-25), 1 - 0x1p-24).build());
    }

    /**
     * A schedule may be any ISchedule: a negative or non-finite η_t is refused at the step that reaches it, before
     * anything is written, naming the value and the iteration.
     */
    @Test
    void aScheduleValueOutsideItsRangeIsRefusedAtItsStep() {
        for (double eta : new double[]{-0.5, Double.NaN, Double.POSITIVE_INFINITY}) {
            MapSchedule schedule = new MapSchedule(ScheduleType.ITERATION, Map.of(0, 1.0, 1, eta));
            for (DecoupledDecayUpdater cfg : new DecoupledDecayUpdater[]{
                    AdamW.builder().learningRate(0.1).weightDecay(0).schedule(schedule).build(),
                    SGDW.builder().learningRate(0.1).weightDecay(0).schedule(schedule).build()}) {
                INDArray view = Nd4j.zeros(DataType.DOUBLE, cfg.stateSize(3));   // all the state: m, v (SGDW: m)
                GradientUpdater<?> u = cfg.instantiate(view, true);
                u.applyUpdater(Nd4j.ones(DataType.DOUBLE, 1, 3), 0, 0);
                INDArray state = view.dup();
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> u.applyUpdater(Nd4j.ones(DataType.DOUBLE, 1, 3), 1, 0));
                assertTrue(e.getMessage().contains("η_t = " + eta + " at iteration 1")
                        && e.getMessage().contains("a finite number >= 0"), e.getMessage());
                Exact.assertSameValues(state, view, "state unchanged");
            }
        }
    }

    @Test
    void scheduleParameters() throws Exception {
        rejects(() -> CosineWarmRestarts.iterations(0, 2, 0, 1), "T_0", "0.0", "> 0");
        rejects(() -> CosineWarmRestarts.iterations(-3, 2, 0, 1), "T_0", "-3.0", "> 0");
        rejects(() -> CosineWarmRestarts.iterations(Double.NaN, 2, 0, 1), "T_0", "NaN");
        rejects(() -> CosineWarmRestarts.iterations(5, 0.5, 0, 1), "T_mult", "0.5", ">= 1.0");
        rejects(() -> CosineWarmRestarts.iterations(5, Double.NaN, 0, 1), "T_mult", "NaN");
        rejects(() -> CosineWarmRestarts.iterations(5, 2, -0.1, 1), "eta_min", "-0.1", ">= 0");
        rejects(() -> CosineWarmRestarts.iterations(5, 2, 0.5, 0.1), "eta_max", "0.1", ">= eta_min");
        rejects(() -> CosineWarmRestarts.iterations(5, 2, 0, 1).withWarmup(5), "warmup", "5.0", "[0, 5.0)");
        rejects(() -> CosineWarmRestarts.iterations(5, 2, 0, 1).withWarmup(-1), "warmup", "-1.0");
        rejects(() -> CosineWarmRestarts.iterations(5, 2, 0, 1).withPeakDecay(0), "peakDecay", "0.0", "(0, 1]");
        rejects(() -> CosineWarmRestarts.iterations(5, 2, 0, 1).withPeakDecay(1.5), "peakDecay", "1.5", "(0, 1]");
        rejects(() -> CosineWarmRestarts.epochs(1, 2, 0, 1, 0), "iterationsPerEpoch", "0.0", "> 0");
        // the JSON creator checks too: a hand-edited file is refused when it is read
        String negativeIpe = NeuralNetConfiguration.mapper().writeValueAsString(CosineWarmRestarts.iterations(1, 2, 0, 1))
                .replaceAll("\"iterationsPerEpoch\"\\s*:\\s*0\\.0", "\"iterationsPerEpoch\" : -5.0");
        assertTrue(negativeIpe.contains("-5.0"), negativeIpe);
        rejects(() -> {
            try {
                NeuralNetConfiguration.mapper().readValue(negativeIpe, ISchedule.class);
            } catch (org.nd4j.shade.jackson.databind.JsonMappingException e) {
                throw e.getCause();
            }
        }, "iterationsPerEpoch", "-5.0");
        // a period shorter than one step would restart at every step and never anneal
        rejects(() -> CosineWarmRestarts.iterations(0.5, 2, 0, 1), "T_0", "0.5", ">= 1 (iterations)");
        rejects(() -> CosineWarmRestarts.iterations(1e-10, 1, 0, 1), "T_0", "1.0E-10");
        rejects(() -> CosineWarmRestarts.epochs(0.05, 2, 0, 1, 10), "T_0", "0.05", "at least one iteration", "0.5 < 1");
        assertDoesNotThrow(() -> CosineWarmRestarts.epochs(0.1, 2, 0, 1, 10));
        assertDoesNotThrow(() -> CosineWarmRestarts.iterations(1, 2, 0, 1));
        // t far beyond any DL4J iteration is refused rather than walked period by period
        rejects(() -> CosineWarmRestarts.iterations(1, 1, 0, 1).periodAt(1e300), "t", "2^52");
    }

    @Test
    void normalizedWeightDecay() {
        rejects(() -> NormalizedWeightDecay.perRestartPeriod(-0.05, 64, 10_000), "lambdaNorm", "-0.05", ">= 0");
        rejects(() -> NormalizedWeightDecay.perRestartPeriod(0.05, 0, 10_000), "batchSize", "0", ">= 1");
        rejects(() -> NormalizedWeightDecay.perRestartPeriod(0.05, 64, -1), "trainingSetSize", "-1", ">= 1");
        rejects(() -> NormalizedWeightDecay.forRun(0.05, 64, 10_000, 0), "totalEpochs", "0.0", "> 0");
        rejects(() -> NormalizedWeightDecay.perRestartPeriod(0.05, 128, 100), "batchSize (b) = 128", "<= trainingSetSize");
        rejects(() -> new DecoupledWeightDecay(true, 33), "minRank = 33", "[0, 32]");   // would exclude everything
        rejects(() -> new DecoupledWeightDecay(true, -1), "minRank", "-1");
        assertDoesNotThrow(() -> new DecoupledWeightDecay(true, 32));
        rejects(() -> AdamW.builder().normalizedWeightDecay(NormalizedWeightDecay.perRestartPeriod(0.05, 64, 10_000))
                .build(), "totalEpochs", "CosineWarmRestarts");
        rejects(() -> AdamW.builder().weightDecay(0.01)
                .normalizedWeightDecay(NormalizedWeightDecay.forRun(0.05, 64, 10_000, 10)).build(), "weightDecay", "0.01");
    }

    /**
     * Each step multiplies decayed weights by 1 − d_t: d_t ≥ 1 zeroes or flips them. Refused at configuration time
     * where the largest d is known (no schedule, or restarts: η_max, normalized λ at T_0), at setLearningRate before
     * anything changes, and at the step for any other schedule, before anything is written.
     */
    @Test
    void decayPerStepBelowOne() {
        rejects(() -> AdamW.builder().learningRate(1).weightDecay(1.5).build(), "decay per step", "1.5", "< 1",
                "learningRate = 1.0");
        rejects(() -> AdamW.builder().learningRate(0.5).weightDecay(2).build(), "1.0", "< 1");   // d = 1: zeroes θ
        rejects(() -> SGDW.builder().weightDecay(2).decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build(),
                "η_max·λ = 2.0", "SCHEDULE_MULTIPLIER");
        rejects(() -> AdamWR.builder().learningRate(0.5).weightDecay(1).restartsInIterations(10, 2).eta(0, 4).build(),
                "η_max = 4.0", "2.0");
        // normalized: λ = 3·√(1/(4·1)) = 1.5 in the first period (T_0 = 1 epoch), under SCHEDULE_MULTIPLIER
        rejects(() -> AdamWR.builder().restartsInEpochs(1, 2, 4).normalizedWeightDecay(3, 1, 4)
                .decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build(), "λ = 1.5");
        assertDoesNotThrow(() -> AdamW.builder().learningRate(0.5).weightDecay(1.99).build());
        AdamW a = AdamW.builder().learningRate(1e-3).weightDecay(100).build();            // d = 0.1
        rejects(() -> a.setLrAndSchedule(0.02, null), "2.0");
        assertEquals(1e-3, a.getLearningRate(), "the refused call changed nothing");
        // a schedule whose largest value is unknown here: the step that reaches d >= 1 is refused, before any write
        a.setLrAndSchedule(0, new org.nd4j.linalg.schedule.ExponentialSchedule(ScheduleType.ITERATION, 1e-3, 10));
        StepScalars s = new StepScalars();
        assertEquals(0.1, s.compute(a, 0, 0).decay, 1e-12);            // lr_t = 1e-3·10^i: d_t = 0.1 at iteration 0
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.compute(a, 1, 0));   // d_t = 1
        assertTrue(e.getMessage().contains("decay per step d_t = 1.0") && e.getMessage().contains("iteration 1"),
                e.getMessage());
    }

    /**
     * DL4J's {@code net.setLearningRate(...)} replaces the schedule. Normalized decay per restart period takes T_i from
     * the restart schedule, so replacing it is refused at that call, naming the field, instead of failing inside the
     * next step (it used to: a NullPointerException or ClassCastException from fit).
     */
    @Test
    void setLearningRateKeepsNormalizedDecayValid() {
        AdamW perPeriod = AdamWR.builder().learningRate(1e-2).restartsInIterations(4, 2)
                .normalizedWeightDecay(0.05, 8, 64).build();
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork net = TestNets.mlp(TestNets.builder(perPeriod, true), false);
        net.fit(TestNets.data(0, 8));
        rejects(() -> net.setLearningRate(1e-3), "normalizedWeightDecay.totalEpochs", "setLearningRate");
        rejects(() -> net.setLearningRate(new org.nd4j.linalg.schedule.ExponentialSchedule(ScheduleType.ITERATION,
                1e-3, 0.99)), "normalizedWeightDecay.totalEpochs", "ExponentialSchedule");
        assertDoesNotThrow(() -> net.fit(TestNets.data(1, 8)), "the refused calls left the network as it was");
        net.setLearningRate(CosineWarmRestarts.iterations(8, 1, 0, 1e-3));   // another restart schedule: fine
        assertDoesNotThrow(() -> net.fit(TestNets.data(2, 8)));

        AdamW forRun = AdamW.builder().learningRate(1e-2)
                .normalizedWeightDecay(NormalizedWeightDecay.forRun(0.05, 8, 64, 10)).build();
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork fixedT = TestNets.mlp(TestNets.builder(forRun, true), false);
        fixedT.setLearningRate(1e-3);                                         // T is given: nothing depends on the schedule
        assertDoesNotThrow(() -> fixedT.fit(TestNets.data(0, 8)));
    }

    /** −0.0 is accepted as 0.0, so equal configurations also hash equally (DL4J groups updater blocks by equals). */
    @Test
    void negativeZeroIsZero() {
        AdamW a = AdamW.builder().learningRate(0.0).weightDecay(0).betas(0, 0.999).build();
        AdamW b = AdamW.builder().learningRate(-0.0).weightDecay(-0.0).betas(-0.0, 0.999).build();
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(CosineWarmRestarts.iterations(4, 2, 0.0, 1).hashCode(),
                CosineWarmRestarts.iterations(4, 2, -0.0, 1).hashCode());
    }

    @Test
    void sgdw() {
        rejects(() -> SGDW.builder().momentum(1.0).build(), "momentum", "1.0", "[0, 1)");
        rejects(() -> SGDW.builder().momentum(-0.5).build(), "momentum", "-0.5");
        rejects(() -> SGDW.builder().momentum(0).nesterov(true).build(), "momentum", "0.0", "nesterov");
        rejects(() -> SGDW.builder().learningRate(Double.NaN).build(), "learningRate", "NaN");
        rejects(() -> SGDW.builder().weightDecay(-1).build(), "weightDecay", "-1.0");
        rejects(() -> SGDWR.builder().build(), "restart schedule");
        rejects(() -> SGDWR.builder().restartsInEpochs(0, 2, 10).build(), "T_0", "0.0");
        assertDoesNotThrow(() -> SGDWR.builder().restartsInEpochs(1, 2, 10).momentum(0.9).nesterov(true).build());
    }

    @Test
    void adamwr() {
        rejects(() -> AdamWR.builder().learningRate(1e-3).build(), "restart schedule");
        rejects(() -> AdamWR.builder().restartsInIterations(0, 2).build(), "T_0");
        rejects(() -> AdamWR.builder().restartsInEpochs(1, 0.9, 100).build(), "T_mult", "0.9");
        rejects(() -> AdamWR.builder().restartsInEpochs(1, 2, 100).warmup(1).build(), "warmup", "1.0");
        rejects(() -> AdamWR.builder().restartsInEpochs(1, 2, 100).normalizedWeightDecay(0.05, 0, 100).build(),
                "batchSize", "0");
        rejects(() -> AdamWR.builder().restartsInEpochs(1, 2, 100).normalizedWeightDecay(0.05, 64, 0).build(),
                "trainingSetSize", "0");
        rejects(() -> AdamWR.builder().restartsInEpochs(1, 2, 100).learningRate(-1).build(), "learningRate");
        assertDoesNotThrow(() -> AdamWR.builder().restartsInEpochs(1, 2, 100).warmup(0.5).peakDecay(0.8)
                .normalizedWeightDecay(0.05, 64, 10_000).build());
    }
}
