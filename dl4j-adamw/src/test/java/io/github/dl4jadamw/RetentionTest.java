package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.kernel.Buffers;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What a thread keeps after it trained a network: nothing of that network. The per-thread pieces (the decay ledger,
 * the NaN/Inf scan's view, the hand-over of parameter views) must not keep a discarded network's parameter or gradient
 * memory reachable, e.g. in a pool thread that trained one model of a sweep and then idles, or trains something small.
 */
@Timeout(60)
class RetentionTest {

    /**
     * Trains a network in this thread and returns weak references to its memory and to itself. With
     * {@code lastLayerAdam} the output layer has DL4J's Adam and the exclusion marker (README's idiom for a layer
     * with another updater): its marks come after every AdamW block, so no AdamW step consumes them.
     */
    private static List<WeakReference<Object>> trainAndForget(DataType type, boolean lastLayerAdam) {
        NeuralNetConfiguration.ListBuilder list = TestNets.builder(AdamW.builder().learningRate(0.01).weightDecay(0.1)
                .build(), true).dataType(type).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).activation(Activation.TANH).build());
        OutputLayer.Builder out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX).nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT);
        if (lastLayerAdam) out.updater(new Adam(0.01)).regularization(DecoupledWeightDecay.excluded());
        MultiLayerNetwork net = new MultiLayerNetwork(list.layer(out.build()).build());
        net.init();
        for (int i = 0; i < 3; i++) net.fit(TestNets.data(i, 8));
        List<WeakReference<Object>> refs = new ArrayList<>();
        refs.add(new WeakReference<>(net));
        refs.add(new WeakReference<>(Buffers.root(net.params())));
        refs.add(new WeakReference<>(Buffers.root(net.getFlattenedGradients())));
        refs.add(new WeakReference<>(Buffers.root(net.getUpdater().getStateViewArray())));
        return refs;
    }

    @Test
    void aTrainedNetworkIsNotKeptReachableByItsThread() throws InterruptedException {
        assumeFalse(ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+DisableExplicitGC"),
                "System.gc() is disabled in this JVM");
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE})
            for (boolean lastLayerAdam : new boolean[]{false, true}) {
                List<WeakReference<Object>> refs = trainAndForget(type, lastLayerAdam);
                INDArray unrelated = Nd4j.rand(DataType.FLOAT, 10);   // the thread goes on with other ND4J work
                unrelated.addi(1);
                long alive = refs.size();
                for (int i = 0; i < 50 && alive > 0; i++) {
                    System.gc();
                    Thread.sleep(20);
                    alive = refs.stream().filter(r -> r.get() != null).count();
                }
                assertEquals(0, alive, type + (lastLayerAdam ? ", last layer Adam" : "") + ": still reachable after GC: "
                        + (refs.get(0).get() != null ? "the network " : "") + (refs.get(1).get() != null ? "params " : "")
                        + (refs.get(2).get() != null ? "gradients " : "") + (refs.get(3).get() != null ? "updater state" : ""));
            }
    }
}
