package io.github.dl4jadamw;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Checkpoints taken at a restart boundary, mid period and at the last iteration, restored in a fresh JVM, continue
 * bit-identically with an uninterrupted run in this JVM.
 */
class ResumeInFreshJvmTest {
    static final int END = 20;   // the uninterrupted run trains END steps

    static AdamW updater() {
        // periods of 5, 10, 20 iterations: 5 and 15 are restart boundaries, 8 is mid period
        return AdamWR.builder().learningRate(0.01).restartsInIterations(5, 2).weightDecay(0.1).amsgrad(true).build();
    }

    static MultiLayerNetwork net() {
        return TestNets.mlp(TestNets.builder(updater(), true), true);
    }

    static void train(MultiLayerNetwork net, int from, int to) {
        for (int i = from; i < to; i++) net.fit(TestNets.data(i, 8));
    }

    @Test
    @Timeout(300)
    void checkpointsContinueBitIdenticallyInAFreshJvm(@TempDir Path dir) throws Exception {
        MultiLayerNetwork straight = net();
        train(straight, 0, END);
        double[] expectedParams = straight.params().toDoubleVector();
        double[] expectedState = straight.getUpdater().getStateViewArray().toDoubleVector();

        for (int k : new int[]{5, 8, END}) {   // restart boundary, mid period, last iteration
            MultiLayerNetwork first = net();
            train(first, 0, k);
            File ckpt = dir.resolve("ckpt-" + k + ".zip").toFile();
            ModelSerializer.writeModel(first, ckpt, true);
            File out = dir.resolve("out-" + k + ".bin").toFile();
            FreshJvm.run(ResumeMain.class, dir.resolve("jvm-" + k + ".log").toFile(), ckpt.getPath(),
                    String.valueOf(k), out.getPath());
            double[][] got = FreshJvm.read(out, 3);
            assertEquals(END, (int) got[2][0], "iteration count after resuming at " + k);
            assertArrayEquals(expectedParams, got[0], 0.0, "parameters after resuming at " + k);
            assertArrayEquals(expectedState, got[1], 0.0, "updater state after resuming at " + k);
        }
    }

    /** The fresh JVM: restore the checkpoint, train to END, write parameters, updater state and iteration count. */
    public static final class ResumeMain {
        public static void main(String[] args) throws Exception {
            MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new File(args[0]), true);
            int from = Integer.parseInt(args[1]);
            if (net.getIterationCount() != from)
                throw new IllegalStateException("restored iteration count " + net.getIterationCount() + " != " + from);
            train(net, from, END);
            FreshJvm.write(Path.of(args[2]), net.params().toDoubleVector(),
                    net.getUpdater().getStateViewArray().toDoubleVector(), new double[]{net.getIterationCount()});
        }
    }
}
