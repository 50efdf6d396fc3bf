package io.github.dl4jadamw;

import io.github.dl4jadamw.schedule.CosineWarmup;
import io.github.dl4jadamw.schedule.LinearWarmupDecay;
import io.github.dl4jadamw.schedule.WarmupStableDecay;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.github.dl4jadamw.TrajectoryCase.doubles;
import static io.github.dl4jadamw.TrajectoryConformanceTest.relErr;

/**
 * Replays a recipe case (format adamw-network-trajectory/2, reference-trajectories/README.md "Recipe network cases")
 * through a real float64 MultiLayerNetwork configured as docs/porting-pytorch.md tells users: one AdamW with the
 * recipe's options (schedule, clipGlobalNorm, accumulationSteps, ema), per-layer learning-rate scale by
 * {@link AdamW#withLearningRateScale}, decay chosen per array by the {@link DecoupledWeightDecay} markers, and
 * {@link AdamWListener} on the network. Every micro-batch is one {@code fit}.
 *
 * <p>Returns the worst relative error over: the parameters and the EMA after every micro-batch, the learning rate of
 * every optimizer step, the loss of every micro-batch, and the gradient norm the listener reports per step. A
 * clipped-flag that differs from the reference's makes the error infinite. Nothing expected is computed here.
 */
final class RecipeReplay {
    private static final String[] ARRAYS = {"W0", "b0", "W1", "b1"};

    private RecipeReplay() {}

    static double replay(TrajectoryCase c) {
        JsonNode j = c.json;
        if (!j.path("semantics").asText("lr_coupled").equals("lr_coupled"))
            throw new TrajectoryCase.UnsupportedCaseException("recipe semantics " + j.path("semantics").asText());
        if (!j.path("dtype").asText("float64").equals("float64"))
            throw new TrajectoryCase.UnsupportedCaseException("recipe dtype " + j.path("dtype").asText());
        JsonNode layers = j.path("network").path("layers");
        if (layers.size() != 2 || !layers.get(0).path("type").asText().equals("dense")
                || !layers.get(1).path("type").asText().equals("output"))
            throw new TrajectoryCase.UnsupportedCaseException("network " + layers + ": the README describes dense+output");
        int nIn = layers.get(0).get("nIn").asInt(), hidden = layers.get(0).get("nOut").asInt();
        int nOut = layers.get(1).get("nOut").asInt();
        int k = j.path("accumulate").asInt(1);

        AdamW base = updater(c, k);
        Set<String> decayed = new HashSet<>();
        for (JsonNode n : j.path("decay_applies_to")) decayed.add(n.asText());
        JsonNode scales = j.path("lr_scale");
        double[] scale = {scales.path(0).asDouble(1), scales.path(1).asDouble(1)};

        DenseLayer.Builder l0 = new DenseLayer.Builder().nIn(nIn).nOut(hidden)
                .activation(Activation.valueOf(layers.get(0).path("activation").asText("tanh").toUpperCase()));
        OutputLayer.Builder l1 = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nIn(hidden).nOut(nOut);
        groups(l0, 0, base, scale[0], decayed);
        groups(l1, 1, base, scale[1], decayed);
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(1)
                .updater(base).list().layer(l0.build()).layer(l1.build()).build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        JsonNode init = j.get("init");
        int[] widths = {nIn, hidden, nOut};
        for (int l = 0; l < 2; l++) {
            net.getLayer(l).setParam("W", Nd4j.create(doubles(init.get("W" + l)), new long[]{widths[l], widths[l + 1]}, 'c'));
            net.getLayer(l).setParam("b", Nd4j.create(doubles(init.get("b" + l)), new long[]{1, widths[l + 1]}, 'c'));
        }
        List<AdamWListener.Record> reports = new ArrayList<>();
        net.setListeners(AdamWListener.builder().reportEvery(1).sink(rs -> reports.add(rs.get(0))).build());

        JsonNode feats = j.get("features"), labels = j.get("labels"), params = j.get("params");
        JsonNode lrs = j.get("lr_per_step"), losses = j.get("loss_per_step"), norms = j.get("grad_norm_per_step");
        JsonNode clipped = j.get("clipped_per_step"), ema = j.get("ema_params");
        double err = 0;
        for (int i = 0; i < feats.size(); i++) {
            int batch = labels.get(i).size();
            INDArray x = Nd4j.create(doubles(feats.get(i)), new long[]{batch, nIn}, 'c');
            INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, nOut);
            for (int r = 0; r < batch; r++) y.putScalar(r, labels.get(i).get(r).asInt(), 1.0);
            int step = i / k;
            double lr = base.getLearningRate(net.getIterationCount(), net.getEpochCount());
            err = Math.max(err, rel(lrs.get(step).asDouble(), lr));
            int reportsBefore = reports.size();
            net.fit(new DataSet(x, y));
            err = Math.max(err, rel(losses.get(i).asDouble(), net.score()));
            err = Math.max(err, arrays(params.get(i), net));
            if (ema != null) {
                JsonNode expected = ema.get(i);
                err = Math.max(err, EmaWeights.with(net, () -> arrays(expected, net)));
            }
            boolean steps = i % k == k - 1;   // the listener reports at the fits that apply a step, and only there
            if (reports.size() != reportsBefore + (steps ? 1 : 0)) return Double.POSITIVE_INFINITY;
            if (steps) {
                AdamWListener.Record rec = reports.get(reports.size() - 1);
                if (rec.iteration != i || rec.step != step || !rec.stepped) return Double.POSITIVE_INFINITY;
                if (norms != null) err = Math.max(err, rel(norms.get(step).asDouble(), rec.gradientNorm));
                if (clipped != null && clipped.get(step).asBoolean() != rec.clipped) {
                    System.out.println("  " + c.name() + ": step " + step + " clipped = " + rec.clipped
                            + ", the reference says " + clipped.get(step).asBoolean());
                    return Double.POSITIVE_INFINITY;
                }
            }
        }
        return err;
    }

    /** The recipe's optimizer, as docs/porting-pytorch.md writes it. */
    private static AdamW updater(TrajectoryCase c, int k) {
        JsonNode h = c.hyper();
        AdamW.Builder b = AdamW.builder().learningRate(h.get("lr").asDouble())
                .betas(h.path("beta1").asDouble(AdamW.DEFAULT_BETA1), h.path("beta2").asDouble(AdamW.DEFAULT_BETA2))
                .epsilon(h.path("eps").asDouble(AdamW.DEFAULT_EPSILON))
                .weightDecay(h.path("weight_decay").asDouble(0))
                .amsgrad(h.path("amsgrad").asBoolean(false));
        ISchedule s = schedule(c.schedule());
        if (s != null) b.schedule(s);
        if (c.json.has("clip_global_norm")) b.clipGlobalNorm(c.json.get("clip_global_norm").asDouble());
        if (k != 1) b.accumulationSteps(k);
        if (c.json.has("ema")) b.ema(c.json.get("ema").get("decay").asDouble());
        return b.build();
    }

    /** transformers' schedules by the README's schedule types, indexed by optimizer step. */
    static ISchedule schedule(JsonNode s) {
        String type = s.path("type").asText("constant");
        if (!s.path("unit").asText("step").equals("step"))
            throw new TrajectoryCase.UnsupportedCaseException("schedule unit " + s.path("unit").asText());
        switch (type) {
            case "constant":
                return null;
            case "linear_warmup_decay":
                return LinearWarmupDecay.of(s.get("warmup").asLong(), s.get("total").asLong());
            case "cosine_warmup":
                return CosineWarmup.of(s.get("warmup").asLong(), s.get("total").asLong(),
                        s.path("cycles").asDouble(CosineWarmup.DEFAULT_CYCLES), s.path("min_lr_ratio").asDouble(0));
            case "wsd":
                return WarmupStableDecay.of(s.path("warmup").asLong(0), s.path("stable").asLong(0),
                        s.path("decay").asLong(0), shape(s.path("warmup_type").asText("linear")),
                        shape(s.path("decay_type").asText("cosine")), s.path("min_lr_ratio").asDouble(0),
                        s.path("cycles").asDouble(CosineWarmup.DEFAULT_CYCLES));
            default:
                throw new TrajectoryCase.UnsupportedCaseException("schedule type " + type);
        }
    }

    private static WarmupStableDecay.Shape shape(String name) {
        switch (name) {
            case "linear": return WarmupStableDecay.Shape.LINEAR;
            case "cosine": return WarmupStableDecay.Shape.COSINE;
            case "1-sqrt": return WarmupStableDecay.Shape.ONE_MINUS_SQRT;
            default: throw new TrajectoryCase.UnsupportedCaseException("wsd shape " + name);
        }
    }

    /**
     * A PyTorch parameter group per layer: its learning rate scale, and which of its arrays decay (the marker on W,
     * or its exclusion; the bias marker only where the bias decays).
     */
    private static void groups(BaseLayer.Builder<?> layer, int l, AdamW base, double scale, Set<String> decayed) {
        if (scale != 1) layer.updater(base.withLearningRateScale(scale));
        layer.regularization(decayed.contains("W" + l) ? DecoupledWeightDecay.onWeights() : DecoupledWeightDecay.excluded());
        if (decayed.contains("b" + l)) layer.regularizationBias(DecoupledWeightDecay.onBiases());
    }

    private static double arrays(JsonNode expected, MultiLayerNetwork net) {
        double err = 0;
        for (String a : ARRAYS) {
            int l = a.charAt(1) - '0';
            err = Math.max(err, relErr(doubles(expected.get(a)), net.getLayer(l).getParam(a.substring(0, 1))));
        }
        return err;
    }

    private static double rel(double expected, double actual) {
        double e = Math.abs(expected - actual);
        return expected == 0 ? e : e / Math.abs(expected);
    }
}
