package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.Exact;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Java serialization of configurations holding AdamW/AdamWR: how DL4J's Spark parameter averaging ships the
 * configuration to executors (a broadcast NetBroadcastTuple, serialized by Spark's default JavaSerializer). DL4J's
 * IUpdater, ISchedule and Regularization interfaces extend Serializable, so every object they reach must be too.
 */
@Timeout(30)
class JavaSerializationIntegrationTest {

    static MultiLayerConfiguration conf(io.github.dl4jadamw.DecoupledDecayUpdater u) {
        return new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).seed(3).updater(u)
                .regularization(DecoupledWeightDecay.onWeights())
                .list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(3).build())
                .build();
    }

    @SuppressWarnings("unchecked")
    static <T> T roundTrip(T o) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) { out.writeObject(o); }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    /** The deserialized configuration equals the original and trains identically (3 steps, bit for bit). */
    static void assertShipsIntact(io.github.dl4jadamw.DecoupledDecayUpdater u) throws Exception {
        MultiLayerConfiguration original = conf(u);
        MultiLayerConfiguration shipped = roundTrip(original);
        assertEquals(original, shipped);
        MultiLayerNetwork a = new MultiLayerNetwork(original), b = new MultiLayerNetwork(shipped);
        a.init();
        b.init(a.params().dup(), true);
        for (int i = 0; i < 3; i++) {
            DataSet d = Support.learnable(i, 16, 4, 3);
            a.fit(d);
            b.fit(d.copy());
        }
        Exact.assertSameValues(a.params(), b.params(), "parameters");
        Exact.assertSameValues(a.getUpdater().getStateViewArray(), b.getUpdater().getStateViewArray(), "updater state");
    }

    @Test
    void adamW() throws Exception {
        assertShipsIntact(AdamW.builder().learningRate(0.01).weightDecay(0.1).build());
    }

    @Test
    void sgdwrWithNormalizedDecay() throws Exception {
        assertShipsIntact(io.github.dl4jadamw.SGDWR.builder().learningRate(0.05).nesterov(true).restartsInIterations(2, 2)
                .normalizedWeightDecay(0.05, 16, 1000).build());
    }

    @Test
    void adamWRWithRestarts() throws Exception {
        assertShipsIntact(AdamWR.builder().learningRate(0.01).weightDecay(0.1).restartsInIterations(2, 2).build());
    }

    @Test
    void adamWRWithNormalizedDecay() throws Exception {
        assertShipsIntact(AdamWR.builder().learningRate(0.01).restartsInIterations(2, 2)
                .normalizedWeightDecay(0.05, 16, 1000).build());
    }
}
