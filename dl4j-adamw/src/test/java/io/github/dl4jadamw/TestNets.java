package io.github.dl4jadamw;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.LinkedHashMap;
import java.util.Map;

/** Small networks and data for the integration tests. */
final class TestNets {
    private TestNets() {}

    static final int N_IN = 4, HIDDEN = 5, N_OUT = 3;

    /** Global builder with the README idiom: updater + decay marker. */
    static NeuralNetConfiguration.Builder builder(IUpdater updater, boolean marker) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(42).biasInit(0.1).updater(updater);
        if (marker) b.regularization(DecoupledWeightDecay.onWeights());
        return b;
    }

    static MultiLayerNetwork mlp(NeuralNetConfiguration.Builder b, boolean batchNorm) {
        NeuralNetConfiguration.ListBuilder l = b.list()
                .layer(new DenseLayer.Builder().nIn(N_IN).nOut(HIDDEN).activation(Activation.TANH).build());
        if (batchNorm) l.layer(new BatchNormalization.Builder().nOut(HIDDEN).build());
        l.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nIn(HIDDEN).nOut(N_OUT).build());
        MultiLayerNetwork net = new MultiLayerNetwork(l.build());
        net.init();
        return net;
    }

    private static final Map<String, DataSet> DATA = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A fixed minibatch, labels one-hot; a fresh copy each call. Generated once with java.util.Random: ND4J's global
     * RNG is also drawn on by fit(), so re-seeding it between fits does not reproduce a minibatch.
     */
    static DataSet data(long seed, int batch) {
        return DATA.computeIfAbsent(seed + "/" + batch, k -> make(seed, batch)).copy();
    }

    private static DataSet make(long seed, int batch) {
        java.util.Random rnd = new java.util.Random(seed);
        double[] xs = new double[batch * N_IN];
        for (int i = 0; i < xs.length; i++) xs[i] = (rnd.nextDouble() - 0.5) * 4;
        INDArray x = Nd4j.create(xs, new long[]{batch, N_IN}, 'c');
        INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, N_OUT);
        for (int r = 0; r < batch; r++) y.putScalar(r, (r * 7 + seed) % N_OUT, 1.0);
        return new DataSet(x, y);
    }

    /** Copies of every parameter, by DL4J key ("0_W", ...). */
    static Map<String, INDArray> params(Model net) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        net.paramTable().forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}
