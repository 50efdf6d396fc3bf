package io.github.dl4jadamw;

/**
 * What AdamW does when a step's gradient holds NaN or ±Inf. Either way the check runs once per step over the
 * network's whole flattened gradient, before the first AdamW block of the step writes anything, so in a
 * MultiLayerNetwork or ComputationGraph whose updaters are all AdamW/SGDW, parameters and optimizer state are never
 * left half-updated.
 *
 * <p>Two cases where a step can still be partial, because what comes earlier is not ours to hold back:
 * <ul>
 *   <li>SameDiff applies each variable's update as soon as its gradient is computed, and each variable's gradient is
 *       its own array; the check then covers one variable. FAIL stops the step at the first bad variable, with the
 *       variables updated before it already stepped; SKIP_STEP skips only the bad variables.</li>
 *   <li>A network mixing updaters: blocks of other updaters (e.g. DL4J's Adam) that come before the first AdamW
 *       block in the network's parameter order have already stepped.</li>
 * </ul>
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
