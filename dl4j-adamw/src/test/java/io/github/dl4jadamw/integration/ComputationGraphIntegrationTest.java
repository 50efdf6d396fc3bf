package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.DecoupledWeightDecay;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * AdamW on a ComputationGraph with two inputs, two outputs and several vertex kinds (ElementWiseVertex add and product,
 * MergeVertex, ScaleVertex, SubsetVertex), BatchNormalization, and a layer with its own AdamW (a second updater
 * block): decay reaches every weight matrix exactly once per step with that layer's factor, and nothing else.
 */
@Timeout(60)
class ComputationGraphIntegrationTest {
    static final double LR = 0.01, LR_OUT = 0.003, LAMBDA = 0.2;
    static final Set<String> WEIGHTS = Set.of("dA_W", "dB_W", "hidden_W", "outCls_W", "outReg_W");

    /** {@code out} is the updater of the classification head (its own block when it differs from {@code global}). */
    static ComputationGraph graph(AdamW global, AdamW out) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(7).biasInit(0.1)
                .updater(global)
                .regularization(DecoupledWeightDecay.onWeights())
                .graphBuilder()
                .addInputs("inA", "inB")
                .addLayer("dA", new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build(), "inA")
                .addLayer("dB", new DenseLayer.Builder().nIn(3).nOut(5).activation(Activation.TANH).build(), "inB")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "dA", "dB")
                .addVertex("prod", new ElementWiseVertex(ElementWiseVertex.Op.Product), "dA", "dB")
                .addLayer("bn", new BatchNormalization.Builder().nOut(5).build(), "sum")
                .addVertex("merge", new MergeVertex(), "bn", "prod", "inB")
                .addLayer("hidden", new DenseLayer.Builder().nIn(13).nOut(6).activation(Activation.RELU).build(), "merge")
                .addLayer("outCls", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).updater(out).nIn(6).nOut(3).build(), "hidden")
                .addVertex("scaled", new ScaleVertex(0.5), "sum")
                .addVertex("firstFour", new SubsetVertex(0, 3), "scaled")
                .addLayer("outReg", new OutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).nIn(4).nOut(2).build(), "firstFour")
                .setOutputs("outCls", "outReg")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    static MultiDataSet data(long seed, int batch) {
        Random rnd = new Random(seed);
        INDArray xa = Support.matrix(rnd, batch, 4, DataType.DOUBLE);
        INDArray xb = Support.matrix(rnd, batch, 3, DataType.DOUBLE);
        INDArray yCls = Support.oneHot(seed, batch, 3, DataType.DOUBLE);
        INDArray yReg = Support.matrix(rnd, batch, 2, DataType.DOUBLE).muli(0.25);
        return new MultiDataSet(new INDArray[]{xa, xb}, new INDArray[]{yCls, yReg});
    }

    /** One step from the same θ0 and batch with (global, out) and with their λ = 0 twins; returns θ(λ) − θ(0). */
    private static Map<String, INDArray> oneStep(AdamW global, AdamW out, int iteration, Map<String, INDArray> theta0Out) {
        ComputationGraph a = graph(global, out);
        ComputationGraph b = graph(global.withWeightDecay(0), out.withWeightDecay(0));
        b.setParams(a.params().dup());
        a.getConfiguration().setIterationCount(iteration);
        b.getConfiguration().setIterationCount(iteration);
        theta0Out.putAll(Support.params(a));
        MultiDataSet d = data(3, 16);
        a.fit(d);
        b.fit(d);
        assertEquals(iteration + 1, a.getConfiguration().getIterationCount());
        return Support.difference(Support.params(a), Support.params(b));
    }

    @Test
    void decayExactlyOncePerStepOnWeightsOnly() {
        AdamW global = AdamW.builder().learningRate(LR).weightDecay(LAMBDA).build();
        AdamW out = AdamW.builder().learningRate(LR_OUT).weightDecay(LAMBDA).build();
        Map<String, INDArray> theta0 = new java.util.HashMap<>();
        Map<String, INDArray> diff = oneStep(global, out, 0, theta0);

        assertTrue(diff.keySet().containsAll(WEIGHTS), diff.keySet().toString());
        for (String k : diff.keySet()) {
            if (WEIGHTS.contains(k))
                Support.assertDecayedOnce(k, diff.get(k), theta0.get(k), (k.startsWith("outCls") ? LR_OUT : LR) * LAMBDA);
            else // biases, BatchNormalization gamma/beta/mean/var
                Support.assertNotDecayed(k, diff.get(k));
        }
    }

    @Test
    void adamWRScheduleDrivesDecayMidPeriod() {
        // T_0 = 4, T_mult = 2: iteration 5 is T_cur = 1 of the second period (8 iterations long)
        int iteration = 5;
        double eta = Support.cosineRestartEta(iteration, 4, 2);
        assertEquals(0.5 * (1 + Math.cos(Math.PI / 8)), eta, 1e-15);
        double lambda = 0.05;
        AdamW global = AdamWR.builder().learningRate(LR).weightDecay(lambda).restartsInIterations(4, 2)
                .decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build();
        AdamW out = AdamWR.builder().learningRate(LR_OUT).weightDecay(lambda).restartsInIterations(4, 2)
                .decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build();
        Map<String, INDArray> theta0 = new java.util.HashMap<>();
        Map<String, INDArray> diff = oneStep(global, out, iteration, theta0);
        for (String k : diff.keySet()) {
            if (WEIGHTS.contains(k)) Support.assertDecayedOnce(k, diff.get(k), theta0.get(k), eta * lambda);
            else Support.assertNotDecayed(k, diff.get(k));
        }
    }

    @Test
    void trainsBothOutputs() {
        ComputationGraph g = graph(AdamW.builder().learningRate(0.02).weightDecay(0.01).build(),
                AdamWR.builder().learningRate(0.02).weightDecay(0.01).restartsInIterations(20, 2).build());
        MultiDataSet d = data(11, 32);
        double before = g.score(d);
        double[] outBefore = perOutputLoss(g, d);
        for (int i = 0; i < 60; i++) g.fit(d);
        double after = g.score(d);
        double[] outAfter = perOutputLoss(g, d);
        assertTrue(after < 0.5 * before, "loss " + before + " -> " + after);
        assertTrue(outAfter[0] < outBefore[0] && outAfter[1] < outBefore[1],
                "each output's loss falls: " + java.util.Arrays.toString(outBefore) + " -> " + java.util.Arrays.toString(outAfter));
        assertTrue(Support.finite(g.params()));
        assertEquals(60, g.getConfiguration().getIterationCount());
    }

    /** Mean cross-entropy of the classifier and mean squared error of the regressor, computed here. */
    private static double[] perOutputLoss(ComputationGraph g, MultiDataSet d) {
        INDArray[] out = g.output(false, d.getFeatures());
        double ce = -d.getLabels(0).mul(org.nd4j.linalg.ops.transforms.Transforms.log(out[0], true)).sumNumber().doubleValue()
                / d.getLabels(0).rows();
        double mse = out[1].sub(d.getLabels(1)).norm2Number().doubleValue();
        return new double[]{ce, mse * mse / d.getLabels(1).rows()};
    }
}
