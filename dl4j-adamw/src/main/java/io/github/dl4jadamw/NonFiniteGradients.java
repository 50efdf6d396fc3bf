package io.github.dl4jadamw;

/**
 * What AdamW does when a step's gradient holds NaN or ±Inf. Either way the check runs once per step over the
 * network's whole flattened gradient, before the first AdamW block of the step writes anything, so parameters and
 * optimizer state are never left half-updated.
 */
public enum NonFiniteGradients {
    /** Throw {@link NonFiniteGradientException} (naming the first bad element); nothing is updated. The default. */
    FAIL,
    /**
     * Skip the step: every AdamW block returns a zero update and leaves M, V (and VMAX) as they were; a warning is
     * logged. DL4J still counts the iteration, so the schedule and the bias correction t move on.
     */
    SKIP_STEP
}
