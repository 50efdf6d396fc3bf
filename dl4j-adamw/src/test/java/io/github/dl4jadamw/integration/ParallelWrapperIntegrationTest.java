package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.Exact;
import org.deeplearning4j.datasets.iterator.ExistingDataSetIterator;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.parallelism.ParallelWrapper;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * AdamW under DL4J's ParallelWrapper, 2 workers on CPU. Each worker thread runs DL4J's updater (and so the decay
 * ledger, which is per thread) on its own model; worker 0 trains the user's network itself, worker 1 a copy made from
 * the configuration's JSON. In AVERAGING mode ParallelWrapper averages parameters and, with
 * {@code averageUpdaters(true)}, the updater state arrays (AdamW's M and V) exactly as it does for Adam.
 *
 * <p>Three DL4J 1.0.0-M2.1 behaviours (they hit DL4J's Adam identically) shape these tests and the user idiom:
 * <ol>
 *   <li><b>The user's MultiLayerNetwork loses its updater after every {@code pw.fit()}</b>: worker 0's thread ends with
 *       {@code model.clear()}, and {@code MultiLayerNetwork.clear()} sets its solver — which holds the updater and its
 *       state — to null. The next {@code getUpdater()} or fit makes a fresh, zeroed state (AdamW's M and V restart at 0
 *       with the iteration count where it was). Workaround: take the updater before, put it back after:
 *       {@code Updater u = net.getUpdater(); pw.fit(it); net.setUpdater(u);}. The {@code getUpdater()} call is also the
 *       SHARED_GRADIENTS deadlock workaround from DL4J-NOTES.</li>
 *   <li><b>Start-up race</b>: worker 1 copies the user's network (parameters, updater state, iteration count) in its own
 *       thread while worker 0 may already be training its first minibatch on it, so worker 1 sometimes starts one step
 *       ahead. {@link StartTogether} holds worker 0 until worker 1 has copied, for the exact test below.</li>
 *   <li>The iteration count (AdamW's t, AdamWR's schedule position) advances once per round — one minibatch per
 *       worker — i.e. by minibatches/workers. AdamWR's {@code iterationsPerEpoch} is minibatchesPerEpoch/workers.</li>
 * </ol>
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ParallelWrapperIntegrationTest {
    static final int N_IN = 4, HIDDEN = 8, N_OUT = 3;

    static MultiLayerNetwork net(AdamW u) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE).seed(12).biasInit(0.1)
                .updater(u).regularization(DecoupledWeightDecay.onWeights())
                .list()
                .layer(new DenseLayer.Builder().nIn(N_IN).nOut(HIDDEN).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(HIDDEN).nOut(N_OUT).build())
                .build());
        net.init();
        return net;
    }

    static List<DataSet> batches(int n, int size) {
        List<DataSet> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add(Support.learnable(100 + i, size, N_IN, N_OUT));
        return l;
    }

    static List<DataSet> repeat(List<DataSet> data, int epochs) {
        List<DataSet> l = new ArrayList<>();
        for (int e = 0; e < epochs; e++) for (DataSet d : data) l.add(d.copy());
        return l;
    }

    static double loss(MultiLayerNetwork net, List<DataSet> data) {
        return net.score(DataSet.merge(data));
    }

    /** AdamW's first moment M: one block, state = [M | V]. */
    static INDArray stateM(MultiLayerNetwork net) {
        INDArray s = net.getUpdater().getStateViewArray();
        long n = net.numParams();
        assertEquals(2 * n, s.length(), "one AdamW block: state = [M | V]");
        return s.reshape(s.length()).get(NDArrayIndex.interval(0, n));
    }

    static INDArray stateV(MultiLayerNetwork net) {
        INDArray s = net.getUpdater().getStateViewArray();
        long n = net.numParams();
        return s.reshape(s.length()).get(NDArrayIndex.interval(n, 2 * n));
    }

    static ParallelWrapper.Builder<MultiLayerNetwork> wrapper(MultiLayerNetwork net, ParallelWrapper.TrainingMode mode) {
        return new ParallelWrapper.Builder<>(net).workers(2).prefetchBuffer(2).trainingMode(mode);
    }

    /** The user idiom: keep the updater across pw.fit() (see the class comment, point 1). */
    static void fitKeepingUpdater(MultiLayerNetwork net, ParallelWrapper pw, List<DataSet> data) {
        Updater u = net.getUpdater();
        pw.fit(new ExistingDataSetIterator(data));
        net.setUpdater(u);
    }

    @Test
    void dl4jDropsTheUserNetworksUpdaterAfterFitAndTheIdiomKeepsIt() {
        MultiLayerNetwork net = net(AdamW.builder().learningRate(0.02).weightDecay(0.05).build());
        List<DataSet> data = batches(4, 16);
        ParallelWrapper pw = wrapper(net, ParallelWrapper.TrainingMode.AVERAGING).averagingFrequency(1)
                .averageUpdaters(true).build();
        Updater before = net.getUpdater();
        pw.fit(new ExistingDataSetIterator(data));
        assertNotSame(before, net.getUpdater(), "DL4J keeps the updater now: drop the workaround from README");
        assertEquals(0.0, stateM(net).amaxNumber().doubleValue(), "fresh state after DL4J's clear()");
        assertTrue(before.getStateViewArray().amaxNumber().doubleValue() > 0, "the trained state is in the old updater");

        net.setUpdater(before);
        assertSame(before, net.getUpdater());
        fitKeepingUpdater(net, pw, data);
        assertSame(before, net.getUpdater());
        assertTrue(stateM(net).amaxNumber().doubleValue() > 0);
        pw.shutdown();
    }

    /**
     * Holds worker 0 (the user's network) before its first update until worker 1 has copied the network, so both
     * start from θ0 and iteration 0 (class comment, point 2). Worker 1 reaches onGradientCalculation only after copying.
     */
    static final class StartTogether extends BaseTrainingListener {
        private final Model root;
        private final CountDownLatch replicaRunning = new CountDownLatch(1);
        private volatile boolean rootStarted;

        StartTogether(Model root) { this.root = root; }

        @Override
        public void onGradientCalculation(Model model) {
            if (model != root) {
                replicaRunning.countDown();
            } else if (!rootStarted) {
                rootStarted = true;
                try {
                    assertTrue(replicaRunning.await(20, TimeUnit.SECONDS), "worker 1 never started");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /**
     * Independent reference: if both workers get the same minibatch in every round and everything is averaged every
     * round, each round is exactly one single-threaded step on that minibatch (the average of two equal values is that
     * value). So [b0, b0, b1, b1, ...] through ParallelWrapper equals fit(b0), fit(b1), ... on one thread, parameters
     * and AdamW state alike — decay once per step, on each worker's thread, included.
     */
    @RepeatedTest(3)
    void averagingEveryRoundEqualsSingleThreadedTraining() {
        AdamW adamw = AdamW.builder().learningRate(0.02).weightDecay(0.1).build();
        MultiLayerNetwork parallel = net(adamw), single = net(adamw);
        Exact.assertSameValues(single.params(), parallel.params(), "same initial parameters");
        List<DataSet> data = batches(6, 16);
        List<DataSet> doubled = new ArrayList<>();
        for (DataSet d : data) { doubled.add(d.copy()); doubled.add(d.copy()); }

        ParallelWrapper pw = wrapper(parallel, ParallelWrapper.TrainingMode.AVERAGING)
                .averagingFrequency(1).averageUpdaters(true).build();
        pw.setListeners(new StartTogether(parallel));
        fitKeepingUpdater(parallel, pw, doubled);
        pw.shutdown();
        for (DataSet d : data) single.fit(d.copy());

        assertEquals(data.size(), parallel.getIterationCount(), "one iteration per round of 2 minibatches");
        assertClose("parameters", single.params(), parallel.params());
        assertClose("AdamW M", stateM(single), stateM(parallel));
        assertClose("AdamW V", stateV(single), stateV(parallel));
    }

    /** Records, per worker model, its parameters and updater state right after its latest step. */
    static final class LastState extends BaseTrainingListener {
        final Map<Model, INDArray[]> last = Collections.synchronizedMap(new IdentityHashMap<>());

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            MultiLayerNetwork m = (MultiLayerNetwork) model;
            last.put(model, new INDArray[]{m.params().dup(), m.getUpdater().getStateViewArray().dup()});
        }
    }

    /**
     * Distinct minibatches, averaging every 3 rounds, 4 fits (epochs): the network trains, and after the last
     * averaging round its parameters and AdamW state are the mean of the two workers' (recorded right after each
     * worker's last step).
     */
    @Test
    void averagingEveryThirdRoundAveragesParametersAndAdamWState() {
        MultiLayerNetwork net = net(AdamW.builder().learningRate(0.02).weightDecay(0.05).build());
        List<DataSet> data = batches(12, 16);        // 6 rounds per fit: averaged after rounds 3 and 6
        double before = loss(net, data);
        LastState listener = new LastState();
        ParallelWrapper pw = wrapper(net, ParallelWrapper.TrainingMode.AVERAGING)
                .averagingFrequency(3).averageUpdaters(true).build();
        pw.setListeners(listener);
        for (int epoch = 0; epoch < 4; epoch++) {
            listener.last.clear(); // each fit makes a new copy for worker 1
            fitKeepingUpdater(net, pw, data);
        }
        pw.shutdown();

        double after = loss(net, data);
        assertTrue(after < 0.7 * before, "loss " + before + " -> " + after);
        assertTrue(Support.finite(net.params()));
        assertEquals(4 * 12 / 2, net.getIterationCount(), "iterations = rounds = minibatches / workers");

        INDArray m = stateM(net), v = stateV(net);
        assertTrue(m.amaxNumber().doubleValue() > 0, "M present");
        assertTrue(v.minNumber().doubleValue() >= 0 && v.maxNumber().doubleValue() > 0, "V present and non-negative");

        assertEquals(2, listener.last.size(), "the last fit's two worker models");
        assertTrue(listener.last.containsKey(net), "worker 0 trains the user's network itself");
        INDArray[][] w = listener.last.values().toArray(new INDArray[0][]);
        assertClose("averaged parameters", w[0][0].add(w[1][0]).divi(2), net.params());
        assertClose("averaged AdamW state", w[0][1].add(w[1][1]).divi(2), net.getUpdater().getStateViewArray());
    }

    /**
     * SHARED_GRADIENTS: each worker runs AdamW (decay included) on its own gradient; the resulting update is
     * threshold-encoded (each element moves by ±τ per message, the rest stays in a residual) and every worker applies
     * every worker's messages. The default adaptive threshold starts at τ = 1e-4, far below a tiny network's AdamW
     * steps (≈ lr), so it barely trains in a few rounds (DL4J's Adam alike); a fixed τ near lr does. Deadlock
     * workaround (DL4J-NOTES): {@code net.getUpdater()} before every {@code pw.fit()}, which the idiom does anyway.
     */
    @Test
    void sharedGradientsTrainsWithTheGetUpdaterWorkaround() {
        MultiLayerNetwork net = net(AdamW.builder().learningRate(0.02).weightDecay(0.05).build());
        List<DataSet> data = batches(8, 16);
        double before = loss(net, data);
        for (int epoch = 0; epoch < 3; epoch++) {
            ParallelWrapper pw = wrapper(net, ParallelWrapper.TrainingMode.SHARED_GRADIENTS)
                    .thresholdAlgorithm(new FixedThresholdAlgorithm(1e-2)).build();
            fitKeepingUpdater(net, pw, data);
            pw.shutdown();
        }
        double after = loss(net, data);
        assertTrue(after < 0.8 * before, "loss " + before + " -> " + after);
        assertTrue(Support.finite(net.params()));
        assertTrue(stateM(net).amaxNumber().doubleValue() > 0 && stateV(net).maxNumber().doubleValue() > 0);
        assertEquals(3 * 8 / 2, net.getIterationCount());
    }

    @Test
    void sharedGradientsOneFitOverAllEpochs() {
        MultiLayerNetwork net = net(AdamW.builder().learningRate(0.02).weightDecay(0.05).build());
        List<DataSet> data = batches(8, 16);
        double before = loss(net, data);
        ParallelWrapper pw = wrapper(net, ParallelWrapper.TrainingMode.SHARED_GRADIENTS)
                .thresholdAlgorithm(new FixedThresholdAlgorithm(1e-2)).build();
        fitKeepingUpdater(net, pw, repeat(data, 3));
        pw.shutdown();
        double after = loss(net, data);
        assertTrue(after < 0.8 * before, "loss " + before + " -> " + after);
        assertTrue(Support.finite(net.params()));
    }

    /**
     * Accumulation, global-norm clipping and the EMA are refused under ParallelWrapper (each worker would accumulate and
     * clip only its own minibatches, and state averaging would mix ACC and the EMA with M and V): pw.fit fails naming
     * the option and ParallelWrapper, and the user's network keeps its parameters.
     */
    @Test
    void stepOptionsAreRefusedUnderParallelWrapper() {
        for (AdamW u : new AdamW[]{AdamW.builder().accumulationSteps(2).build(), AdamW.builder().ema(0.9).build()}) {
            MultiLayerNetwork net = net(u);
            INDArray before = net.params().dup();
            ParallelWrapper pw = wrapper(net, ParallelWrapper.TrainingMode.AVERAGING).averagingFrequency(1).build();
            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> pw.fit(new ExistingDataSetIterator(batches(4, 16))));
            pw.shutdown();
            String m = messages(e);
            assertTrue(m.contains("org.deeplearning4j.parallelism") && m.contains("global batch"), m);
            assertTrue(m.contains(u.getAccumulationSteps() > 1 ? "accumulationSteps = 2" : "ema = 0.9"), m);
            Exact.assertSameValues(before, net.params(), "the user's network did not step");
        }
    }

    private static String messages(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (; t != null; t = t.getCause()) s.append(t).append(" | ");
        return s.toString();
    }

    static void assertClose(String what, INDArray expected, INDArray actual) {
        double scale = Math.max(1e-300, expected.amaxNumber().doubleValue());
        double err = expected.sub(actual).amaxNumber().doubleValue() / scale;
        assertTrue(err < 1e-12, what + ": relative difference " + err);
    }
}
