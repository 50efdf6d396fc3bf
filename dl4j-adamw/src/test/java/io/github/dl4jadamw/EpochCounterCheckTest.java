package io.github.dl4jadamw;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AdamWR warns when its iterations per epoch (in optimizer steps) disagree with the epochs DL4J counts: 6 fits per
 * epoch here, so 6 steps, or 2 under accumulation over 3 fits.
 */
class EpochCounterCheckTest {

    private static CosineWarmRestarts train(double t0, double iterationsPerEpoch, int k) {
        AdamW adamwr = AdamWR.builder().learningRate(0.01).restartsInEpochs(t0, 1, iterationsPerEpoch)
                .accumulationSteps(k).build();
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(adamwr, true), false);
        List<DataSet> batches = new ArrayList<>();
        for (int i = 0; i < 6; i++) batches.add(TestNets.data(i, 4));
        net.fit(new ExistingDataSetIterator(batches), 3);
        assertEquals(3, net.getEpochCount());
        return (CosineWarmRestarts) ((AdamW) ((BaseLayer) net.getLayer(0).conf().getLayer()).getIUpdater()).getSchedule();
    }

    @Test
    void warnsWhenIterationsPerEpochDisagree() {
        assertTrue(EpochCounterCheck.warnedAbout(train(1.5, 10, 1)), "10 given, 6 counted");
        assertTrue(EpochCounterCheck.warnedAbout(train(1.25, 6, 3)), "6 fits per epoch are 2 optimizer steps");
    }

    @Test
    void silentWhenTheyAgree() {
        assertFalse(EpochCounterCheck.warnedAbout(train(2.5, 6, 1)));
        assertFalse(EpochCounterCheck.warnedAbout(train(2.25, 2, 3)));
    }
}
