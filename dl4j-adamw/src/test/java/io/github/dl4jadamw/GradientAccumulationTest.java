package io.github.dl4jadamw;

import io.github.dl4jadamw.schedule.LinearWarmupDecay;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gradient accumulation over k micro-batches of equal size: the mean of their mean-loss gradients is the gradient of the
 * mean loss over their union, so k fits on the micro-batches must step as one fit on the union does in a network
 * without accumulation (DL4J computes that gradient itself) — with t, the schedule and the decay counting optimizer
 * steps — and nothing may move in between.
 */
class GradientAccumulationTest {
    static final int K = 3, MICRO = 4;

    static AdamW.Builder adamw() {
        return AdamW.builder().learningRate(0.02).weightDecay(0.1).amsgrad(true).schedule(LinearWarmupDecay.of(1, 6));
    }

    private static DataSet union(int group) {
        List<DataSet> parts = new ArrayList<>();
        for (int j = 0; j < K; j++) parts.add(TestNets.data(10 + group * K + j, MICRO));
        return DataSet.merge(parts);
    }

    @Test
    void kFitsStepAsOneFitOnTheirUnionAndNothingMovesInBetween() {
        MultiLayerNetwork acc = TestNets.mlp(TestNets.builder(adamw().accumulationSteps(K).build(), true), false);
        MultiLayerNetwork withListener = TestNets.mlp(TestNets.builder(adamw().accumulationSteps(K).build(), true), false);
        MultiLayerNetwork union = TestNets.mlp(TestNets.builder(adamw().build(), true), false);
        withListener.setParams(acc.params().dup());
        union.setParams(acc.params().dup());
        withListener.setListeners(AdamWListener.builder().reportEvery(0).build());   // the network-wide pass forms the mean
        for (int group = 0; group < 3; group++) {
            double[] paramsBefore = acc.params().toDoubleVector();
            double[] mBefore = state(acc, "M"), vBefore = state(acc, "V"), vmaxBefore = state(acc, "VMAX");
            for (int j = 0; j < K; j++) {
                acc.fit(TestNets.data(10 + group * K + j, MICRO));
                withListener.fit(TestNets.data(10 + group * K + j, MICRO));
                if (j < K - 1) {
                    String at = "group " + group + ", micro-batch " + j;
                    assertArrayEquals(paramsBefore, acc.params().toDoubleVector(), 0.0, at + ": parameters");
                    assertArrayEquals(mBefore, state(acc, "M"), 0.0, at + ": M");
                    assertArrayEquals(vBefore, state(acc, "V"), 0.0, at + ": V");
                    assertArrayEquals(vmaxBefore, state(acc, "VMAX"), 0.0, at + ": VMAX");
                }
            }
            union.fit(union(group));
            String at = "after group " + group;
            assertClose(union.params().toDoubleVector(), acc.params().toDoubleVector(), at + ": parameters");
            assertClose(state(union, "M"), state(acc, "M"), at + ": M");
            assertClose(state(union, "V"), state(acc, "V"), at + ": V");
            assertClose(state(union, "VMAX"), state(acc, "VMAX"), at + ": VMAX");
            assertArrayEquals(acc.params().toDoubleVector(), withListener.params().toDoubleVector(), 0.0,
                    at + ": the listener's pass forms the same mean");
        }
        assertEquals(3 * K, acc.getIterationCount(), "DL4J counts every fit");
        assertEquals(3, union.getIterationCount());
        // the learning rate DL4J reports follows the optimizer step s = iteration / k
        AdamW conf = (AdamW) ((org.deeplearning4j.nn.conf.layers.BaseLayer) acc.getLayer(0).conf().getLayer()).getIUpdater();
        for (int i = 0; i < 12; i++)
            assertEquals(0.02 * LinearWarmupDecay.of(1, 6).valueAt(i / K, 0), conf.getLearningRate(i, 0), 0, "iteration " + i);
    }

    private static double[] state(MultiLayerNetwork net, String key) {
        List<Double> out = new ArrayList<>();
        for (UpdaterBlock b : ((BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks())
            for (double d : ((INDArray) b.getGradientUpdater().getState().get(key)).toDoubleVector()) out.add(d);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double num = 0, den = 0;
        for (int i = 0; i < actual.length; i++) {
            num = Math.max(num, Math.abs(expected[i] - actual[i]));
            den = Math.max(den, Math.abs(expected[i]));
        }
        assertTrue(num <= 1e-12 * den, what + ": relative error " + num / den);
    }

    /**
     * BatchNormalization's running mean and variance are updated by DL4J at every fit, micro-batches included (as
     * PyTorch's are at every forward pass in training mode); the weights wait for the group's step.
     */
    @Test
    void batchNormRunningStatisticsMoveAtEveryMicroBatch() {
        // no warm-up here: its first step runs at learning rate 0 and would not move the weights either
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().learningRate(0.02).accumulationSteps(2)
                .build(), true), true);
        double[] w = net.getParam("0_W").ravel().toDoubleVector();
        List<String> stats = new ArrayList<>();
        for (String k : net.paramTable().keySet()) if (k.startsWith("1_") && !k.endsWith("gamma") && !k.endsWith("beta")) stats.add(k);
        double[] before = net.getParam(stats.get(0)).ravel().toDoubleVector();
        net.fit(TestNets.data(1, 6));
        assertArrayEquals(w, net.getParam("0_W").ravel().toDoubleVector(), 0.0);
        assertFalse(java.util.Arrays.equals(before, net.getParam(stats.get(0)).ravel().toDoubleVector()), stats.get(0));
        net.fit(TestNets.data(2, 6));
        assertFalse(java.util.Arrays.equals(w, net.getParam("0_W").ravel().toDoubleVector()));
    }

    /** Warm restarts count optimizer steps: with k = 2 and T_0 = 2 steps, a period spans 4 fits. */
    @Test
    void warmRestartsCountOptimizerSteps() {
        AdamW r = AdamWR.builder().learningRate(0.01).restartsInIterations(2, 1).accumulationSteps(2).build();
        double[] expected = {1, 1, 0.5, 0.5, 1, 1, 0.5, 0.5};   // η at steps 0, 0, 1, 1, 2 (restart), ...
        for (int i = 0; i < expected.length; i++)
            assertEquals(0.01 * expected[i], r.getLearningRate(i, 0), 1e-15, "iteration " + i);
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(r, true), false);
        AdamWListener listener = AdamWListener.builder().reportEvery(0).build();
        net.setListeners(listener);
        for (int i = 0; i < 10; i++) net.fit(TestNets.data(i, 4));
        List<Integer> restartsAt = new ArrayList<>();
        for (AdamWListener.Restart e : listener.restarts()) restartsAt.add(e.nextIteration);
        assertEquals(List.of(4, 8), restartsAt, "restarts at the fits that begin steps 2 and 4");
    }

    /**
     * Under SKIP_STEP a micro-batch with NaN adds nothing: the group of two steps on (0 + g)/2, what one fit with the
     * loss halved (MCXENT with class weights 0.5, an exact scaling) steps on.
     */
    @Test
    void aSkippedMicroBatchAddsNothing() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(adamw().accumulationSteps(2)
                .nonFiniteGradients(NonFiniteGradients.SKIP_STEP).build(), true), false);
        MultiLayerNetwork half = new MultiLayerNetwork(TestNets.builder(adamw().build(), true).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(new LossMCXENT(Nd4j.valueArrayOf(new long[]{1, TestNets.N_OUT}, 0.5)))
                        .activation(Activation.SOFTMAX).nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build())
                .build());
        half.init();
        half.setParams(net.params().dup());
        DataSet bad = TestNets.data(1, 4);
        bad.getFeatures().putScalar(0, 0, Double.NaN);
        double[] before = net.params().toDoubleVector();
        net.fit(bad);
        assertArrayEquals(before, net.params().toDoubleVector(), 0.0);
        net.fit(TestNets.data(2, 4));
        half.fit(TestNets.data(2, 4));
        assertClose(half.params().toDoubleVector(), net.params().toDoubleVector(), "after the group");
    }

    @Test
    void accumulationBesideAnotherUpdaterIsRefused() {
        NeuralNetConfiguration.ListBuilder l = TestNets.builder(adamw().accumulationSteps(2).build(), true).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(TestNets.N_OUT).updater(new Sgd(0.1))
                        .regularization(DecoupledWeightDecay.excluded()).build());
        MultiLayerNetwork net = new MultiLayerNetwork(l.build());
        net.init();
        net.setListeners(AdamWListener.builder().reportEvery(0).build());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(TestNets.data(1, 4)));
        assertTrue(e.getMessage().contains("accumulationSteps = 2") && e.getMessage().contains("layer 'layer1'")
                && e.getMessage().contains("Sgd"), e.getMessage());
    }
}
