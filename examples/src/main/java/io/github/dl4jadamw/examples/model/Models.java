package io.github.dl4jadamw.examples.model;

import io.github.dl4jadamw.examples.data.ImageData;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunShape;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Locale;

/**
 * The networks of the protocol. All: float32, weights U(−1/√fan_in, 1/√fan_in) ({@link WeightInit#UNIFORM}),
 * biases 0, softmax output with multi-class cross-entropy.
 */
public enum Models implements Architecture {
    /** Dense 784→256 relu → 256 relu → softmax 10 (269,322 parameters). */
    FMNIST_MLP("fmnist-mlp", 1, 28, 28, true, 0, false),
    /** conv5×5×16 (same) relu maxpool2 — conv5×5×32 (same) relu maxpool2 — dense 128 relu — softmax 10. */
    FMNIST_CNN("fmnist-cnn", 1, 28, 28, true, 0, false),
    /**
     * Small VGG-style net for 32×32×3 with BatchNormalization: [conv3×3 BN relu]×2 per stage, 32/64/128
     * channels, maxpool2 after each stage, global average pooling, softmax 10. Trained with random crop
     * (4-pixel zero padding) and horizontal flips.
     */
    CIFAR10("cifar10", 3, 32, 32, false, 4, true);

    public final String id;
    public final int channels, height, width;
    /** Features fed as [batch, C·H·W] (true) or [batch, C, H, W]. */
    public final boolean flatInput;
    public final int cropPadding;
    public final boolean flip;

    Models(String id, int channels, int height, int width, boolean flatInput, int cropPadding, boolean flip) {
        this.id = id;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.flatInput = flatInput;
        this.cropPadding = cropPadding;
        this.flip = flip;
    }

    @Override public String id() { return id; }
    @Override public boolean flatInput() { return flatInput; }
    @Override public int cropPadding() { return cropPadding; }
    @Override public boolean flip() { return flip; }

    @Override
    public String description() {
        return "`" + id + "`, float32, weights U(−1/√fan_in, 1/√fan_in) (`WeightInit.UNIFORM`), biases 0, softmax + "
                + "multi-class cross-entropy.";
    }

    public static Models parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (Models m : values()) if (m.id.equals(k)) return m;
        throw new IllegalArgumentException("unknown model '" + s + "': expected fmnist-mlp, fmnist-cnn or cifar10");
    }

    /** Throws unless the data has this model's input shape. */
    public void checkInput(ImageData d) {
        if (d.channels != channels || d.height != height || d.width != width)
            throw new IllegalArgumentException("model " + id + " takes " + channels + "×" + height + "×" + width
                    + " images but " + d.name + " has " + d.channels + "×" + d.height + "×" + d.width
                    + (this == CIFAR10 ? ": use --model fmnist-mlp or fmnist-cnn for Fashion-MNIST"
                    : ": use --model cifar10 for CIFAR-10"));
    }

    @Override
    public boolean augmented() {
        return cropPadding > 0 || flip;
    }

    /** The configuration for one run. */
    public MultiLayerConfiguration configuration(OptimizerSpec opt, long seed, int iterationsPerEpoch, int numClasses) {
        return configuration(opt, seed, RunShape.ofIterationsPerEpoch(iterationsPerEpoch), numClasses);
    }

    /** The configuration for one run of {@code shape}. */
    public MultiLayerConfiguration configuration(OptimizerSpec opt, long seed, RunShape shape, int numClasses) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.UNIFORM)
                .biasInit(0);
        opt.configure(b, shape);
        NeuralNetConfiguration.ListBuilder l;
        switch (this) {
            case FMNIST_MLP:
                l = b.list()
                        .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                        .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                        .layer(output(numClasses))
                        .setInputType(InputType.feedForward((long) channels * height * width));
                break;
            case FMNIST_CNN:
                l = b.list()
                        .layer(conv(5, 16))
                        .layer(maxPool())
                        .layer(conv(5, 32))
                        .layer(maxPool())
                        .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                        .layer(output(numClasses))
                        .setInputType(InputType.convolutionalFlat(height, width, channels));
                break;
            case CIFAR10:
                l = b.list();
                for (int ch : new int[]{32, 64, 128}) {
                    l.layer(convNoAct(3, ch)).layer(bnRelu())
                     .layer(convNoAct(3, ch)).layer(bnRelu())
                     .layer(maxPool());
                }
                l.layer(new GlobalPoolingLayer.Builder(PoolingType.AVG).build())
                 .layer(output(numClasses))
                 .setInputType(InputType.convolutional(height, width, channels));
                break;
            default:
                throw new IllegalStateException();
        }
        return l.build();
    }

    /** Builds and initialises the network (same seed → same initial weights for every optimizer). */
    public MultiLayerNetwork network(OptimizerSpec opt, long seed, int iterationsPerEpoch, int numClasses) {
        return network(opt, seed, RunShape.ofIterationsPerEpoch(iterationsPerEpoch), numClasses);
    }

    public MultiLayerNetwork network(OptimizerSpec opt, long seed, RunShape shape, int numClasses) {
        MultiLayerNetwork net = new MultiLayerNetwork(configuration(opt, seed, shape, numClasses));
        net.init();
        return net;
    }

    @Override
    public Net network(OptimizerSpec opt, long seed, RunShape shape, ImageData data) {
        return Net.of(network(opt, seed, shape, data.numClasses));
    }

    private static OutputLayer output(int numClasses) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(numClasses)
                .activation(Activation.SOFTMAX).build();
    }

    private static ConvolutionLayer conv(int k, int channels) {
        return new ConvolutionLayer.Builder(k, k).nOut(channels).stride(1, 1)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build();
    }

    private static ConvolutionLayer convNoAct(int k, int channels) {
        return new ConvolutionLayer.Builder(k, k).nOut(channels).stride(1, 1)
                .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY)
                .hasBias(false).build(); // BatchNormalization's beta is the shift
    }

    private static BatchNormalization bnRelu() {
        return new BatchNormalization.Builder().activation(Activation.RELU).build();
    }

    private static SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build();
    }

    @Override
    public String toString() { return id; }
}
