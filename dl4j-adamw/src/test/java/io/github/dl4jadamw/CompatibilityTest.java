package io.github.dl4jadamw;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.File;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What users saved before the internals moved still loads: the files in {@code src/test/resources/compat} were written
 * by the code of commit 2563695 (see the README there) and are compared with the same configurations built today.
 */
class CompatibilityTest {

    @Test
    void savedConfigurationsLoadAsTheSameConfigurations() throws Exception {
        List<DecoupledDecayUpdater> configs = SerializationTest.configs();
        for (int i = 0; i < configs.size(); i++) {
            MultiLayerConfiguration mln = MultiLayerConfiguration.fromJson(resource("mln-" + i + ".json"));
            assertEquals(TestNets.mlp(TestNets.builder(configs.get(i), true), true).getLayerWiseConfigurations(), mln,
                    "mln-" + i + ".json");
            ComputationGraphConfiguration graph = ComputationGraphConfiguration.fromJson(resource("graph-" + i + ".json"));
            assertEquals(DecayPolicyTest.graph(configs.get(i)).getConfiguration(), graph, "graph-" + i + ".json");
        }
    }

    @Test
    void savedModelRestoresWithItsUpdaterStateAndTrainsOn() throws Exception {
        File zip = new File(getClass().getResource("/compat/adamwr-mlp-3-steps.zip").toURI());
        MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(zip, true);
        AdamW expected = AdamWR.builder().learningRate(0.01).restartsInIterations(5, 2).weightDecay(0.1).amsgrad(true).build();
        for (int l = 0; l < net.getnLayers(); l++)
            assertEquals(expected, net.getLayer(l).conf().getLayer().getUpdaterByParam("W"), "layer " + l);
        assertEquals(3, net.getIterationCount());
        // AMSGrad: m, v and vmax for every parameter, and after 3 steps none of them is still zero
        INDArray state = net.getUpdater().getStateViewArray();
        assertEquals(3 * net.numParams(), state.length());
        assertTrue(state.amaxNumber().doubleValue() > 0);

        INDArray before = net.params().dup();
        INDArray f = Nd4j.rand(4, (int) net.layerInputSize(0));
        INDArray y = Nd4j.zeros(4, net.layerSize(net.getnLayers() - 1));
        for (int r = 0; r < 4; r++) y.putScalar(r, r % 2, 1);
        net.fit(new DataSet(f, y));
        assertEquals(4, net.getIterationCount());
        assertNotEquals(before, net.params());
        assertFalse(net.params().isNaN().any() || net.params().isInfinite().any());
    }

    private static String resource(String name) throws Exception {
        try (InputStream in = CompatibilityTest.class.getResourceAsStream("/compat/" + name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
