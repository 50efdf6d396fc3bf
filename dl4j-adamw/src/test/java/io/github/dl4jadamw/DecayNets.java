package io.github.dl4jadamw;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The networks issue 16 names for per-tensor decay rules, each layer named after what it is, each with AdamW and the
 * marker in the global configuration (today's idiom). Parameter keys are DL4J's.
 */
final class DecayNets {
    private DecayNets() {}

    static NeuralNetConfiguration.Builder base(IUpdater u) {
        return new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(5).biasInit(0.1).updater(u)
                .regularization(DecoupledWeightDecay.onWeights());
    }

    static IUpdater adamw() {
        return AdamW.builder().learningRate(0.01).weightDecay(0.1).build();
    }

    /** dense (W, b, layer norm g) → out (W, b). */
    static MultiLayerNetwork denseLayerNorm(IUpdater u) {
        return init(new MultiLayerNetwork(base(u).list()
                .layer(new DenseLayer.Builder().name("dense").nIn(4).nOut(5).hasLayerNorm(true)
                        .activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").activation(Activation.SOFTMAX)
                        .nIn(5).nOut(3).build())
                .build()));
    }

    /** emb (embedding table W, bias b) → dense (W, b) → out (W, b). */
    static MultiLayerNetwork embedding(IUpdater u) {
        return init(new MultiLayerNetwork(base(u).list()
                .layer(new EmbeddingLayer.Builder().name("emb").nIn(10).nOut(4).hasBias(true).build())
                .layer(new DenseLayer.Builder().name("dense").nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").activation(Activation.SOFTMAX)
                        .nIn(5).nOut(3).build())
                .build()));
    }

    /** conv (kernel W, b) → bn (gamma, beta, running mean/var) → out (W, b). */
    static MultiLayerNetwork convBatchNorm(IUpdater u) {
        return init(new MultiLayerNetwork(base(u).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv").nOut(2).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().name("bn").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").activation(Activation.SOFTMAX)
                        .nOut(3).build())
                .setInputType(InputType.convolutional(6, 6, 1))
                .build()));
    }

    /** lstm (W, RW, b) → out (W, b). */
    static MultiLayerNetwork lstm(IUpdater u) {
        return init(new MultiLayerNetwork(base(u).list()
                .layer(new LSTM.Builder().name("lstm").nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out")
                        .activation(Activation.SOFTMAX).nIn(4).nOut(2).build())
                .build()));
    }

    /** tok (EmbeddingSequenceLayer W) → att (SelfAttentionLayer Wq, Wk, Wv, Wo) → pool → out (W, b). */
    static MultiLayerNetwork selfAttention(IUpdater u) {
        return init(new MultiLayerNetwork(base(u).list()
                .layer(new EmbeddingSequenceLayer.Builder().name("tok").nIn(10).nOut(4).inputLength(5).build())
                .layer(new SelfAttentionLayer.Builder().name("att").nIn(4).nOut(4).nHeads(2).headSize(2)
                        .projectInput(true).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).name("pool").build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).name("out").activation(Activation.SOFTMAX)
                        .nIn(4).nOut(3).build())
                .build()));
    }

    /** Vertices: a (dense W, b, layer norm g) and b (dense W, b) from "in", merged, → out (W, b). */
    static ComputationGraph graph(IUpdater u) {
        ComputationGraphConfiguration conf = base(u).graphBuilder()
                .addInputs("in")
                .addLayer("a", new DenseLayer.Builder().nIn(4).nOut(3).hasLayerNorm(true).activation(Activation.TANH)
                        .build(), "in")
                .addLayer("b", new DenseLayer.Builder().nIn(4).nOut(2).activation(Activation.RELU).build(), "in")
                .addVertex("merge", new MergeVertex(), "a", "b")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(3).build(), "merge")
                .setOutputs("out")
                .build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static MultiLayerNetwork init(MultiLayerNetwork net) {
        net.init();
        return net;
    }
}
