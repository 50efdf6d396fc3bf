package io.github.dl4jadamw.examples.model;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class ModelsTest {
    static final OptimizerSpec ADAM_L2 = new OptimizerSpec(OptimizerKind.ADAM_L2, 1e-3, 5e-4);
    static final OptimizerSpec ADAMW = new OptimizerSpec(OptimizerKind.ADAMW, 1e-3, 0.05);
    static final OptimizerSpec ADAMWR = new OptimizerSpec(OptimizerKind.ADAMWR, 1e-3, 0.05);

    @Test
    void parameterCountsOfTheProtocolNetworks() {
        assertEquals(784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10,
                Models.FMNIST_MLP.network(ADAMW, 1, 10, 10).numParams());
        assertEquals(5 * 5 * 16 + 16 + 5 * 5 * 16 * 32 + 32 + 7 * 7 * 32 * 128 + 128 + 128 * 10 + 10,
                Models.FMNIST_CNN.network(ADAMW, 1, 10, 10).numParams());
    }

    @Test
    void sameSeedSameInitialWeightsForEveryOptimizer_uniformWeightsZeroBiases() {
        MultiLayerNetwork a = Models.FMNIST_MLP.network(ADAM_L2, 7, 157, 10);
        MultiLayerNetwork w = Models.FMNIST_MLP.network(ADAMWR, 7, 157, 10);
        assertArrayEquals(a.params().toDoubleVector(), w.params().toDoubleVector(), 0.0, "same initial weights, exactly");
        assertNotEquals(a.params(), Models.FMNIST_MLP.network(ADAM_L2, 8, 157, 10).params());
        Map<String, INDArray> p = a.paramTable();
        double bound = 1 / Math.sqrt(784);
        INDArray w0 = p.get("0_W");
        assertEquals(DataType.FLOAT, w0.dataType());
        assertTrue(w0.maxNumber().doubleValue() <= bound && w0.minNumber().doubleValue() >= -bound);
        assertTrue(w0.maxNumber().doubleValue() > 0.9 * bound, "U(−1/√fan_in, 1/√fan_in) fills the range");
        assertEquals(0, p.get("0_b").norm1Number().doubleValue(), 0);
        assertEquals(0, p.get("2_b").norm1Number().doubleValue(), 0);
    }

    @Test
    void updatersAndRegularization() {
        BaseLayer l2 = (BaseLayer) Models.FMNIST_MLP.configuration(ADAM_L2, 1, 157, 10).getConf(0).getLayer();
        assertInstanceOf(Adam.class, l2.getIUpdater());
        assertEquals(1, l2.getRegularization().size(), "L2 on weights");
        assertTrue(l2.getRegularizationBias() == null || l2.getRegularizationBias().isEmpty(), "no L2 on biases");
        BaseLayer wr = (BaseLayer) Models.FMNIST_MLP.configuration(ADAMWR, 1, 157, 10).getConf(1).getLayer();
        AdamW u = (AdamW) wr.getIUpdater();
        assertEquals(0.05, u.getWeightDecay());
        assertNotNull(u.getSchedule());
        assertTrue(wr.getRegularizationBias() == null || wr.getRegularizationBias().isEmpty(), "no decay on biases");
    }

    @Test
    void cifarNetworkWithBatchNormTrainsAStepWithAdamW() {
        MultiLayerNetwork net = Models.CIFAR10.network(ADAMW, 1, 10, 10);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 10);
        for (int i = 0; i < 4; i++) y.putScalar(i, i, 1);
        INDArray before = net.params().dup();
        net.fit(x, y);
        assertNotEquals(before, net.params());
        assertArrayEquals(new long[]{4, 10}, net.output(x).shape());
        assertTrue(Double.isFinite(net.score()));
    }

    @Test
    void inputShapeIsChecked() {
        var fm = io.github.dl4jadamw.examples.data.FashionMnist.embeddedTest(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Models.CIFAR10.checkInput(fm));
        assertTrue(e.getMessage().contains("3×32×32") && e.getMessage().contains("1×28×28"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Models.parse("resnet"));
    }
}
