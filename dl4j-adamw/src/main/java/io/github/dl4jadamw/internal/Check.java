package io.github.dl4jadamw.internal;

/**
 * Configuration-time validation. Every message names the field, the value it was given and the
 * valid range, so a bad hyperparameter is reported where it was written, not as a NaN ten epochs later.
 * Nothing is ever clamped or replaced: a bad value is an exception. The one normalization: an accepted −0.0 is
 * returned as 0.0 ({@code value + 0.0}), because configurations compare fields with {@code ==} (−0.0 == 0.0) but
 * hash their bits, and equal configurations must share one updater block and one hash.
 */
public final class Check {
    private Check() {}

    /** {@code value} finite and {@code >= 0}. */
    public static double nonNegative(String field, double value) {
        if (!Double.isFinite(value) || value < 0)
            throw bad(field, value, "a finite number >= 0");
        return value + 0.0;
    }

    /** {@code value} finite and {@code > 0}. */
    public static double positive(String field, double value) {
        if (!Double.isFinite(value) || value <= 0)
            throw bad(field, value, "a finite number > 0");
        return value;
    }

    /** {@code value} in {@code [0, 1)}. */
    public static double unitInterval(String field, double value) {
        if (!(value >= 0 && value < 1))
            throw bad(field, value, "[0, 1)");
        return value + 0.0;
    }

    /** {@code value} finite and {@code >= min}. */
    public static double atLeast(String field, double value, double min) {
        if (!Double.isFinite(value) || value < min)
            throw bad(field, value, "a finite number >= " + min);
        return value + 0.0;
    }

    /** {@code value >= min} for integers. */
    public static long atLeast(String field, long value, long min) {
        if (value < min)
            throw new IllegalArgumentException(field + " = " + value + " is invalid: must be an integer >= " + min);
        return value;
    }

    public static <T> T notNull(String field, T value) {
        if (value == null)
            throw new IllegalArgumentException(field + " is null: a value is required");
        return value;
    }

    public static IllegalArgumentException bad(String field, double value, String range) {
        return new IllegalArgumentException(field + " = " + value + " is invalid: must be " + range);
    }
}
