package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.SGDW;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SameDiff training (the model of {@link SameDiffIntegrationTest}) over several fits against SameDiff's own updaters and regularizations (independent of ours), as
 * {@link Dl4jEquivalenceTest} does for networks: SGDW (no momentum, lr-coupled) = {@code Sgd} + {@code L2Regularization},
 * and AdamW (lr-coupled) = {@code Adam} + {@code WeightDecay(applyLR = true)} at a vanishing ε, with and without a
 * learning-rate schedule, in float64 and float32. SameDiff applies the TrainingConfig's list to every trainable
 * variable, so the plain marker (decay everything) is the counterpart.
 */
@Timeout(120)
class SameDiffEquivalenceTest {
    static final double LR = 0.02, LAMBDA = 0.3;
    static final int FITS = 5;
    static SameDiff trained(DataType type, IUpdater updater, Regularization regularization) {
        SameDiff sd = SameDiffIntegrationTest.model(type, updater, List.of(regularization));
        for (int k = 0; k < FITS; k++) {
            DataSet d = Support.learnable(20 + k, 16, 4, 3);
            sd.fit(new DataSet(d.getFeatures().castTo(type), d.getLabels().castTo(type)));
        }
        return sd;
    }

    static Stream<Arguments> cases() {
        return Stream.of(DataType.DOUBLE, DataType.FLOAT)
                .flatMap(t -> Stream.of(false, true).map(scheduled -> Arguments.of(t, scheduled)));
    }

    static ISchedule schedule() {
        return new ExponentialSchedule(ScheduleType.ITERATION, 0.05, 0.8);
    }

    @ParameterizedTest(name = "{0}, schedule: {1}")
    @MethodSource("cases")
    void sgdwIsSgdWithL2(DataType type, boolean scheduled) {
        SGDW.Builder b = SGDW.builder().momentum(0).weightDecay(LAMBDA).decayConvention(DecayConvention.LR_COUPLED);
        SGDW ours = scheduled ? b.learningRate(schedule()).build() : b.learningRate(LR).build();
        Sgd dl4j = scheduled ? new Sgd(schedule()) : new Sgd(LR);
        assertSameTraining(type, trained(type, dl4j, new L2Regularization(LAMBDA)),
                trained(type, ours, DecoupledWeightDecay.allArrays()));
    }

    @ParameterizedTest(name = "{0}, schedule: {1}")
    @MethodSource("cases")
    void adamWIsAdamWithOneWeightDecay(DataType type, boolean scheduled) {
        double eps = type == DataType.DOUBLE ? 1e-300 : 1e-30;
        AdamW.Builder b = AdamW.builder().epsilon(eps).weightDecay(LAMBDA).decayConvention(DecayConvention.LR_COUPLED);
        AdamW ours = scheduled ? b.learningRate(schedule()).build() : b.learningRate(LR).build();
        Adam.Builder a = Adam.builder().epsilon(eps);
        Adam dl4j = scheduled ? a.learningRateSchedule(schedule()).build() : a.learningRate(LR).build();
        assertSameTraining(type, trained(type, dl4j, new WeightDecay(LAMBDA, true)),
                trained(type, ours, DecoupledWeightDecay.allArrays()));
    }

    /** Each variable as {@link Support#assertFollowsReference} allows. */
    static void assertSameTraining(DataType type, SameDiff expected, SameDiff actual) {
        assertEquals(FITS, expected.getTrainingConfig().getIterationCount());
        assertEquals(FITS, actual.getTrainingConfig().getIterationCount());
        Map<String, INDArray> start = SameDiffIntegrationTest.vars(
                SameDiffIntegrationTest.model(type, new Sgd(LR), List.of()));
        Map<String, INDArray> exp = SameDiffIntegrationTest.vars(expected), act = SameDiffIntegrationTest.vars(actual);
        for (String v : start.keySet()) {
            INDArray e = exp.get(v), a = act.get(v);
            double moved = e.sub(start.get(v)).amaxNumber().doubleValue();
            assertTrue(moved > 1e-4, v + " barely moved (" + moved + "): the comparison would be weak");
            Support.assertFollowsReference(v, e, a, moved, type);
        }
    }
}
