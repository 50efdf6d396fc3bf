package io.github.dl4jadamw;

import org.deeplearning4j.ui.model.storage.InMemoryStatsStorage;
import org.deeplearning4j.nn.conf.constraint.MaxNormConstraint;
import org.deeplearning4j.nn.conf.constraint.MinMaxNormConstraint;
import org.deeplearning4j.nn.graph.ComputationGraph;
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

    /**
     * Under DecayRules (no marker left in the lists: the decision replaced it) the records give each layer's decay per
     * step as under the marker: lr·λ (PyTorch's convention) where a parameter of the layer decays. A layer whose every
     * parameter is excluded reports 0.
     */
    @Test
    void reportsTheDecayDecidedByRules() {
        double lr = 0.01, lambda = 0.05;
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().learningRate(lr).weightDecay(lambda)
                .build(), false), false);
        DecayRules.huggingFace().excludeNames("layer1").applyTo(net);
        List<List<AdamWListener.Record>> reports = new ArrayList<>();
        net.setListeners(AdamWListener.builder().reportEvery(1).sink(reports::add).build());
        net.fit(TestNets.data(0, 8));
        assertEquals(lr * lambda, reports.get(0).get(0).decayPerStep, 1e-18, "layer0: W decays by the rules");
        assertEquals(0.0, reports.get(0).get(1).decayPerStep, "layer1: excluded by name");
    }

    /**
     * Under accumulationSteps(3) a report comes every n optimizer steps, at the fit that applies the step: with
     * reportEvery(2), steps 0, 2, 4 at iterations 2, 8, 14, each with the learning rate of that step (a linear warm-up
     * over 4 steps: lr·s/4) and the step's gradient norm.
     */
    @Test
    void reportsCountOptimizerStepsUnderAccumulation() {
        double lr = 0.01;
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().learningRate(lr).weightDecay(0.1)
                .accumulationSteps(3).schedule(io.github.dl4jadamw.schedule.LinearWarmupDecay.of(4, 100)).build(),
                true), false);
        List<List<AdamWListener.Record>> reports = new ArrayList<>();
        net.setListeners(AdamWListener.builder().reportEvery(2).sink(reports::add).build());
        for (int i = 0; i < 16; i++) net.fit(TestNets.data(i, 8));
        List<Integer> iterations = new ArrayList<>(), steps = new ArrayList<>();
        for (List<AdamWListener.Record> r : reports) {
            iterations.add(r.get(0).iteration);
            steps.add(r.get(0).step);
            assertTrue(r.get(0).stepped);
            assertTrue(r.get(0).gradientNorm > 0, "the step's norm is reported");
            assertEquals(lr * Math.min(1.0, r.get(0).step / 4.0) * (r.get(0).step < 4 ? 1 : (100 - r.get(0).step) / 96.0),
                    r.get(0).learningRate, 1e-15, "lr at step " + r.get(0).step);
        }
        assertEquals(List.of(2, 8, 14), iterations);
        assertEquals(List.of(0, 2, 4), steps);
    }

    /**
     * DL4J applies weight constraints after the listeners: a snapshot must hold the constrained weights, i.e. equal the
     * live network after the step, and continue exactly as it does.
     */
    @Test
    void snapshotIsTheNetworkAfterTheStepWithConstraintsApplied(@TempDir Path dir) throws Exception {
        AdamW a = AdamWR.builder().learningRate(0.5).weightDecay(0.1).restartsInIterations(2, 1).build();
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(a, true).constrainWeights(new MaxNormConstraint(0.3, 1)), false);
        AdamWListener listener = AdamWListener.builder().reportEvery(0).snapshotsTo(dir.toFile()).build();
        net.setListeners(listener);
        net.fit(TestNets.data(0, 8));
        net.fit(TestNets.data(1, 8));                        // iteration 1 ends period 0: snapshot
        assertEquals(1, listener.restarts().size());
        MultiLayerNetwork snap = ModelSerializer.restoreMultiLayerNetwork(listener.restarts().get(0).snapshot, true);
        assertEquals(net.getIterationCount(), snap.getIterationCount());
        assertArrayEquals(net.params().toDoubleVector(), snap.params().toDoubleVector(), 0.0, "constrained weights");
        assertArrayEquals(net.getUpdater().getStateViewArray().toDoubleVector(),
                snap.getUpdater().getStateViewArray().toDoubleVector(), 0.0, "optimizer state");
        double[] norms = net.getLayer(0).getParam("W").norm2(1).toDoubleVector();
        for (double n : norms) assertTrue(n <= 0.3 + 1e-6, "max-norm held: " + n);   // the constraint did bind
        net.setListeners();
        for (int i = 2; i < 5; i++) {
            net.fit(TestNets.data(i, 8));
            snap.fit(TestNets.data(i, 8));
        }
        assertArrayEquals(net.params().toDoubleVector(), snap.params().toDoubleVector(), 0.0, "continues identically");
        try (var files = java.nio.file.Files.list(dir)) {
            assertEquals(1, files.count(), "one whole file, no partial left behind");
        }
    }

    /**
     * A restart on an epoch's last step (restarts in epochs, T_0 = 1 epoch of 2 minibatches): DL4J increments the
     * epoch counter after the listeners' onEpochEnd, and the snapshot must carry the epoch the live network goes on
     * with (a resumed "train until epoch N" loop reads it). The min-max constraint with rate 0.5 moves the weights
     * again each time it is applied, so the snapshot, written again at the epoch's end, must not apply it twice.
     */
    @Test
    void snapshotAtAnEpochEndCountsEpochsAsTheLiveNetwork(@TempDir Path dir) throws Exception {
        AdamW a = AdamWR.builder().learningRate(0.5).weightDecay(0.1).restartsInEpochs(1, 1, 2).build();
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(a, true)
                .constrainWeights(new MinMaxNormConstraint(0.1, 0.3, 0.5, 1)), false);
        AdamWListener listener = AdamWListener.builder().reportEvery(0).snapshotsTo(dir.toFile()).build();
        net.setListeners(listener);
        net.fit(epoch(0));                                  // iteration 1 ends period 0 and epoch 0
        assertEquals(1, listener.restarts().size());
        assertEquals(2, listener.restarts().get(0).nextIteration);
        MultiLayerNetwork snap = ModelSerializer.restoreMultiLayerNetwork(listener.restarts().get(0).snapshot, true);
        assertEquals(1, net.getEpochCount());
        assertEquals(net.getEpochCount(), snap.getEpochCount(), "epoch counter");
        assertEquals(net.getIterationCount(), snap.getIterationCount(), "iteration counter");
        assertArrayEquals(net.params().toDoubleVector(), snap.params().toDoubleVector(), 0.0);
        net.setListeners();
        for (int e = 1; e < 3; e++) {
            net.fit(epoch(e));
            snap.fit(epoch(e));
        }
        assertEquals(net.getEpochCount(), snap.getEpochCount());
        assertArrayEquals(net.params().toDoubleVector(), snap.params().toDoubleVector(), 0.0, "continues identically");
    }

    private static org.nd4j.linalg.dataset.api.iterator.DataSetIterator epoch(int e) {
        return new org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator<>(
                List.of(TestNets.data(2 * e, 8), TestNets.data(2 * e + 1, 8)), 1);   // 1 DataSet per minibatch
    }

    /** A snapshot directory that cannot be one is refused when the listener is built, not at the first restart. */
    @Test
    void snapshotDirectoryIsCheckedAtBuild(@TempDir Path dir) throws Exception {
        Path file = java.nio.file.Files.createFile(dir.resolve("a-file"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AdamWListener.builder().snapshotsTo(file.toFile()).build());
        assertTrue(e.getMessage().contains("snapshotsTo = " + file), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> AdamWListener.builder().snapshotsTo(file.resolve("below-a-file").toFile()).build());
        Path fresh = dir.resolve("new/snapshots");
        AdamWListener.builder().snapshotsTo(fresh.toFile()).build();
        assertTrue(java.nio.file.Files.isDirectory(fresh), "created at build");
    }

    /** The same for a ComputationGraph, whose clone() in DL4J starts the iteration counter over at 0. */
    @Test
    void graphSnapshotContinuesAsTheLiveGraph(@TempDir Path dir) throws Exception {
        AdamW a = AdamWR.builder().learningRate(0.05).weightDecay(0.1).restartsInIterations(3, 1).build();
        ComputationGraph g = DecayPolicyTest.graph(a);
        AdamWListener listener = AdamWListener.builder().reportEvery(0).snapshotsTo(dir.toFile()).build();
        g.setListeners(listener);
        for (int i = 0; i < 3; i++) g.fit(TestNets.data(i, 8));   // iteration 2 ends period 0: snapshot
        ComputationGraph snap = ModelSerializer.restoreComputationGraph(listener.restarts().get(0).snapshot, true);
        assertEquals(3, snap.getIterationCount());
        assertEquals(g.getIterationCount(), snap.getIterationCount());
        g.setListeners();
        for (int i = 3; i < 6; i++) {
            g.fit(TestNets.data(i, 8));
            snap.fit(TestNets.data(i, 8));
        }
        assertArrayEquals(g.params().toDoubleVector(), snap.params().toDoubleVector(), 0.0, "continues identically");
    }

    /**
     * ParallelWrapper's workers call one shared listener from their threads: each record must carry its own
     * iteration's figures (they once shared one scratch object).
     */
    @Test
    void sharedByThreadsEachRecordIsItsOwn() throws Exception {
        AdamW a = AdamWR.builder().learningRate(0.02).weightDecay(0.1).restartsInIterations(1000, 1).build();
        MultiLayerNetwork n1 = TestNets.mlp(TestNets.builder(a, true), false);
        MultiLayerNetwork n2 = TestNets.mlp(TestNets.builder(a, true), false);
        java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger(),
                seen = new java.util.concurrent.atomic.AtomicInteger();
        AdamWListener listener = AdamWListener.builder().reportEvery(1).sink(rs -> {
            for (AdamWListener.Record r : rs) {
                seen.incrementAndGet();
                double eta = 0.5 * (1 + Math.cos(Math.PI * r.iteration / 1000));    // closed form, period 0
                if (r.learningRate != 0.02 * eta && Math.abs(r.learningRate - 0.02 * eta) > 1e-15) wrong.incrementAndGet();
            }
        }).build();
        listener.iterationDone(n1, 10, 0);
        int perCall = seen.getAndSet(0);
        assertTrue(perCall > 0, "the listener reports each AdamW block");
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t1 = new Thread(() -> { for (int k = 0; k < 20_000; k++) listener.iterationDone(n1, 10, 0); });
        Thread t2 = new Thread(() -> { for (int k = 0; k < 20_000; k++) listener.iterationDone(n2, 500, 0); });
        for (Thread t : new Thread[]{t1, t2}) t.setUncaughtExceptionHandler((th, e) -> thrown.compareAndSet(null, e));
        t1.start(); t2.start(); t1.join(); t2.join();
        assertNull(thrown.get(), "a thread failed");
        assertEquals(40_000 * perCall, seen.get(), "every call reported");
        assertEquals(0, wrong.get(), "records with another thread's figures");
    }
}
