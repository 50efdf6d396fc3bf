package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.StepScalars;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.MultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Per-step scalars against closed forms: learning rate from any DL4J schedule, both conventions, normalized λ. */
class StepScalarsTest {

    @Test
    void anyDl4jScheduleAsTheLearningRate() {
        // lr = 0.1 · 0.5^floor(i/10)
        AdamW a = AdamW.builder().learningRate(new StepSchedule(ScheduleType.ITERATION, 0.1, 0.5, 10)).weightDecay(0.2).build();
        for (int i : new int[]{0, 9, 10, 25}) {
            double lr = 0.1 * Math.pow(0.5, Math.floor(i / 10.0));
            StepScalars s = new StepScalars().compute(a, i, 0);
            assertEquals(lr, s.lr, 1e-15);
            assertEquals(lr, a.getLearningRate(i, 0), 1e-15);
            assertEquals(lr * 0.2, s.decay, 1e-15, "lr-coupled: d = lr_t·λ");
        }
    }

    @Test
    void conventions() {
        CosineWarmRestarts eta = CosineWarmRestarts.iterations(4, 1, 0, 1);
        AdamW coupled = AdamW.builder().learningRate(0.01).weightDecay(0.5).schedule(eta).build();
        AdamW paper = AdamW.builder().learningRate(0.01).weightDecay(0.5).schedule(eta)
                .decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build();
        double e1 = 0.5 * (1 + Math.cos(Math.PI / 4));
        assertEquals(0.01 * e1 * 0.5, new StepScalars().compute(coupled, 1, 0).decay, 1e-16);
        assertEquals(e1 * 0.5, new StepScalars().compute(paper, 1, 0).decay, 1e-16);
        StepScalars s = new StepScalars().compute(paper, 1, 0);
        assertEquals(0.01 * e1 / (1 - 0.9 * 0.9), s.stepSize, 1e-16);   // t = 2
        assertEquals(Math.sqrt(1 - 0.999 * 0.999), s.sqrtBc2, 1e-16);
        assertEquals(1e-8 * Math.sqrt(1 - 0.999 * 0.999), s.epsilonForOp, 1e-24);
    }

    @Test
    void normalizedDecayPerRestartPeriod() {
        long b = 64, bigB = 10_000;
        double lambdaNorm = 0.05, ipe = Math.ceil(bigB / (double) b); // 157 iterations per epoch
        AdamW a = AdamWR.builder().learningRate(1e-3).restartsInEpochs(1, 2, ipe).normalizedWeightDecay(lambdaNorm, b, bigB)
                .decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build();
        // periods of 1, 2, 4 epochs start at iterations 0, 157, 471
        int[] iterations = {0, 156, 157, 470, 471};
        double[] ti = {1, 1, 2, 2, 4};
        double[] tCur = {0, 156 / 157.0, 0, (470 - 157) / 157.0, 0};   // epochs into the period
        for (int k = 0; k < iterations.length; k++) {
            StepScalars s = new StepScalars().compute(a, iterations[k], 0);
            double eta = 0.5 * (1 + Math.cos(Math.PI * tCur[k] / ti[k]));   // closed form, η_min = 0, η_max = 1
            double lambda = lambdaNorm * Math.sqrt(b / (bigB * ti[k]));
            assertEquals(eta, s.eta, 1e-12, "η at iteration " + iterations[k]);
            assertEquals(eta * lambda, s.decay, 1e-12 * eta * lambda, "iteration " + iterations[k]);
        }
        // counted in iterations, a period of T_i iterations is T_i·b/B epochs: λ = λ_norm/√T_i
        AdamW it = AdamWR.builder().restartsInIterations(100, 2).normalizedWeightDecay(lambdaNorm, b, bigB)
                .decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build();
        StepScalars s = new StepScalars().compute(it, 150, 0);  // second period [100, 300): T_cur = 50 of 200
        double eta = 0.5 * (1 + Math.cos(Math.PI / 4));
        assertEquals(eta * lambdaNorm / Math.sqrt(200), s.decay, 1e-12 * s.decay);
        // without restarts: T = the run's epochs
        AdamW run = AdamW.builder().normalizedWeightDecay(NormalizedWeightDecay.forRun(lambdaNorm, b, bigB, 15)).build();
        assertEquals(1e-3 * lambdaNorm * Math.sqrt(b / (bigB * 15.0)), new StepScalars().compute(run, 999, 3).decay, 1e-18);
    }

    /**
     * DL4J's {@code net.setLearningRate(...)} reaches the updater as {@code setLrAndSchedule}: a number replaces α and
     * drops the schedule (η_t = 1), a schedule becomes the absolute learning rate (α = 1, η_t = its value), as
     * {@code learningRate(ISchedule)} does in the builder. lr_t is what the user set under both conventions; the decay
     * per step is lr_t·λ under LR_COUPLED, and η_t·λ under SCHEDULE_MULTIPLIER: λ after a number, lr_t·λ after a
     * schedule (README "Decay conventions" warns of the latter).
     */
    @Test
    void changingTheLearningRateOfALiveNetwork() {
        for (DecayConvention c : DecayConvention.values()) {
            AdamW a = AdamW.builder().learningRate(0.01).weightDecay(0.5).decayConvention(c)
                    .schedule(CosineWarmRestarts.iterations(4, 1, 0, 1)).build();
            MultiLayerNetwork net = TestNets.mlp(TestNets.builder(a, true), false);
            net.setLearningRate(0.002);
            StepScalars s = new StepScalars().compute(updaterOf(net), 3, 0);
            assertEquals(0.002, s.lr, 1e-18, c + ", a number");
            assertEquals(c == DecayConvention.LR_COUPLED ? 0.002 * 0.5 : 0.5, s.decay, 1e-16, c + ", a number");
            net.setLearningRate(new StepSchedule(ScheduleType.ITERATION, 0.004, 0.5, 2));   // 0.004·0.5^floor(i/2)
            s = new StepScalars().compute(updaterOf(net), 3, 0);
            assertEquals(0.002, s.lr, 1e-18, c + ", a schedule");
            assertEquals(0.002 * 0.5, s.decay, 1e-18, c + ", a schedule");
        }
    }

    /** The configuration the first block's live GradientUpdater steps with (the object a step reads). */
    private static DecoupledDecayUpdater updaterOf(MultiLayerNetwork net) {
        UpdaterBlock first = ((MultiLayerUpdater) net.getUpdater()).getUpdaterBlocks().get(0);
        return (DecoupledDecayUpdater) first.getGradientUpdater().getConfig();
    }
}
