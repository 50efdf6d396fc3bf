package io.github.dl4jadamw;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * For each preset and rule kind, the set of decayed parameters equals a list written here by hand from the recipe's own
 * rule (comments give the rule and the PyTorch counterpart of each DL4J parameter), on the networks of {@link DecayNets};
 * then, per network, one training step shows that exactly that set decays, once (closed form).
 *
 * <p>The recipes: Hugging Face {@code no_decay = ["bias", "LayerNorm.weight"]}; minGPT decays the weights of
 * {@code nn.Linear} and nothing of LayerNorm/Embedding, no bias; nanoGPT decays every tensor with {@code dim() >= 2};
 * timm leaves out {@code ndim <= 1}, names ending in {@code .bias}, and {@code no_weight_decay()}; Keras decays every
 * variable but those whose name contains one of {@code exclude_from_weight_decay(var_names=...)}.
 */
class DecayRulesTest {
    static final double LR = 0.01, LAMBDA = 0.1;

    private static Set<String> set(String... names) {
        return new LinkedHashSet<>(Arrays.asList(names));
    }

    private static void assertDecays(Set<String> expected, DecayTable t) {
        assertEquals(expected, t.decayed(), t.toString());
    }

    // dense: Linear(4, 5, bias=False) + LayerNorm(5) (W; g = LayerNorm.weight; b = LayerNorm.bias); out: Linear(5, 3)
    @Test
    void denseWithLayerNorm() {
        Supplier<MultiLayerNetwork> n = () -> DecayNets.denseLayerNorm(DecayNets.adamw());
        assertDecays(set("0_W", "1_W"), DecayRules.huggingFace().applyTo(n.get()));   // not bias, not LayerNorm.weight
        assertDecays(set("0_W", "1_W"), DecayRules.minGpt().applyTo(n.get()));        // Linear weights only
        assertDecays(set("0_W", "1_W"), DecayRules.nanoGpt().applyTo(n.get()));       // g, b are rank 1
        assertDecays(set("1_W"), DecayRules.timm("dense").applyTo(n.get()));          // no_weight_decay = {dense}
        assertDecays(set("0_W", "0_b", "0_g", "1_W", "1_b"), DecayRules.keras().applyTo(n.get()));   // everything
        assertDecays(set("0_W", "1_W"), DecayRules.keras("_b", "_g").applyTo(n.get()));             // names "dense_b"...
        // the issue's case: keep the layer-norm gain out, its own layer's W in
        assertDecays(set("0_W", "1_W", "1_b", "0_b"), DecayRules.all().exclude(ParamKind.LAYER_NORM_GAIN).applyTo(n.get()));
        assertDecays(set("0_W", "0_b", "1_W", "1_b"), DecayRules.all().excludeKeys("g").applyTo(n.get()));
        assertDecays(set("0_W", "0_g"), DecayRules.all().excludeNames("out").exclude(ParamKind.BIAS).applyTo(n.get()));
        assertDecays(set("0_W", "0_g", "1_W"), DecayRules.kinds(ParamKind.WEIGHT, ParamKind.LAYER_NORM_GAIN)
                .applyTo(n.get()));
    }

    // emb: Embedding(10, 4) (+ a bias DL4J adds); dense: Linear(4, 5); out: Linear(5, 3)
    @Test
    void embedding() {
        Supplier<MultiLayerNetwork> n = () -> DecayNets.embedding(DecayNets.adamw());
        assertDecays(set("0_W", "1_W", "2_W"), DecayRules.huggingFace().applyTo(n.get()));   // embeddings decay there
        assertDecays(set("1_W", "2_W"), DecayRules.minGpt().applyTo(n.get()));               // Embedding blacklisted
        assertDecays(set("0_W", "1_W", "2_W"), DecayRules.nanoGpt().applyTo(n.get()));       // the table is 2-D
        assertDecays(set("1_W", "2_W"), DecayRules.timm("emb").applyTo(n.get()));
        assertDecays(set("1_W", "1_b", "2_W", "2_b"),
                DecayRules.all().excludeLayerTypes(EmbeddingLayer.class).applyTo(n.get()));
        assertDecays(set("1_W", "2_W"), DecayRules.all().exclude(ParamKind.EMBEDDING, ParamKind.BIAS).applyTo(n.get()));
        assertDecays(set("0_W", "1_W"), DecayRules.nanoGpt().excludeNames("2_W").applyTo(n.get()));   // DL4J's name
        assertDecays(set("0_W", "1_W"), DecayRules.nanoGpt().excludeNames("out_W").applyTo(n.get())); // layer_key
        assertDecays(set("0_W", "2_W"), DecayRules.nanoGpt().excludeNames("1").applyTo(n.get()));     // layer index
    }

    // conv: Conv2d(1, 2, 3) (W rank 4, bias); bn: BatchNorm2d(2) (weight, bias; running stats are buffers); out: Linear
    @Test
    void convolutionWithBatchNormalization() {
        Supplier<MultiLayerNetwork> n = () -> DecayNets.convBatchNorm(DecayNets.adamw());
        // Hugging Face decays BatchNorm's weight ("bn.weight" is not "LayerNorm.weight"): DL4J cannot, and says so
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DecayRules.huggingFace().applyTo(n.get()));
        assertTrue(e.getMessage().contains("layer 'bn' (index 1), key gamma")
                && e.getMessage().contains("exclude(ParamKind.BATCH_NORM_GAIN)"), e.getMessage());
        assertDecays(set("0_W", "2_W"),
                DecayRules.huggingFace().exclude(ParamKind.BATCH_NORM_GAIN).applyTo(n.get()));
        assertDecays(set("0_W", "2_W"), DecayRules.minGpt().applyTo(n.get()));   // kernels are the layers' weights
        assertDecays(set("0_W", "2_W"), DecayRules.nanoGpt().applyTo(n.get()));  // BN weight/bias are 1-D
        assertDecays(set("0_W", "2_W"), DecayRules.timm().applyTo(n.get()));
        assertDecays(set("0_W", "0_b", "2_W", "2_b"),
                DecayRules.all().exclude(ParamKind.normalization()).applyTo(n.get()));
        assertThrows(IllegalStateException.class, () -> DecayRules.all().applyTo(n.get()));   // BN β too
    }

    // lstm: LSTM(3, 4) (weight_ih = W, weight_hh = RW, biases = b); out: Linear(4, 2) per step
    @Test
    void lstm() {
        Supplier<MultiLayerNetwork> n = () -> DecayNets.lstm(DecayNets.adamw());
        assertDecays(set("0_W", "0_RW", "1_W"), DecayRules.huggingFace().applyTo(n.get()));
        assertDecays(set("0_W", "0_RW", "1_W"), DecayRules.minGpt().applyTo(n.get()));
        assertDecays(set("0_W", "0_RW", "1_W"), DecayRules.nanoGpt().applyTo(n.get()));
        assertDecays(set("0_W", "0_RW", "1_W"), DecayRules.timm().applyTo(n.get()));
        assertDecays(set("0_W", "0_b", "1_W", "1_b"), DecayRules.all().excludeKeys("RW").applyTo(n.get()));
        assertDecays(set("1_W"), DecayRules.minGpt().excludeLayerTypes(LSTM.class).applyTo(n.get()));
    }

    // tok: Embedding(10, 4); att: multi-head attention, q/k/v/out projection weights, no biases; out: Linear(4, 3)
    @Test
    void selfAttention() {
        Supplier<MultiLayerNetwork> n = () -> DecayNets.selfAttention(DecayNets.adamw());
        Set<String> att = set("1_Wq", "1_Wk", "1_Wv", "1_Wo");
        assertDecays(union(set("0_W"), att, set("3_W")), DecayRules.huggingFace().applyTo(n.get()));
        assertDecays(union(att, set("3_W")), DecayRules.minGpt().applyTo(n.get()));
        assertDecays(union(set("0_W"), att, set("3_W")), DecayRules.nanoGpt().applyTo(n.get()));
        assertDecays(union(att, set("3_W")), DecayRules.timm("tok").applyTo(n.get()));
        assertDecays(set("0_W", "3_W"), DecayRules.nanoGpt().excludeNames("att").applyTo(n.get()));
        assertDecays(union(set("0_W"), att, set("3_W", "3_b")), DecayRules.keras().applyTo(n.get()));
    }

    // a: Linear(4, 3, bias=False) + LayerNorm(3); b: Linear(4, 2); out: Linear(5, 3) - vertices named a, b, out
    @Test
    void computationGraph() {
        Supplier<ComputationGraph> n = () -> DecayNets.graph(DecayNets.adamw());
        assertDecays(set("a_W", "b_W", "out_W"), DecayRules.huggingFace().applyTo(n.get()));
        assertDecays(set("a_W", "b_W", "out_W"), DecayRules.minGpt().applyTo(n.get()));
        assertDecays(set("a_W", "b_W", "out_W"), DecayRules.nanoGpt().applyTo(n.get()));
        assertDecays(set("a_W", "out_W"), DecayRules.timm("b").applyTo(n.get()));   // the vertex b, not the keys b
        assertDecays(set("a_W", "a_b", "b_W", "b_b", "out_W", "out_b"),
                DecayRules.all().excludeNames("a_g").applyTo(n.get()));
        assertDecays(set("a_W", "a_g", "b_W", "out_W"), DecayRules.keras("_b").applyTo(n.get()));
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> s = new LinkedHashSet<>();
        for (Set<String> x : sets) s.addAll(x);
        return s;
    }

    // ---- bad rules ----

    @Test
    void aRuleNamingNothingFailsBeforeAnythingChanges() {
        MultiLayerNetwork net = DecayNets.lstm(DecayNets.adamw());
        String before = net.getLayerWiseConfigurations().toJson();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DecayRules.all().excludeNames("lsmt").applyTo(net));
        assertTrue(e.getMessage().contains("'lsmt'") && e.getMessage().contains("lstm, out"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> DecayRules.all().excludeKeys("R").applyTo(net));
        assertTrue(e.getMessage().contains("'R'") && e.getMessage().contains("RW"), e.getMessage());
        e = assertThrows(IllegalStateException.class,
                () -> DecayRules.all().excludeLayerTypes(EmbeddingLayer.class).applyTo(net));
        assertTrue(e.getMessage().contains("EmbeddingLayer"), e.getMessage());
        assertEquals(before, net.getLayerWiseConfigurations().toJson(), "nothing written");
        assertThrows(IllegalArgumentException.class, () -> DecayRules.all().excludeNames());
        assertThrows(IllegalArgumentException.class, () -> DecayRules.all().excludeNames("a", ""));
        assertThrows(IllegalArgumentException.class, () -> DecayRules.all().excludeRankBelow(0));
    }

    /**
     * A rule leaving an AdamW block with λ &gt; 0 nothing to decay: that block trains without decay, which the table's
     * notes say (and the log); the step shows it.
     */
    @Test
    void aBlockTheRulesLeaveWithoutDecayTrainsWithoutDecayAndSaysSo() {
        DecayTable t = DecayRules.nanoGpt().excludeNames("lstm", "out").applyTo(DecayNets.lstm(DecayNets.adamw()));
        assertEquals(set(), t.decayed());
        assertEquals(1, t.notes().size(), t.toString());
        assertTrue(t.notes().get(0).contains("layer 'lstm' (index 0), key W, key RW, key b")
                && t.notes().get(0).contains("without decay"), t.notes().get(0));
        assertTrue(t.toString().contains("note: "), t.toString());
        Map<String, INDArray[]> d = oneStep(DecayNets::lstm, DecayRules.nanoGpt().excludeNames("lstm", "out"), lstmData());
        for (String k : d.keySet()) assertEquals(0.0, d.get(k)[0].amaxNumber().doubleValue(), 0.0, k);
    }

    // ---- the decision takes effect: one step, closed form ----

    /**
     * θ1(λ) − θ1(0) after one step from the same θ0 and minibatch: −lr·λ·θ0 exactly on the decayed parameters (once),
     * 0 elsewhere (the Adam direction depends on the gradient only, which both runs share).
     */
    private static Map<String, INDArray[]> oneStep(Function<IUpdater, Model> build, DecayRules rules, DataSet data) {
        Model a = build.apply(AdamW.builder().learningRate(LR).weightDecay(LAMBDA).build());
        Model b = build.apply(AdamW.builder().learningRate(LR).weightDecay(0).build());
        apply(rules, a);
        apply(rules, b);
        b.setParams(a.params().dup());
        Map<String, INDArray> theta0 = TestNets.params(a);
        fit(a, data.copy());
        fit(b, data.copy());
        Map<String, INDArray[]> out = new java.util.LinkedHashMap<>();
        Map<String, INDArray> pa = TestNets.params(a), pb = TestNets.params(b);
        for (String k : theta0.keySet()) out.put(k, new INDArray[]{pa.get(k).sub(pb.get(k)), theta0.get(k)});
        return out;
    }

    private static void apply(DecayRules r, Model m) {
        if (m instanceof MultiLayerNetwork) r.applyTo((MultiLayerNetwork) m);
        else r.applyTo((ComputationGraph) m);
    }

    private static void fit(Model m, DataSet d) {
        if (m instanceof MultiLayerNetwork) ((MultiLayerNetwork) m).fit(d);
        else ((ComputationGraph) m).fit(d);
    }

    private static void assertStepDecays(Set<String> expected, Map<String, INDArray[]> d) {
        assertTrue(d.keySet().containsAll(expected), "unknown names in " + expected + ": " + d.keySet());
        for (Map.Entry<String, INDArray[]> e : d.entrySet()) {
            INDArray diff = e.getValue()[0];
            if (expected.contains(e.getKey())) {
                INDArray want = e.getValue()[1].mul(-LR * LAMBDA);
                double err = diff.sub(want).amaxNumber().doubleValue() / want.amaxNumber().doubleValue();
                assertTrue(err < 1e-9, e.getKey() + " should decay once by lr·λ·θ0; relative error " + err);
            } else {
                assertEquals(0.0, diff.amaxNumber().doubleValue(), 0.0, e.getKey() + " must not decay");
            }
        }
    }

    @Test
    void theDecisionIsWhatTrainingDoes() {
        Random r = new Random(11);
        assertStepDecays(set("0_W", "1_W"),
                oneStep(DecayNets::denseLayerNorm, DecayRules.huggingFace(), features(r, 4, 3)));
        assertStepDecays(set("1_W", "2_W"), oneStep(DecayNets::embedding, DecayRules.minGpt(), indices(r, 1, 10, 3)));
        assertStepDecays(set("0_W", "2_W"), oneStep(DecayNets::convBatchNorm, DecayRules.nanoGpt(), images(r)));
        assertStepDecays(set("0_W", "0_RW", "1_W"), oneStep(DecayNets::lstm, DecayRules.timm(), lstmData()));
        assertStepDecays(set("1_Wq", "1_Wk", "1_Wv", "1_Wo", "3_W"),
                oneStep(DecayNets::selfAttention, DecayRules.timm("tok"), indices(r, 5, 10, 3)));
        assertStepDecays(set("a_W", "b_W", "out_W"), oneStep(DecayNets::graph, DecayRules.huggingFace(), features(r, 4, 3)));
        assertStepDecays(set("0_W", "0_g", "1_W", "1_b"),
                oneStep(DecayNets::denseLayerNorm, DecayRules.keras("dense_b"), features(r, 4, 3)));
    }

    static DataSet features(Random r, int nIn, int nOut) {
        INDArray x = Nd4j.create(DataType.DOUBLE, 8, nIn), y = Nd4j.zeros(DataType.DOUBLE, 8, nOut);
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < nIn; j++) x.putScalar(i, j, r.nextGaussian());
            y.putScalar(i, r.nextInt(nOut), 1.0);
        }
        return new DataSet(x, y);
    }

    /** Token indices [8, length] in [0, vocab), one-hot labels. */
    static DataSet indices(Random r, int length, int vocab, int nOut) {
        INDArray x = Nd4j.create(DataType.DOUBLE, 8, length), y = Nd4j.zeros(DataType.DOUBLE, 8, nOut);
        for (int i = 0; i < 8; i++) {
            for (int j = 0; j < length; j++) x.putScalar(i, j, r.nextInt(vocab));
            y.putScalar(i, r.nextInt(nOut), 1.0);
        }
        return new DataSet(x, y);
    }

    static DataSet images(Random r) {
        INDArray x = Nd4j.create(DataType.DOUBLE, 8, 1, 6, 6), y = Nd4j.zeros(DataType.DOUBLE, 8, 3);
        double[] v = new double[(int) x.length()];
        for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian();
        x.assign(Nd4j.create(v, new long[]{8, 1, 6, 6}, 'c'));
        for (int i = 0; i < 8; i++) y.putScalar(i, r.nextInt(3), 1.0);
        return new DataSet(x, y);
    }

    static DataSet lstmData() {
        Random r = new Random(3);
        INDArray x = Nd4j.create(DataType.DOUBLE, 4, 3, 5), y = Nd4j.zeros(DataType.DOUBLE, 4, 2, 5);
        for (int i = 0; i < 4; i++)
            for (int t = 0; t < 5; t++) {
                for (int j = 0; j < 3; j++) x.putScalar(new int[]{i, j, t}, r.nextGaussian());
                y.putScalar(new int[]{i, r.nextInt(2), t}, 1.0);
            }
        return new DataSet(x, y);
    }
}
