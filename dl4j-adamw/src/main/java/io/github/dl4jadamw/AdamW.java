package io.github.dl4jadamw;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Map;
import java.util.Objects;

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov &amp; Hutter, "Decoupled Weight Decay Regularization",
 * ICLR 2019), as a DL4J {@link IUpdater}. Hyperparameters and defaults are those of
 * {@code torch.optim.AdamW}. The full algorithm is in {@link StepScalars}; in short, at DL4J iteration i
 * (0-based, step t = i + 1), for parameters marked by {@link DecoupledWeightDecay}:
 * <pre>
 *   θ ← θ − d_t·θ − lr_t·m̂/(√v̂ + ε),   lr_t = α·η_t,
 *   d_t = lr_t·λ   ({@link DecayConvention#LR_COUPLED}, default: PyTorch, optax, Keras)
 *   d_t = η_t·λ    ({@link DecayConvention#SCHEDULE_MULTIPLIER}: the paper's Algorithm 2)
 * </pre>
 * and the plain Adam step for all other parameters. ε is added after bias correction.
 *
 * <p>Use it with its companion (see {@link DecoupledWeightDecay} for why there are two statements):
 * <pre>{@code
 * new NeuralNetConfiguration.Builder()
 *     .updater(AdamW.builder().learningRate(1e-3).weightDecay(0.01).build())
 *     .regularization(DecoupledWeightDecay.onWeights())
 * }</pre>
 * {@link AdamWR} builds this updater with a cosine warm-restart schedule and, optionally, normalized decay.
 *
 * <p>Immutable except through {@link #setLrAndSchedule}, which DL4J calls when a user changes a network's
 * learning rate. {@link #equals} decides which parameters share an updater block, as in DL4J.
 */
public final class AdamW implements IUpdater {
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;

    @JsonProperty private double learningRate;
    @JsonProperty private ISchedule schedule;
    @JsonProperty private final double beta1;
    @JsonProperty private final double beta2;
    @JsonProperty private final double epsilon;
    @JsonProperty private final double weightDecay;
    @JsonProperty private final NormalizedWeightDecay normalizedWeightDecay;
    @JsonProperty private final DecayConvention decayConvention;
    @JsonProperty private final boolean amsgrad;
    @JsonProperty private final NonFiniteGradients nonFiniteGradients;

    @JsonCreator
    public AdamW(@JsonProperty("learningRate") double learningRate,
                 @JsonProperty("schedule") ISchedule schedule,
                 @JsonProperty("beta1") double beta1,
                 @JsonProperty("beta2") double beta2,
                 @JsonProperty("epsilon") double epsilon,
                 @JsonProperty("weightDecay") double weightDecay,
                 @JsonProperty("normalizedWeightDecay") NormalizedWeightDecay normalizedWeightDecay,
                 @JsonProperty("decayConvention") DecayConvention decayConvention,
                 @JsonProperty("amsgrad") boolean amsgrad,
                 @JsonProperty("nonFiniteGradients") NonFiniteGradients nonFiniteGradients) {
        this.learningRate = Check.nonNegative("learningRate", learningRate);
        this.schedule = schedule;
        this.beta1 = Check.unitInterval("beta1", beta1);
        this.beta2 = Check.unitInterval("beta2", beta2);
        this.epsilon = Check.positive("epsilon", epsilon);
        this.weightDecay = Check.nonNegative("weightDecay", weightDecay);
        this.normalizedWeightDecay = normalizedWeightDecay;
        if (normalizedWeightDecay != null) {
            if (weightDecay != 0)
                throw new IllegalArgumentException("weightDecay = " + weightDecay + " is invalid together with "
                        + "normalizedWeightDecay: must be 0 (λ comes from " + normalizedWeightDecay + ")");
            normalizedWeightDecay.validateWith(schedule);
        }
        this.decayConvention = Check.notNull("decayConvention", decayConvention);
        this.amsgrad = amsgrad;
        this.nonFiniteGradients = nonFiniteGradients == null ? NonFiniteGradients.FAIL : nonFiniteGradients;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Does this configuration decay any parameter (λ &gt; 0 or normalized λ_norm &gt; 0)? */
    public boolean hasDecay() {
        return weightDecay > 0 || (normalizedWeightDecay != null && normalizedWeightDecay.getLambdaNorm() > 0);
    }

    /** The same configuration with decoupled decay λ (e.g. 0 to opt a layer out through its updater). */
    public AdamW withWeightDecay(double weightDecay) {
        return new AdamW(learningRate, schedule, beta1, beta2, epsilon, weightDecay, null, decayConvention, amsgrad,
                nonFiniteGradients);
    }

    /** The same configuration with another schedule multiplier η_t. */
    public AdamW withSchedule(ISchedule schedule) {
        return new AdamW(learningRate, schedule, beta1, beta2, epsilon, weightDecay, normalizedWeightDecay,
                decayConvention, amsgrad, nonFiniteGradients);
    }

    @Override
    public long stateSize(long numParams) {
        return (amsgrad ? 3 : 2) * numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        AdamWUpdater u = new AdamWUpdater(this);
        u.setStateViewArray(viewArray, new long[]{viewArray.length() / (amsgrad ? 3 : 2)}, 'c', initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        AdamWUpdater u = new AdamWUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    /** lr_t = α·η_t at DL4J iteration {@code iteration} (what DL4J's listeners and UI report). */
    @Override
    public double getLearningRate(int iteration, int epoch) {
        return schedule == null ? learningRate : learningRate * schedule.valueAt(iteration, epoch);
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    /**
     * DL4J's hook for {@code net.setLearningRate(...)}: a fixed rate replaces α and drops the schedule; a
     * schedule becomes the absolute learning rate (α = 1, η_t = lr_t).
     */
    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        if (lrSchedule != null) {
            this.learningRate = 1.0;
            this.schedule = lrSchedule;
        } else {
            this.learningRate = Check.nonNegative("learningRate", lr);
            this.schedule = null;
        }
    }

    @Override
    public AdamW clone() {
        return new AdamW(learningRate, schedule == null ? null : schedule.clone(), beta1, beta2, epsilon, weightDecay,
                normalizedWeightDecay, decayConvention, amsgrad, nonFiniteGradients);
    }

    public double getLearningRate() { return learningRate; }
    public ISchedule getSchedule() { return schedule; }
    public double getBeta1() { return beta1; }
    public double getBeta2() { return beta2; }
    public double getEpsilon() { return epsilon; }
    public double getWeightDecay() { return weightDecay; }
    public NormalizedWeightDecay getNormalizedWeightDecay() { return normalizedWeightDecay; }
    public DecayConvention getDecayConvention() { return decayConvention; }
    public boolean isAmsgrad() { return amsgrad; }
    public NonFiniteGradients getNonFiniteGradients() { return nonFiniteGradients; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof AdamW)) return false;
        AdamW a = (AdamW) o;
        return learningRate == a.learningRate && Objects.equals(schedule, a.schedule) && beta1 == a.beta1
                && beta2 == a.beta2 && epsilon == a.epsilon && weightDecay == a.weightDecay
                && Objects.equals(normalizedWeightDecay, a.normalizedWeightDecay)
                && decayConvention == a.decayConvention && amsgrad == a.amsgrad
                && nonFiniteGradients == a.nonFiniteGradients;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, schedule, beta1, beta2, epsilon, weightDecay, normalizedWeightDecay,
                decayConvention, amsgrad, nonFiniteGradients);
    }

    @Override
    public String toString() {
        return "AdamW{lr=" + learningRate + (schedule != null ? ", schedule=" + schedule : "") + ", beta1=" + beta1
                + ", beta2=" + beta2 + ", epsilon=" + epsilon
                + (normalizedWeightDecay != null ? ", " + normalizedWeightDecay : ", weightDecay=" + weightDecay)
                + ", " + decayConvention + (amsgrad ? ", amsgrad" : "")
                + (nonFiniteGradients != NonFiniteGradients.FAIL ? ", nonFinite=" + nonFiniteGradients : "") + "}";
    }

    /** Builder with {@code torch.optim.AdamW}'s defaults; every value is validated by {@link #build()}. */
    public static final class Builder {
        private double learningRate = DEFAULT_LEARNING_RATE;
        private ISchedule schedule;
        private double beta1 = DEFAULT_BETA1;
        private double beta2 = DEFAULT_BETA2;
        private double epsilon = DEFAULT_EPSILON;
        private Double weightDecay;
        private NormalizedWeightDecay normalizedWeightDecay;
        private DecayConvention decayConvention = DecayConvention.LR_COUPLED;
        private boolean amsgrad;
        private NonFiniteGradients nonFiniteGradients = NonFiniteGradients.FAIL;

        /** Base learning rate α (PyTorch's {@code lr}); with a schedule lr_t = α·η_t. */
        public Builder learningRate(double learningRate) { this.learningRate = learningRate; return this; }

        /**
         * An absolute learning-rate schedule, as for DL4J's own updaters: sets α = 1 and η_t = the schedule's
         * value. Under {@link DecayConvention#SCHEDULE_MULTIPLIER} prefer {@link #schedule(ISchedule)}.
         */
        public Builder learningRate(ISchedule learningRateSchedule) {
            this.learningRate = 1.0;
            this.schedule = Check.notNull("learningRateSchedule", learningRateSchedule);
            return this;
        }

        /** Schedule multiplier η_t (e.g. {@link io.github.dl4jadamw.schedule.CosineWarmRestarts}). */
        public Builder schedule(ISchedule schedule) { this.schedule = schedule; return this; }
        public Builder beta1(double beta1) { this.beta1 = beta1; return this; }
        public Builder beta2(double beta2) { this.beta2 = beta2; return this; }
        public Builder betas(double beta1, double beta2) { this.beta1 = beta1; this.beta2 = beta2; return this; }
        public Builder epsilon(double epsilon) { this.epsilon = epsilon; return this; }
        /** Decoupled weight decay λ (default 0.01, PyTorch's). */
        public Builder weightDecay(double weightDecay) { this.weightDecay = weightDecay; return this; }
        /** The paper's normalized decay instead of a fixed λ. */
        public Builder normalizedWeightDecay(NormalizedWeightDecay n) { this.normalizedWeightDecay = n; return this; }
        public Builder decayConvention(DecayConvention c) { this.decayConvention = c; return this; }
        public Builder amsgrad(boolean amsgrad) { this.amsgrad = amsgrad; return this; }
        /** NaN/Inf gradient policy (default {@link NonFiniteGradients#FAIL}). */
        public Builder nonFiniteGradients(NonFiniteGradients policy) { this.nonFiniteGradients = policy; return this; }

        public AdamW build() {
            double wd = weightDecay != null ? weightDecay : (normalizedWeightDecay != null ? 0 : DEFAULT_WEIGHT_DECAY);
            return new AdamW(learningRate, schedule, beta1, beta2, epsilon, wd, normalizedWeightDecay,
                    decayConvention, amsgrad, Check.notNull("nonFiniteGradients", nonFiniteGradients));
        }
    }
}
