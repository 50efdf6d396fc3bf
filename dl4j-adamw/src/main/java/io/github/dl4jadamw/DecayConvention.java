package io.github.dl4jadamw;

/**
 * How the decoupled weight decay λ is scaled at step t. Both conventions decay only the parameters
 * marked by {@link DecoupledWeightDecay}, once per step, before (and independently of) the Adam
 * direction m̂/(√v̂+ε).
 *
 * <p>With base learning rate α, schedule multiplier η_t (1 without a schedule) and lr_t = α·η_t:
 * <table>
 *   <caption>decay conventions</caption>
 *   <tr><th>convention</th><th>update</th><th>used by</th></tr>
 *   <tr><td>{@link #LR_COUPLED}</td><td>θ ← θ − lr_t·λ·θ − lr_t·m̂/(√v̂+ε)</td>
 *       <td>PyTorch AdamW, optax.adamw, Keras AdamW</td></tr>
 *   <tr><td>{@link #SCHEDULE_MULTIPLIER}</td><td>θ ← θ − η_t·λ·θ − η_t·α·m̂/(√v̂+ε)</td>
 *       <td>Loshchilov &amp; Hutter, Algorithm 2; Composer DecoupledAdamW</td></tr>
 * </table>
 * Converting: the same trajectory is obtained with λ_schedule = α·λ_lr (equivalently λ_lr = λ_schedule/α).
 */
public enum DecayConvention {
    /** Per-step decay factor lr_t·λ (PyTorch, optax, Keras). The default, so PyTorch recipes transfer. */
    LR_COUPLED,
    /** Per-step decay factor η_t·λ: λ is not multiplied by α (the paper's Algorithm 2). */
    SCHEDULE_MULTIPLIER;

    /**
     * The fraction d_t of each decayed weight removed at a step (θ ← θ·(1 − d_t) before the Adam or SGD direction):
     * lr_t·λ under {@link #LR_COUPLED}, η_t·λ under {@link #SCHEDULE_MULTIPLIER}. The one definition the updaters use.
     *
     * @param lr     lr_t = α·η_t, the learning rate of the step
     * @param eta    η_t, the schedule multiplier of the step (1 without a schedule)
     * @param lambda λ, the decay coefficient in this convention
     */
    public double decayPerStep(double lr, double eta, double lambda) {
        return (this == LR_COUPLED ? lr : eta) * lambda;
    }
}
