package io.github.dl4jadamw.bench;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWListener;
import io.github.dl4jadamw.DecoupledWeightDecay;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/**
 * The cost of the recipe options per fit, on a real MultiLayerNetwork's update path (DL4J's
 * {@code BaseMultiLayerUpdater.update}: the division by the minibatch, the decay marker, our updater with its
 * once-per-step pass, then {@code params -= update}); forward and backward passes are left out, the gradient buffer
 * is refilled by nothing (the update written into it keeps it finite and of gradient size). One float32 dense layer
 * of 4096×4096 and an output layer of 4096×10: 16.82M parameters in one updater block.
 *
 * <p>Variants: {@code plain} (AdamW, no listener: the NaN/Inf check is the Java scan), {@code listener} (AdamWListener
 * registers the layout: the norm pass replaces the scan), {@code clip-noop} (clipping whose max_norm is never
 * reached), {@code clip} (clipping that scales every step, by about 1/4: a far smaller max_norm would drive the
 * float32 moments into subnormal numbers, which x86 computes slowly, and time those instead), {@code accumulate4} (accumulation over 4: the time per
 * fit, three that only accumulate and one that steps), {@code ema} (the EMA of the weights).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class RecipeCostBenchmark {
    static final int WIDTH = 4096, OUT = 10;

    @Param({"plain", "listener", "clip-noop", "clip", "accumulate4", "ema"})
    public String variant;

    private MultiLayerNetwork net;
    private Gradient gradient;
    private INDArray flatGradient;
    private final LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.noWorkspaces();
    private int iteration;

    @Setup
    public void setup() {
        System.setProperty("adamw.kernel", "cpu");
        AdamW.Builder b = AdamW.builder().learningRate(1e-3).weightDecay(0.01);
        switch (variant) {
            case "clip-noop": b.clipGlobalNorm(1e30); break;
            case "clip": b.clipGlobalNorm(1); break;   // the update left in the buffer has a norm near 4: c ≈ 1/4
            case "accumulate4": b.accumulationSteps(4); break;
            case "ema": b.ema(0.999); break;
            default: break;
        }
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).seed(1)
                .updater(b.build()).regularization(DecoupledWeightDecay.onWeights()).list()
                .layer(new DenseLayer.Builder().nIn(WIDTH).nOut(WIDTH).activation(Activation.TANH).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nIn(WIDTH).nOut(OUT).build())
                .build();
        net = new MultiLayerNetwork(conf);
        net.init();
        if (!variant.equals("plain") && !variant.equals("accumulate4"))
            net.setListeners(AdamWListener.builder().reportEvery(0).build());
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, WIDTH);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 2, OUT);
        y.putScalar(0, 1, 1);
        y.putScalar(1, 3, 1);
        net.setInput(x);
        net.setLabels(y);
        net.computeGradientAndScore();   // DL4J's Gradient over the flattened gradient buffer, as fit() passes it
        gradient = net.gradient();   // what fit() hands the updater
        flatGradient = net.getFlattenedGradients();
        Nd4j.getRandom().setSeed(42);
        flatGradient.assign(Nd4j.randn(DataType.FLOAT, flatGradient.shape()).muli(1e-2));
        step();
    }

    /** Parameters in the network (for ns/parameter). */
    long parameters() {
        return net.numParams();
    }

    @Benchmark
    public void fit() {
        step();
    }

    private void step() {
        int it = iteration++;
        for (org.deeplearning4j.optimize.api.TrainingListener l : net.getListeners()) l.onGradientCalculation(net);
        net.getUpdater().update(net, gradient, it, 0, 1, workspaces);
        net.params().subi(flatGradient.reshape(net.params().shape()));
    }
}
