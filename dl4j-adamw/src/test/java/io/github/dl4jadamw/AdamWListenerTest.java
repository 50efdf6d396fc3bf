package io.github.dl4jadamw;

import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.ui.model.stats.StatsListener;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** The listener's figures against closed forms, restart events, SGDR snapshots, and DL4J's StatsListener alongside. */
class AdamWListenerTest {

    @Test
    void reportsRestartsAndSnapshots(@TempDir Path dir) throws Exception {
        double lr = 0.02, lambda = 0.1;
        AdamW a = AdamWR.builder().learningRate(lr).weightDecay(lambda).restartsInIterations(4, 2).build();
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(a, true), false);
        List<List<AdamWListener.Record>> reports = new ArrayList<>();
        AdamWListener listener = AdamWListener.builder().reportEvery(1).snapshotsTo(dir.toFile()).sink(reports::add).build();
        InMemoryStatsStorage stats = new InMemoryStatsStorage();
        net.setListeners(listener, new StatsListener(stats));
        for (int i = 0; i < 14; i++) net.fit(TestNets.data(i, 8));

        assertEquals(14, reports.size());
        AdamWListener.Record r = reports.get(2).get(0); // iteration 2: T_cur = 2 of T_0 = 4
        double eta = 0.5 * (1 + Math.cos(Math.PI * 2 / 4));
        assertEquals(2, r.iteration);
        assertEquals(eta, r.eta, 1e-15);
        assertEquals(lr * eta, r.learningRate, 1e-15);
        assertEquals(lr * eta * lambda, r.decayPerStep, 1e-15);
        assertEquals(Math.log(0.5) / Math.log(1 - lr * eta * lambda), r.halfLifeSteps, 1e-6);
        AdamWListener.Record last = reports.get(13).get(1);
        assertEquals(net.getLayer(1).getParam("W").norm2Number().doubleValue(), last.weightNorm, 1e-12);

        // periods [0,4) [4,12) [12,28): restarts before iterations 4 and 12
        List<AdamWListener.Restart> restarts = listener.restarts();
        assertEquals(2, restarts.size());
        assertEquals(4, restarts.get(0).nextIteration);
        assertEquals(12, restarts.get(1).nextIteration);
        MultiLayerNetwork snap = ModelSerializer.restoreMultiLayerNetwork(restarts.get(0).snapshot, true);
        assertEquals(4, snap.getIterationCount(), "snapshot taken at the end of period 0");

        assertFalse(stats.listSessionIDs().isEmpty(), "StatsListener ran alongside");
    }
}
