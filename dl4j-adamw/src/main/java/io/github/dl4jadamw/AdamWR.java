package io.github.dl4jadamw;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;

/**
 * AdamWR: {@link AdamW} given a cosine warm-restart schedule ({@link CosineWarmRestarts}) that drives both the step
 * and the decay, optionally with the paper's {@link NormalizedWeightDecay} recomputed for each restart period.
 * This class only assembles an {@link AdamW}; there is no second implementation.
 *
 * <pre>{@code
 * AdamW adamwr = AdamWR.builder()
 *     .learningRate(1e-3)                       // α
 *     .restartsInEpochs(1, 2, iterationsPerEpoch)  // T_0 = 1 epoch, T_mult = 2, fractional epochs
 *     .normalizedWeightDecay(0.05, 64, 10_000)  // λ_norm, b, B
 *     .build();
 * }</pre>
 */
public final class AdamWR {
    private AdamWR() {}

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private final AdamW.Builder adamw = AdamW.builder();
        private CosineWarmRestarts schedule;
        private double etaMin = 0, etaMax = 1, warmup = 0, peakDecay = 1;
        private boolean normalized;
        private double lambdaNorm;
        private long b, bigB;

        public Builder learningRate(double alpha) { adamw.learningRate(alpha); return this; }
        public Builder betas(double beta1, double beta2) { adamw.betas(beta1, beta2); return this; }
        public Builder epsilon(double epsilon) { adamw.epsilon(epsilon); return this; }
        public Builder weightDecay(double lambda) { adamw.weightDecay(lambda); return this; }
        public Builder decayConvention(DecayConvention c) { adamw.decayConvention(c); return this; }
        public Builder amsgrad(boolean amsgrad) { adamw.amsgrad(amsgrad); return this; }
        public Builder nonFiniteGradients(NonFiniteGradients p) { adamw.nonFiniteGradients(p); return this; }

        /** Restart periods T_0, T_0·T_mult, … counted in iterations. */
        public Builder restartsInIterations(double t0, double tMult) {
            schedule = CosineWarmRestarts.iterations(t0, tMult, 0, 1);
            return this;
        }

        /** Restart periods counted in epochs; T_cur advances every iteration (the paper's fractional epochs). */
        public Builder restartsInEpochs(double t0, double tMult, double iterationsPerEpoch) {
            schedule = CosineWarmRestarts.epochs(t0, tMult, 0, 1, iterationsPerEpoch);
            return this;
        }

        /** Multiplier range: η anneals from etaMax to etaMin (defaults 1 and 0). */
        public Builder eta(double etaMin, double etaMax) { this.etaMin = etaMin; this.etaMax = etaMax; return this; }

        /** Linear warm-up over the first {@code warmup} schedule units. */
        public Builder warmup(double warmup) { this.warmup = warmup; return this; }

        /** Each restart's peak is γ times the previous one's (above etaMin). */
        public Builder peakDecay(double gamma) { this.peakDecay = gamma; return this; }

        /** λ = λ_norm·√(b/(B·T_i)) for each restart period T_i. */
        public Builder normalizedWeightDecay(double lambdaNorm, long batchSize, long trainingSetSize) {
            this.normalized = true;
            this.lambdaNorm = lambdaNorm;
            this.b = batchSize;
            this.bigB = trainingSetSize;
            return this;
        }

        public AdamW build() {
            if (schedule == null)
                throw new IllegalArgumentException("AdamWR restart schedule is not set: call restartsInIterations(T_0, "
                        + "T_mult) or restartsInEpochs(T_0, T_mult, iterationsPerEpoch)");
            CosineWarmRestarts s = new CosineWarmRestarts(schedule.getUnit(), schedule.getT0(), schedule.getTMult(),
                    etaMin, etaMax, warmup, peakDecay, schedule.getIterationsPerEpoch());
            adamw.schedule(s);
            if (normalized)
                adamw.normalizedWeightDecay(NormalizedWeightDecay.perRestartPeriod(lambdaNorm, b, bigB));
            return adamw.build();
        }
    }
}
