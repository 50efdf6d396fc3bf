package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;


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
 * {@code torch.optim.AdamW}. At DL4J iteration i (0-based, step t = i + 1), with gradient g:
 * <pre>
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²,   m̂ = m/(1 − β1^t),   v̂ = v/(1 − β2^t)
 * </pre>
 * and for parameters marked by {@link DecoupledWeightDecay}:
 * <pre>
 *   θ ← θ − d_t·θ − lr_t·m̂/(√v̂ + ε),   lr_t = α·η_t,
 *   d_t = lr_t·λ   ({@link DecayConvention#LR_COUPLED}, default: PyTorch, optax, Keras)
 *   d_t = η_t·λ    ({@link DecayConvention#SCHEDULE_MULTIPLIER}: the paper's Algorithm 2)
 * </pre>
 * and the plain Adam step for all other parameters. ε is added after bias correction. With {@code amsgrad} the
 * denominator uses the running maximum of v (PyTorch's {@code amsgrad=True}).
 *
 * <p>Use it with its companion (see {@link DecoupledWeightDecay} for why there are two statements):
 * <pre>{@code
 * new NeuralNetConfiguration.Builder()
 *     .updater(AdamW.builder().learningRate(1e-3).weightDecay(0.01).build())
 *     .regularization(DecoupledWeightDecay.onWeights())
 * }</pre>
 * {@link AdamWR} builds this updater with a cosine warm-restart schedule and, optionally, normalized decay.
 */
public final class AdamW extends DecoupledDecayUpdater {
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    public static final double DEFAULT_BETA1 = 0.9;
    public static final double DEFAULT_BETA2 = 0.999;
    public static final double DEFAULT_EPSILON = 1e-8;

    @JsonProperty private final double beta1;
    @JsonProperty private final double beta2;
    @JsonProperty private final double epsilon;
    @JsonProperty private final boolean amsgrad;

    @JsonCreator
    private AdamW(@JsonProperty("learningRate") double learningRate,
                 @JsonProperty("schedule") ISchedule schedule,
                 @JsonProperty("beta1") double beta1,
                 @JsonProperty("beta2") double beta2,
                 @JsonProperty("epsilon") double epsilon,
                 @JsonProperty("weightDecay") double weightDecay,
                 @JsonProperty("normalizedWeightDecay") NormalizedWeightDecay normalizedWeightDecay,
                 @JsonProperty("decayConvention") DecayConvention decayConvention,
                 @JsonProperty("amsgrad") boolean amsgrad,
                 @JsonProperty("nonFiniteGradients") NonFiniteGradients nonFiniteGradients,
                 @JsonProperty("clipGlobalNorm") Double clipGlobalNorm,
                 @JsonProperty("accumulationSteps") Integer accumulationSteps,
                 @JsonProperty("emaDecay") Double emaDecay) {
        this(learningRate, schedule, beta1, beta2, epsilon, weightDecay, normalizedWeightDecay, decayConvention, amsgrad,
                nonFiniteGradients, StepOptions.fromJson(clipGlobalNorm, accumulationSteps, emaDecay));
    }

    private AdamW(double learningRate, ISchedule schedule, double beta1, double beta2, double epsilon,
                  double weightDecay, NormalizedWeightDecay normalizedWeightDecay, DecayConvention decayConvention,
                  boolean amsgrad, NonFiniteGradients nonFiniteGradients, StepOptions stepOptions) {
        super(learningRate, schedule, weightDecay, normalizedWeightDecay, decayConvention, nonFiniteGradients,
                stepOptions);
        this.beta1 = belowOneInFloat("beta1", Check.unitInterval("beta1", beta1));
        this.beta2 = belowOneInFloat("beta2", Check.unitInterval("beta2", beta2));
        this.epsilon = Check.positive("epsilon", epsilon);
        this.amsgrad = amsgrad;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A β that float32 rounds to 1 (β >= 1 − 2^-25) is refused: libnd4j's Adam op, which the ND4J-op kernel runs for
     * CUDA and 16-bit networks, takes β in float32 there, where 1 − β and the bias correction 1 − β^t become 0.
     */
    private static double belowOneInFloat(String field, double beta) {
        if (!((float) beta < 1f))
            throw Check.bad(field, beta, "in [0, 1 − 2^-25) ≈ [0, 0.99999997): closer to 1, float32 rounds it to 1,"
                    + " where the ND4J-op kernel (CUDA, 16-bit networks) would divide by 1 − β = 0");
        return beta;
    }

    /** The same configuration with decoupled decay λ (e.g. 0 to opt a layer out through its updater). */
    public AdamW withWeightDecay(double weightDecay) {
        return new AdamW(getLearningRate(), getSchedule(), beta1, beta2, epsilon, weightDecay, null,
                getDecayConvention(), amsgrad, getNonFiniteGradients(), stepOptions());
    }

    /**
     * The same configuration at learning rate α·{@code scale}, on the same schedule: a PyTorch parameter group with
     * {@code lr = α·scale}. Give it to the layers of that group ({@code .updater(...)} on their builders); under
     * {@link DecayConvention#LR_COUPLED} their decay per step follows their own learning rate, as in PyTorch.
     */
    public AdamW withLearningRateScale(double scale) {
        Check.nonNegative("learningRate scale", scale);
        return new AdamW(getLearningRate() * scale, getSchedule(), beta1, beta2, epsilon, getWeightDecay(),
                getNormalizedWeightDecay(), getDecayConvention(), amsgrad, getNonFiniteGradients(), stepOptions());
    }

    /** The same configuration with another schedule multiplier η_t. */
    public AdamW withSchedule(ISchedule schedule) {
        return new AdamW(getLearningRate(), schedule, beta1, beta2, epsilon, getWeightDecay(),
                getNormalizedWeightDecay(), getDecayConvention(), amsgrad, getNonFiniteGradients(), stepOptions());
    }

    /** State per parameter: M, V and, with AMSGrad, VMAX; then ACC (accumulation) and EMA where configured. */
    @Override
    public long stateSize(long numParams) {
        return stateParts() * numParams;
    }

    private int stateParts() {
        return (amsgrad ? 3 : 2) + stepOptions().extraStateParts();
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        AdamWUpdater u = new AdamWUpdater(this);
        u.setStateViewArray(viewArray, new long[]{viewArray.length() / stateParts()}, 'c', initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        AdamWUpdater u = new AdamWUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public AdamW clone() {
        return new AdamW(getLearningRate(), getSchedule() == null ? null : getSchedule().clone(), beta1, beta2, epsilon,
                getWeightDecay(), getNormalizedWeightDecay(), getDecayConvention(), amsgrad, getNonFiniteGradients(),
                stepOptions());
    }

    public double getBeta1() { return beta1; }
    public double getBeta2() { return beta2; }
    public double getEpsilon() { return epsilon; }
    public boolean isAmsgrad() { return amsgrad; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof AdamW)) return false;
        AdamW a = (AdamW) o;
        return sameDecoupledSettings(a) && beta1 == a.beta1 && beta2 == a.beta2 && epsilon == a.epsilon
                && amsgrad == a.amsgrad;
    }

    @Override
    public int hashCode() {
        return Objects.hash(decoupledSettingsHash(), beta1, beta2, epsilon, amsgrad);
    }

    @Override
    public String toString() {
        return "AdamW{" + decoupledSettingsString() + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon=" + epsilon
                + (amsgrad ? ", amsgrad" : "") + "}";
    }

    /** Builder with {@code torch.optim.AdamW}'s defaults; every value is validated by {@link #build()}. */
    public static final class Builder extends DecoupledDecayUpdater.Builder<Builder> {
        private double beta1 = DEFAULT_BETA1;
        private double beta2 = DEFAULT_BETA2;
        private double epsilon = DEFAULT_EPSILON;
        private boolean amsgrad;

        Builder() {
            super(DEFAULT_LEARNING_RATE);
        }

        public Builder beta1(double beta1) { this.beta1 = beta1; return this; }
        public Builder beta2(double beta2) { this.beta2 = beta2; return this; }
        public Builder betas(double beta1, double beta2) { this.beta1 = beta1; this.beta2 = beta2; return this; }
        public Builder epsilon(double epsilon) { this.epsilon = epsilon; return this; }
        public Builder amsgrad(boolean amsgrad) { this.amsgrad = amsgrad; return this; }

        public AdamW build() {
            return new AdamW(learningRate, schedule, beta1, beta2, epsilon, weightDecayOrDefault(),
                    normalizedWeightDecay, decayConvention, amsgrad, policy(), stepOptions());
        }
    }
}
