package io.github.dl4jadamw;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.io.File;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Config → JSON → config is equal; a network saved mid restart period resumes on exactly the same trajectory. */
class SerializationTest {

    static List<DecoupledDecayUpdater> configs() {
        return List.of(
                SGDW.builder().build(),
                SGDW.builder().nonFiniteGradients(NonFiniteGradients.UNCHECKED).build(),
                SGDWR.builder().learningRate(0.05).momentum(0.8).nesterov(true).restartsInIterations(3, 1.5)
                        .normalizedWeightDecay(0.02, 32, 1000).decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build(),
                AdamW.builder().build(),
                AdamW.builder().nonFiniteGradients(NonFiniteGradients.SKIP_STEP).build(),
                AdamW.builder().nonFiniteGradients(NonFiniteGradients.UNCHECKED).build(),
                AdamW.builder().learningRate(3e-3).betas(0.8, 0.99).epsilon(1e-6).weightDecay(0.2).amsgrad(true).build(),
                AdamW.builder().decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).weightDecay(0.05)
                        .schedule(CosineWarmRestarts.iterations(4, 2, 0, 1).withWarmup(1).withPeakDecay(0.7)).build(),
                AdamWR.builder().learningRate(1e-3).restartsInEpochs(1, 2, 157).normalizedWeightDecay(0.05, 64, 10_000).build(),
                AdamW.builder().normalizedWeightDecay(NormalizedWeightDecay.forRun(0.05, 64, 10_000, 15)).build());
    }

    @Test
    void updaterAndScheduleJsonRoundTrip() throws Exception {
        for (DecoupledDecayUpdater a : configs()) {
            String json = NeuralNetConfiguration.mapper().writeValueAsString(a);
            IUpdater back = NeuralNetConfiguration.mapper().readValue(json, IUpdater.class);
            assertEquals(a, back, json);
            assertEquals(a.hashCode(), back.hashCode());
            if (a.getSchedule() != null) {
                String s = NeuralNetConfiguration.mapper().writeValueAsString(a.getSchedule());
                assertEquals(a.getSchedule(), NeuralNetConfiguration.mapper().readValue(s, ISchedule.class));
            }
        }
    }

    @Test
    void networkConfigurationsRoundTrip() {
        for (DecoupledDecayUpdater a : configs()) {
            MultiLayerConfiguration conf = TestNets.mlp(TestNets.builder(a, true), true).getLayerWiseConfigurations();
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
            assertEquals(conf, back);
            BaseLayer l0 = (BaseLayer) back.getConf(0).getLayer();
            assertEquals(a, l0.getIUpdater());
            assertTrue(l0.getRegularization().contains(new DecoupledWeightDecay(true)));
            assertEquals(conf, MultiLayerConfiguration.fromYaml(conf.toYaml()));

            ComputationGraphConfiguration g = DecayPolicyTest.graph(a).getConfiguration();
            assertEquals(g, ComputationGraphConfiguration.fromJson(g.toJson()));
        }
    }

    /** Train 7 + 9 steps with a save/restore in between (mid period) versus 16 uninterrupted: bit-identical. */
    @Test
    void resumeMidRestartPeriodIsExact(@TempDir Path dir) throws Exception {
        // periods of 5, 10, 20 iterations: step 7 is inside the second period; AMSGrad adds a third state array
        for (DecoupledDecayUpdater a : List.<DecoupledDecayUpdater>of(
                SGDWR.builder().learningRate(0.05).restartsInIterations(5, 2).weightDecay(0.1).nesterov(true).build(),
                AdamWR.builder().learningRate(0.01).restartsInIterations(5, 2).weightDecay(0.1).build(),
                AdamWR.builder().learningRate(0.01).restartsInEpochs(1, 2, 5).normalizedWeightDecay(0.5, 8, 40)
                        .amsgrad(true).decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build())) {
            MultiLayerNetwork straight = TestNets.mlp(TestNets.builder(a, true), true);
            MultiLayerNetwork first = TestNets.mlp(TestNets.builder(a, true), true);
            for (int i = 0; i < 7; i++) {
                straight.fit(TestNets.data(i, 8));
                first.fit(TestNets.data(i, 8));
            }
            assertArrayEquals(straight.params().toDoubleVector(), first.params().toDoubleVector(), 0.0, "twins diverged");
            File f = dir.resolve("net.zip").toFile();
            ModelSerializer.writeModel(first, f, true);
            MultiLayerNetwork resumed = ModelSerializer.restoreMultiLayerNetwork(f, true);
            assertEquals(7, resumed.getIterationCount());
            assertEquals(straight.getUpdater().getStateViewArray(), resumed.getUpdater().getStateViewArray());
            for (int i = 7; i < 16; i++) {
                straight.fit(TestNets.data(i, 8));
                resumed.fit(TestNets.data(i, 8));
            }
            assertArrayEquals(straight.params().toDoubleVector(), resumed.params().toDoubleVector(), 0.0, a.toString());
            assertArrayEquals(straight.getUpdater().getStateViewArray().toDoubleVector(),
                    resumed.getUpdater().getStateViewArray().toDoubleVector(), 0.0);
        }
    }

    @Test
    void computationGraphResumeIsExact(@TempDir Path dir) throws Exception {
        AdamW a = AdamWR.builder().learningRate(0.02).restartsInIterations(3, 2).weightDecay(0.1).build();
        ComputationGraph straight = DecayPolicyTest.graph(a), first = DecayPolicyTest.graph(a);
        for (int i = 0; i < 4; i++) {
            straight.fit(TestNets.data(i, 8));
            first.fit(TestNets.data(i, 8));
        }
        File f = dir.resolve("graph.zip").toFile();
        ModelSerializer.writeModel(first, f, true);
        ComputationGraph resumed = ModelSerializer.restoreComputationGraph(f, true);
        for (int i = 4; i < 10; i++) {
            straight.fit(TestNets.data(i, 8));
            resumed.fit(TestNets.data(i, 8));
        }
        INDArray p1 = straight.params(), p2 = resumed.params();
        assertArrayEquals(p1.toDoubleVector(), p2.toDoubleVector(), 0.0);
    }
}
