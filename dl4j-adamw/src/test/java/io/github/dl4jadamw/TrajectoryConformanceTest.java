package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.kernel.Kernels;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.shade.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.github.dl4jadamw.TrajectoryCase.doubles;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replays every reference trajectory (the bundled public ones and any in -Dadamw.trajectories=DIR): tensor cases
 * through the updater API exactly as DL4J drives it (regularizations, updater, θ −= u), network cases through a real
 * float64 MultiLayerNetwork configured as README tells users to. Each case runs on both kernels; one line per case,
 * {@code trajectory <name>: max error <e> (tolerance <t>) PASS|FAIL}, then the error per kernel. Nothing is skipped:
 * a case this library cannot replay ({@link TrajectoryCase.UnsupportedCaseException}) fails its test.
 */
class TrajectoryConformanceTest {

    @TestFactory
    List<DynamicTest> everyTrajectoryOnEveryKernel() throws Exception {
        List<DynamicTest> tests = new ArrayList<>();
        for (TrajectoryCase c : TrajectoryCase.all())
            tests.add(DynamicTest.dynamicTest(c.name() + " (" + c.file + ")", () -> check(c)));
        return tests;
    }

    private static void check(TrajectoryCase c) {
        Map<String, Double> errors = new LinkedHashMap<>();
        for (Kernels.Choice k : new Kernels.Choice[]{Kernels.Choice.CPU, Kernels.Choice.ND4J})
            errors.put(k.name().toLowerCase(), KernelChoice.with(k.name(), () -> replay(c)));
        double worst = errors.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        boolean pass = worst <= c.tolerance(); // NaN fails
        System.out.printf("trajectory %s: max error %.3e (tolerance %.0e) %s%n", c.name(), worst, c.tolerance(),
                pass ? "PASS" : "FAIL");
        System.out.println("  per kernel: " + errors);
        assertTrue(pass, "trajectory " + c.name() + ": max error " + worst + " > tolerance " + c.tolerance()
                + " " + errors);
    }


    private static double replay(TrajectoryCase c) {
        switch (c.format()) {
            case TrajectoryCase.NETWORK_FORMAT: return replayNetwork(c);
            case TrajectoryCase.RECIPE_FORMAT: return RecipeReplay.replay(c);
            default: return replayTensor(c);   // refuses a format it does not know
        }
    }

    /** Through the updater API, as UpdaterBlock drives it. Returns the worst relative error over all checks. */
    static double replayTensor(TrajectoryCase c) {
        if (!c.format().equals(TrajectoryCase.TENSOR_FORMAT))
            throw new IllegalArgumentException("case " + c.name() + ": unknown format " + c.format());
        DataType dt = c.dataType();
        DecoupledDecayUpdater cfg = c.updater();
        INDArray param = Nd4j.createFromArray(doubles(c.json.get("param0"))).castTo(dt);
        long n = param.length();
        INDArray state = Nd4j.zeros(dt, cfg.stateSize(n));
        GradientUpdater<?> updater = cfg.instantiate(state, true);
        L2Regularization l2 = c.l2() > 0 ? new L2Regularization(c.l2()) : null;
        DecoupledWeightDecay marker = new DecoupledWeightDecay(true);
        JsonNode grads = c.json.get("grads"), params = c.json.get("params"), lrs = c.json.get("lr_per_step");
        double err = 0;
        for (int i = 0; i < grads.size(); i++) {
            INDArray g = Nd4j.createFromArray(doubles(grads.get(i))).castTo(dt);
            double lr = cfg.getLearningRate(i, 0);
            if (l2 != null) l2.apply(param, g, lr, i, 0);     // BEFORE_UPDATER: g += λθ
            marker.apply(param, g, lr, i, 0);                  // BEFORE_UPDATER: the decay companion
            updater.applyUpdater(g, i, 0);                     // g := u
            param.subi(g);                                     // DL4J's step
            err = Math.max(err, relErr(doubles(params.get(i)), param));
            if (lrs != null) err = Math.max(err, Math.abs(lrs.get(i).asDouble() - lr) / Math.abs(lrs.get(i).asDouble()));
        }
        JsonNode sf = c.json.get("state_final");
        Map<String, INDArray> st = updater.getState();
        // reference names → our state keys (PyTorch's exp_avg, exp_avg_sq, max_exp_avg_sq; SGDW's momentum buffer)
        String[][] keys = {{"m", AdamWUpdater.M_STATE}, {"v", AdamWUpdater.V_STATE}, {"vmax", AdamWUpdater.VMAX_STATE}};
        for (String[] k : keys) {
            if (!sf.has(k[0])) continue;
            if (!st.containsKey(k[1])) return Double.POSITIVE_INFINITY; // the reference has state we do not keep
            err = Math.max(err, relErr(doubles(sf.get(k[0])), st.get(k[1])));
        }
        return err;
    }

    /** Through a real MultiLayerNetwork in float64, configured as README's idiom. */
    static double replayNetwork(TrajectoryCase c) {
        JsonNode layers = c.json.path("network").path("layers");
        if (layers.size() != 2 || !layers.get(0).path("type").asText().equals("dense"))
            throw new IllegalArgumentException("case " + c.name() + ": only dense+output MLPs are described in the README");
        int nIn = layers.get(0).get("nIn").asInt(), hidden = layers.get(0).get("nOut").asInt();
        int nOut = layers.get(1).get("nOut").asInt();
        DecoupledDecayUpdater cfg = c.updater();
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(1);
        b.updater(cfg);
        if (c.l2() > 0) b.l2(c.l2());                                   // Adam+L2 baseline: DL4J's L2 on weights
        else b.regularization(DecoupledWeightDecay.onWeights());       // AdamW: the decay companion
        MultiLayerConfiguration conf = b.list()
                .layer(new DenseLayer.Builder().nIn(nIn).nOut(hidden).activation(activation(layers.get(0))).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(hidden).nOut(nOut).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        JsonNode init = c.json.get("init");
        int[] widths = {nIn, hidden, nOut};
        for (int l = 0; l < 2; l++) {
            net.getLayer(l).setParam("W", Nd4j.create(doubles(init.get("W" + l)), new long[]{widths[l], widths[l + 1]}, 'c'));
            net.getLayer(l).setParam("b", Nd4j.create(doubles(init.get("b" + l)), new long[]{1, widths[l + 1]}, 'c'));
        }
        JsonNode feats = c.json.get("features"), labels = c.json.get("labels"), params = c.json.get("params");
        JsonNode lrs = c.json.get("lr_per_step"), losses = c.json.get("loss_per_step");
        double err = 0;
        for (int i = 0; i < feats.size(); i++) {
            int batch = labels.get(i).size();
            INDArray x = Nd4j.create(doubles(feats.get(i)), new long[]{batch, nIn}, 'c');
            INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, nOut);
            for (int r = 0; r < batch; r++) y.putScalar(r, labels.get(i).get(r).asInt(), 1.0);
            double lr = cfg.getLearningRate(net.getIterationCount(), net.getEpochCount());
            net.fit(new DataSet(x, y));
            if (losses != null && c.l2() == 0)   // DL4J's score adds the L2 penalty; the reference loss does not
                err = Math.max(err, Math.abs(net.score() - losses.get(i).asDouble()) / Math.abs(losses.get(i).asDouble()));
            if (lrs != null) err = Math.max(err, Math.abs(lrs.get(i).asDouble() - lr) / Math.abs(lrs.get(i).asDouble()));
            JsonNode p = params.get(i);
            for (int l = 0; l < 2; l++) {
                err = Math.max(err, relErr(doubles(p.get("W" + l)), net.getLayer(l).getParam("W")));
                err = Math.max(err, relErr(doubles(p.get("b" + l)), net.getLayer(l).getParam("b")));
            }
        }
        return err;
    }

    private static Activation activation(JsonNode layer) {
        return Activation.valueOf(layer.path("activation").asText("tanh").toUpperCase());
    }

    /** max|expected − actual| / max|expected| over the array, actual read in C (row-major) order. */
    static double relErr(double[] expected, INDArray actual) {
        double[] a = actual.dup('c').castTo(DataType.DOUBLE).data().asDouble();
        if (a.length != expected.length) return Double.POSITIVE_INFINITY;
        double num = 0, den = 0;
        for (int i = 0; i < a.length; i++) {
            num = Math.max(num, Math.abs(expected[i] - a[i]));
            den = Math.max(den, Math.abs(expected[i]));
        }
        if (Double.isNaN(num)) return Double.NaN;
        return den == 0 ? num : num / den;
    }
}
