package io.github.dl4jadamw;

import io.github.dl4jadamw.schedule.LinearWarmupDecay;
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
 * A recipe run (warm-up schedule, accumulation over 3 micro-batches, global-norm clipping, EMA, AMSGrad, a
 * BatchNormalization layer) checkpointed with ModelSerializer in the middle of an accumulation group, at a group's
 * end and after it, restored in a fresh JVM (with AdamWListener added again, as any listener), continues bit for bit
 * as the uninterrupted run: parameters, every state array (M, V, VMAX, the accumulated gradient ACC, the EMA) and the
 * EMA weights.
 */
class RecipeResumeInFreshJvmTest {
    static final int END = 14;

    static MultiLayerNetwork net() {
        AdamW adamw = AdamW.builder().learningRate(0.02).weightDecay(0.1).amsgrad(true)
                .schedule(LinearWarmupDecay.of(1, 6)).accumulationSteps(3).clipGlobalNorm(0.3).ema(0.9).build();
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(adamw, true), true);
        net.setListeners(AdamWListener.builder().reportEvery(0).build());
        return net;
    }

    static void train(MultiLayerNetwork net, int from, int to) {
        for (int i = from; i < to; i++) net.fit(TestNets.data(i, 6));
    }

    @Test
    @Timeout(300)
    void midAccumulationAndMidEmaCheckpointsContinueBitIdentically(@TempDir Path dir) throws Exception {
        MultiLayerNetwork straight = net();
        train(straight, 0, END);
        double[][] expected = {straight.params().toDoubleVector(),
                straight.getUpdater().getStateViewArray().toDoubleVector(),
                EmaWeights.copyOf(straight).params().toDoubleVector()};
        for (int k : new int[]{4, 6, 8}) {   // second micro-batch of group 1, end of group 1, third of group 2
            MultiLayerNetwork first = net();
            train(first, 0, k);
            File ckpt = dir.resolve("ckpt-" + k + ".zip").toFile();
            ModelSerializer.writeModel(first, ckpt, true);
            File out = dir.resolve("out-" + k + ".bin").toFile();
            FreshJvm.run(ResumeMain.class, dir.resolve("jvm-" + k + ".log").toFile(), ckpt.getPath(),
                    String.valueOf(k), out.getPath());
            double[][] got = FreshJvm.read(out, 4);
            assertEquals(END, (int) got[3][0], "iteration count after resuming at " + k);
            assertArrayEquals(expected[0], got[0], 0.0, "parameters after resuming at " + k);
            assertArrayEquals(expected[1], got[1], 0.0, "updater state (with ACC and EMA) after resuming at " + k);
            assertArrayEquals(expected[2], got[2], 0.0, "EMA weights after resuming at " + k);
        }
    }

    /** The fresh JVM: restore, add the listener again, train to END, write what the test compares. */
    public static final class ResumeMain {
        public static void main(String[] args) throws Exception {
            MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(new File(args[0]), true);
            int from = Integer.parseInt(args[1]);
            if (net.getIterationCount() != from)
                throw new IllegalStateException("restored iteration count " + net.getIterationCount() + " != " + from);
            net.setListeners(AdamWListener.builder().reportEvery(0).build());
            train(net, from, END);
            FreshJvm.write(Path.of(args[2]), net.params().toDoubleVector(),
                    net.getUpdater().getStateViewArray().toDoubleVector(),
                    EmaWeights.copyOf(net).params().toDoubleVector(), new double[]{net.getIterationCount()});
        }
    }
}
