package io.github.dl4jadamw;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ways to get weight decay twice, or not at all, without a word (issue 16), each caught before any parameter
 * changes, with the layer, the parameter key and the fix in the message. {@link DecayPolicyTest} covers the marker
 * alone (exactly once, exclusion, the missing marker).
 */
class DecayTrapsTest {
    static final double LR = 0.01, LAMBDA = 0.3, L2 = 0.05;

    private static void addDl4jDecay(NeuralNetConfiguration.Builder b, String which) {
        switch (which) {
            case "weightDecay": b.weightDecay(0.01); break;
            case "l2": b.l2(1e-4); break;
            case "l1": b.l1(1e-4); break;
            default: throw new IllegalArgumentException(which);
        }
    }

    private static void addDl4jDecay(BaseLayer.Builder<?> b, String which) {
        switch (which) {
            case "weightDecay": b.weightDecay(0.01); break;
            case "l2": b.l2(1e-4); break;
            case "l1": b.l1(1e-4); break;
            default: throw new IllegalArgumentException(which);
        }
    }

    private static String dl4jClass(String which) {
        return which.equals("weightDecay") ? "WeightDecay" : which.equals("l2") ? "L2Regularization" : "L1Regularization";
    }

    /**
     * {@code .regularization(DecoupledWeightDecay.onWeights()).weightDecay(0.01)} used to train with DL4J's WeightDecay
     * stacked on AdamW's decay (the layer list became [marker, WeightDecay, marker, WeightDecay]). DL4J appends to the
     * marker's own list, so the append itself fails, at the line that wrote it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"weightDecay", "l2", "l1"})
    void dl4jDecayAfterTheMarkerInTheGlobalBuilderFailsWhereItIsWritten(String which) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().updater(AdamW.builder().build())
                .regularization(DecoupledWeightDecay.onWeights());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> addDl4jDecay(b, which));
        assertTrue(e.getMessage().contains(dl4jClass(which)), e.getMessage());
        assertTrue(e.getMessage().contains("DecoupledWeightDecay.togetherWith"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"weightDecay", "l2", "l1"})
    void dl4jDecayAfterTheMarkerInALayerBuilderFailsWhereItIsWritten(String which) {
        BaseLayer.Builder<?> b = new DenseLayer.Builder().nIn(4).nOut(5).name("hidden")
                .regularization(DecoupledWeightDecay.onWeights());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> addDl4jDecay(b, which));
        assertTrue(e.getMessage().contains(dl4jClass(which)), e.getMessage());
    }

    @Test
    void dl4jBiasDecayAfterTheBiasMarkerFails() {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().updater(AdamW.builder().build())
                .regularizationBias(DecoupledWeightDecay.onBiases());
        assertThrows(IllegalArgumentException.class, () -> b.l2Bias(1e-4));
        assertThrows(IllegalArgumentException.class, () -> b.weightDecayBias(1e-4));
    }

    /** An excluded layer may use DL4J's own decay instead: one decay, not two. */
    @Test
    void dl4jDecayBesideAnExclusionIsAllowed() {
        BaseLayer.Builder<?> b = new DenseLayer.Builder().nIn(4).nOut(5).regularization(DecoupledWeightDecay.excluded());
        assertDoesNotThrow(() -> b.l2(1e-4));
    }

    /** Global DL4J decay, the marker on one layer: DL4J merges the lists; the check names that layer and key. */
    @Test
    void globalDl4jDecayWithALayerMarkerIsReportedByLayerAndKey() {
        MultiLayerNetwork net = globalWeightDecayWithLayerMarker();
        INDArray before = net.params().dup();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DecayTable.of(net));
        String m = e.getMessage();
        assertTrue(m.contains("'hidden'") && m.contains("W") && m.contains("WeightDecay"), m);
        assertTrue(m.contains("DecoupledWeightDecay.togetherWith"), m);
        Exact.assertSameValues(before, net.params(), "the check changes no parameter");
    }

    /** Global DL4J {@code .weightDecay(0.01)}, the marker on layer 'hidden' only. */
    private static MultiLayerNetwork globalWeightDecayWithLayerMarker() {
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.builder(AdamW.builder().build(), false).weightDecay(0.01)
                .list()
                .layer(new DenseLayer.Builder().name("hidden").nIn(TestNets.N_IN).nOut(TestNets.HIDDEN)
                        .regularization(DecoupledWeightDecay.onWeights()).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build())
                .build());
        net.init();
        return net;
    }

    /**
     * The same merge with nothing called but {@code fit}: AdamWListener has the network in hand before the first
     * update and runs the check there, so the first fit fails naming the layer and key, with nothing changed (neither
     * parameters nor the updater state, nor the iteration count).
     */
    @Test
    void mergedDl4jDecayFailsAtTheFirstFitWhereTheListenerSeesTheNetwork() {
        MultiLayerNetwork net = globalWeightDecayWithLayerMarker();
        net.setListeners(AdamWListener.builder().reportEvery(0).build());
        INDArray before = net.params().dup();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(TestNets.data(3, 16)));
        String m = e.getMessage();
        assertTrue(m.contains("'hidden'") && m.contains("W") && m.contains("WeightDecay"), m);
        assertTrue(m.contains("DecoupledWeightDecay.togetherWith"), m);
        Exact.assertSameValues(before, net.params(), "the refused step changed no parameter");
        assertEquals(0, net.getIterationCount(), "no step was counted");
    }

    /** The reverse merge (global marker, a vertex's own L2) in a ComputationGraph, caught the same way. */
    @Test
    void globalMarkerWithAVertexL2FailsAtTheFirstFitOfAGraph() {
        org.deeplearning4j.nn.graph.ComputationGraph g = new org.deeplearning4j.nn.graph.ComputationGraph(
                TestNets.builder(AdamW.builder().build(), true).graphBuilder().addInputs("in")
                        .addLayer("dense", new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).build(), "in")
                        .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                                .activation(Activation.SOFTMAX).l2(1e-3).nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT)
                                .build(), "dense")
                        .setOutputs("out").build());
        g.init();
        g.setListeners(AdamWListener.builder().reportEvery(0).build());
        INDArray before = g.params().dup();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.fit(TestNets.data(3, 16)));
        String m = e.getMessage();
        assertTrue(m.contains("'out'") && m.contains("key W") && m.contains("L2Regularization"), m);
        assertFalse(m.contains("'dense'"), "the dense vertex is fine: " + m);
        Exact.assertSameValues(before, g.params(), "the refused step changed no parameter");
    }

    /** Both on purpose, stated with togetherWith: the listener's check lets it train. */
    @Test
    void theListenersCheckAcceptsTheOptIn() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().weightDecay(LAMBDA).build(), false)
                .regularization(DecoupledWeightDecay.togetherWith(new L2Regularization(L2))), false);
        net.setListeners(AdamWListener.builder().reportEvery(0).build());
        assertDoesNotThrow(() -> net.fit(TestNets.data(3, 16)));
        assertEquals(1, net.getIterationCount());
    }

    /**
     * Without the listener and without the check, no code of ours sees the layers' lists before the update (DL4J hands
     * an updater neither): the first decay mark of a network never checked says so once per JVM, with the fix. A
     * network checked by {@code DecayTable.of} trains without the warning, and so does its clone only once checked
     * itself: networks are told apart by identity (a clone's buffers hold the same values).
     */
    @Test
    void aNetworkNeverCheckedIsWarnedAboutOnceAtItsFirstMark() {
        MultiLayerNetwork checked = TestNets.mlp(TestNets.builder(AdamW.builder().weightDecay(LAMBDA).build(), true), false);
        MultiLayerNetwork clone = checked.clone();
        DecayTable.of(checked);
        assertTrue(CheckedNetworks.contains(checked.params()));
        assertFalse(CheckedNetworks.contains(clone.params()), "a clone (equal values, other memory) was not checked");

        CheckedNetworks.resetWarning();
        checked.fit(TestNets.data(3, 16));
        assertFalse(CheckedNetworks.warned(), "a checked network trains without the warning");
        clone.fit(TestNets.data(3, 16));
        assertTrue(CheckedNetworks.warned(), "the unchecked clone's first mark warns");
    }

    /**
     * The marker on one layer, the output layer's weights unmarked under the same AdamW (λ > 0): they train without
     * decay, which the table says in a note naming layer and key; an explicit excluded() says it is meant and silences
     * it. The README idiom (the marker for every layer, biases unmarked by design) gives no note.
     */
    @Test
    void weightsLeftUnmarkedBesideMarkedLayersAreNamedInANote() {
        java.util.function.Function<Boolean, MultiLayerNetwork> build = excludeOut -> {
            OutputLayer.Builder out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .activation(Activation.SOFTMAX).name("out").nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT);
            if (excludeOut) out.regularization(DecoupledWeightDecay.excluded());
            MultiLayerNetwork net = new MultiLayerNetwork(TestNets.builder(AdamW.builder().weightDecay(0.05).build(),
                    false).list()
                    .layer(new DenseLayer.Builder().name("hidden").nIn(TestNets.N_IN).nOut(TestNets.HIDDEN)
                            .regularization(DecoupledWeightDecay.onWeights()).build())
                    .layer(out.build())
                    .build());
            net.init();
            return net;
        };
        DecayTable t = DecayTable.of(build.apply(false));
        assertEquals(List.of("0_W"), List.copyOf(t.decayed()));
        assertEquals(1, t.notes().size(), t.notes().toString());
        String note = t.notes().get(0);
        assertTrue(note.contains("layer 'out' (index 1), key W") && note.contains("without decay")
                && note.contains("DecoupledWeightDecay.excluded()"), note);
        assertFalse(note.contains("key b"), "biases are unmarked by design: " + note);

        assertEquals(List.of(), DecayTable.of(build.apply(true)).notes(), "excluded() says it is meant");
        assertEquals(List.of(), DecayTable.of(TestNets.mlp(TestNets.builder(AdamW.builder().weightDecay(0.05).build(),
                true), true)).notes(), "the README idiom: no note");
    }

    /** The marker for every layer, DL4J's L2 on one (unnamed) layer: named by DL4J's default name and index. */
    @Test
    void globalMarkerWithALayerL2IsReportedByLayerAndKey() {
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.builder(AdamW.builder().build(), true).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .l2(1e-3).nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build())
                .build());
        net.init();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DecayTable.of(net));
        String m = e.getMessage();
        assertTrue(m.contains("'layer1'") && m.contains("index 1") && m.contains("key W")
                && m.contains("L2Regularization"), m);
        assertFalse(m.contains("'layer0'"), "layer 0 is fine: " + m);
    }

    /**
     * Both on purpose: the marker and DL4J's L2 together, stated in one place. Closed form over one step: against the
     * Adam+L2 baseline (AdamW λ = 0 with the same L2, so the same Adam direction), θ differs by −lr·λ·θ0 exactly: L2
     * once (inside the Adam direction both runs share) and decoupled decay once.
     */
    @Test
    void bothOnPurposeIsAnExplicitOptIn() {
        List<Regularization> both = DecoupledWeightDecay.togetherWith(new L2Regularization(L2));
        MultiLayerNetwork a = TestNets.mlp(TestNets.builder(AdamW.builder().learningRate(LR).weightDecay(LAMBDA).build(),
                false).regularization(both), false);
        MultiLayerNetwork b = TestNets.mlp(TestNets.builder(AdamW.builder().learningRate(LR).weightDecay(0).build(),
                false).l2(L2), false);
        b.setParams(a.params().dup());
        assertDoesNotThrow(() -> DecayTable.of(a));
        INDArray w0 = a.getParam("0_W").dup();
        DataSet d = TestNets.data(3, 16);
        a.fit(d);
        b.fit(d);
        INDArray diff = a.getParam("0_W").sub(b.getParam("0_W"));
        INDArray expected = w0.mul(-LR * LAMBDA);
        double err = diff.sub(expected).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        assertTrue(err < 1e-9, "decoupled decay once on top of L2; relative error " + err);
        Exact.assertSameValues(b.getParam("0_b"), a.getParam("0_b"), "biases: neither decay");
    }

    /**
     * The dropped list: DL4J's {@code regularization(list)} replaces whatever {@code weightDecay}/{@code l2} put there
     * before, and leaves no trace to detect. This pins DL4J's behaviour that docs/decay-rules.md describes (AdamW's
     * decay alone, once); if DL4J ever keeps both, the check above takes over.
     */
    @Test
    void dl4jDecayWrittenBeforeTheMarkerIsDroppedByDl4j() {
        MultiLayerNetwork net = TestNets.mlp(new NeuralNetConfiguration.Builder().updater(AdamW.builder().build())
                .weightDecay(0.01).l2(1e-4).regularization(DecoupledWeightDecay.onWeights()), false);
        List<Regularization> l = ((BaseLayer) net.getLayerWiseConfigurations().getConf(0).getLayer()).getRegularization();
        assertTrue(l.stream().allMatch(r -> r instanceof DecoupledWeightDecay), "DL4J replaced the list: " + l);
        assertTrue(l.stream().noneMatch(r -> r instanceof WeightDecay || r instanceof L2Regularization), l.toString());
        assertDoesNotThrow(() -> DecayTable.of(net));
    }

    /** A DL4J updater under the marker: named before training, not at the second step as an offset. */
    @Test
    void markerOnADl4jUpdaterIsReportedByLayerAndKey() {
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.builder(AdamW.builder().build(), true).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .name("out").updater(new Adam(0.01)).nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build())
                .build());
        net.init();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DecayTable.of(net));
        String m = e.getMessage();
        assertTrue(m.contains("'out'") && m.contains("key W") && m.contains("Adam"), m);
        assertTrue(m.contains("DecoupledWeightDecay.excluded()"), m);
    }

    /** AdamW with λ > 0 and no marker: named before training (the first fit also fails, before any change). */
    @Test
    void decayWithoutTheMarkerIsReportedByLayerAndKey() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().weightDecay(0.01).build(), false), false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DecayTable.of(net));
        String m = e.getMessage();
        assertTrue(m.contains("'layer0'") && m.contains("key W") && m.contains("'layer1'"), m);
        assertTrue(m.contains("DecoupledWeightDecay.onWeights()"), m);
    }

    /**
     * {@code matricesOnly()} is for SameDiff. In a DL4J network the regularization hook gets flat views (rank 1), so it
     * decays nothing, silently (shown by one step: W moves exactly as without decay); the check refuses it.
     */
    @Test
    void matricesOnlyInADl4jNetworkIsRefused() {
        java.util.function.DoubleFunction<MultiLayerNetwork> build = lambda -> TestNets.mlp(TestNets.builder(
                AdamW.builder().learningRate(LR).weightDecay(lambda).build(), false)
                .regularization(new java.util.ArrayList<>(List.of(DecoupledWeightDecay.matricesOnly()))), false);
        MultiLayerNetwork a = build.apply(LAMBDA), b = build.apply(0);
        b.setParams(a.params().dup());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DecayTable.of(a));
        assertTrue(e.getMessage().contains("key W") && e.getMessage().contains("DecayRules.nanoGpt()"), e.getMessage());
        DataSet d = TestNets.data(3, 16);
        a.fit(d);
        b.fit(d);
        Exact.assertSameValues(b.getParam("0_W"), a.getParam("0_W"), "no decay reached W");
    }

    /** The runtime checks (for users who never call the check) point to the call that names the parameters. */
    @Test
    void runtimeErrorsPointToTheTable() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().weightDecay(0.01).build(), false), false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(TestNets.data(1, 8)));
        assertTrue(e.getMessage().contains("DecayTable.of("), e.getMessage());
        assertFalse(e.getMessage().contains("this updater block ("), e.getMessage());
    }
}
