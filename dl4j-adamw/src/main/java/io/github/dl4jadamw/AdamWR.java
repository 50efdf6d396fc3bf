package io.github.dl4jadamw;

/**
 * AdamWR: {@link AdamW} given a cosine warm-restart schedule ({@link io.github.dl4jadamw.schedule.CosineWarmRestarts})
 * that drives both the step and the decay, optionally with the paper's {@link NormalizedWeightDecay} recomputed for
 * each restart period. This class only assembles an {@link AdamW}; there is no second implementation.
 *
 * <pre>{@code
 * AdamW adamwr = AdamWR.builder()
 *     .learningRate(1e-3)                          // α
 *     .restartsInEpochs(1, 2, iterationsPerEpoch)  // T_0 = 1 epoch, T_mult = 2, fractional epochs
 *     .normalizedWeightDecay(0.05, 64, 10_000)     // λ_norm, b, B
 *     .build();
 * }</pre>
 */
public final class AdamWR {
    private AdamWR() {}

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder extends WarmRestartsBuilder<Builder, AdamW> {
        private final AdamW.Builder adamw = AdamW.builder();

        private Builder() {}

        public Builder betas(double beta1, double beta2) { adamw.betas(beta1, beta2); return this; }
        public Builder epsilon(double epsilon) { adamw.epsilon(epsilon); return this; }
        public Builder amsgrad(boolean amsgrad) { adamw.amsgrad(amsgrad); return this; }

        @Override AdamW.Builder updater() { return adamw; }
        @Override AdamW buildUpdater() { return adamw.build(); }
    }
}
