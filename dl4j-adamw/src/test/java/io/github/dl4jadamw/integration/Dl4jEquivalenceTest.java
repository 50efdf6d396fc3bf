package io.github.dl4jadamw.integration;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.Exact;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.DuplicateRegularizations;
import io.github.dl4jadamw.SGDW;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional;
import org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.AMSGrad;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ExponentialSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Multi-step training of DL4J network kinds against DL4J's own code paths, which are independent of ours, in float64
 * and float32 over several fits:
 * <ul>
 *   <li>SGDW (no momentum, decay coupled to lr) is exactly DL4J's {@code Sgd} with {@code L2Regularization} (applied
 *       before the updater, never duplicated): θ ← θ − lr_t·(g + λ·θ);</li>
 *   <li>AdamW (decay coupled to lr) is DL4J's {@code Adam} plus {@code WeightDecay(applyLR = true)}, with the
 *       copies DL4J adds to the layers' lists removed (see {@link #removeDuplicateWeightDecay}), and
 *       ε = 1e-300 (1e-30 in float32) on both, where DL4J's ε placement (inside the bias correction) and ours
 *       (after it) both vanish against √v; with AMSGrad on, DL4J's {@code AMSGrad} likewise.</li>
 * </ul>
 * The networks cover what the single-step integration tests do not: truncated BPTT (one optimizer step per segment, 3
 * per fit), LSTM, Bidirectional and SimpleRnn layers, DL4J's SelfAttentionLayer (a SameDiff layer inside a
 * MultiLayerNetwork, whose weights reach the regularization hook too), convolution with BatchNormalization under
 * per-layer gradient clipping and again without DL4J's workspaces, an embedding (rows without gradient), a
 * learning-rate schedule with a second updater block that decays its biases too, and ComputationGraphs (one with
 * truncated BPTT). A step missed or made twice, decay skipped on a later step or applied to the wrong parameters, a
 * bias correction t out of step with DL4J's iteration count, or a schedule read at the wrong iteration all show as
 * differences far above the tolerance, 1e-10 of a parameter's movement in float64 and 2e-5 in float32, plus 8 ulps of
 * its largest value (λ changed by 0.1% on the reference gives 2e-4 of the movement).
 */
@Timeout(120)
class Dl4jEquivalenceTest {
    static final double LR = 0.02, LAMBDA = 0.3;

    /** What a case needs from the test: the global updater, a second updater for one layer, the regularizations. */
    static final class Setup {
        final DataType type;
        final IUpdater updater, second;
        final List<Regularization> weights, biases;

        Setup(DataType type, IUpdater updater, IUpdater second, List<Regularization> weights,
              List<Regularization> biases) {
            this.type = type;
            this.updater = updater;
            this.second = second;
            this.weights = weights;
            this.biases = biases;
        }

        NeuralNetConfiguration.Builder builder() {
            return new NeuralNetConfiguration.Builder().dataType(type).seed(11).biasInit(0.1)
                    .updater(updater).regularization(weights);
        }
    }

    enum Net {
        /** LSTM, SimpleRnn, output; truncated BPTT in segments of 4 over sequences of 12: 3 steps per fit. */
        RECURRENT_TBPTT(3, s -> mln(s.builder().list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new SimpleRnn.Builder().nIn(4).nOut(3).activation(Activation.TANH).build())
                .layer(rnnOut())
                .backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(4).tBPTTBackwardLength(4))),
        /** LSTM, Bidirectional LSTM, output on whole sequences (DL4J refuses truncated BPTT with Bidirectional). */
        BIDIRECTIONAL(1, s -> mln(s.builder().list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new Bidirectional(Bidirectional.Mode.ADD,
                        new LSTM.Builder().nIn(4).nOut(3).activation(Activation.TANH).build()))
                .layer(rnnOut()))),
        /** LSTM, then DL4J's SelfAttentionLayer (a SameDiff layer inside a MultiLayerNetwork), pooled, output. */
        ATTENTION(1, s -> mln(s.builder().list()
                .layer(new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                .layer(new SelfAttentionLayer.Builder().nIn(4).nOut(4).nHeads(2).projectInput(true).build())
                .layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(4).nOut(2).build())
                .setInputType(InputType.recurrent(3, 12)))),
        /** Convolution, BatchNormalization, max pooling, dense, output; gradients clipped per layer (L2 norm). */
        CNN_CLIPPED(1, s -> mln(s.builder()
                .gradientNormalization(GradientNormalization.ClipL2PerLayer).gradientNormalizationThreshold(0.5)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(3).build())
                .setInputType(InputType.convolutional(8, 8, 1)))),
        /** The CNN without DL4J's workspaces (WorkspaceMode.NONE: every array of the step freshly allocated). */
        CNN_NO_WORKSPACES(1, s -> mln(s.builder()
                .trainingWorkspaceMode(WorkspaceMode.NONE).inferenceWorkspaceMode(WorkspaceMode.NONE)
                .list()
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build())
                .layer(new BatchNormalization.Builder().build())
                .layer(new DenseLayer.Builder().nOut(6).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(3).build())
                .setInputType(InputType.convolutional(8, 8, 1)))),
        /** An embedding of 10 rows of which each batch uses a few (the others get a zero gradient), dense, output. */
        EMBEDDING(1, s -> mln(s.builder().list()
                .layer(new EmbeddingLayer.Builder().nIn(10).nOut(4).build())
                .layer(new DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(3).build()))),
        /**
         * The global updater on a schedule (lr_t = 0.05·0.8^t); the middle layer has its own updater (a second
         * block) and decays its biases too.
         */
        SCHEDULE_TWO_BLOCKS(1, s -> mln(s.builder().list()
                .layer(new DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.TANH).build())
                .layer(new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH)
                        .updater(s.second).regularizationBias(s.biases).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(5).nOut(3).build()))),
        /** A ComputationGraph with an LSTM, trained with truncated BPTT (its own code path): 3 steps per fit. */
        GRAPH_TBPTT(3, s -> {
            ComputationGraph g = new ComputationGraph(s.builder().graphBuilder()
                    .addInputs("in")
                    .addLayer("lstm", new LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build(), "in")
                    .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .activation(Activation.SOFTMAX).nIn(4).nOut(2).build(), "lstm")
                    .setOutputs("out")
                    .setInputTypes(InputType.recurrent(3, 12))
                    .backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(4).tBPTTBackwardLength(4)
                    .build());
            g.init();
            return g;
        }),
        /** A ComputationGraph: two inputs, a dense layer each, merged, output. */
        GRAPH(1, s -> {
            ComputationGraph g = new ComputationGraph(s.builder().graphBuilder()
                    .addInputs("a", "b")
                    .addLayer("da", new DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.TANH).build(), "a")
                    .addLayer("db", new DenseLayer.Builder().nIn(2).nOut(3).activation(Activation.SIGMOID).build(), "b")
                    .addVertex("merge", new MergeVertex(), "da", "db")
                    .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                            .activation(Activation.SOFTMAX).nIn(6).nOut(3).build(), "merge")
                    .setOutputs("out").build());
            g.init();
            return g;
        });

        final int stepsPerFit;
        final Function<Setup, Model> build;

        Net(int stepsPerFit, Function<Setup, Model> build) {
            this.stepsPerFit = stepsPerFit;
            this.build = build;
        }

        boolean scheduled() {
            return this == SCHEDULE_TWO_BLOCKS;
        }
    }

    static final int FITS = 3;

    static MultiLayerNetwork mln(org.deeplearning4j.nn.conf.MultiLayerConfiguration.Builder list) {
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    static RnnOutputLayer rnnOut() {
        return new RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .nIn(3).nOut(2).build();
    }

    /** Fit number {@code k}'s minibatch for {@code net}, from java.util.Random; labels depend on the input. */
    static void fit(Net net, Model model, int k) {
        Random rnd = new Random(100 + k);
        int batch = 5;
        switch (net) {
            case RECURRENT_TBPTT:
            case BIDIRECTIONAL:
            case ATTENTION:
            case GRAPH_TBPTT: {
                int length = 12;
                INDArray x = Support.matrix(rnd, batch * length, 3, DataType.DOUBLE)
                        .reshape('c', batch, length, 3).permute(0, 2, 1).dup('c');
                INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, 2, length);
                for (int b = 0; b < batch; b++)
                    for (int t = 0; t < length; t++) y.putScalar(new int[]{b, x.getDouble(b, 0, t) > 0 ? 1 : 0, t}, 1.0);
                if (net == Net.ATTENTION) {   // one label per sequence: the sign of its first input's mean
                    y = Nd4j.zeros(DataType.DOUBLE, batch, 2);
                    for (int b = 0; b < batch; b++)
                        y.putScalar(b, x.get(NDArrayIndex.point(b), NDArrayIndex.point(0)).meanNumber().doubleValue() > 0
                                ? 1 : 0, 1.0);
                }
                if (model instanceof ComputationGraph) ((ComputationGraph) model).fit(new DataSet(x, y));
                else ((MultiLayerNetwork) model).fit(new DataSet(x, y));
                return;
            }
            case CNN_CLIPPED:
            case CNN_NO_WORKSPACES: {
                INDArray x = Support.matrix(rnd, batch, 64, DataType.DOUBLE).reshape('c', batch, 1, 8, 8);
                ((MultiLayerNetwork) model).fit(new DataSet(x, Support.oneHot(k, batch, 3, DataType.DOUBLE)));
                return;
            }
            case EMBEDDING: {
                INDArray x = Nd4j.zeros(DataType.DOUBLE, batch, 1);
                for (int b = 0; b < batch; b++) x.putScalar(b, 0, rnd.nextInt(4) * 2);   // rows 0, 2, 4, 6 only
                INDArray y = Nd4j.zeros(DataType.DOUBLE, batch, 3);
                for (int b = 0; b < batch; b++) y.putScalar(b, (int) x.getDouble(b, 0) % 3, 1.0);
                ((MultiLayerNetwork) model).fit(new DataSet(x, y));
                return;
            }
            case SCHEDULE_TWO_BLOCKS:
                ((MultiLayerNetwork) model).fit(Support.learnable(k, batch, 4, 3));
                return;
            case GRAPH: {
                INDArray a = Support.matrix(rnd, batch, 4, DataType.DOUBLE), b = Support.matrix(rnd, batch, 2, DataType.DOUBLE);
                ((ComputationGraph) model).fit(new MultiDataSet(new INDArray[]{a, b},
                        new INDArray[]{Support.oneHot(k, batch, 3, DataType.DOUBLE)}));
                return;
            }
            default:
                throw new AssertionError(net);
        }
    }

    static Model trained(Net net, Setup s) {
        Model model = net.build.apply(s);
        for (int k = 0; k < FITS; k++) fit(net, model, k);
        return model;
    }

    static ISchedule schedule() {
        return new ExponentialSchedule(ScheduleType.ITERATION, 0.05, 0.8);
    }

    /** Every network in float64 and float32 (see {@link #assertSameTraining}), ε tiny but normal. */
    static Stream<Arguments> cases() {
        return Stream.of(DataType.DOUBLE, DataType.FLOAT)
                .flatMap(t -> Arrays.stream(Net.values()).map(n -> Arguments.of(n, t)));
    }

    static double epsilon(DataType type) {
        return type == DataType.DOUBLE ? 1e-300 : 1e-30;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void sgdwIsSgdWithL2(Net net, DataType type) {
        SGDW.Builder sgdw = SGDW.builder().momentum(0).weightDecay(LAMBDA).decayConvention(DecayConvention.LR_COUPLED);
        SGDW ours = net.scheduled() ? sgdw.learningRate(schedule()).build() : sgdw.learningRate(LR).build();
        Sgd dl4j = net.scheduled() ? new Sgd(schedule()) : new Sgd(LR);
        SGDW second = SGDW.builder().momentum(0).weightDecay(LAMBDA).learningRate(LR).build();
        Model o = trained(net, new Setup(type, ours, second, DecoupledWeightDecay.onWeights(),
                DecoupledWeightDecay.onBiases()));
        Model d = trained(net, new Setup(type, dl4j, new Sgd(LR), listOf(new L2Regularization(LAMBDA)),
                listOf(new L2Regularization(LAMBDA))));
        assertSameTraining(net, type, d, o);
    }

    /** Every network and type, with AMSGrad off and on (against DL4J's {@code AMSGrad}, its own implementation). */
    static Stream<Arguments> adamCases() {
        return cases().flatMap(c -> Stream.of(false, true).map(ams -> Arguments.of(c.get()[0], c.get()[1], ams)));
    }

    @ParameterizedTest(name = "{0} {1} amsgrad={2}")
    @MethodSource("adamCases")
    void adamWIsDl4jAdamWithOneWeightDecay(Net net, DataType type, boolean amsgrad) {
        AdamW.Builder adamw = AdamW.builder().epsilon(epsilon(type)).weightDecay(LAMBDA).amsgrad(amsgrad)
                .decayConvention(DecayConvention.LR_COUPLED);
        AdamW ours = net.scheduled() ? adamw.learningRate(schedule()).build() : adamw.learningRate(LR).build();
        AdamW second = AdamW.builder().epsilon(epsilon(type)).weightDecay(LAMBDA).amsgrad(amsgrad).learningRate(LR)
                .build();
        Model o = trained(net, new Setup(type, ours, second, DecoupledWeightDecay.onWeights(),
                DecoupledWeightDecay.onBiases()));

        double eps = epsilon(type);
        IUpdater dl4j, dl4jSecond;
        if (amsgrad) {
            AMSGrad.Builder ams = AMSGrad.builder().epsilon(eps);
            dl4j = net.scheduled() ? ams.learningRateSchedule(schedule()).build() : ams.learningRate(LR).build();
            dl4jSecond = AMSGrad.builder().epsilon(eps).learningRate(LR).build();
        } else {
            Adam.Builder adam = Adam.builder().epsilon(eps);
            dl4j = net.scheduled() ? adam.learningRateSchedule(schedule()).build() : adam.learningRate(LR).build();
            dl4jSecond = Adam.builder().epsilon(eps).learningRate(LR).build();
        }
        Model d = net.build.apply(new Setup(type, dl4j, dl4jSecond, listOf(new WeightDecay(LAMBDA, true)),
                listOf(new WeightDecay(LAMBDA, true))));
        assertTrue(removeDuplicateWeightDecay(d) > 0, "DL4J no longer duplicates WeightDecay: this test can be simplified");
        for (int k = 0; k < FITS; k++) fit(net, d, k);
        assertSameTraining(net, type, d, o);
    }

    static void assertSameTraining(Net net, DataType type, Model expected, Model actual) {
        assertEquals(FITS * net.stepsPerFit, iterations(expected), "DL4J's iteration count");
        assertEquals(iterations(expected), iterations(actual));
        Map<String, INDArray> e = Support.params(expected), a = Support.params(actual);
        Map<String, INDArray> start =
                Support.params(net.build.apply(new Setup(type, new Sgd(LR), new Sgd(LR), List.of(), List.of())));
        assertEquals(e.keySet(), a.keySet());
        int compared = 0;
        for (String k : e.keySet()) {
            double moved = e.get(k).sub(start.get(k)).amaxNumber().doubleValue();
            if (moved == 0) {   // BatchNormalization's running mean/var only move under the NoOp updater's rules
                Exact.assertSameValues(e.get(k), a.get(k), k);
                continue;
            }
            Support.assertFollowsReference(k, e.get(k), a.get(k), moved, type);
            compared++;
        }
        assertTrue(compared >= 3, "only " + compared + " parameters moved");
    }

    static int iterations(Model m) {
        return m instanceof MultiLayerNetwork ? ((MultiLayerNetwork) m).getIterationCount()
                : ((ComputationGraph) m).getConfiguration().getIterationCount();
    }

    /**
     * Removes the WeightDecay copies DL4J adds to the layers' lists (see README, "DL4J's own weightDecay is applied
     * twice") with the project's {@link DuplicateRegularizations} (tested on its own in DuplicateRegularizationsTest),
     * on the built network's configuration, whose lists DL4J reads at each step; returns how many it removed.
     */
    static int removeDuplicateWeightDecay(Model model) {
        return model instanceof MultiLayerNetwork
                ? DuplicateRegularizations.repair(((MultiLayerNetwork) model).getLayerWiseConfigurations())
                : DuplicateRegularizations.repair(((ComputationGraph) model).getConfiguration());
    }

    private static List<Regularization> listOf(Regularization r) {
        List<Regularization> l = new ArrayList<>();   // DL4J appends to this list in place
        l.add(r);
        return l;
    }
}
