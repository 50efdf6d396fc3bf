package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.KernelChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.TrainingConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * AdamW in SameDiff ({@code TrainingConfig.updater(adamw).regularization(marker)}). SameDiff's {@code TrainingSession}
 * handles one variable at a time, in the training thread: BEFORE_UPDATER regularizations on (parameter, gradient),
 * then that variable's own {@code GradientUpdater} on the same gradient array, then {@code param -= update}. Each
 * variable has its own updater and state, and its gradient is its own array (no shared flattened buffer as in
 * MultiLayerNetwork), so the ledger's entry and the updater's block are the same array: the marker is consumed at once.
 *
 * <p>SameDiff applies the TrainingConfig's regularization list to every trainable variable; it has no weight/bias
 * split and no per-variable regularization or updater. With the plain marker biases decay too. Users who want the
 * usual policy wrap the marker and choose per parameter array, e.g. by rank ({@link DecoupledWeightDecay#matricesOnly()}).
 */
@Timeout(60)
class SameDiffIntegrationTest {
    static final double LR = 0.01, LAMBDA = 0.2;

    /** x[-1,4] → tanh(x·w1 + b1) → ·w2 + b2 → softmax cross-entropy against one-hot label[-1,3]. */
    static SameDiff model(DataType type, IUpdater updater, List<Regularization> regularization) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", type, -1, 4);
        SDVariable label = sd.placeHolder("label", type, -1, 3);
        Random rnd = new Random(5);
        SDVariable w1 = sd.var("w1", Support.matrix(rnd, 4, 5, type).muli(0.3));
        SDVariable b1 = sd.var("b1", Nd4j.linspace(type, 0.1, 0.05, 5));          // rank 1
        SDVariable w2 = sd.var("w2", Support.matrix(rnd, 5, 3, type).muli(0.3));
        SDVariable b2 = sd.var("b2", Nd4j.linspace(type, -0.1, 0.1, 3));          // rank 1
        SDVariable h = sd.math.tanh(in.mmul(w1).add(b1));
        SDVariable logits = h.mmul(w2).add(b2);
        sd.loss.softmaxCrossEntropy("loss", label, logits, null);
        sd.setLossVariables("loss");
        sd.setTrainingConfig(TrainingConfig.builder()
                .updater(updater)
                .regularization(regularization)
                .dataSetFeatureMapping("in")
                .dataSetLabelMapping("label")
                .build());
        return sd;
    }

    static DataSet batch(DataType type) {
        DataSet d = Support.data(9, 16, 4, 3);
        return new DataSet(d.getFeatures().castTo(type), d.getLabels().castTo(type));
    }

    static Map<String, INDArray> vars(SameDiff sd) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String v : new String[]{"w1", "b1", "w2", "b2"}) m.put(v, sd.getVariable(v).getArr().dup());
        return m;
    }

    static double loss(SameDiff sd, DataSet d) {
        return sd.output(Map.of("in", d.getFeatures(), "label", d.getLabels()), "loss").get("loss").getDouble(0);
    }

    /** θ(λ) − θ(0) after one fit from the same θ0 at SameDiff iteration {@code iteration}. */
    private static Map<String, INDArray> oneStep(AdamW u, List<Regularization> regs, int iteration, Map<String, INDArray> theta0) {
        SameDiff a = model(DataType.DOUBLE, u, regs);
        SameDiff b = model(DataType.DOUBLE, u.withWeightDecay(0), regs);
        a.getTrainingConfig().setIterationCount(iteration);
        b.getTrainingConfig().setIterationCount(iteration);
        theta0.putAll(vars(a));
        Support.assertSameValues(theta0, vars(b));
        DataSet d = batch(DataType.DOUBLE);
        a.fit(d);
        b.fit(d);
        assertEquals(iteration + 1, a.getTrainingConfig().getIterationCount());
        return Support.difference(vars(a), vars(b));
    }

    /**
     * A variable created from an 'f'-ordered array (DL4J weights are 'f' views) gets a 'c' gradient from SameDiff: the
     * decay must still reach each element from its own θ, on both kernels (it once took θ of the transposed element).
     */
    @Test
    void fOrderedVariableDecaysElementwise() {
        for (String kernel : new String[]{"cpu", "nd4j"}) {
            KernelChoice.with(kernel, () -> {
                SameDiff[] sds = new SameDiff[2];
                for (int k = 0; k < 2; k++) {
                    SameDiff sd = SameDiff.create();
                    SDVariable in = sd.placeHolder("in", DataType.DOUBLE, -1, 4);
                    SDVariable label = sd.placeHolder("label", DataType.DOUBLE, -1, 3);
                    SDVariable w = sd.var("w", Nd4j.linspace(DataType.DOUBLE, -1, 0.1, 12).reshape('c', 4, 3).dup('f'));
                    sd.loss.softmaxCrossEntropy("loss", label, in.mmul(w), null);
                    sd.setLossVariables("loss");
                    sd.setTrainingConfig(TrainingConfig.builder()
                            .updater(AdamW.builder().learningRate(LR).weightDecay(k == 0 ? LAMBDA : 0).build())
                            .regularization(DecoupledWeightDecay.allArrays())
                            .dataSetFeatureMapping("in").dataSetLabelMapping("label").build());
                    sds[k] = sd;
                }
                INDArray theta0 = sds[0].getVariable("w").getArr().dup('c');
                assertEquals('f', sds[0].getVariable("w").getArr().ordering());
                DataSet d = batch(DataType.DOUBLE);
                sds[0].fit(d);
                sds[1].fit(d);
                INDArray diff = sds[0].getVariable("w").getArr().sub(sds[1].getVariable("w").getArr());
                Support.assertDecayedOnce("w (" + kernel + " kernel)", diff, theta0, LR * LAMBDA);
            });
        }
    }

    @Test
    void markerDecaysEveryVariableExactlyOnce() {
        Map<String, INDArray> theta0 = new LinkedHashMap<>();
        Map<String, INDArray> diff = oneStep(AdamW.builder().learningRate(LR).weightDecay(LAMBDA).build(),
                List.of(DecoupledWeightDecay.allArrays()), 0, theta0);
        // SameDiff has no weight/bias split: the TrainingConfig's list applies to every trainable variable
        for (String k : diff.keySet()) Support.assertDecayedOnce(k, diff.get(k), theta0.get(k), LR * LAMBDA);
    }

    @Test
    void rankFilterKeepsBiasesFromDecay() {
        Map<String, INDArray> theta0 = new LinkedHashMap<>();
        Map<String, INDArray> diff = oneStep(AdamW.builder().learningRate(LR).weightDecay(LAMBDA).build(),
                List.of(DecoupledWeightDecay.matricesOnly()), 0, theta0);
        Support.assertDecayedOnce("w1", diff.get("w1"), theta0.get("w1"), LR * LAMBDA);
        Support.assertDecayedOnce("w2", diff.get("w2"), theta0.get("w2"), LR * LAMBDA);
        Support.assertNotDecayed("b1", diff.get("b1"));
        Support.assertNotDecayed("b2", diff.get("b2"));
    }

    @Test
    void adamWRScheduleMidPeriod() {
        int iteration = 5;
        double eta = Support.cosineRestartEta(iteration, 4, 2), lambda = 0.05;
        AdamW u = AdamWR.builder().learningRate(LR).weightDecay(lambda).restartsInIterations(4, 2)
                .decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build();
        Map<String, INDArray> theta0 = new LinkedHashMap<>();
        Map<String, INDArray> diff = oneStep(u, List.of(DecoupledWeightDecay.matricesOnly()), iteration, theta0);
        Support.assertDecayedOnce("w1", diff.get("w1"), theta0.get("w1"), eta * lambda);
        Support.assertDecayedOnce("w2", diff.get("w2"), theta0.get("w2"), eta * lambda);
        Support.assertNotDecayed("b1", diff.get("b1"));
    }

    @Test
    void trainingDecreasesLossInFloat32AndFloat64() {
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            SameDiff sd = model(type, AdamW.builder().learningRate(0.05).weightDecay(0.01).build(),
                    List.of(DecoupledWeightDecay.matricesOnly()));
            DataSet d = batch(type);
            double before = loss(sd, d);
            sd.fit(new org.nd4j.linalg.dataset.adapter.SingletonDataSetIterator(d), 50); // 50 epochs of one batch
            double after = loss(sd, d);
            assertTrue(after < 0.5 * before, type + ": loss " + before + " -> " + after);
            for (INDArray v : vars(sd).values()) assertTrue(Support.finite(v), type + ": finite parameters");
            assertEquals(50, sd.getTrainingConfig().getIterationCount());
        }
    }

    @Test
    void decayWithoutMarkerFailsBeforeAnyVariableChanges() {
        SameDiff sd = model(DataType.DOUBLE, AdamW.builder().learningRate(LR).weightDecay(LAMBDA).build(), List.of());
        Map<String, INDArray> before = vars(sd);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sd.fit(batch(DataType.DOUBLE)));
        assertTrue(e.getMessage().contains("DecoupledWeightDecay"), e.getMessage());
        Support.assertSameValues(before, vars(sd));
    }
}
