package io.github.dl4jadamw;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * DL4J's own {@code .weightDecay(λ)} with SGD: one step from θ0 should give θ1 = θ0 − lr·g − lr·λ·θ0. Measured as the
 * difference to the same network without decay: −lr·λ·θ0 once (repaired) versus twice (DL4J 1.0.0-M2.1 as built).
 */
class DuplicateRegularizationsTest {
    static final double LR = 0.01, LAMBDA = 0.1;

    private static NeuralNetConfiguration.Builder base(double lambda) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(7)
                .updater(new Sgd(LR));
        if (lambda > 0) b.weightDecay(lambda);
        return b;
    }

    private static MultiLayerConfiguration mlp(double lambda) {
        return base(lambda).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build())
                .build();
    }

    private static ComputationGraphConfiguration graph(double lambda) {
        return base(lambda).graphBuilder().addInputs("in")
                .addLayer("h", new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build(), "h")
                .setOutputs("out").build();
    }

    /** (θ1(λ) − θ1(0)) / (−lr·λ·θ0) on the first weight array: 1 = decayed once. */
    private static double decayMultiple(Model withDecay, Model without, String key) {
        without.setParams(withDecay.params().dup());
        INDArray theta0 = withDecay.getParam(key).dup();
        DataSet d = TestNets.data(4, 16);
        if (withDecay instanceof MultiLayerNetwork) {
            ((MultiLayerNetwork) withDecay).fit(d);
            ((MultiLayerNetwork) without).fit(d);
        } else {
            ((ComputationGraph) withDecay).fit(d);
            ((ComputationGraph) without).fit(d);
        }
        INDArray diff = withDecay.getParam(key).sub(without.getParam(key));
        return diff.div(theta0.mul(-LR * LAMBDA)).meanNumber().doubleValue();
    }

    @Test
    void multiLayerNetwork() {
        MultiLayerNetwork broken = new MultiLayerNetwork(mlp(LAMBDA)), plain = new MultiLayerNetwork(mlp(0));
        broken.init();
        plain.init();
        assertEquals(2.0, decayMultiple(broken, plain, "0_W"), 1e-9, "DL4J as built decays twice");

        MultiLayerConfiguration conf = mlp(LAMBDA);
        assertTrue(DuplicateRegularizations.repair(conf) >= 2);
        assertEquals(0, DuplicateRegularizations.repair(conf), "idempotent");
        MultiLayerNetwork fixed = new MultiLayerNetwork(conf), plain2 = new MultiLayerNetwork(mlp(0));
        fixed.init();
        plain2.init();
        assertEquals(1.0, decayMultiple(fixed, plain2, "0_W"), 1e-9, "repaired: decays once");
        assertEquals(conf, MultiLayerConfiguration.fromJson(conf.toJson()), "the repair survives serialization");
    }

    @Test
    void computationGraph() {
        ComputationGraph broken = new ComputationGraph(graph(LAMBDA)), plain = new ComputationGraph(graph(0));
        broken.init();
        plain.init();
        assertEquals(2.0, decayMultiple(broken, plain, "h_W"), 1e-9, "DL4J as built decays twice");

        ComputationGraphConfiguration conf = graph(LAMBDA);
        assertTrue(DuplicateRegularizations.repair(conf) >= 2);
        ComputationGraph fixed = new ComputationGraph(conf), plain2 = new ComputationGraph(graph(0));
        fixed.init();
        plain2.init();
        assertEquals(1.0, decayMultiple(fixed, plain2, "h_W"), 1e-9, "repaired: decays once");
    }
}
