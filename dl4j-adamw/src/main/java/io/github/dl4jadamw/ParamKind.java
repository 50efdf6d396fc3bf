package io.github.dl4jadamw;

/**
 * What a parameter is, for {@link DecayRules} by kind, decided from the layer's class and DL4J's parameter key (see
 * {@link DecayTable}, column "kind"). SameDiff variables have no kind: rules for SameDiff use names and ranks.
 */
public enum ParamKind {
    /** Matrices and kernels of dense, output, convolution, recurrent ({@code W}, {@code RW}) and attention layers. */
    WEIGHT,
    /** Additive vectors ({@code b}); in a {@code DenseLayer} with layer norm, {@code b} is also the norm's shift. */
    BIAS,
    /** The gain {@code g} of {@code DenseLayer}/{@code SimpleRnn} with {@code hasLayerNorm(true)} (PyTorch's LayerNorm.weight). */
    LAYER_NORM_GAIN,
    /** BatchNormalization γ ({@code gamma}); DL4J hands it to no regularization, so it cannot decay. */
    BATCH_NORM_GAIN,
    /** BatchNormalization β ({@code beta}); DL4J hands it to no regularization, so it cannot decay. */
    BATCH_NORM_SHIFT,
    /** The table of {@code EmbeddingLayer}/{@code EmbeddingSequenceLayer} ({@code W}). */
    EMBEDDING,
    /** BatchNormalization's running mean and variance: not trained (their updater is NoOp). */
    RUNNING_STATISTIC,
    /** Anything else, e.g. PReLU's slopes, or a custom layer's parameter that is neither a weight nor a bias. */
    OTHER;

    /** Every normalization parameter that trains: layer-norm gains, BatchNormalization γ and β. */
    public static ParamKind[] normalization() {
        return new ParamKind[]{LAYER_NORM_GAIN, BATCH_NORM_GAIN, BATCH_NORM_SHIFT};
    }
}
