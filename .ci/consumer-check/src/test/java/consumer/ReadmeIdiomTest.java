package consumer;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import io.github.dl4jadamw.DecoupledWeightDecay;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** README's configuration idiom, as a user would paste it, trained for a few steps. */
class ReadmeIdiomTest {

    static DataSet batch() {
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(32, 784);
        INDArray y = Nd4j.zeros(32, 10);
        for (int i = 0; i < 32; i++) y.putScalar(i, i % 10, 1);
        return new DataSet(x, y);
    }

    @Test
    void multiLayerNetworkTrains() {
        AdamW adamw = AdamW.builder()
                .learningRate(1e-3)
                .betas(0.9, 0.999).epsilon(1e-8)
                .weightDecay(0.01)
                .build();

        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .updater(adamw)
                .regularization(DecoupledWeightDecay.onWeights())
                .list()
                .layer(new DenseLayer.Builder().nIn(784).nOut(256).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(256).nOut(10).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        DataSet d = batch();
        double before = net.score(d);
        for (int i = 0; i < 5; i++) net.fit(d);
        assertTrue(net.score(d) < before, "loss went down: " + before + " -> " + net.score(d));
    }

    @Test
    void computationGraphWithAdamWRTrains() {
        AdamW adamwr = AdamWR.builder()
                .learningRate(1e-3)
                .weightDecay(0.05)
                .restartsInEpochs(1, 2, 100)
                .build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .updater(adamwr)
                .regularization(DecoupledWeightDecay.onWeights())
                .graphBuilder()
                .addInputs("in")
                .addLayer("dense", new DenseLayer.Builder().nIn(784).nOut(256).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(256).nOut(10).build(), "dense")
                .setOutputs("out")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        INDArray p0 = graph.params().dup();
        for (int i = 0; i < 3; i++) graph.fit(batch());
        assertNotEquals(p0, graph.params());
    }
}
