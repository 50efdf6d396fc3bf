package io.github.dl4jadamw;

/**
 * What AdamW does when a step's gradient holds NaN or ±Inf. Under FAIL and SKIP_STEP the check runs once per step over
 * the network's whole flattened gradient, before the first AdamW block of the step writes anything, so in a
 * MultiLayerNetwork or ComputationGraph whose updaters are all AdamW/SGDW, parameters and optimizer state are never
 * left half-updated. The policy of the step's first AdamW/SGDW block decides for the whole step (blocks configured
 * differently follow it).
 *
 * <p>Two cases where a step can still be partial, because what comes earlier is not ours to hold back:
 * <ul>
 *   <li>SameDiff applies each variable's update as soon as its gradient is computed, and each variable's gradient is
 *       its own array; the check then covers one variable. FAIL stops the step at the first bad variable, with the
 *       variables updated before it already stepped; SKIP_STEP skips only the bad variables.</li>
 *   <li>A network mixing updaters: blocks of other updaters (e.g. DL4J's Adam) that come before the first AdamW
 *       block in the network's parameter order have already stepped. Under FAIL their parameters and state have
 *       moved; under SKIP_STEP their parameters have not (the whole update is zeroed) but their state has. Blocks of
 *       other updaters after it step on a zero gradient under SKIP_STEP: no NaN reaches them, but a momentum or an
 *       L1/L2 term can still move their parameters.</li>
 * </ul>
 */
public enum NonFiniteGradients {
    /** Throw {@link NonFiniteGradientException} (naming the first bad element); nothing is updated. The default. */
    FAIL,
    /**
     * Skip the step: the network's whole update is zeroed, every AdamW block leaves M, V (and VMAX) as they were, and
     * BatchNormalization's running mean and variance stay as they were; a warning is logged. DL4J still counts the
     * iteration, so the schedule and the bias correction t move on.
     */
    SKIP_STEP,
    /**
     * No check, as in PyTorch's optimizers and DL4J's own: a NaN/Inf gradient flows into m, v (and v̂max) and the
     * parameters. Saves one read of the whole gradient per step (0.1–0.3 ns per float32 parameter on this project's
     * 2-core test machine, README "Benchmarks") and, on CUDA, the device-to-host copy of the check's count: one more
     * point per step where the host waits for the GPU. For runs that guard against bad steps some other way (e.g. a
     * listener watching the score).
     */
    UNCHECKED
}
