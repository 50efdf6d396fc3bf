package io.github.dl4jadamw;

import io.github.dl4jadamw.schedule.CosineWarmup;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.serde.json.JsonMappers;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The recipe options: refused bad values (field, value, range), JSON and Java serialization round trips, defaults. */
class StepOptionsTest {

    private static void refused(Supplier<?> build, String... mustSay) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::get);
        for (String s : mustSay)
            assertTrue(e.getMessage().contains(s), "'" + e.getMessage() + "' should contain '" + s + "'");
    }

    @Test
    void badValuesAreRefusedAtBuildTime() {
        refused(() -> AdamW.builder().clipGlobalNorm(0).build(), "clipGlobalNorm = 0.0", "> 0", "leave clipGlobalNorm unset");
        refused(() -> AdamW.builder().clipGlobalNorm(-1).build(), "clipGlobalNorm = -1.0", "> 0");
        refused(() -> AdamW.builder().clipGlobalNorm(Double.NaN).build(), "clipGlobalNorm = NaN", "finite");
        refused(() -> SGDW.builder().clipGlobalNorm(Double.POSITIVE_INFINITY).build(), "clipGlobalNorm = Infinity", "finite");
        refused(() -> AdamW.builder().accumulationSteps(0).build(), "accumulationSteps = 0", ">= 1");
        refused(() -> SGDW.builder().accumulationSteps(-3).build(), "accumulationSteps = -3", ">= 1");
        refused(() -> AdamW.builder().ema(1).build(), "emaDecay = 1.0", "[0, 1)");
        refused(() -> AdamW.builder().ema(-0.1).build(), "emaDecay = -0.1", "[0, 1)");
        refused(() -> SGDW.builder().ema(Double.NaN).build(), "emaDecay = NaN", "[0, 1)");
        refused(() -> AdamWR.builder().restartsInIterations(10, 1).clipGlobalNorm(-2).build(), "clipGlobalNorm = -2.0");
        refused(() -> SGDWR.builder().restartsInIterations(10, 1).accumulationSteps(0).build(), "accumulationSteps = 0");
        refused(() -> AdamW.builder().build().withLearningRateScale(-0.5), "learningRate scale = -0.5", ">= 0");
        refused(() -> SGDW.builder().build().withLearningRateScale(Double.NaN), "learningRate scale = NaN");
    }

    @Test
    void defaultsAreOffAndOptionsSplitUpdaterBlocks() {
        AdamW plain = AdamW.builder().build();
        assertEquals(0.0, plain.getClipGlobalNorm());
        assertEquals(1, plain.getAccumulationSteps());
        assertNull(plain.getEmaDecay());
        assertEquals(2 * 10, plain.stateSize(10));
        AdamW all = AdamW.builder().amsgrad(true).clipGlobalNorm(1).accumulationSteps(4).ema(0.99).build();
        assertEquals(5 * 10, all.stateSize(10), "M, V, VMAX, ACC, EMA");
        assertEquals(3 * 10, SGDW.builder().accumulationSteps(2).ema(0.5).build().stateSize(10), "M, ACC, EMA");
        assertNotEquals(plain, AdamW.builder().clipGlobalNorm(1).build());
        assertNotEquals(plain, AdamW.builder().accumulationSteps(2).build());
        assertNotEquals(plain, AdamW.builder().ema(0.5).build());
        AdamW scaled = all.withLearningRateScale(0.25);
        assertEquals(all.getLearningRate() * 0.25, scaled.getLearningRate(), 0);
        assertEquals(all.getClipGlobalNorm(), scaled.getClipGlobalNorm());
        assertEquals(all.getEmaDecay(), scaled.getEmaDecay());
        assertEquals(all.getAccumulationSteps(), scaled.withWeightDecay(0).withSchedule(CosineWarmup.of(1, 5)).clone()
                .getAccumulationSteps(), "every copy keeps the options");
    }

    private static IUpdater[] everyKind() {
        return new IUpdater[]{
                AdamW.builder().learningRate(3e-4).betas(0.9, 0.95).weightDecay(0.1).schedule(CosineWarmup.of(10, 100))
                        .clipGlobalNorm(1).accumulationSteps(4).ema(0.999).build(),
                SGDW.builder().clipGlobalNorm(0.5).accumulationSteps(2).ema(0).build(),
                AdamWR.builder().restartsInIterations(10, 2).clipGlobalNorm(2).ema(0.9).build(),
                SGDWR.builder().restartsInIterations(10, 1).accumulationSteps(3).build()};
    }

    @Test
    void jsonRoundTripInsideNetworkConfigurations() {
        for (IUpdater u : everyKind()) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().updater(u)
                    .regularization(DecoupledWeightDecay.onWeights()).list()
                    .layer(new DenseLayer.Builder().nIn(3).nOut(4).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                            .nIn(4).nOut(2).updater(((DecoupledDecayUpdater) u) instanceof AdamW
                                    ? ((AdamW) u).withLearningRateScale(0.5) : ((SGDW) u).withLearningRateScale(0.5))
                            .build())
                    .build();
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
            assertEquals(conf, back);
            assertEquals(u, ((BaseLayer) back.getConf(0).getLayer()).getIUpdater());
            ComputationGraphConfiguration g = new NeuralNetConfiguration.Builder().updater(u)
                    .regularization(DecoupledWeightDecay.onWeights()).graphBuilder().addInputs("in")
                    .addLayer("d", new DenseLayer.Builder().nIn(3).nOut(4).build(), "in")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .activation(Activation.SOFTMAX).nIn(4).nOut(2).build(), "d")
                    .setOutputs("out").build();
            assertEquals(g, ComputationGraphConfiguration.fromJson(g.toJson()));
        }
    }

    /** A configuration written before the options existed reads with them off. */
    @Test
    void jsonWithoutTheOptionsReadsWithThemOff() throws Exception {
        var mapper = JsonMappers.getMapper();
        for (IUpdater u : new IUpdater[]{AdamW.builder().weightDecay(0.05).build(), SGDW.builder().build()}) {
            String json = mapper.writeValueAsString(u);
            String old = json.replaceAll(",\\s*\"(clipGlobalNorm|accumulationSteps|emaDecay)\"\\s*:\\s*[^,}]+", "");
            assertTrue(!old.contains("clipGlobalNorm") && !old.contains("accumulationSteps") && !old.contains("emaDecay"), old);
            assertEquals(u, mapper.readValue(old, IUpdater.class));
        }
    }

    /** Java serialization (Spark, ParallelWrapper copies): the options and the state they need survive. */
    @Test
    void javaSerializationKeepsTheOptions() throws Exception {
        for (IUpdater u : everyKind()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(u);
            }
            IUpdater back;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                back = (IUpdater) in.readObject();
            }
            assertEquals(u, back);
            assertEquals(u.stateSize(7), back.stateSize(7));
        }
    }
}
