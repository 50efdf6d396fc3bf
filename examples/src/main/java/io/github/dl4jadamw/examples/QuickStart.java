package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecayTable;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.examples.data.FashionMnist;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;

import java.io.File;

/**
 * Quick start: AdamW on Fashion-MNIST in one main. Configure a network with AdamW and the decay marker, train it,
 * evaluate it, save it with its optimizer state, reload it and train on.
 *
 * <pre>  mvn -q -B -pl examples -am install -DskipTests && mvn -q -B -pl examples exec:exec@quickstart</pre>
 *
 * Arguments (optional): epochs (default 2), the model file (default quickstart-adamw.zip in the working directory).
 */
public final class QuickStart {
    public static void main(String[] args) throws Exception {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        File modelFile = new File(args.length > 1 ? args[1] : "quickstart-adamw.zip");

        // Data: the Fashion-MNIST images embedded in this module (10,000 training, 10,000 test), pixels / 255
        DataSetIterator train = FashionMnist.iterator(FashionMnist.embeddedTrain(10_000), 64, 42);
        DataSetIterator test = FashionMnist.iterator(FashionMnist.embeddedTest(10_000), 1000, 0);

        // AdamW: Adam with decoupled weight decay (PyTorch's convention: each step W -= lr·λ·W, then the Adam step).
        // The marker in .regularization(...) says which parameters decay: the weights, not the biases.
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(42)
                .updater(AdamW.builder().learningRate(1e-3).weightDecay(0.05).build())
                .regularization(DecoupledWeightDecay.onWeights())
                .weightInit(WeightInit.XAVIER)
                .list()
                .layer(new DenseLayer.Builder().nIn(28 * 28).nOut(256).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        System.out.println(DecayTable.of(net));   // every parameter, whether it decays and why (fails on a double decay)

        // Train and evaluate
        net.fit(train, epochs);
        Evaluation eval = net.evaluate(test);
        System.out.printf("trained %d epochs (%d steps): test accuracy %.2f%%%n", epochs, net.getIterationCount(),
                100 * eval.accuracy());

        // Save with the optimizer state (saveUpdater = true: AdamW's moments m, v travel with the weights)
        ModelSerializer.writeModel(net, modelFile, true);

        // Reload (loadUpdater = true) and train on: the next step continues from the saved moments and step count
        MultiLayerNetwork restored = ModelSerializer.restoreMultiLayerNetwork(modelFile, true);
        System.out.printf("reloaded from %s (%d steps): test accuracy %.2f%%%n", modelFile,
                restored.getIterationCount(), 100 * restored.evaluate(test).accuracy());
        DecayTable.of(restored);   // a restored network is a new network: check it too before training it
        restored.fit(train, 1);
        System.out.printf("one more epoch (%d steps): test accuracy %.2f%%%n", restored.getIterationCount(),
                100 * restored.evaluate(test).accuracy());
    }
}
