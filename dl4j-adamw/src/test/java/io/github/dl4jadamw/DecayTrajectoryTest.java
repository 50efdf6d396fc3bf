package io.github.dl4jadamw;

import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several AdamW steps in float64 under Hugging Face's rule, against a plain-Java AdamW (PyTorch's
 * {@code torch.optim.AdamW}: θ ← θ − lr·λ·θ on the decayed tensors, then θ ← θ − lr·m̂/(√v̂ + ε)) that decays exactly
 * the tensors listed here by hand from the rule: the weight matrices, not the biases, not the layer-norm gain that
 * shares its layer (and its DL4J regularization list) with a decayed matrix. DL4J supplies only the gradient, computed
 * by a second network at the oracle's own parameters, so the oracle follows its own trajectory.
 */
class DecayTrajectoryTest {
    static final double LR = 0.02, LAMBDA = 0.1, BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;
    static final int STEPS = 6, BATCH = 8;

    static MultiLayerNetwork net() {
        MultiLayerNetwork net = new MultiLayerNetwork(TestNets.builder(AdamW.builder().learningRate(LR)
                .betas(BETA1, BETA2).epsilon(EPS).weightDecay(LAMBDA).build(), true).list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).hasLayerNorm(true).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(5).nOut(4).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(4).nOut(3).build())
                .build());
        net.init();
        return net;
    }

    @Test
    void onlyTheChosenTensorsDecay() {
        // Hugging Face: no_decay = ["bias", "LayerNorm.weight"]; g is the layer norm's weight, b its bias
        Set<String> decayed = Set.of("0_W", "1_W", "2_W");
        MultiLayerNetwork net = net(), probe = net();
        assertEquals(decayed, DecayRules.huggingFace().applyTo(net).decayed());

        int n = (int) net.numParams();
        double[] theta = net.params().dup().data().asDouble(), m = new double[n], v = new double[n];
        boolean[] decays = new boolean[n];
        Map<String, long[]> ranges = new LinkedHashMap<>();   // DL4J's layout: where each tensor lies in params()
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            long start = e.getValue().offset() - net.params().offset();
            ranges.put(e.getKey(), new long[]{start, start + e.getValue().length()});
            if (decayed.contains(e.getKey()))
                for (long i = start; i < start + e.getValue().length(); i++) decays[(int) i] = true;
        }
        assertEquals(7, ranges.size(), "W, b, g; W, b; W, b");

        Random rnd = new Random(17);
        for (int t = 1; t <= STEPS; t++) {
            DataSet d = batch(rnd);
            probe.setParams(Nd4j.create(theta, new long[]{1, n}, 'c'));
            probe.setInput(d.getFeatures());
            probe.setLabels(d.getLabels());
            probe.computeGradientAndScore();
            double[] g = probe.getGradientsViewArray().dup().data().asDouble();
            double bc1 = 1 - Math.pow(BETA1, t), bc2 = 1 - Math.pow(BETA2, t);
            for (int i = 0; i < n; i++) {
                double gi = g[i] / BATCH;                               // DL4J averages over the minibatch
                m[i] = BETA1 * m[i] + (1 - BETA1) * gi;
                v[i] = BETA2 * v[i] + (1 - BETA2) * gi * gi;
                if (decays[i]) theta[i] -= LR * LAMBDA * theta[i];      // decoupled, lr-coupled (PyTorch)
                theta[i] -= LR * (m[i] / bc1) / (Math.sqrt(v[i] / bc2) + EPS);
            }
            net.fit(d);
            double[] got = net.params().dup().data().asDouble();
            for (Map.Entry<String, long[]> r : ranges.entrySet())
                for (long i = r.getValue()[0]; i < r.getValue()[1]; i++) {
                    double err = Math.abs(got[(int) i] - theta[(int) i]);
                    assertTrue(err <= 1e-13 * Math.max(1, Math.abs(theta[(int) i])), "step " + t + ", " + r.getKey()
                            + "[" + (i - r.getValue()[0]) + "]: " + got[(int) i] + " vs oracle " + theta[(int) i]);
                }
        }
        // the gain moved by Adam alone: had it decayed, it would be off by about lr·λ·|g| per step
        assertTrue(Math.abs(theta[(int) ranges.get("0_g")[0]]) > 0.5, "g is near its initial 1");
    }

    private static DataSet batch(Random rnd) {
        INDArray x = Nd4j.create(DataType.DOUBLE, BATCH, 4), y = Nd4j.zeros(DataType.DOUBLE, BATCH, 3);
        for (int i = 0; i < BATCH; i++) {
            for (int j = 0; j < 4; j++) x.putScalar(i, j, 2 * rnd.nextGaussian());
            y.putScalar(i, rnd.nextInt(3), 1.0);
        }
        return new DataSet(x, y);
    }
}
