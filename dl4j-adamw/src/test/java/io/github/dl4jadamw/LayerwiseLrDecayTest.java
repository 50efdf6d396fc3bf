package io.github.dl4jadamw;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Layer-wise learning-rate decay: α·factor^i for the i-th layer (group) below the top, written out by hand here. */
class LayerwiseLrDecayTest {
    static final double ALPHA = 0.01, F = 0.5;

    private static NeuralNetConfiguration.ListBuilder layers(AdamW top, AdamW[] perLayer) {
        NeuralNetConfiguration.ListBuilder l = TestNets.builder(top, true).list();
        DenseLayer.Builder d0 = new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(6).activation(Activation.TANH);
        BatchNormalization.Builder bn = new BatchNormalization.Builder().nOut(6);
        DenseLayer.Builder d2 = new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH);
        if (perLayer != null) { d0.updater(perLayer[0]); bn.updater(perLayer[1]); d2.updater(perLayer[2]); }
        return l.layer(d0.build()).layer(bn.build()).layer(d2.build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(TestNets.N_OUT).updater(new Sgd(0.1)).regularization(DecoupledWeightDecay.excluded())
                        .build());
    }

    /** The output layer (Sgd here) stays as it is but still counts as the top; below it α/2, α/4 (BN), α/8. */
    @Test
    void eachLayerBelowTheTopTrainsAtFactorTimesTheOneAbove() {
        AdamW adamw = AdamW.builder().learningRate(ALPHA).weightDecay(0.1).build();
        MultiLayerConfiguration conf = LayerwiseLrDecay.apply(layers(adamw, null).build(), F);
        double[] expected = {ALPHA / 8, ALPHA / 4, ALPHA / 2};
        for (int i = 0; i < 3; i++)
            assertEquals(expected[i], ((AdamW) ((BaseLayer) conf.getConf(i).getLayer()).getIUpdater()).getLearningRate(),
                    0, "layer " + i);
        assertTrue(((BaseLayer) conf.getConf(3).getLayer()).getIUpdater() instanceof Sgd);
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        assertEquals(0.0, ((AdamW) ((BaseLayer) conf.getConf(1).getLayer()).getIUpdater()).getWeightDecay(),
                "BatchNormalization, a block of its own now, decays nothing anyway");
        MultiLayerNetwork byHand = new MultiLayerNetwork(layers(adamw, new AdamW[]{adamw.withLearningRateScale(0.125),
                adamw.withLearningRateScale(0.25).withWeightDecay(0), adamw.withLearningRateScale(0.5)}).build());
        byHand.init();
        byHand.setParams(net.params().dup());
        for (int i = 0; i < 3; i++) {
            net.fit(TestNets.data(i, 6));
            byHand.fit(TestNets.data(i, 6));
        }
        assertArrayEquals(byHand.params().toDoubleVector(), net.params().toDoubleVector(), 0.0);
    }

    /**
     * The rules route: no marker anywhere when the scales are applied, DecayRules after. Every scaled layer keeps its λ
     * (the rules decide later), so nanoGPT's rule decays every weight matrix, each at its own lr·λ, and not the
     * biases; BatchNormalization (which DL4J regularizes nowhere) gets λ = 0 as before.
     */
    @Test
    void rulesAppliedAfterTheScalesStillDecay() {
        double lambda = 0.1;
        AdamW adamw = AdamW.builder().learningRate(ALPHA).weightDecay(lambda).build();
        MultiLayerNetwork net = new MultiLayerNetwork(LayerwiseLrDecay.apply(
                TestNets.builder(adamw, false).list()
                        .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(6).build())
                        .layer(new BatchNormalization.Builder().nOut(6).build())
                        .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                                .nIn(6).nOut(TestNets.N_OUT).build())
                        .build(), F));
        net.init();
        DecayTable t = DecayRules.nanoGpt().applyTo(net);
        assertEquals(List.of("0_W", "2_W"), List.copyOf(t.decayed()));
        assertEquals(lambda, ((AdamW) ((BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).getIUpdater())
                .getWeightDecay(), 0, "the bottom layer keeps λ");
        assertEquals(0.0, ((AdamW) ((BaseLayer) net.getLayerWiseConfigurations().getConf(1).getLayer()).getIUpdater())
                .getWeightDecay(), "BatchNormalization: nothing of it can decay");
        List<List<AdamWListener.Record>> reports = new java.util.ArrayList<>();
        net.setListeners(AdamWListener.builder().reportEvery(1).sink(reports::add).build());
        net.fit(TestNets.data(0, 6));
        assertEquals(ALPHA * F * F * lambda, reports.get(0).get(0).decayPerStep, 1e-18, "layer 0 at α·F²");
        assertEquals(ALPHA * lambda, reports.get(0).get(2).decayPerStep, 1e-18, "the top layer at α");
    }

    @Test
    void graphGroupsFromTheInputSide() {
        AdamW adamw = AdamW.builder().learningRate(ALPHA).build();
        ComputationGraphConfiguration g = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).updater(adamw)
                .regularization(DecoupledWeightDecay.onWeights()).graphBuilder().addInputs("in")
                .addLayer("emb", new DenseLayer.Builder().nIn(4).nOut(6).build(), "in")
                .addLayer("b1", new DenseLayer.Builder().nIn(6).nOut(6).build(), "emb")
                .addLayer("b2", new DenseLayer.Builder().nIn(6).nOut(6).build(), "b1")
                .addLayer("head", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).nIn(6).nOut(3).build(), "b2")
                .setOutputs("head").build();
        assertSame(g, LayerwiseLrDecay.apply(g, 0.8, List.of(List.of("emb"), List.of("b1", "b2"), List.of("head"))));
        double[] expected = {ALPHA * 0.8 * 0.8, ALPHA * 0.8, ALPHA * 0.8, ALPHA};
        String[] names = {"emb", "b1", "b2", "head"};
        for (int i = 0; i < names.length; i++)
            assertEquals(expected[i], ((AdamW) ((BaseLayer) ((LayerVertex) g.getVertices().get(names[i])).getLayerConf()
                    .getLayer()).getIUpdater()).getLearningRate(), 1e-18, names[i]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerwiseLrDecay.apply(g, 0.8, List.of(List.of("nope"))));
        assertTrue(e.getMessage().contains("'nope'") && e.getMessage().contains("emb"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LayerwiseLrDecay.apply(g, 0.8, List.of(List.of("b1"), List.of("b1"))));
        assertTrue(e.getMessage().contains("'b1' twice"), e.getMessage());
    }

    @Test
    void factorOutsideZeroOneIsRefused() {
        for (double f : new double[]{0, -0.5, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LayerwiseLrDecay.apply(layers(AdamW.builder().build(), null).build(), f));
            assertTrue(e.getMessage().contains("factor = " + f) && e.getMessage().contains("(0, 1]"), e.getMessage());
        }
    }
}
