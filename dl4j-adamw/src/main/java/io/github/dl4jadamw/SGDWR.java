package io.github.dl4jadamw;

/**
 * SGDWR: {@link SGDW} given a cosine warm-restart schedule, the paper's state-of-the-art CIFAR-10 recipe, optionally
 * with {@link NormalizedWeightDecay} per restart period. Only assembles an {@link SGDW}.
 *
 * <pre>{@code
 * SGDW sgdwr = SGDWR.builder().learningRate(0.05).momentum(0.9)
 *     .restartsInEpochs(10, 2, iterationsPerEpoch).normalizedWeightDecay(0.025, 128, 50_000)
 *     .decayConvention(DecayConvention.SCHEDULE_MULTIPLIER).build();
 * }</pre>
 */
public final class SGDWR {
    private SGDWR() {}

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends WarmRestartsBuilder<Builder, SGDW> {
        private final SGDW.Builder sgdw = SGDW.builder();

        private Builder() {}

        public Builder momentum(double momentum) { sgdw.momentum(momentum); return this; }
        public Builder nesterov(boolean nesterov) { sgdw.nesterov(nesterov); return this; }

        @Override SGDW.Builder updater() { return sgdw; }
        @Override SGDW buildUpdater() { return sgdw.build(); }
    }
}
