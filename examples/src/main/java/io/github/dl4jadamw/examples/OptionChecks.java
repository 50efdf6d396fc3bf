package io.github.dl4jadamw.examples;

import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.examples.data.Batches;

import java.util.List;

/**
 * Checks of the numeric options, run before any data is loaded or training starts: a bad value fails at once with
 * the option, the value and the valid range, e.g. {@code --lr = Infinity is invalid: must be a finite number > 0},
 * instead of after minutes of training (or as NaN results).
 */
public final class OptionChecks {
    private OptionChecks() {}

    /** An integer option that must be at least 1 (sizes, epochs). */
    public static void positive(String option, int value) {
        if (value <= 0) throw invalid(option, Integer.toString(value), "must be an integer > 0");
    }

    /** A size option against the images the data has ({@code what}, e.g. "the embedded ... training images"). */
    public static void atMost(String option, int value, int max, String what) {
        if (value > max)
            throw invalid(option, Integer.toString(value), "must be 1 to " + max + ": " + what);
    }

    /** Every value finite and > 0 (learning rates). */
    public static void finitePositive(String option, List<Double> values) {
        for (double v : values)
            if (!(v > 0) || !Double.isFinite(v)) throw invalid(option, text(v), "must be a finite number > 0");
    }

    /** Every value finite and ≥ 0 (λ). */
    public static void finiteNonNegative(String option, List<Double> values) {
        for (double v : values)
            if (!(v >= 0) || !Double.isFinite(v)) throw invalid(option, text(v), "must be a finite number >= 0");
    }

    /** A finite value > 0 (T_0). */
    public static void finitePositive(String option, double v) {
        finitePositive(option, List.of(v));
    }

    /** A finite value ≥ {@code min} (T_mult). */
    public static void finiteAtLeast(String option, double v, double min) {
        if (!(v >= min) || !Double.isFinite(v))
            throw invalid(option, text(v), "must be a finite number >= " + text(min));
    }

    /**
     * The decoupled decay per step lr·λ (this CLI's convention, η_max = 1) below 1 for every pair: each step multiplies
     * the weights by 1 − lr·λ. The library refuses such a configuration too, but only when the run is built.
     */
    public static void decayPerStepBelowOne(List<Double> lrs, List<Double> wds) {
        for (double lr : lrs)
            for (double wd : wds) {
                double d = DecayConvention.LR_COUPLED.decayPerStep(lr, 1, wd);   // the library's d
                if (!(d < 1))
                    throw invalid("--lr × --wd", text(lr) + " × " + text(wd) + " = " + text(d),
                            "must be < 1 (the decay per step lr·λ; each step multiplies the weights by 1 − lr·λ)");
            }
    }

    /**
     * A restart period of at least one step: T_0 epochs × iterations per epoch >= 1 (the library refuses shorter
     * periods, which would restart at every step, but only once the run knows its iterations per epoch).
     */
    public static void restartPeriodAtLeastOneStep(double t0, int trainSize, int batchSize) {
        restartPeriodAtLeastOneStep(t0, trainSize, batchSize, 1);
    }

    /** As above, under accumulation over {@code k} minibatches: periods count optimizer steps, ipe / k per epoch. */
    public static void restartPeriodAtLeastOneStep(double t0, int trainSize, int batchSize, int k) {
        int ipe = Batches.perEpoch(trainSize, batchSize);
        double steps = ipe / (double) k;
        if (!(t0 * steps >= 1))
            throw invalid("--restart-t0", text(t0), "must be at least one step: " + text(t0) + " epoch × " + ipe
                    + " iteration(s) per epoch (--train-size " + trainSize + ", --batch-size " + batchSize + ")"
                    + (k > 1 ? " / --accumulation-steps " + k : "") + " = " + text(t0 * steps) + " < 1");
    }

    /** The max norm of global-norm clipping: finite and > 0 ({@code clip_grad_norm_}'s max_norm). */
    public static void clipNorm(String option, double v) {
        if (!(v > 0) || !Double.isFinite(v))
            throw invalid(option, text(v), "must be a finite number > 0 (the largest L2 norm of the whole gradient)");
    }

    /** An EMA decay d in [0, 1): ema ← d·ema + (1 − d)·θ (1 would never move, above 1 diverges). */
    public static void emaDecay(String option, double v) {
        if (!(v >= 0 && v < 1))
            throw invalid(option, text(v), "must be in [0, 1) (ema ← d·ema + (1 − d)·θ; e.g. 0.999)");
    }

    /**
     * A warm-up shorter than the run: 0 to steps − 1 optimizer steps, where the run has ⌊epochs × minibatches per
     * epoch / k⌋ optimizer steps (transformers' schedules would reach their peak only at the end, or never).
     */
    public static void warmupShorterThanRun(long warmup, int epochs, int trainSize, int batchSize, int k) {
        int ipe = Batches.perEpoch(trainSize, batchSize);
        long steps = (long) epochs * ipe / k;
        if (warmup < 0 || warmup >= steps)
            throw invalid("--warmup", Long.toString(warmup), steps <= 1
                    ? "the run has " + steps + " optimizer step(s) (" + epochs + " epoch(s) × " + ipe + " minibatches"
                    + (k > 1 ? " / --accumulation-steps " + k : "") + "): too short for a warm-up"
                    : "must be 0 to " + (steps - 1) + ": shorter than the run's " + steps + " optimizer steps ("
                    + epochs + " epoch(s) × " + ipe + " minibatches (--train-size " + trainSize + ", --batch-size "
                    + batchSize + ")" + (k > 1 ? " / --accumulation-steps " + k : "") + ")");
    }

    public static IllegalArgumentException invalid(String option, String value, String range) {
        return new IllegalArgumentException(option + " = " + value + " is invalid: " + range);
    }

    /** The value as typed for whole numbers ("0", not "0.0"); Java's text otherwise ("0.001", "-0.1", "Infinity"). */
    public static String text(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
