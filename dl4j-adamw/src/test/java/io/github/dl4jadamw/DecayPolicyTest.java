package io.github.dl4jadamw;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Which parameters decay, and that they decay exactly once per step. Closed form: from the same θ0 and minibatch,
 * one step with decay λ and one with λ = 0 differ by exactly lr·λ·θ0 (lr-coupled) on decayed parameters and not at
 * all elsewhere, since the Adam direction depends only on the gradient, which both runs share.
 */
class DecayPolicyTest {
    static final double LR = 0.01, LAMBDA = 0.3;

    /** θ(λ) − θ(0) after one step, per parameter key. */
    private static Map<String, INDArray> oneStepDifference(Function<AdamW, Model> build) {
        Model a = build.apply(AdamW.builder().learningRate(LR).weightDecay(LAMBDA).build());
        Model b = build.apply(AdamW.builder().learningRate(LR).weightDecay(0).build());
        b.setParams(a.params().dup());
        Map<String, INDArray> theta0 = TestNets.params(a);
        DataSet d = TestNets.data(3, 16);
        fit(a, d);
        fit(b, d);
        Map<String, INDArray> pa = TestNets.params(a), pb = TestNets.params(b);
        for (String k : theta0.keySet()) pa.put(k, pa.get(k).sub(pb.get(k)));
        theta0.forEach((k, t) -> pa.put(k + "#theta0", t));
        return pa;
    }

    private static void fit(Model m, DataSet d) {
        if (m instanceof MultiLayerNetwork) ((MultiLayerNetwork) m).fit(d);
        else ((ComputationGraph) m).fit(d);
    }

    private static void assertDecayed(Map<String, INDArray> diff, String key) {
        INDArray expected = diff.get(key + "#theta0").mul(-LR * LAMBDA);
        INDArray actual = diff.get(key);
        double err = actual.sub(expected).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        assertTrue(err < 1e-9, key + " should decay once by lr·λ·θ0; relative error " + err
                + " (2 would mean decay applied twice)");
    }

    private static void assertNotDecayed(Map<String, INDArray> diff, String key) {
        assertEquals(0.0, diff.get(key).amaxNumber().doubleValue(), 0.0, key + " must not decay");
    }

    @Test
    void weightsDecayBiasesAndBatchNormDoNot() {
        Map<String, INDArray> d = oneStepDifference(u -> TestNets.mlp(TestNets.builder(u, true), true));
        assertDecayed(d, "0_W");
        assertNotDecayed(d, "0_b");
        assertNotDecayed(d, "1_gamma");
        assertNotDecayed(d, "1_beta");
        assertDecayed(d, "2_W");
        assertNotDecayed(d, "2_b");
    }

    @Test
    void exactlyOnceAlthoughDl4jDuplicatesTheGlobalMarker() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().build(), true), false);
        long markers = ((BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).getRegularization().stream()
                .filter(r -> r instanceof DecoupledWeightDecay).count();
        assertTrue(markers >= 2, "DL4J 1.0.0-M2.1 lists global regularizations twice; if this changes, "
                + "revisit DecoupledWeightDecay's Javadoc (found " + markers + ")");
        Map<String, INDArray> d = oneStepDifference(u -> TestNets.mlp(TestNets.builder(u, true), false));
        assertDecayed(d, "0_W");
        assertDecayed(d, "1_W");
    }

    @Test
    void biasesCanOptIn() {
        Map<String, INDArray> d = oneStepDifference(u -> TestNets.mlp(TestNets.builder(u, true)
                .regularizationBias(DecoupledWeightDecay.onBiases()), false));
        assertDecayed(d, "0_W");
        assertDecayed(d, "0_b");
        assertDecayed(d, "1_b");
    }

    @Test
    void aLayerCanOptOut() {
        Map<String, INDArray> d = oneStepDifference(u -> {
            MultiLayerNetwork net = new MultiLayerNetwork(TestNets.builder(u, true).list()
                    .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).activation(Activation.TANH)
                            .regularization(DecoupledWeightDecay.excluded()).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                            .nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build())
                    .build());
            net.init();
            return net;
        });
        assertNotDecayed(d, "0_W");
        assertDecayed(d, "1_W");
    }

    static ComputationGraph graph(org.nd4j.linalg.learning.config.IUpdater u) {
        ComputationGraphConfiguration conf = TestNets.builder(u, true).graphBuilder()
                .addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(3).activation(Activation.TANH).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(2).activation(Activation.RELU).build(), "in")
                .addVertex("merge", new MergeVertex(), "a", "b")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(TestNets.N_OUT).build(), "merge")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** SGDW: the same policy and closed form (the momentum buffer depends only on the gradient, as Adam's moments). */
    @Test
    void sgdwDecaysWeightsOnceLikeAdamW() {
        Model a = TestNets.mlp(TestNets.builder(SGDW.builder().learningRate(LR).weightDecay(LAMBDA).build(), true), true);
        Model b = TestNets.mlp(TestNets.builder(SGDW.builder().learningRate(LR).weightDecay(0).build(), true), true);
        b.setParams(a.params().dup());
        Map<String, INDArray> theta0 = TestNets.params(a);
        DataSet d = TestNets.data(3, 16);
        fit(a, d);
        fit(b, d);
        Map<String, INDArray> diff = TestNets.params(a);
        Map<String, INDArray> pb = TestNets.params(b);
        for (String k : theta0.keySet()) {
            diff.put(k, diff.get(k).sub(pb.get(k)));
            diff.put(k + "#theta0", theta0.get(k));
        }
        assertDecayed(diff, "0_W");
        assertDecayed(diff, "2_W");
        for (String k : new String[]{"0_b", "1_gamma", "1_beta", "2_b"}) assertNotDecayed(diff, k);
    }

    @Test
    void computationGraphSameIdiomSamePolicy() {
        Map<String, INDArray> d = oneStepDifference(DecayPolicyTest::graph);
        for (String w : new String[]{"a_W", "b_W", "out_W"}) assertDecayed(d, w);
        for (String b : new String[]{"a_b", "b_b", "out_b"}) assertNotDecayed(d, b);
    }

    @Test
    void decayWithoutTheMarkerFailsBeforeTheFirstUpdate() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().weightDecay(0.01).build(), false), false);
        INDArray before = net.params().dup();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(TestNets.data(1, 8)));
        assertTrue(e.getMessage().contains("DecoupledWeightDecay.onWeights()"), e.getMessage());
        Exact.assertSameValues(before, net.params(), "no parameter may change before the failure");
        // weightDecay 0 needs no marker
        MultiLayerNetwork plain = TestNets.mlp(TestNets.builder(AdamW.builder().weightDecay(0).build(), false), false);
        assertDoesNotThrow(() -> plain.fit(TestNets.data(1, 8)));
    }

    @Test
    void markerOnANonAdamWUpdaterFails() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(new Adam(1e-3), true), false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            net.fit(TestNets.data(1, 8));
            net.fit(TestNets.data(2, 8));
        });
        assertTrue(e.getMessage().contains("not AdamW"), e.getMessage());

        // mixed: AdamW on layer 0, SGD (marked through the global list) on layer 1
        MultiLayerNetwork mixed = new MultiLayerNetwork(TestNets.builder(AdamW.builder().build(), true).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .updater(new Sgd(0.1)).nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build())
                .build());
        mixed.init();
        assertThrows(IllegalStateException.class, () -> {
            mixed.fit(TestNets.data(1, 8));
            mixed.fit(TestNets.data(2, 8));
        });
    }

    /**
     * The same misconfiguration in a network that alternates with a correct one in one thread (a GAN, multi-task
     * training): the other network's marks must not wipe out the unconsumed one. It once did, and the requested decay
     * silently never happened. Reported at the misconfigured network's own next step, as when it trains alone.
     */
    @Test
    void markerOnANonAdamWUpdaterFailsWhenNetworksAlternate() {
        MultiLayerNetwork wrong = new MultiLayerNetwork(TestNets.builder(AdamW.builder().weightDecay(0.5).build(), true)
                .list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .updater(new Adam(0.01)).nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build())
                .build());
        wrong.init();
        MultiLayerNetwork right = TestNets.mlp(TestNets.builder(AdamW.builder().weightDecay(0.5).build(), true), false);
        wrong.fit(TestNets.data(1, 8));   // its last block, DL4J's Adam, leaves the mark on its weights unconsumed
        right.fit(TestNets.data(1, 8));   // trains: the error is not this network's
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> wrong.fit(TestNets.data(2, 8)));
        assertTrue(e.getMessage().contains("not AdamW"), e.getMessage());
        assertDoesNotThrow(() -> right.fit(TestNets.data(2, 8)));
    }

    /**
     * A network mixing updaters under the global marker: the layer with DL4J's Adam takes the marker off with
     * {@code excluded()}, as the error above advises. It trains; the AdamW layer decays once, the Adam layer not at all.
     */
    @Test
    void aLayerWithAnotherUpdaterOptsOutOfTheGlobalMarker() {
        Map<String, INDArray> d = oneStepDifference(u -> {
            MultiLayerNetwork net = new MultiLayerNetwork(TestNets.builder(u, true).list()
                    .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).activation(Activation.TANH)
                            .build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                            .nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT)
                            .updater(new Adam(1e-3)).regularization(DecoupledWeightDecay.excluded()).build())
                    .build());
            net.init();
            return net;
        });
        assertDecayed(d, "0_W");
        assertNotDecayed(d, "1_W");
        assertNotDecayed(d, "1_b");
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.builder(AdamW.builder().build(), true).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT)
                        .updater(new Adam(1e-3)).regularization(DecoupledWeightDecay.excluded()).build())
                .build());
        net.init();
        assertDoesNotThrow(() -> { for (int i = 0; i < 4; i++) net.fit(TestNets.data(i, 8)); });
    }

    @Test
    void markerIsSerializableAndInert() {
        Regularization r = DecoupledWeightDecay.onWeights().get(0);
        assertEquals(Regularization.ApplyStep.BEFORE_UPDATER, r.applyStep());
        assertEquals(0.0, r.score(null, 0, 0));
        assertSame(r, r.clone());
        assertNotEquals(r, DecoupledWeightDecay.excluded().get(0));
        assertEquals(Set.of(r), Set.of(new DecoupledWeightDecay(true)));
    }
}
