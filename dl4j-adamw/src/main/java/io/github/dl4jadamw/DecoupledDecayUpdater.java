package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;


import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * What {@link AdamW} and {@link SGDW} share: the learning rate α and schedule multiplier η_t (lr_t = α·η_t), the
 * decoupled weight decay λ (or the paper's normalized λ), its {@link DecayConvention}, and the NaN/Inf policy. The
 * per-step numbers are computed in {@code internal.StepScalars}; the parameters to decay are marked by
 * {@link DecoupledWeightDecay}.
 *
 * <p>Immutable except through {@link #setLrAndSchedule}, which DL4J calls when a user changes a network's learning
 * rate. {@link #equals} decides which parameters share an updater block, as in DL4J.
 */
public abstract class DecoupledDecayUpdater implements IUpdater {
    public static final double DEFAULT_WEIGHT_DECAY = 0.01;

    @JsonProperty private double learningRate;
    @JsonProperty private ISchedule schedule;
    @JsonProperty private final double weightDecay;
    @JsonProperty private final NormalizedWeightDecay normalizedWeightDecay;
    @JsonProperty private final DecayConvention decayConvention;
    @JsonProperty private final NonFiniteGradients nonFiniteGradients;
    // the training step around the update (StepOptions); flat in JSON, absent in configurations written before them
    @JsonProperty private final double clipGlobalNorm;
    @JsonProperty private final int accumulationSteps;
    @JsonProperty private final Double emaDecay;
    /** The three as one value, made once (transient: not a JSON field; rebuilt after Java deserialization). */
    private transient StepOptions stepOptions;

    DecoupledDecayUpdater(double learningRate, ISchedule schedule, double weightDecay,
                                    NormalizedWeightDecay normalizedWeightDecay, DecayConvention decayConvention,
                                    NonFiniteGradients nonFiniteGradients, StepOptions stepOptions) {
        this.clipGlobalNorm = stepOptions.clipGlobalNorm;
        this.accumulationSteps = stepOptions.accumulationSteps;
        this.emaDecay = stepOptions.emaDecay;
        this.learningRate = Check.nonNegative("learningRate", learningRate);
        this.schedule = schedule;
        this.weightDecay = Check.nonNegative("weightDecay", weightDecay);
        this.normalizedWeightDecay = normalizedWeightDecay;
        if (normalizedWeightDecay != null) {
            if (weightDecay != 0)
                throw new IllegalArgumentException("weightDecay = " + weightDecay + " is invalid together with "
                        + "normalizedWeightDecay: must be 0 (λ comes from " + normalizedWeightDecay + ")");
            normalizedWeightDecay.validateWith(schedule);
        }
        this.decayConvention = Check.notNull("decayConvention", decayConvention);
        this.nonFiniteGradients = nonFiniteGradients == null ? NonFiniteGradients.FAIL : nonFiniteGradients;
        checkLargestDecay(this.learningRate, schedule);
    }

    /**
     * Each step multiplies a decayed θ by 1 − d_t, so d_t must stay below 1: at 1 the weights are zeroed every step,
     * above it they flip sign and grow until they overflow. Checked here wherever the largest d_t is known from the
     * configuration (no schedule, or a {@link CosineWarmRestarts} schedule: η_max, and the shortest period T_0 for
     * normalized decay); {@code internal.StepScalars} checks every step's d_t for any other schedule.
     */
    private void checkLargestDecay(double learningRate, ISchedule schedule) {
        double etaMax;
        if (schedule == null) etaMax = 1;
        else if (schedule instanceof CosineWarmRestarts) etaMax = ((CosineWarmRestarts) schedule).getEtaMax();
        else return;
        double lambda = normalizedWeightDecay == null ? weightDecay : normalizedWeightDecay.lambdaAt(0, schedule);
        double d = decayConvention.decayPerStep(learningRate * etaMax, etaMax, lambda);
        if (!(d < 1))
            throw new IllegalArgumentException("the largest decay per step d = "
                    + (decayConvention == DecayConvention.LR_COUPLED ? "learningRate·" : "") + "η_max·λ = " + d
                    + " (learningRate = " + learningRate + ", η_max = " + etaMax + ", λ = " + lambda + ", "
                    + decayConvention + ") is invalid: must be < 1, since each step multiplies the decayed weights by "
                    + "1 − d");
    }

    @Override
    public abstract DecoupledDecayUpdater clone();

    /** Does this configuration decay any parameter (λ &gt; 0 or normalized λ_norm &gt; 0)? */
    public boolean hasDecay() {
        return weightDecay > 0 || (normalizedWeightDecay != null && normalizedWeightDecay.getLambdaNorm() > 0);
    }

    /**
     * lr_t = α·η_s at DL4J iteration {@code iteration} (what DL4J's listeners and UI report), where the schedule is
     * indexed by the optimizer step s = {@link #optimizerStep(int) iteration / accumulationSteps}.
     */
    @Override
    public double getLearningRate(int iteration, int epoch) {
        return schedule == null ? learningRate : learningRate * schedule.valueAt(optimizerStep(iteration), epoch);
    }

    /**
     * The optimizer step s (from 0) that DL4J iteration {@code iteration} (a micro-batch, from 0) belongs to:
     * iteration / k under gradient accumulation over k micro-batches, the iteration itself otherwise. The step is
     * applied at the group's last micro-batch; schedules, bias corrections (t = s + 1), warm restarts and normalized
     * decay all count s.
     */
    public int optimizerStep(int iteration) {
        return iteration / accumulationSteps;
    }

    /** Whether DL4J iteration {@code iteration} is the last micro-batch of its group, where the optimizer steps. */
    boolean stepsAt(int iteration) {
        return iteration % accumulationSteps == accumulationSteps - 1;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    /**
     * DL4J's hook for {@code net.setLearningRate(...)}: a fixed rate replaces α and drops the schedule; a schedule
     * becomes the absolute learning rate (α = 1, η_t = lr_t). Normalized decay per restart period needs the restart
     * schedule for T_i: replacing it is refused here, before anything changes, rather than failing at the next step.
     */
    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        if (normalizedWeightDecay != null) normalizedWeightDecay.validateWith(lrSchedule);
        double newRate = lrSchedule != null ? 1.0 : Check.nonNegative("learningRate", lr);
        checkLargestDecay(newRate, lrSchedule);   // before anything changes
        this.learningRate = newRate;
        this.schedule = lrSchedule;
    }

    public double getLearningRate() { return learningRate; }
    public ISchedule getSchedule() { return schedule; }
    public double getWeightDecay() { return weightDecay; }
    public NormalizedWeightDecay getNormalizedWeightDecay() { return normalizedWeightDecay; }
    public DecayConvention getDecayConvention() { return decayConvention; }
    public NonFiniteGradients getNonFiniteGradients() { return nonFiniteGradients; }
    /** max_norm of global-norm clipping over the network's whole gradient; 0 = no clipping. */
    public double getClipGlobalNorm() { return clipGlobalNorm; }
    /** k: one optimizer step per k fits (micro-batches), on the mean of their gradients; 1 = no accumulation. */
    public int getAccumulationSteps() { return accumulationSteps; }
    /** The decay d of the EMA of the weights, or null without one. */
    public Double getEmaDecay() { return emaDecay; }

    StepOptions stepOptions() {
        StepOptions s = stepOptions;
        return s != null ? s : (stepOptions = new StepOptions(clipGlobalNorm, accumulationSteps, emaDecay));
    }

    boolean sameDecoupledSettings(DecoupledDecayUpdater o) {
        return learningRate == o.learningRate && Objects.equals(schedule, o.schedule) && weightDecay == o.weightDecay
                && Objects.equals(normalizedWeightDecay, o.normalizedWeightDecay)
                && decayConvention == o.decayConvention && nonFiniteGradients == o.nonFiniteGradients
                && clipGlobalNorm == o.clipGlobalNorm && accumulationSteps == o.accumulationSteps
                && Objects.equals(emaDecay, o.emaDecay);
    }

    int decoupledSettingsHash() {
        return Objects.hash(learningRate, schedule, weightDecay, normalizedWeightDecay, decayConvention, nonFiniteGradients,
                clipGlobalNorm, accumulationSteps, emaDecay);
    }

    String decoupledSettingsString() {
        return "lr=" + learningRate + (schedule != null ? ", schedule=" + schedule : "")
                + (normalizedWeightDecay != null ? ", " + normalizedWeightDecay : ", weightDecay=" + weightDecay)
                + ", " + decayConvention
                + (nonFiniteGradients != NonFiniteGradients.FAIL ? ", nonFinite=" + nonFiniteGradients : "")
                + stepOptions();
    }

    /** The shared builder settings; {@code B} is the concrete builder. */
    @SuppressWarnings("unchecked")
    public abstract static class Builder<B extends Builder<B>> {
        double learningRate;
        ISchedule schedule;
        Double weightDecay;
        NormalizedWeightDecay normalizedWeightDecay;
        DecayConvention decayConvention = DecayConvention.LR_COUPLED;
        NonFiniteGradients nonFiniteGradients = NonFiniteGradients.FAIL;
        Double clipGlobalNorm;
        int accumulationSteps = 1;
        Double emaDecay;

        Builder(double defaultLearningRate) {
            this.learningRate = defaultLearningRate;
        }

        /** Base learning rate α (PyTorch's {@code lr}); with a schedule lr_t = α·η_t. */
        public B learningRate(double learningRate) { this.learningRate = learningRate; return (B) this; }

        /**
         * An absolute learning-rate schedule, as for DL4J's own updaters: sets α = 1 and η_t = the schedule's
         * value. Under {@link DecayConvention#SCHEDULE_MULTIPLIER} prefer {@link #schedule(ISchedule)}.
         */
        public B learningRate(ISchedule learningRateSchedule) {
            this.learningRate = 1.0;
            this.schedule = Check.notNull("learningRateSchedule", learningRateSchedule);
            return (B) this;
        }

        /** Schedule multiplier η_t (e.g. {@link io.github.dl4jadamw.schedule.CosineWarmRestarts}). */
        public B schedule(ISchedule schedule) { this.schedule = schedule; return (B) this; }
        /** Decoupled weight decay λ (default 0.01, PyTorch AdamW's). */
        public B weightDecay(double weightDecay) { this.weightDecay = weightDecay; return (B) this; }
        /** The paper's normalized decay instead of a fixed λ. */
        public B normalizedWeightDecay(NormalizedWeightDecay n) { this.normalizedWeightDecay = n; return (B) this; }
        public B decayConvention(DecayConvention c) { this.decayConvention = c; return (B) this; }
        /** NaN/Inf gradient policy (default {@link NonFiniteGradients#FAIL}). */
        public B nonFiniteGradients(NonFiniteGradients policy) { this.nonFiniteGradients = policy; return (B) this; }

        /**
         * Global-norm clipping, as {@code torch.nn.utils.clip_grad_norm_(model.parameters(), maxNorm)} before each
         * optimizer step: with ‖g‖ the L2 norm of the network's whole gradient (every parameter, decayed or not, every
         * updater block, layers with other updaters too; after accumulation), g ← g·min(1, maxNorm/(‖g‖ + 10⁻⁶)).
         * Needs {@link AdamWListener} on the network (README: "Porting a PyTorch recipe").
         */
        public B clipGlobalNorm(double maxNorm) { this.clipGlobalNorm = maxNorm; return (B) this; }

        /**
         * Gradient accumulation: each fit adds its gradient, and every k-th fit applies one optimizer step on the
         * mean of the k gradients; in between no parameter or optimizer state moves.
         */
        public B accumulationSteps(int k) { this.accumulationSteps = k; return (B) this; }

        /**
         * An exponential moving average of the weights, updated after each optimizer step: the first copies the
         * weights, later ones do ema ← d·ema + (1 − d)·θ. Read it with {@link EmaWeights}. Needs
         * {@link AdamWListener} on the network.
         */
        public B ema(double decay) { this.emaDecay = decay; return (B) this; }

        StepOptions stepOptions() {
            if (clipGlobalNorm != null && !(Double.isFinite(clipGlobalNorm) && clipGlobalNorm > 0))
                throw Check.bad("clipGlobalNorm", clipGlobalNorm, "a finite number > 0 (to train without clipping, "
                        + "leave clipGlobalNorm unset)");
            return new StepOptions(clipGlobalNorm == null ? 0 : clipGlobalNorm, accumulationSteps, emaDecay);
        }

        double weightDecayOrDefault() {
            return weightDecay != null ? weightDecay : (normalizedWeightDecay != null ? 0 : DEFAULT_WEIGHT_DECAY);
        }

        NonFiniteGradients policy() {
            return Check.notNull("nonFiniteGradients", nonFiniteGradients);
        }
    }
}
