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
 * SGDW: SGD with momentum and decoupled weight decay, the paper's Algorithm 1 (Loshchilov &amp; Hutter 2019), as a
 * DL4J {@link IUpdater}. At DL4J iteration i (0-based), with lr_t = α·η_t and μ the momentum:
 * <pre>
 *   m ← μ·m + lr_t·g                      (the buffer includes η_t·α, as in the paper)
 *   θ ← θ − m − d_t·θ                     (Nesterov: θ ← θ − (μ·m + lr_t·g) − d_t·θ)
 *   d_t = η_t·λ   ({@link DecayConvention#SCHEDULE_MULTIPLIER}: the paper)
 *   d_t = lr_t·λ  ({@link DecayConvention#LR_COUPLED}: decay scaled like PyTorch's coupled recipes)
 * </pre>
 * Decay applies to the parameters marked by {@link DecoupledWeightDecay}, exactly as for {@link AdamW}; the two share
 * the schedule, normalized decay, kernels and checks. {@link SGDWR} adds warm restarts.
 */
public final class SGDW extends DecoupledDecayUpdater {
    public static final double DEFAULT_LEARNING_RATE = 0.01;
    public static final double DEFAULT_MOMENTUM = 0.9;

    @JsonProperty private final double momentum;
    @JsonProperty private final boolean nesterov;

    @JsonCreator
    private SGDW(@JsonProperty("learningRate") double learningRate,
                @JsonProperty("schedule") ISchedule schedule,
                @JsonProperty("momentum") double momentum,
                @JsonProperty("nesterov") boolean nesterov,
                @JsonProperty("weightDecay") double weightDecay,
                @JsonProperty("normalizedWeightDecay") NormalizedWeightDecay normalizedWeightDecay,
                @JsonProperty("decayConvention") DecayConvention decayConvention,
                @JsonProperty("nonFiniteGradients") NonFiniteGradients nonFiniteGradients,
                @JsonProperty("clipGlobalNorm") Double clipGlobalNorm,
                @JsonProperty("accumulationSteps") Integer accumulationSteps,
                @JsonProperty("emaDecay") Double emaDecay) {
        this(learningRate, schedule, momentum, nesterov, weightDecay, normalizedWeightDecay, decayConvention,
                nonFiniteGradients, StepOptions.fromJson(clipGlobalNorm, accumulationSteps, emaDecay));
    }

    private SGDW(double learningRate, ISchedule schedule, double momentum, boolean nesterov, double weightDecay,
                 NormalizedWeightDecay normalizedWeightDecay, DecayConvention decayConvention,
                 NonFiniteGradients nonFiniteGradients, StepOptions stepOptions) {
        super(learningRate, schedule, weightDecay, normalizedWeightDecay, decayConvention, nonFiniteGradients,
                stepOptions);
        this.momentum = Check.unitInterval("momentum", momentum);
        if (nesterov && momentum == 0)
            throw Check.bad("momentum", momentum, "in (0, 1) with nesterov = true");
        this.nesterov = nesterov;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** State per parameter: the momentum buffer M; then ACC (accumulation) and EMA where configured. */
    @Override
    public long stateSize(long numParams) {
        return stateParts() * numParams;
    }

    private int stateParts() {
        return 1 + stepOptions().extraStateParts();
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        SGDWUpdater u = new SGDWUpdater(this);
        u.setStateViewArray(viewArray, new long[]{viewArray.length() / stateParts()}, 'c', initializeViewArray);
        return u;
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        SGDWUpdater u = new SGDWUpdater(this);
        u.setState(updaterState, initializeStateArrays);
        return u;
    }

    @Override
    public SGDW clone() {
        return new SGDW(getLearningRate(), getSchedule() == null ? null : getSchedule().clone(), momentum, nesterov,
                getWeightDecay(), getNormalizedWeightDecay(), getDecayConvention(), getNonFiniteGradients(),
                stepOptions());
    }

    /** The same configuration with decoupled decay λ. */
    public SGDW withWeightDecay(double weightDecay) {
        return new SGDW(getLearningRate(), getSchedule(), momentum, nesterov, weightDecay, null, getDecayConvention(),
                getNonFiniteGradients(), stepOptions());
    }

    /**
     * The same configuration at learning rate α·{@code scale}, on the same schedule: a PyTorch parameter group with
     * {@code lr = α·scale} (see {@link AdamW#withLearningRateScale}).
     */
    public SGDW withLearningRateScale(double scale) {
        Check.nonNegative("learningRate scale", scale);
        return new SGDW(getLearningRate() * scale, getSchedule(), momentum, nesterov, getWeightDecay(),
                getNormalizedWeightDecay(), getDecayConvention(), getNonFiniteGradients(), stepOptions());
    }

    public double getMomentum() { return momentum; }
    public boolean isNesterov() { return nesterov; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof SGDW)) return false;
        SGDW s = (SGDW) o;
        return sameDecoupledSettings(s) && momentum == s.momentum && nesterov == s.nesterov;
    }

    @Override
    public int hashCode() {
        return Objects.hash(decoupledSettingsHash(), momentum, nesterov);
    }

    @Override
    public String toString() {
        return "SGDW{" + decoupledSettingsString() + ", momentum=" + momentum + (nesterov ? ", nesterov" : "") + "}";
    }

    /** Builder: α = 0.01, μ = 0.9, λ = 0.01, {@link DecayConvention#LR_COUPLED} unless set. */
    public static final class Builder extends DecoupledDecayUpdater.Builder<Builder> {
        private double momentum = DEFAULT_MOMENTUM;
        private boolean nesterov;

        Builder() {
            super(DEFAULT_LEARNING_RATE);
        }

        public Builder momentum(double momentum) { this.momentum = momentum; return this; }
        public Builder nesterov(boolean nesterov) { this.nesterov = nesterov; return this; }

        public SGDW build() {
            return new SGDW(learningRate, schedule, momentum, nesterov, weightDecayOrDefault(), normalizedWeightDecay,
                    decayConvention, policy(), stepOptions());
        }
    }
}
