package io.github.dl4jadamw.examples.model;

import io.github.dl4jadamw.examples.data.ImageData;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunShape;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The CIFAR ResNet of He et al. (2016, §4.2) with n = 3 (ResNet-20) as a DL4J {@link ComputationGraph}, for 32×32
 * images of any channel count:
 * <pre>
 *   conv3×3, 16 → BN → relu
 *   3 stages of 3 basic blocks, 16 / 32 / 64 channels; the first block of stages 2 and 3 halves the image (stride 2)
 *     block: conv3×3 → BN → relu → conv3×3 → BN, plus the shortcut, → relu
 *     shortcut: identity; where the block halves the image and doubles the channels, He et al.'s option A:
 *               every second pixel (x[:, :, ::2, ::2]) with the new channels zero, so it has no parameters
 *   global average pooling → dense 10 → softmax, multi-class cross-entropy
 * </pre>
 * Convolutions: 3×3 with 1-pixel zero padding (as PyTorch's padding=1), no bias (BatchNormalization's β shifts).
 * Weights N(0, 2/fan_in) (He et al.'s initialisation, {@link WeightInit#RELU}), biases 0. BatchNormalization:
 * DL4J's defaults (ε = 1e-5, running statistics decay 0.9). DL4J applies no L2 and no decay marker to
 * BatchNormalization's parameters, so Adam+L2 and the decoupled optimizers alike regularize the convolution and
 * dense weights only.
 */
public final class ResNet20 implements Architecture {
    public static final String ID = "resnet20";
    /** Image side the network is built for. */
    public static final int SIDE = 32;
    /** Basic blocks per stage (n = 3: 6n + 2 = 20 layers with weights). */
    public static final int BLOCKS = 3;
    public static final int[] WIDTHS = {16, 32, 64};
    private final int cropPadding;
    private final boolean flip;

    /** With the CIFAR augmentation: random crop with 4-pixel zero padding and horizontal flips. */
    public ResNet20() {
        this(4, true);
    }

    public ResNet20(int cropPadding, boolean flip) {
        if (cropPadding < 0) throw new IllegalArgumentException("crop padding must be >= 0, got " + cropPadding);
        this.cropPadding = cropPadding;
        this.flip = flip;
    }

    @Override public String id() { return ID; }
    @Override public boolean flatInput() { return false; }
    @Override public int cropPadding() { return cropPadding; }
    @Override public boolean flip() { return flip; }

    /** Smaller than the MLPs' 1000: a batch of 1000 32×32 images unrolls into ~0.6 GB per convolution. */
    @Override
    public int evalBatch() {
        return 250;
    }

    @Override
    public void checkInput(ImageData d) {
        if (d.height != SIDE || d.width != SIDE)
            throw new IllegalArgumentException("model " + ID + " takes 32×32 images but " + d.name + " has "
                    + d.height + "×" + d.width + " (Fashion-MNIST's 28×28 images are padded to 32×32 first)");
    }

    @Override
    public String description() {
        return "`" + ID + "`: ResNet-20 of He et al. (2016) as a ComputationGraph — conv3×3 16, then 3 stages × 3 basic"
                + " blocks (16/32/64 channels, stride 2 at stages 2 and 3, identity shortcuts with zero-padded"
                + " channels: option A), BatchNormalization after every convolution, global average pooling, softmax;"
                + " float32, weights N(0, 2/fan_in) (`WeightInit.RELU`), biases 0, multi-class cross-entropy.";
    }

    /** The configuration for images of {@code channels} channels. */
    public ComputationGraphConfiguration configuration(OptimizerSpec opt, long seed, RunShape shape, int channels,
                                                       int numClasses) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.RELU)
                .biasInit(0);
        opt.configure(b, shape);
        ComputationGraphConfiguration.GraphBuilder g = b.graphBuilder()
                .addInputs("input")
                .setInputTypes(InputType.convolutional(SIDE, SIDE, channels));
        g.addLayer("stem_conv", conv(WIDTHS[0], 1), "input")
         .addLayer("stem_bn", bn(Activation.RELU), "stem_conv");
        String x = "stem_bn";
        for (int s = 0; s < WIDTHS.length; s++)
            for (int k = 0; k < BLOCKS; k++)
                x = block(g, "s" + (s + 1) + "b" + (k + 1), x, WIDTHS[s], s > 0 && k == 0);
        g.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x)
         .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                 .activation(Activation.SOFTMAX).build(), "pool")
         .setOutputs("out");
        return g.build();
    }

    /** One basic block; returns the name of its output. */
    private static String block(ComputationGraphConfiguration.GraphBuilder g, String name, String in, int width,
                                boolean downsample) {
        g.addLayer(name + "_conv1", conv(width, downsample ? 2 : 1), in)
         .addLayer(name + "_bn1", bn(Activation.RELU), name + "_conv1")
         .addLayer(name + "_conv2", conv(width, 1), name + "_bn1")
         .addLayer(name + "_bn2", bn(Activation.IDENTITY), name + "_conv2");
        String shortcut = in;
        if (downsample) {   // option A: every second pixel, channels doubled with zeros
            g.addLayer(name + "_sub", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(1, 1).stride(2, 2)
                    .build(), in)
             .addVertex(name + "_zeros", new ScaleVertex(0), name + "_sub")
             .addVertex(name + "_pad", new MergeVertex(), name + "_sub", name + "_zeros");
            shortcut = name + "_pad";
        }
        g.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), name + "_bn2", shortcut)
         .addLayer(name + "_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), name + "_add");
        return name + "_relu";
    }

    private static ConvolutionLayer conv(int channels, int stride) {
        return new ConvolutionLayer.Builder(3, 3).nOut(channels).stride(stride, stride).padding(1, 1)
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).hasBias(false).build();
    }

    private static BatchNormalization bn(Activation a) {
        return new BatchNormalization.Builder().activation(a).build();
    }

    @Override
    public Net network(OptimizerSpec opt, long seed, RunShape shape, ImageData data) {
        return Net.of(graph(opt, seed, shape, data.channels, data.numClasses));
    }

    public ComputationGraph graph(OptimizerSpec opt, long seed, RunShape shape, int channels, int numClasses) {
        ComputationGraph g = new ComputationGraph(configuration(opt, seed, shape, channels, numClasses));
        g.init();
        return g;
    }

    @Override
    public String toString() { return ID; }
}
