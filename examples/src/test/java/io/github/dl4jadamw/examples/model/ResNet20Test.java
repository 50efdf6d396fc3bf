package io.github.dl4jadamw.examples.model;

import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunShape;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** ResNet-20's shapes and parameter count against He et al.'s design, written out by hand. */
class ResNet20Test {
    static final OptimizerSpec ADAMW = OptimizerSpec.paper(OptimizerKind.ADAMW, 1e-3, 0.025, LrSchedule.COSINE, true);
    static final RunShape SHAPE = new RunShape(256, 128, 3);

    /**
     * Parameters by hand, for C input channels (convolutions 3×3 without bias, BatchNormalization after each):
     * stem 9·C·16; stage 1: 6 convolutions 9·16·16 = 2,304 each; stage 2: 9·16·32 = 4,608 then 5 × 9·32·32 = 9,216;
     * stage 3: 9·32·64 = 18,432 then 5 × 9·64·64 = 36,864; dense 64·10 + 10 = 650. BatchNormalization: 19 layers
     * over 16 + 6·16 + 6·32 + 6·64 = 688 channels; γ, β trainable and DL4J's running mean and variance (4 per channel
     * in DL4J's parameter count, 2 trainable). Option-A shortcuts have none.
     */
    static long convParams(int c) {
        return 9L * c * 16 + 6 * 2_304 + 4_608 + 5 * 9_216 + 18_432 + 5 * 36_864;
    }

    @Test
    void parameterCountIsHeEtAlsFormula() {
        assertEquals(267_696, convParams(3));   // the sums above, added by hand: 432 + 13,824 + 50,688 + 202,752
        long trainableCifar = convParams(3) + 650 + 2 * 688;
        assertEquals(269_722, trainableCifar, "He et al.: 0.27M");
        ComputationGraph g3 = new ResNet20().graph(ADAMW, 1, SHAPE, 3, 10);
        assertEquals(trainableCifar + 2 * 688, g3.numParams(), "+ DL4J's running mean and variance");
        ComputationGraph g1 = new ResNet20().graph(ADAMW, 1, SHAPE, 1, 10);
        assertEquals(convParams(1) + 650 + 4 * 688, g1.numParams(), "one input channel (Fashion-MNIST)");
        // 20 weighted layers: 19 convolutions and the dense output
        long weighted = g3.paramTable().keySet().stream().filter(k -> k.endsWith("_W")).count();
        assertEquals(20, weighted);
        assertEquals(19, g3.paramTable().keySet().stream().filter(k -> k.endsWith("_gamma")).count());
        assertTrue(g3.paramTable().keySet().stream().noneMatch(k -> k.contains("conv") && k.endsWith("_b")),
                "convolutions have no bias");
    }

    @Test
    void shapesHalveTheImageAndDoubleTheChannelsAtStagesTwoAndThree() {
        ComputationGraph g = new ResNet20().graph(ADAMW, 1, SHAPE, 3, 10);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32);
        Map<String, INDArray> a = g.feedForward(x, false);
        assertArrayEquals(new long[]{2, 16, 32, 32}, a.get("stem_bn").shape());
        assertArrayEquals(new long[]{2, 16, 32, 32}, a.get("s1b3_relu").shape());
        assertArrayEquals(new long[]{2, 32, 16, 16}, a.get("s2b1_conv1").shape());
        assertArrayEquals(new long[]{2, 32, 16, 16}, a.get("s2b1_pad").shape());
        assertArrayEquals(new long[]{2, 32, 16, 16}, a.get("s2b3_relu").shape());
        assertArrayEquals(new long[]{2, 64, 8, 8}, a.get("s3b3_relu").shape());
        assertArrayEquals(new long[]{2, 64}, a.get("pool").shape());
        assertArrayEquals(new long[]{2, 10}, a.get("out").shape());
        assertEquals(2.0, a.get("out").sumNumber().doubleValue(), 1e-5, "softmax rows sum to 1");
        // option A: the shortcut is every second pixel, its new channels zero
        INDArray in = a.get("s1b3_relu"), pad = a.get("s2b1_pad");
        for (int c = 0; c < 16; c++)
            for (int y = 0; y < 16; y += 5)
                for (int xx = 0; xx < 16; xx += 3) {
                    assertEquals(in.getFloat(1, c, 2 * y, 2 * xx), pad.getFloat(1, c, y, xx), 0f);
                    assertEquals(0f, pad.getFloat(1, c + 16, y, xx), 0f);
                }
    }

    @Test
    void onlyThirtyTwoPixelImages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ResNet20().checkInput(
                io.github.dl4jadamw.examples.data.FashionMnist.embeddedTest(2)));
        assertTrue(e.getMessage().contains("32×32"), e.getMessage());
        new ResNet20().checkInput(io.github.dl4jadamw.examples.data.FashionMnist.embeddedTest(2).paddedTo(32));
    }
}
