package io.github.dl4jadamw;

import io.github.dl4jadamw.kernel.Buffers;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What a thread keeps after it trained a network: nothing of that network. The per-thread pieces (the decay ledger,
 * the NaN/Inf scan's view, the hand-over of parameter views) must not keep a discarded network's parameter or gradient
 * memory reachable, e.g. in a pool thread that trained one model of a sweep and then idles, or trains something small.
 */
@Timeout(60)
class RetentionTest {

    /** Trains a network in this thread and returns weak references to its memory and to itself. */
    private static List<WeakReference<Object>> trainAndForget(DataType type) {
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().learningRate(0.01).weightDecay(0.1)
                .build(), true).dataType(type), true);
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
        for (DataType type : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            List<WeakReference<Object>> refs = trainAndForget(type);
            INDArray unrelated = Nd4j.rand(DataType.FLOAT, 10);   // the thread goes on with other ND4J work
            unrelated.addi(1);
            long alive = refs.size();
            for (int i = 0; i < 50 && alive > 0; i++) {
                System.gc();
                Thread.sleep(20);
                alive = refs.stream().filter(r -> r.get() != null).count();
            }
            assertEquals(0, alive, type + ": still reachable after GC: "
                    + (refs.get(0).get() != null ? "the network " : "") + (refs.get(1).get() != null ? "params " : "")
                    + (refs.get(2).get() != null ? "gradients " : "") + (refs.get(3).get() != null ? "updater state" : ""));
        }
    }
}
