package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.Exact;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.transferlearning.FineTuneConfiguration;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Switching a network pretrained with DL4J's Adam to AdamW/AdamWR through {@code TransferLearning}. The idiom:
 * <pre>{@code
 * FineTuneConfiguration ftc = new FineTuneConfiguration.Builder().updater(adamw).build();
 * ftc.setRegularization(DecoupledWeightDecay.onWeights());   // the Builder has no regularization(List) method
 * new TransferLearning.Builder(pretrained).fineTuneConfiguration(ftc).setFeatureExtractor(0)...build();
 * }</pre>
 * (for a ComputationGraph: {@code TransferLearning.GraphBuilder}, the same {@code ftc}; set the marker before passing
 * {@code ftc} to the builder, which copies it at once). Frozen layers get neither the Adam step nor decay: DL4J wraps
 * them in FrozenLayer, whose configuration reports no updater and no regularization, so no marker reaches them.
 * Layers added after {@code fineTuneConfiguration(ftc)} (e.g. a new output layer) get the updater and marker too.
 * The switch restarts the iteration count at 0 (fresh AdamW state, AdamWR from its first period).
 *
 * <p>DL4J 1.0.0-M2.1: {@code TransferLearning.GraphBuilder} returns a float32 graph even from a float64 one (the
 * MultiLayerNetwork builder keeps the type); {@code .build().convertDataType(DataType.DOUBLE)} restores it.
 */
@Timeout(60)
class TransferLearningIntegrationTest {
    static final double LR = 0.01, LAMBDA = 0.2;

    static MultiLayerNetwork pretrainedMlp() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(3).biasInit(0.1).updater(new Adam(0.01))
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(3).build())
                .build());
        net.init();
        for (int i = 0; i < 5; i++) net.fit(Support.data(1, 16, 4, 3));
        return net;
    }

    static FineTuneConfiguration fineTune(AdamW u) {
        FineTuneConfiguration ftc = new FineTuneConfiguration.Builder().updater(u).build();
        ftc.setRegularization(DecoupledWeightDecay.onWeights());
        return ftc;
    }

    static MultiLayerNetwork switchToAdamW(MultiLayerNetwork pretrained, AdamW u) {
        return new TransferLearning.Builder(pretrained.clone()).fineTuneConfiguration(fineTune(u))
                .setFeatureExtractor(0).build();
    }

    @Test
    void frozenLayerGetsNeitherStepNorDecayUnfrozenDecayOnce() {
        MultiLayerNetwork pre = pretrainedMlp();
        AdamW adamw = AdamW.builder().learningRate(LR).weightDecay(LAMBDA).build();
        MultiLayerNetwork a = switchToAdamW(pre, adamw);
        MultiLayerNetwork b = switchToAdamW(pre, adamw.withWeightDecay(0));
        assertInstanceOf(FrozenLayer.class, a.getLayerWiseConfigurations().getConf(0).getLayer());
        Exact.assertSameValues(pre.params(), a.params(), "transfer learning keeps the pretrained parameters");
        Map<String, INDArray> theta0 = Support.params(a);

        DataSet d = Support.data(2, 16, 4, 3);
        a.fit(d);
        b.fit(d);
        Map<String, INDArray> diff = Support.difference(Support.params(a), Support.params(b));
        Support.assertDecayedOnce("1_W", diff.get("1_W"), theta0.get("1_W"), LR * LAMBDA);
        Support.assertDecayedOnce("2_W", diff.get("2_W"), theta0.get("2_W"), LR * LAMBDA);
        Support.assertNotDecayed("1_b", diff.get("1_b"));
        Support.assertNotDecayed("2_b", diff.get("2_b"));

        for (int i = 0; i < 10; i++) a.fit(Support.data(3 + i, 16, 4, 3));
        Exact.assertSameValues(theta0.get("0_W"), a.getParam("0_W"), "frozen weights bit-identical");
        Exact.assertSameValues(theta0.get("0_b"), a.getParam("0_b"), "frozen biases bit-identical");
        assertNotEquals(theta0.get("1_W"), a.getParam("1_W"));
        assertTrue(Support.finite(a.params()));
    }

    @Test
    void newOutputLayerAddedAfterFineTuneGetsTheMarkerToo() {
        MultiLayerNetwork pre = pretrainedMlp();
        AdamW adamwr = AdamWR.builder().learningRate(LR).weightDecay(LAMBDA).restartsInIterations(10, 2).build();
        java.util.function.Function<AdamW, MultiLayerNetwork> build = u -> {
            MultiLayerNetwork n = new TransferLearning.Builder(pre.clone()).fineTuneConfiguration(fineTune(u))
                    .setFeatureExtractor(1)
                    .removeOutputLayer()
                    .addLayer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                            .nIn(5).nOut(4).build())
                    .build();
            assertEquals(0, n.getIterationCount());
            return n;
        };
        MultiLayerNetwork a = build.apply(adamwr);
        MultiLayerNetwork b = build.apply(adamwr.withWeightDecay(0));
        b.setParams(a.params().dup());
        Map<String, INDArray> theta0 = Support.params(a);
        DataSet d = Support.data(4, 16, 4, 4);
        a.fit(d);
        b.fit(d);
        Map<String, INDArray> diff = Support.difference(Support.params(a), Support.params(b));
        // iteration 0 of the restart schedule: η = 1, so the factor is α·λ
        Support.assertDecayedOnce("2_W", diff.get("2_W"), theta0.get("2_W"), LR * LAMBDA);
        Support.assertNotDecayed("2_b", diff.get("2_b"));
        for (String k : new String[]{"0_W", "0_b", "1_W", "1_b"}) {
            Support.assertNotDecayed(k, diff.get(k));
            Exact.assertSameValues(theta0.get(k), a.getParam(k), k + " frozen");
        }
    }

    /**
     * TransferLearning builds a new configuration, so the iteration (and epoch) counter restarts at 0: AdamW's bias
     * correction starts afresh with its fresh (zero) state, and an AdamWR schedule starts at its first period.
     */
    @Test
    void switchRestartsTheIterationCount() {
        MultiLayerNetwork pre = pretrainedMlp();
        assertEquals(5, pre.getIterationCount());
        MultiLayerNetwork tl = switchToAdamW(pre, AdamW.builder().build());
        assertEquals(0, tl.getIterationCount());
        tl.fit(Support.data(1, 16, 4, 3));
        assertEquals(1, tl.getIterationCount());
        assertTrue(Support.finite(tl.getUpdater().getStateViewArray()));

        ComputationGraph g = pretrainedGraph();
        assertEquals(5, g.getConfiguration().getIterationCount());
        ComputationGraph tg = new TransferLearning.GraphBuilder(g.clone())
                .fineTuneConfiguration(fineTune(AdamW.builder().build())).setFeatureExtractor("a").build();
        assertEquals(0, tg.getConfiguration().getIterationCount());
    }

    @Test
    void forgettingTheMarkerFailsLoudly() {
        MultiLayerNetwork tl = new TransferLearning.Builder(pretrainedMlp().clone())
                .fineTuneConfiguration(new FineTuneConfiguration.Builder().updater(AdamW.builder().weightDecay(0.01).build()).build())
                .setFeatureExtractor(0).build();
        INDArray before = tl.params().dup();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tl.fit(Support.data(1, 8, 4, 3)));
        assertTrue(e.getMessage().contains("DecoupledWeightDecay.onWeights()"), e.getMessage());
        Exact.assertSameValues(before, tl.params(), "parameters");
    }

    static ComputationGraph pretrainedGraph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(4).biasInit(0.1).updater(new Adam(0.01))
                .graphBuilder()
                .addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.RELU).build(), "in")
                .addVertex("merge", new MergeVertex(), "a", "b")
                .addLayer("c", new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.TANH).build(), "merge")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(4).nOut(3).build(), "c")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        for (int i = 0; i < 5; i++) g.fit(Support.data(1, 16, 4, 3));
        return g;
    }

    @Test
    void computationGraphFeatureExtractor() {
        ComputationGraph pre = pretrainedGraph();
        AdamW adamw = AdamW.builder().learningRate(LR).weightDecay(LAMBDA).build();
        ComputationGraph switched = new TransferLearning.GraphBuilder(pre.clone())
                .fineTuneConfiguration(fineTune(adamw)).setFeatureExtractor("a").build();
        // DL4J 1.0.0-M2.1: TransferLearning.GraphBuilder (unlike TransferLearning.Builder) drops the graph's data type,
        // so a float64 graph comes back float32. convertDataType restores it (frozen layers stay frozen).
        assertEquals(DataType.DOUBLE, pre.params().dataType());
        assertEquals(DataType.FLOAT, switched.params().dataType(), "DL4J now keeps the data type: update README");
        java.util.function.Function<AdamW, ComputationGraph> build = u -> new TransferLearning.GraphBuilder(pre.clone())
                .fineTuneConfiguration(fineTune(u)).setFeatureExtractor("a").build().convertDataType(DataType.DOUBLE);
        ComputationGraph a = build.apply(adamw), b = build.apply(adamw.withWeightDecay(0));
        // the pretrained values as that float32 round trip left them
        Exact.assertSameValues(pre.params().castTo(DataType.FLOAT).castTo(DataType.DOUBLE), a.params(),
                "pretrained parameters");
        assertInstanceOf(FrozenLayer.class, a.getConfiguration().getVertices().get("a") instanceof
                org.deeplearning4j.nn.conf.graph.LayerVertex lv ? lv.getLayerConf().getLayer() : null);
        Map<String, INDArray> theta0 = Support.params(a);
        DataSet d = Support.data(2, 16, 4, 3);
        a.fit(d);
        b.fit(d);
        Map<String, INDArray> diff = Support.difference(Support.params(a), Support.params(b));
        for (String w : new String[]{"b_W", "c_W", "out_W"})
            Support.assertDecayedOnce(w, diff.get(w), theta0.get(w), LR * LAMBDA);
        for (String k : new String[]{"a_W", "a_b", "b_b", "c_b", "out_b"}) Support.assertNotDecayed(k, diff.get(k));
        for (int i = 0; i < 10; i++) a.fit(Support.data(5 + i, 16, 4, 3));
        Exact.assertSameValues(theta0.get("a_W"), a.getParam("a_W"), "frozen vertex bit-identical");
        Exact.assertSameValues(theta0.get("a_b"), a.getParam("a_b"), "frozen vertex bias");
        assertNotEquals(theta0.get("b_W"), a.getParam("b_W"));
    }
}
