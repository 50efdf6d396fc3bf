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
        int ipe = Batches.perEpoch(trainSize, batchSize);
        if (!(t0 * ipe >= 1))
            throw invalid("--restart-t0", text(t0), "must be at least one step: " + text(t0) + " epoch × " + ipe
                    + " iteration(s) per epoch (--train-size " + trainSize + ", --batch-size " + batchSize + ") = "
                    + text(t0 * ipe) + " < 1");
    }

    public static IllegalArgumentException invalid(String option, String value, String range) {
        return new IllegalArgumentException(option + " = " + value + " is invalid: " + range);
    }

    /** The value as typed for whole numbers ("0", not "0.0"); Java's text otherwise ("0.001", "-0.1", "Infinity"). */
    public static String text(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
