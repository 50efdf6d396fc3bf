package io.github.dl4jadamw;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Global-norm clipping against a plain-Java oracle: each step's gradient comes from DL4J's own backpropagation on a
 * copy of the network (divided by the minibatch, as DL4J's updater sees it); the oracle takes its norm over every
 * parameter, scales it by min(1, max_norm/(norm + 1e-6)) as {@code clip_grad_norm_} does, and steps AdamW (with its
 * own m, v) or SGD on it.
 */
class GlobalNormClippingTest {
    static final double LR = 0.01, LAMBDA = 0.1, B1 = 0.9, B2 = 0.999, EPS = 1e-8, SGD_LR = 0.05, MAX_NORM = 0.05;
    static final int N_IN = 4, N_OUT = 3, BATCH = 6;

    /** What the oracle needs of each layer. */
    private static final class LayerSpec {
        final String name;
        final double lrScale;   // AdamW at LR·lrScale; 0 = DL4J's Sgd(SGD_LR)
        final int nIn, nOut;

        LayerSpec(String name, double lrScale, int nIn, int nOut) {
            this.name = name;
            this.lrScale = lrScale;
            this.nIn = nIn;
            this.nOut = nOut;
        }

        boolean sgd() { return lrScale == 0; }
    }

    /**
     * A graph of four updater blocks: AdamW at α, AdamW at α/2 (a parameter group), DL4J's Sgd (another updater, with
     * the marker's exclusion as the README's idiom asks), and the AdamW output layer. The Sgd layer sits first (its
     * step would come before any AdamW block's) or in the middle.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void normSpansEveryBlockAndClipsThemAll(boolean otherUpdaterFirst) {
        List<LayerSpec> specs = otherUpdaterFirst
                ? List.of(new LayerSpec("a", 0, N_IN, 6), new LayerSpec("b", 1, 6, 5), new LayerSpec("c", 0.5, 5, 5))
                : List.of(new LayerSpec("a", 1, N_IN, 6), new LayerSpec("b", 0.5, 6, 5), new LayerSpec("c", 0, 5, 5));
        AdamW adamw = AdamW.builder().learningRate(LR).betas(B1, B2).epsilon(EPS).weightDecay(LAMBDA)
                .clipGlobalNorm(MAX_NORM).build();
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .seed(7).updater(adamw).regularization(DecoupledWeightDecay.onWeights()).graphBuilder().addInputs("in");
        String prev = "in";
        for (LayerSpec s : specs) {
            DenseLayer.Builder d = new DenseLayer.Builder().nIn(s.nIn).nOut(s.nOut).activation(Activation.TANH);
            if (s.sgd()) d.updater(new Sgd(SGD_LR)).regularization(DecoupledWeightDecay.excluded());
            else if (s.lrScale != 1) d.updater(adamw.withLearningRateScale(s.lrScale));
            g.addLayer(s.name, d.build(), prev);
            prev = s.name;
        }
        g.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nIn(5).nOut(N_OUT).build(), prev).setOutputs("out");
        ComputationGraph net = new ComputationGraph(g.build());
        net.init();
        List<AdamWListener.Record> reports = new ArrayList<>();
        net.setListeners(AdamWListener.builder().reportEvery(1).sink(r -> reports.add(r.get(0))).build());
        assertEquals(4, ((org.deeplearning4j.nn.updater.BaseMultiLayerUpdater<?>) net.getUpdater()).getUpdaterBlocks()
                .size(), "four updater blocks");

        Map<String, Double> lrScale = new HashMap<>();
        for (LayerSpec s : specs) lrScale.put(s.name, s.lrScale);
        lrScale.put("out", 1.0);
        Oracle oracle = new Oracle(net.paramTable());
        int clippedSteps = 0;
        for (int step = 0; step < 4; step++) {
            DataSet d = TestNets.data(100 + step, BATCH);
            Map<String, INDArray> grads = dl4jGradient(net.clone(), d);
            double norm = oracle.norm(grads);
            oracle.step(grads, norm, step + 1, lrScale);
            net.fit(d);
            AdamWListener.Record r = reports.get(reports.size() - 1);
            assertEquals(norm, r.gradientNorm, 1e-12 * norm, "reported norm at step " + step);
            assertEquals(norm > MAX_NORM, r.clipped, "reported clip at step " + step);
            if (r.clipped) clippedSteps++;
            for (Map.Entry<String, INDArray> p : net.paramTable().entrySet())
                assertClose(oracle.params.get(p.getKey()), p.getValue(), "step " + step + ", " + p.getKey());
        }
        assertTrue(clippedSteps > 0, "the test should clip");
    }

    /** The oracle: its own parameters and Adam state, keyed like DL4J's parameter table ("a_W"). */
    private static final class Oracle {
        final Map<String, double[]> params = new LinkedHashMap<>(), m = new HashMap<>(), v = new HashMap<>();

        Oracle(Map<String, INDArray> start) {
            start.forEach((k, a) -> params.put(k, a.dup('c').data().asDouble()));
        }

        double norm(Map<String, INDArray> grads) {
            double sq = 0;
            for (INDArray g : grads.values())
                for (double x : g.dup('c').data().asDouble()) sq += x * x;
            return Math.sqrt(sq);
        }

        void step(Map<String, INDArray> grads, double norm, int t, Map<String, Double> lrScale) {
            double c = Math.min(1.0, MAX_NORM / (norm + 1e-6));
            for (Map.Entry<String, double[]> e : params.entrySet()) {
                String key = e.getKey(), layer = key.substring(0, key.lastIndexOf('_'));
                double[] p = e.getValue(), g = grads.get(key).dup('c').data().asDouble();
                double scale = lrScale.get(layer);
                if (scale == 0) {   // DL4J's Sgd
                    for (int i = 0; i < p.length; i++) p[i] -= SGD_LR * (g[i] * c);
                    continue;
                }
                double lr = LR * scale, d = key.endsWith("_W") ? lr * LAMBDA : 0;
                double[] mm = m.computeIfAbsent(key, k -> new double[p.length]), vv = v.computeIfAbsent(key, k -> new double[p.length]);
                for (int i = 0; i < p.length; i++) {
                    double gi = g[i] * c;
                    mm[i] = B1 * mm[i] + (1 - B1) * gi;
                    vv[i] = B2 * vv[i] + (1 - B2) * gi * gi;
                    double mHat = mm[i] / (1 - Math.pow(B1, t)), vHat = vv[i] / (1 - Math.pow(B2, t));
                    p[i] = p[i] - d * p[i] - lr * mHat / (Math.sqrt(vHat) + EPS);
                }
            }
        }
    }

    /** DL4J's gradient of the minibatch's mean loss, per parameter key, from a copy of the network. */
    static Map<String, INDArray> dl4jGradient(Model copy, DataSet d) {
        if (copy instanceof ComputationGraph) {
            ((ComputationGraph) copy).setInputs(d.getFeatures());
            ((ComputationGraph) copy).setLabels(d.getLabels());
        } else {
            ((MultiLayerNetwork) copy).setInput(d.getFeatures());
            ((MultiLayerNetwork) copy).setLabels(d.getLabels());
        }
        copy.computeGradientAndScore(null);
        Gradient g = copy.gradient();
        Map<String, INDArray> out = new LinkedHashMap<>();
        g.gradientForVariable().forEach((k, a) -> out.put(k, a.dup().divi(d.numExamples())));
        return out;
    }

    private static void assertClose(double[] expected, INDArray actual, String what) {
        double[] a = actual.dup('c').data().asDouble();
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num = Math.max(num, Math.abs(expected[i] - a[i]));
            den = Math.max(den, Math.abs(expected[i]));
        }
        assertTrue(num <= 1e-12 * den, what + ": relative error " + num / den);
    }

    /**
     * BatchNormalization keeps its running mean and variance in the gradient buffer ("gradient" = their change, with
     * DL4J's NoOp updater): they are not gradients, stay out of the norm and are not scaled, while BN's gamma and beta
     * (stepped by AdamW) count.
     */
    @Test
    void batchNormRunningStatisticsStayOutOfTheNorm() {
        AdamW adamw = AdamW.builder().learningRate(LR).weightDecay(LAMBDA).clipGlobalNorm(1e-3).build();
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(adamw, true), true);
        MultiLayerNetwork plain = TestNets.mlp(TestNets.builder(AdamW.builder().learningRate(LR).weightDecay(LAMBDA)
                .build(), true), true);
        plain.setParams(net.params().dup());
        List<AdamWListener.Record> reports = new ArrayList<>();
        net.setListeners(AdamWListener.builder().reportEvery(1).sink(r -> reports.add(r.get(0))).build());
        DataSet d = TestNets.data(5, 8);
        Map<String, INDArray> grads = dl4jGradient(net.clone(), d);
        double sq = 0;
        int counted = 0;
        for (Map.Entry<String, INDArray> e : grads.entrySet()) {
            if (e.getKey().endsWith("_mean") || e.getKey().endsWith("_var") || e.getKey().endsWith("_log10stdev"))
                continue;   // BN's running statistics (DL4J keeps the variance as log10 of the std by default)
            counted++;
            for (double x : e.getValue().dup('c').data().asDouble()) sq += x * x;
        }
        assertEquals(6, counted, "W, b, gamma, beta, W, b");
        net.fit(d.copy());
        plain.fit(d.copy());
        assertEquals(Math.sqrt(sq), reports.get(0).gradientNorm, 1e-12 * Math.sqrt(sq));
        assertTrue(reports.get(0).clipped);
        List<String> stats = new ArrayList<>();
        for (String k : net.paramTable().keySet()) if (k.startsWith("1_") && !k.endsWith("gamma") && !k.endsWith("beta")) stats.add(k);
        assertEquals(2, stats.size(), stats.toString());
        for (String k : stats)   // updated as without clipping, bit for bit
            assertArrayEquals(plain.getParam(k).ravel().toDoubleVector(), net.getParam(k).ravel().toDoubleVector(), 0.0, k);
        assertFalse(java.util.Arrays.equals(plain.getParam("0_W").ravel().toDoubleVector(), net.getParam("0_W").ravel().toDoubleVector()),
                "clipping changes the weights' step");
    }

    /** DecayRules write their decisions in place of the marker; the step's first touch is theirs then. */
    @Test
    void clipsTheSameUnderDecayRules() {
        AdamW adamw = AdamW.builder().learningRate(LR).weightDecay(LAMBDA).clipGlobalNorm(0.05).build();
        MultiLayerNetwork marker = TestNets.mlp(TestNets.builder(adamw, true), false);
        MultiLayerNetwork rules = TestNets.mlp(TestNets.builder(adamw, false), false);
        rules.setParams(marker.params().dup());
        DecayRules.huggingFace().applyTo(rules);   // weights decay, biases not: what onWeights() says
        List<AdamWListener.Record> a = new ArrayList<>(), b = new ArrayList<>();
        marker.setListeners(AdamWListener.builder().reportEvery(1).sink(r -> a.add(r.get(0))).build());
        rules.setListeners(AdamWListener.builder().reportEvery(1).sink(r -> b.add(r.get(0))).build());
        for (int i = 0; i < 3; i++) {
            marker.fit(TestNets.data(i, 6));
            rules.fit(TestNets.data(i, 6));
            assertTrue(a.get(i).clipped, "step " + i + " clips");
            assertEquals(a.get(i).gradientNorm, b.get(i).gradientNorm, 0.0);
        }
        assertArrayEquals(marker.params().toDoubleVector(), rules.params().toDoubleVector(), 0.0);
    }

    @Test
    void withoutTheListenerClippingRefusesToStep() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().clipGlobalNorm(1).build(), true), false);
        INDArray before = net.params().dup();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(TestNets.data(1, 4)));
        assertTrue(e.getMessage().contains("clipGlobalNorm = 1.0") && e.getMessage().contains("AdamWListener"),
                e.getMessage());
        assertArrayEquals(before.toDoubleVector(), net.params().toDoubleVector(), 0.0);
    }

    /** Another updater before the first layer the library reaches, without the marker: its step would come first. */
    @Test
    void anotherUpdaterAheadOfTheFirstTouchIsRefused() {
        AdamW adamw = AdamW.builder().clipGlobalNorm(1).build();
        NeuralNetConfiguration.ListBuilder l = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE)
                .updater(adamw).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(5).updater(new Sgd(0.1)).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(TestNets.N_OUT).regularization(DecoupledWeightDecay.onWeights()).build());
        MultiLayerNetwork net = new MultiLayerNetwork(l.build());
        net.init();
        net.setListeners(AdamWListener.builder().reportEvery(0).build());
        INDArray before = net.params().dup();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(TestNets.data(1, 4)));
        assertTrue(e.getMessage().contains("layer 'layer0'") && e.getMessage().contains("Sgd")
                && e.getMessage().contains("DecoupledWeightDecay.excluded()"), e.getMessage());
        assertArrayEquals(before.toDoubleVector(), net.params().toDoubleVector(), 0.0);
    }

    @Test
    void clipSettingsMustAgreeAcrossLayers() {
        AdamW adamw = AdamW.builder().clipGlobalNorm(1).build();
        NeuralNetConfiguration.ListBuilder l = TestNets.builder(adamw, true).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(5).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(TestNets.N_OUT).updater(AdamW.builder().clipGlobalNorm(2).build()).build());
        MultiLayerNetwork net = new MultiLayerNetwork(l.build());
        net.init();
        net.setListeners(AdamWListener.builder().reportEvery(0).build());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> net.fit(TestNets.data(1, 4)));
        assertTrue(e.getMessage().contains("clipGlobalNorm differs") && e.getMessage().contains("(1.0)")
                && e.getMessage().contains("(2.0)"), e.getMessage());
    }

    /** A NaN gradient under FAIL: the exception names the first bad value; no parameter or state moved. */
    @Test
    void nonFiniteGradientFailsBeforeAnythingMoves() {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().clipGlobalNorm(0.1).build(), true), false);
        net.setListeners(AdamWListener.builder().reportEvery(0).build());
        net.fit(TestNets.data(1, 4));
        INDArray params = net.params().dup(), state = net.getUpdater().getStateViewArray().dup();
        DataSet bad = TestNets.data(2, 4);
        bad.getFeatures().putScalar(0, 1, Double.NaN);
        assertThrows(NonFiniteGradientException.class, () -> net.fit(bad));
        assertArrayEquals(params.toDoubleVector(), net.params().toDoubleVector(), 0.0);
        assertArrayEquals(state.toDoubleVector(), net.getUpdater().getStateViewArray().toDoubleVector(), 0.0);
        net.fit(TestNets.data(3, 4));   // and the next good step runs
    }
}
