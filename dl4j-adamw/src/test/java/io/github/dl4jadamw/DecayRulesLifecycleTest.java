package io.github.dl4jadamw;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The decision {@link DecayRules#applyTo} writes travels with the configuration (JSON, ModelSerializer, clone) and
 * trains the same after it; it is tied to the parameter layout, so a network changed by TransferLearning needs the rules
 * again, and a stale decision fails, naming the layer, before any parameter changes.
 */
class DecayRulesLifecycleTest {
    @TempDir
    File dir;

    static final Set<String> HF = Set.of("0_W", "1_W");   // dense+layer norm → out, Hugging Face's rule

    @Test
    void survivesJsonAndTrainsTheSame() {
        MultiLayerNetwork net = DecayNets.denseLayerNorm(DecayNets.adamw());
        DecayRules.huggingFace().applyTo(net);
        MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(net.getLayerWiseConfigurations().toJson());
        assertEquals(net.getLayerWiseConfigurations(), back);
        MultiLayerNetwork copy = new MultiLayerNetwork(back);
        copy.init(net.params().dup(), false);
        assertEquals(HF, DecayTable.of(copy).decayed());
        sameStep(net, copy);
    }

    @Test
    void survivesModelSerializerAndClone() throws Exception {
        MultiLayerNetwork net = DecayNets.denseLayerNorm(DecayNets.adamw());
        DecayRules.huggingFace().applyTo(net);
        net.fit(data(1));
        File f = new File(dir, "net.zip");
        ModelSerializer.writeModel(net, f, true);
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(f, true);
        assertEquals(HF, DecayTable.of(restored).decayed());
        MultiLayerNetwork clone = net.clone();
        assertEquals(HF, DecayTable.of(clone).decayed());
        DataSet d = data(2);
        net.fit(d.copy());
        restored.fit(d.copy());
        clone.fit(d.copy());
        Exact.assertSameValues(net.params(), restored.params(), "restored: the same decision trains the same");
        Exact.assertSameValues(net.params(), clone.params(), "clone: the same decision trains the same");
    }

    @Test
    void graphSurvivesJson() {
        ComputationGraph g = DecayNets.graph(DecayNets.adamw());
        DecayRules.nanoGpt().applyTo(g);
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(g.getConfiguration().toJson());
        assertEquals(g.getConfiguration(), back);
        ComputationGraph copy = new ComputationGraph(back);
        copy.init(g.params().dup(), false);
        assertEquals(Set.of("a_W", "b_W", "out_W"), DecayTable.of(copy).decayed());
    }

    /** θ after one identical step is bit-identical. */
    private static void sameStep(MultiLayerNetwork a, MultiLayerNetwork b) {
        DataSet d = data(2);
        a.fit(d.copy());
        b.fit(d.copy());
        Exact.assertSameValues(a.params(), b.params(), "the same decision trains the same");
    }

    // ---- transfer learning ----

    static MultiLayerNetwork pretrained() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .seed(3).biasInit(0.1).updater(new Adam(0.01)).list()
                .layer(new DenseLayer.Builder().name("features").nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().name("hidden").nIn(6).nOut(5).hasLayerNorm(true)
                        .activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out")
                        .activation(Activation.SOFTMAX).nIn(5).nOut(3).build())
                .build());
        net.init();
        net.fit(data(0));
        return net;
    }

    /** Rules on the network TransferLearning built: the frozen layer is not trained, the rest follows the rule. */
    @Test
    void rulesOnATransferLearnedNetwork() {
        FineTuneConfiguration ftc = new FineTuneConfiguration.Builder()
                .updater(AdamW.builder().learningRate(0.01).weightDecay(0.2).build()).build();
        MultiLayerNetwork tl = new TransferLearning.Builder(pretrained()).fineTuneConfiguration(ftc)
                .setFeatureExtractor(0).build();
        DecayTable t = DecayRules.huggingFace().applyTo(tl);
        assertEquals(Set.of("1_W", "2_W"), t.decayed());   // hidden's g and b, out's b: no; features: frozen
        for (DecayTable.Row r : t.rows())
            if (r.layer().equals("features")) assertTrue(r.rule().startsWith("not trained"), r.rule());
        INDArray frozen = tl.getParam("0_W").dup();
        tl.fit(data(3));
        Exact.assertSameValues(frozen, tl.getParam("0_W"), "frozen");
    }

    /**
     * One list object given to two layers' builders (and no global list) stays shared in the configuration: the
     * decision written into it covers both layers, and each still gets its own (the gain stays out).
     */
    @Test
    void aListSharedByLayersCarriesEachLayersDecision() {
        java.util.List<org.nd4j.linalg.learning.regularization.Regularization> shared = DecoupledWeightDecay.onWeights();
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .seed(3).updater(AdamW.builder().learningRate(0.01).weightDecay(0.2).build()).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).hasLayerNorm(true).regularization(shared).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(3).regularization(shared).build())
                .build());
        net.init();
        assertSame(((org.deeplearning4j.nn.conf.layers.BaseLayer) net.getLayer(0).conf().getLayer()).getRegularization(),
                ((org.deeplearning4j.nn.conf.layers.BaseLayer) net.getLayer(1).conf().getLayer()).getRegularization(),
                "DL4J keeps the shared list (if this changes, the test no longer covers sharing)");
        assertEquals(Set.of("0_W", "1_W"), DecayRules.huggingFace().applyTo(net).decayed());
        assertEquals(Set.of("0_W", "1_W"), DecayTable.of(net).decayed());
        assertDoesNotThrow(() -> net.fit(data(5)));
    }

    /**
     * Rules applied, then TransferLearning widens a layer: the copied decision no longer matches the parameters. The
     * check names the layer; the first fit fails before any parameter changes; applying the rules again fixes it.
     */
    @Test
    void aStaleDecisionFailsByName() {
        MultiLayerNetwork base = pretrained();
        FineTuneConfiguration ftc = new FineTuneConfiguration.Builder()
                .updater(AdamW.builder().learningRate(0.01).weightDecay(0.2).build()).build();
        MultiLayerNetwork tl = new TransferLearning.Builder(base).fineTuneConfiguration(ftc).build();
        DecayRules.huggingFace().applyTo(tl);
        MultiLayerNetwork wider = new TransferLearning.Builder(tl).nOutReplace(0, 7, WeightInit.XAVIER).build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DecayTable.of(wider));
        assertTrue(e.getMessage().contains("layer 'features' (index 0), key W")
                && e.getMessage().contains("Apply the rules to this network again"), e.getMessage());
        INDArray before = wider.params().dup();
        e = assertThrows(IllegalStateException.class, () -> wider.fit(data(4)));
        assertTrue(e.getMessage().contains("layer 'features' (index 0)"), e.getMessage());
        Exact.assertSameValues(before, wider.params(), "no parameter changed");
        assertEquals(Set.of("0_W", "1_W", "2_W"), DecayRules.huggingFace().applyTo(wider).decayed());
        assertDoesNotThrow(() -> wider.fit(data(4)));
    }

    /**
     * Rules applied, then TransferLearning replaces the output layer (the common fine-tuning step): the new layer's
     * lists carry no decision, so it would train without decay. The check (and so the listener, before the first
     * update) names it and says to apply the rules again; after that its W decays.
     */
    @Test
    void aLayerAddedAfterTheRulesIsNamed() {
        FineTuneConfiguration ftc = new FineTuneConfiguration.Builder()
                .updater(AdamW.builder().learningRate(0.01).weightDecay(0.2).build()).build();
        MultiLayerNetwork tl = new TransferLearning.Builder(pretrained()).fineTuneConfiguration(ftc).build();
        DecayRules.huggingFace().applyTo(tl);
        MultiLayerNetwork replaced = new TransferLearning.Builder(tl).fineTuneConfiguration(ftc).removeOutputLayer()
                .addLayer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("head")
                        .activation(Activation.SOFTMAX).nIn(5).nOut(3).build())
                .build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DecayTable.of(replaced));
        assertTrue(e.getMessage().contains("layer 'head' (index 2), key W")
                && e.getMessage().contains("Apply the rules to this network again"), e.getMessage());
        assertFalse(e.getMessage().contains("'hidden'"), "the layers the rules decided are fine: " + e.getMessage());
        replaced.setListeners(AdamWListener.builder().reportEvery(0).build());
        INDArray before = replaced.params().dup();
        assertThrows(IllegalStateException.class, () -> replaced.fit(data(6)));
        Exact.assertSameValues(before, replaced.params(), "no parameter changed");
        assertEquals(Set.of("0_W", "1_W", "2_W"), DecayRules.huggingFace().applyTo(replaced).decayed());
        assertDoesNotThrow(() -> replaced.fit(data(6)));
    }

    static DataSet data(long seed) {
        Random r = new Random(seed);
        INDArray x = org.nd4j.linalg.factory.Nd4j.create(DataType.DOUBLE, 8, 4);
        INDArray y = org.nd4j.linalg.factory.Nd4j.zeros(DataType.DOUBLE, 8, 3);
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < 4; j++) x.putScalar(i, j, r.nextGaussian());
            y.putScalar(i, r.nextInt(3), 1.0);
        }
        return new DataSet(x, y);
    }
}
