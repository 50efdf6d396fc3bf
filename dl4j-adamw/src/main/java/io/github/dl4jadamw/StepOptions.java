package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;

import java.util.Objects;

/**
 * The settings of the training step around the update that {@link DecoupledDecayUpdater} carries: global-norm
 * clipping, gradient accumulation and an EMA of the weights. Immutable; validated here, whoever builds it (a builder or
 * Jackson reading a configuration).
 */
final class StepOptions {
    static final StepOptions NONE = new StepOptions(0, 1, null);

    /** max_norm of the global gradient norm; 0 = no clipping. */
    final double clipGlobalNorm;
    /** k: one optimizer step per k micro-batches (fits); 1 = every fit steps. */
    final int accumulationSteps;
    /** The EMA's decay d in [0, 1); null = no EMA. */
    final Double emaDecay;

    StepOptions(double clipGlobalNorm, int accumulationSteps, Double emaDecay) {
        if (clipGlobalNorm != 0) Check.positive("clipGlobalNorm", clipGlobalNorm);
        else if (Double.doubleToRawLongBits(clipGlobalNorm) != 0)
            clipGlobalNorm = 0.0;   // −0.0 as 0.0 (see Check): both mean "off" in a configuration read from JSON
        this.clipGlobalNorm = clipGlobalNorm;
        this.accumulationSteps = (int) Check.atLeast("accumulationSteps", accumulationSteps, 1);
        this.emaDecay = emaDecay == null ? null : Check.unitInterval("emaDecay", emaDecay);
    }

    /** From a configuration's JSON fields, where an absent field (an older configuration) means "off". */
    static StepOptions fromJson(Double clipGlobalNorm, Integer accumulationSteps, Double emaDecay) {
        return new StepOptions(clipGlobalNorm == null ? 0 : clipGlobalNorm,
                accumulationSteps == null ? 1 : accumulationSteps, emaDecay);
    }

    boolean clips() { return clipGlobalNorm > 0; }
    boolean accumulates() { return accumulationSteps > 1; }
    boolean ema() { return emaDecay != null; }

    /** State arrays these options keep per parameter, besides the optimizer's own: ACC (k &gt; 1) and EMA. */
    int extraStateParts() {
        return (accumulates() ? 1 : 0) + (ema() ? 1 : 0);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StepOptions)) return false;
        StepOptions s = (StepOptions) o;
        return clipGlobalNorm == s.clipGlobalNorm && accumulationSteps == s.accumulationSteps
                && Objects.equals(emaDecay, s.emaDecay);
    }

    @Override
    public int hashCode() {
        return Objects.hash(clipGlobalNorm, accumulationSteps, emaDecay);
    }

    @Override
    public String toString() {
        return (clips() ? ", clipGlobalNorm=" + clipGlobalNorm : "")
                + (accumulates() ? ", accumulationSteps=" + accumulationSteps : "")
                + (ema() ? ", emaDecay=" + emaDecay : "");
    }
}
