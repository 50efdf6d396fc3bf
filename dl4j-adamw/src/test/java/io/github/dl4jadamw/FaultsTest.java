package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.StepScalars;

import io.github.dl4jadamw.internal.kernel.Kernels;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/** NaN/Inf gradients, float32 decay precision, half precision, the int iteration limit, threads. */
class FaultsTest {

    /** In float64: libnd4j's isFinite misses some HALF NaN bit patterns (see DecayLedger.firstNonFiniteByOps). */
    static boolean finite(INDArray a) {
        return org.nd4j.linalg.indexing.BooleanIndexing.and(a.castTo(DataType.DOUBLE),
                org.nd4j.linalg.indexing.conditions.Conditions.isFinite());
    }

    private static DataSet poisoned(double bad) {
        DataSet d = TestNets.data(5, 8);
        d.getFeatures().putScalar(3, 1, bad);
        return d;
    }

    @Test
    void nonFiniteGradientFailsWithNothingChanged() {
        // lr·λ = 1e-3: a refused step that still decayed θ would move it far beyond rounding
        AdamW adamw = AdamW.builder().learningRate(1e-2).weightDecay(0.1).build();
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(adamw, true), true);
        net.fit(TestNets.data(1, 8));
        INDArray params = net.params().dup(), state = net.getUpdater().getStateViewArray().dup();
        for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY}) {
            NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class, () -> net.fit(poisoned(bad)));
            assertTrue(e.getMessage().contains("NaN/Inf"), e.getMessage());
            assertEquals(1, e.getIteration());
            Exact.assertSameValues(params, net.params(), "parameters");
            Exact.assertSameValues(state, net.getUpdater().getStateViewArray(), "updater state");
        }
        net.fit(TestNets.data(2, 8)); // recovers on good data
        assertNotEquals(params, net.params());
    }

    /**
     * The check runs once per step, and a step is not recognized by its counters alone: with the iteration counter
     * reset (or a step retried at the same iteration) a NaN is still caught. It once reused the earlier step's verdict.
     */
    @Test
    void nonFiniteGradientIsCaughtWhenTheIterationRepeats() {
        // lr·λ = 1e-3: a refused step that still decayed θ would move it far beyond rounding
        AdamW adamw = AdamW.builder().learningRate(1e-2).weightDecay(0.1).build();
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(adamw, true), true);
        net.fit(TestNets.data(1, 8));                                // iteration 0: checked, finite
        net.getLayerWiseConfigurations().setIterationCount(0);
        INDArray params = net.params().dup(), state = net.getUpdater().getStateViewArray().dup();
        assertThrows(NonFiniteGradientException.class, () -> net.fit(poisoned(Double.NaN)));
        Exact.assertSameValues(params, net.params(), "parameters");
        Exact.assertSameValues(state, net.getUpdater().getStateViewArray(), "updater state");
    }

    /**
     * A 16-bit network's check runs on libnd4j ops, as every network's does on CUDA (see NonFiniteByOpsTest for the two
     * libnd4j bugs it works around); both policies hold there.
     */
    @Test
    void nonFiniteGradientIsCaughtInHalfNetworks() {
        for (NonFiniteGradients policy : List.of(NonFiniteGradients.FAIL, NonFiniteGradients.SKIP_STEP)) {
            AdamW adamw = AdamW.builder().learningRate(1e-2).weightDecay(0.1).nonFiniteGradients(policy).build();
            MultiLayerNetwork net = TestNets.mlp(TestNets.builder(adamw, true).dataType(DataType.HALF), false);
            net.fit(half(TestNets.data(1, 8)));
            INDArray params = net.params().dup(), state = net.getUpdater().getStateViewArray().dup();
            for (double bad : new double[]{Double.NaN, Double.POSITIVE_INFINITY}) {
                DataSet d = half(poisoned(bad));
                if (policy == NonFiniteGradients.FAIL) assertThrows(NonFiniteGradientException.class, () -> net.fit(d));
                else net.fit(d);
                Exact.assertSameValues(params, net.params(), policy + ", " + bad + ": parameters");
                Exact.assertSameValues(state, net.getUpdater().getStateViewArray(), policy + ", " + bad + ": state");
            }
        }
    }

    private static DataSet half(DataSet d) {
        return as(d, DataType.HALF);
    }

    private static DataSet as(DataSet d, DataType type) {
        return new DataSet(d.getFeatures().castTo(type), d.getLabels().castTo(type));
    }

    @Test
    void skipStepPolicyLeavesEverythingAsItWas() {
        AdamW a = AdamW.builder().learningRate(1e-2).weightDecay(0.1)   // a skipped step keeps its decay out too
                .nonFiniteGradients(NonFiniteGradients.SKIP_STEP).build();
        MultiLayerNetwork net = TestNets.mlp(TestNets.builder(a, true), false);
        net.fit(TestNets.data(1, 8));
        INDArray params = net.params().dup(), state = net.getUpdater().getStateViewArray().dup();
        net.fit(poisoned(Double.NaN));
        Exact.assertSameValues(params, net.params(), "parameters");
        Exact.assertSameValues(state, net.getUpdater().getStateViewArray(), "updater state");
        assertEquals(2, net.getIterationCount());
        net.fit(TestNets.data(2, 8));
        assertTrue(finite(net.params()) && !net.params().equals(params));
    }

    /** The refusal names the updater that refused, not always AdamW. */
    @Test
    void theRefusalNamesTheUpdater() {
        for (DecoupledDecayUpdater cfg : new DecoupledDecayUpdater[]{AdamW.builder().weightDecay(0).build(),
                SGDW.builder().weightDecay(0).build(), SGDWR.builder().weightDecay(0).restartsInIterations(4, 2).build()}) {
            GradientUpdater<?> u = cfg.instantiate(Nd4j.zeros(DataType.DOUBLE, cfg.stateSize(2)), true);
            INDArray bad = Nd4j.createFromArray(1.0, Double.NaN).reshape(1, 2);
            NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class, () -> u.applyUpdater(bad, 0, 0));
            String name = cfg.getClass().getSimpleName();
            assertTrue(e.getMessage().startsWith(name + ": the gradient") && e.getMessage().contains("; " + name
                    + " changed no parameter"), e.getMessage());
        }
    }

    /**
     * A skipped step still counts toward t (DL4J counts the iteration; PyTorch's GradScaler would not), as README's
     * Faults section says: after skipping step 1, step 2 runs with t = 2 on moments that hold one gradient. Closed
     * form: u = lr/(1−β1²)·(1−β1)·g / (√((1−β2)·g²)/√(1−β2²) + ε), about 0.744·lr·sign(g) where PyTorch's would be
     * lr·sign(g).
     */
    @Test
    void aSkippedStepStillCountsTowardT() {
        double lr = 1e-2, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        AdamW a = AdamW.builder().learningRate(lr).beta1(b1).beta2(b2).epsilon(eps).weightDecay(0)
                .nonFiniteGradients(NonFiniteGradients.SKIP_STEP).build();
        double[] g = {0.3, -2.0, 5e-3, 1e-7};
        GradientUpdater<?> u = a.instantiate(Nd4j.zeros(DataType.DOUBLE, a.stateSize(g.length)), true);
        INDArray bad = Nd4j.createFromArray(g).reshape(1, g.length).putScalar(1, Double.NaN);
        u.applyUpdater(bad, 0, 0);
        assertEquals(0, bad.amaxNumber().doubleValue(), "a skipped step's update is zero");
        INDArray step = Nd4j.createFromArray(g).reshape(1, g.length);
        u.applyUpdater(step, 1, 0);
        for (int i = 0; i < g.length; i++) {
            double expected = lr / (1 - b1 * b1) * (1 - b1) * g[i]
                    / (Math.sqrt((1 - b2) * g[i] * g[i]) / Math.sqrt(1 - b2 * b2) + eps);
            assertEquals(expected, step.getDouble(i), 1e-12 * Math.abs(expected), "element " + i);
        }
        assertEquals(0.744 * lr, step.getDouble(0), 1e-3 * lr, "0.744·lr for |g| ≫ ε (README)");
    }

    /**
     * SKIP_STEP leaves the whole network as it was, not only the AdamW blocks: BatchNormalization's running mean and
     * variance step with their own (no-op) updater after the AdamW block, on a NaN "gradient" (their change) unless
     * the whole update is zeroed. They once turned NaN, and every later step was skipped on them. A DL4J Adam layer
     * after the AdamW block (excluded from the marker) gets a zero gradient instead of the NaN: it stays finite.
     */
    @Test
    void skipStepLeavesBatchNormalizationAndLaterBlocksFinite() {
        for (boolean adamLayer : new boolean[]{false, true}) {
            AdamW a = AdamW.builder().learningRate(1e-2).weightDecay(0.1).nonFiniteGradients(NonFiniteGradients.SKIP_STEP)
                    .build();
            DenseLayer.Builder mid = new DenseLayer.Builder().nIn(TestNets.HIDDEN).nOut(TestNets.HIDDEN)
                    .activation(Activation.TANH);
            if (adamLayer) mid.updater(new Adam(0.01)).regularization(DecoupledWeightDecay.excluded());
            MultiLayerNetwork net = new MultiLayerNetwork(TestNets.builder(a, true).list()
                    .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).activation(Activation.TANH)
                            .build())
                    .layer(new BatchNormalization.Builder().nOut(TestNets.HIDDEN).build())
                    .layer(mid.build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                            .nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).build())
                    .build());
            net.init();
            net.fit(TestNets.data(1, 8));
            INDArray params = net.params().dup(), state = net.getUpdater().getStateViewArray().dup();
            net.fit(poisoned(Double.NaN));
            if (!adamLayer) {
                Exact.assertSameValues(params, net.params(), "parameters, BatchNormalization's mean and variance included");
                Exact.assertSameValues(state, net.getUpdater().getStateViewArray(), "updater state");
            }
            assertTrue(finite(net.params()) && finite(net.getUpdater().getStateViewArray()), "adamLayer " + adamLayer);
            net.fit(TestNets.data(2, 8));   // the next clean step trains
            assertTrue(finite(net.params()) && !net.params().equals(params), "adamLayer " + adamLayer);
        }
    }

    /**
     * UNCHECKED does what PyTorch and DL4J do: no scan, the NaN/Inf flows into the parameters and the state. On both
     * kernels' paths: float64 and float32 networks (the CPU kernel, or whatever -Dadamw.kernel forces) and a HALF
     * network (the ND4J-op kernel).
     */
    @Test
    void uncheckedPolicyLetsANonFiniteGradientThrough() {
        for (DataType type : new DataType[]{DataType.DOUBLE, DataType.FLOAT, DataType.HALF}) {
            AdamW adamw = AdamW.builder().learningRate(1e-2).weightDecay(0.1)
                    .nonFiniteGradients(NonFiniteGradients.UNCHECKED).build();
            MultiLayerNetwork net = TestNets.mlp(TestNets.builder(adamw, true).dataType(type), false);
            net.fit(as(TestNets.data(1, 8), type));
            assertTrue(finite(net.params()), type + ": a finite step stays finite");
            net.fit(as(poisoned(Double.NaN), type));   // no exception
            assertFalse(finite(net.params()), type + ": parameters");
            assertFalse(finite(net.getUpdater().getStateViewArray()), type + ": updater state");
        }
    }

    /** On finite gradients UNCHECKED steps exactly as FAIL does (it only leaves the scan out). */
    @Test
    void uncheckedPolicyStepsAsTheCheckedOnesDo() {
        MultiLayerNetwork[] nets = new MultiLayerNetwork[2];
        NonFiniteGradients[] policies = {NonFiniteGradients.FAIL, NonFiniteGradients.UNCHECKED};
        for (int i = 0; i < 2; i++) {
            AdamW adamw = AdamW.builder().learningRate(1e-2).weightDecay(0.1).nonFiniteGradients(policies[i]).build();
            nets[i] = TestNets.mlp(TestNets.builder(adamw, true), true);
            for (int it = 0; it < 3; it++) nets[i].fit(TestNets.data(it, 8));
        }
        Exact.assertSameValues(nets[0].params(), nets[1].params(), "parameters after 3 steps");
        Exact.assertSameValues(nets[0].getUpdater().getStateViewArray(), nets[1].getUpdater().getStateViewArray(),
                "state after 3 steps");
    }

    /**
     * One scan serves the whole step, so the policy of the step's first AdamW block (the first layer's, in parameter
     * order) holds for every block: an UNCHECKED first layer lets a NaN through a FAIL output layer, and a FAIL first
     * layer refuses it for an UNCHECKED output layer.
     */
    @Test
    void theFirstBlocksPolicyHoldsForTheWholeStep() {
        AdamW fail = AdamW.builder().learningRate(1e-2).weightDecay(0.1).build();
        AdamW unchecked = AdamW.builder().learningRate(1e-2).weightDecay(0.1)
                .nonFiniteGradients(NonFiniteGradients.UNCHECKED).build();
        MultiLayerNetwork firstUnchecked = twoLayers(unchecked, fail);
        firstUnchecked.fit(poisoned(Double.NaN));
        assertFalse(finite(firstUnchecked.params()));
        MultiLayerNetwork firstFails = twoLayers(fail, unchecked);
        INDArray params = firstFails.params().dup();
        assertThrows(NonFiniteGradientException.class, () -> firstFails.fit(poisoned(Double.NaN)));
        Exact.assertSameValues(params, firstFails.params(), "parameters");
    }

    private static MultiLayerNetwork twoLayers(AdamW first, AdamW output) {
        MultiLayerConfiguration conf = TestNets.builder(first, true).list()
                .layer(new DenseLayer.Builder().nIn(TestNets.N_IN).nOut(TestNets.HIDDEN).activation(Activation.TANH)
                        .build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(TestNets.HIDDEN).nOut(TestNets.N_OUT).updater(output).build())
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * lr·λ = 1e-8 in float32. PyTorch's {@code p.mul_(1 − lr·λ)} rounds the factor to 1 and never decays. Here the
     * decay rides on the update, u = adam + d·θ: (1) u carries d·θ exactly as float32 can hold it; (2) along a
     * trajectory with varying gradients the decay's mean effect on θ matches a float64 oracle (a change of d·θ per
     * step is below half an ulp of θ, so any float32 θ keeps it only through rounding of the whole update).
     */
    @Test
    void tinyDecayIsNotRoundedAwayInFloat32() {
        double lr = 1e-4, lambda = 1e-4;
        assertEquals(1.0f, (float) (1 - lr * lambda), "the PyTorch-style factor rounds to 1 in float32");
        int n = 2000, steps = 1500;
        java.util.Random rnd = new java.util.Random(11);
        double[] theta0 = new double[n];
        double[][] grads = new double[steps][n];
        for (int i = 0; i < n; i++) theta0[i] = 0.5 + rnd.nextDouble();
        for (double[] g : grads) for (int i = 0; i < n; i++) g[i] = rnd.nextGaussian();
        double ref = mean(oracle(lr, lambda, grads, theta0)) - mean(oracle(lr, 0, grads, theta0));
        for (Kernels.Choice k : new Kernels.Choice[]{Kernels.Choice.CPU, Kernels.Choice.ND4J}) {
            double[] firstUpdate = new double[2];
            double with = mean(runFloat32(k, lr, lambda, grads, theta0, firstUpdate));
            double[] firstUpdate0 = new double[2];
            double without = mean(runFloat32(k, lr, 0, grads, theta0, firstUpdate0));
            double carried = firstUpdate[0] - firstUpdate0[0];
            assertEquals(lr * lambda * (float) theta0[0], carried, 1e-3 * lr * lambda, k + ": u carries d·θ");
            assertEquals(ref, with - without, Math.abs(ref) * 0.1, k + ": mean decay effect " + (with - without)
                    + " vs float64 " + ref);
        }
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double x : a) s += x;
        return s / a.length;
    }

    private static double[] runFloat32(Kernels.Choice k, double lr, double lambda, double[][] grads, double[] theta0,
                                       double[] firstUpdate) {
        return KernelChoice.with(k.name(), () -> {
            int n = theta0.length;
            AdamW cfg = AdamW.builder().learningRate(lr).weightDecay(lambda).build();
            INDArray p = Nd4j.createFromArray(theta0).castTo(DataType.FLOAT);
            GradientUpdater<?> u = cfg.instantiate(Nd4j.zeros(DataType.FLOAT, cfg.stateSize(n)), true);
            for (int i = 0; i < grads.length; i++) {
                INDArray grad = Nd4j.createFromArray(grads[i]).castTo(DataType.FLOAT);
                new DecoupledWeightDecay(true).apply(p, grad, lr, i, 0);
                u.applyUpdater(grad, i, 0);
                if (i == 0) firstUpdate[0] = grad.getDouble(0);
                p.subi(grad);
            }
            return p.castTo(DataType.DOUBLE).toDoubleVector();
        });
    }

    /** Scalar AdamW in double, written from the paper/PyTorch formula (independent of StepScalars). */
    private static double[] oracle(double lr, double lambda, double[][] grads, double[] theta0) {
        double[] out = new double[theta0.length];
        double b1 = 0.9, b2 = 0.999, eps = 1e-8;
        for (int i = 0; i < theta0.length; i++) {
            double m = 0, v = 0, theta = theta0[i];
            for (int t = 1; t <= grads.length; t++) {
                double g = grads[t - 1][i];
                theta -= lr * lambda * theta;
                m = b1 * m + (1 - b1) * g;
                v = b2 * v + (1 - b2) * g * g;
                theta -= lr * (m / (1 - Math.pow(b1, t))) / (Math.sqrt(v / (1 - Math.pow(b2, t))) + eps);
            }
            out[i] = theta;
        }
        return out;
    }

    /** DL4J networks accept DOUBLE, FLOAT and HALF; BFLOAT16 arrays (e.g. SameDiff) go through the updater API. */
    @Test
    void bfloat16ConvergesOnAQuadratic() {
        AdamW cfg = AdamW.builder().learningRate(0.05).weightDecay(0).build();
        INDArray target = Nd4j.createFromArray(1.0, -2.0, 0.5, 3.0).castTo(DataType.BFLOAT16);
        INDArray p = Nd4j.zeros(DataType.BFLOAT16, 4);
        GradientUpdater<?> u = cfg.instantiate(Nd4j.zeros(DataType.BFLOAT16, cfg.stateSize(4)), true);
        for (int i = 0; i < 400; i++) {
            INDArray grad = p.sub(target);             // ∇ ½‖θ − target‖²
            u.applyUpdater(grad, i, 0);
            p.subi(grad);
        }
        assertEquals(DataType.BFLOAT16, p.dataType());
        double err = p.castTo(DataType.DOUBLE).sub(target.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(err < 0.1, "bfloat16 AdamW should reach the minimum; max error " + err);
    }

    @Test
    void halfNetworksTrain() {
        for (DataType dt : new DataType[]{DataType.HALF}) {
            MultiLayerNetwork net = TestNets.mlp(TestNets.builder(AdamW.builder().learningRate(0.01).build(), true)
                    .dataType(dt), false);
            DataSet d = TestNets.data(9, 32);
            DataSet cast = new DataSet(d.getFeatures().castTo(dt), d.getLabels().castTo(dt));
            double first = net.score(cast);
            for (int i = 0; i < 60; i++) net.fit(cast);
            assertTrue(finite(net.params()), dt + " parameters must stay finite");
            assertEquals(dt, net.getUpdater().getStateViewArray().dataType(), "state is kept in the network's type");
            assertTrue(net.score(cast) < 0.9 * first, dt + ": loss " + first + " -> " + net.score(cast));
        }
    }

    /** DL4J's iteration is an int: the step t = iteration + 1 must not overflow at Integer.MAX_VALUE. */
    @Test
    void iterationAtTheIntLimit() {
        StepScalars s = new StepScalars().compute(AdamW.builder().build(), Integer.MAX_VALUE, 0);
        assertEquals(2147483648L, s.t);
        assertEquals(1e-3, s.stepSize, 1e-18);          // 1 − β1^t = 1
        assertEquals(1.0, s.sqrtBc2, 1e-15);
        for (Kernels.Choice k : new Kernels.Choice[]{Kernels.Choice.CPU, Kernels.Choice.ND4J}) {
            KernelChoice.with(k.name(), () -> {
                AdamW cfg = AdamW.builder().weightDecay(0).build();
                GradientUpdater<?> u = cfg.instantiate(Nd4j.zeros(DataType.DOUBLE, cfg.stateSize(2)), true);
                INDArray grad = Nd4j.createFromArray(0.5, -2.0);
                u.applyUpdater(grad, Integer.MAX_VALUE, 0);
                assertEquals(k == Kernels.Choice.CPU ? "cpu" : "nd4j-ops", ((DecoupledGradientUpdater) u).kernelName());
                // first moment (1−β1)g, second (1−β2)g², no bias correction left: u = lr·0.1g/(√(0.001)|g| + ε)
                for (int i = 0; i < 2; i++) {
                    double gi = i == 0 ? 0.5 : -2.0;
                    assertEquals(1e-3 * 0.1 * gi / (Math.sqrt(0.001) * Math.abs(gi) + 1e-8), grad.getDouble(i), 1e-15, k.name());
                }
            });
        }
    }

    /**
     * One AdamW object (and one schedule) shared by two networks trained at once in two threads: each network's
     * trajectory equals its sequential run. Each network gets its own MultiLayerConfiguration (conf.clone()), because
     * DL4J keeps the iteration counter in that object (see the next test).
     */
    @Test
    @Timeout(120)
    void networksSharingOneUpdaterConfigurationTrainIndependently() throws Exception {
        AdamW shared = AdamWR.builder().learningRate(0.01).restartsInIterations(4, 2).weightDecay(0.1).build();
        MultiLayerConfiguration conf = TestNets.mlp(TestNets.builder(shared, true), false).getLayerWiseConfigurations();
        List<INDArray> reference = new ArrayList<>();
        for (int w = 0; w < 2; w++) reference.add(train(sharing(conf, shared), w));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<INDArray>> futures = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int worker = w;
                MultiLayerNetwork net = sharing(conf, shared);
                futures.add(pool.submit(() -> train(net, worker)));
            }
            for (int w = 0; w < 2; w++) Exact.assertSameValues(reference.get(w), futures.get(w).get(), "worker " + w);
        } finally {
            pool.shutdownNow();
        }
    }

    /** A network from a clone of conf whose layers all use the very same AdamW instance. */
    private static MultiLayerNetwork sharing(MultiLayerConfiguration conf, AdamW shared) {
        MultiLayerConfiguration c = conf.clone();
        for (int i = 0; i < c.getConfs().size(); i++)
            ((org.deeplearning4j.nn.conf.layers.BaseLayer) c.getConf(i).getLayer()).setIUpdater(shared);
        MultiLayerNetwork net = new MultiLayerNetwork(c);
        net.init();
        return net;
    }

    /** Documents a DL4J fact README warns about: networks built on one conf object share its iteration counter. */
    @Test
    void dl4jKeepsTheIterationCounterInTheConfiguration() {
        MultiLayerConfiguration conf = TestNets.mlp(TestNets.builder(AdamW.builder().build(), true), false)
                .getLayerWiseConfigurations();
        MultiLayerNetwork a = new MultiLayerNetwork(conf), b = new MultiLayerNetwork(conf);
        a.init();
        b.init();
        a.fit(TestNets.data(1, 8));
        assertEquals(1, b.getIterationCount(), "if this fails, DL4J no longer shares the counter: update README");
    }

    private static INDArray train(MultiLayerNetwork net, int worker) {
        for (int i = 0; i < 30; i++) net.fit(TestNets.data(100L * worker + i % 7, 16));
        return net.params().dup();
    }
}
