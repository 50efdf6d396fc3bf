package io.github.dl4jadamw.internal;

import io.github.dl4jadamw.DecayConvention;

import io.github.dl4jadamw.DecoupledDecayUpdater;

import io.github.dl4jadamw.SGDW;

import io.github.dl4jadamw.AdamW;

import org.nd4j.linalg.schedule.ISchedule;

/**
 * The one definition of the step of AdamW and SGDW: the per-step scalars (computed once per step and block) and the
 * element formulas. Both kernels take their numbers from here and differ only in how they walk memory.
 *
 * <p>At DL4J iteration i (0-based) the step number is t = i + 1 and, with θ the parameter, g its gradient:
 * <pre>
 *   η_t   = schedule(i)            (1 without a schedule)        lr_t = α·η_t
 *   λ_t   = λ, or the normalized λ_norm·√(b/(B·T_i))
 *   d_t   = lr_t·λ_t  (LR_COUPLED)      or   η_t·λ_t  (SCHEDULE_MULTIPLIER)
 *   m     = β1·m + (1−β1)·g
 *   v     = β2·v + (1−β2)·g²
 *   v̂max = max(v̂max, v)              (AMSGrad only; the denominator then uses v̂max)
 *   u     = (lr_t/(1−β1^t)) · m / (√v / √(1−β2^t) + ε)  +  d_t·θ      (d_t·θ only where decay applies)
 *   θ     ← θ − u                       (DL4J's step, after the updater)
 * </pre>
 * ε is added after bias correction, as in PyTorch, optax and the paper. libnd4j's {@code adam_updater} adds
 * ε before it ({@code lr·√(1−β2^t)/(1−β1^t)·m/(√v+ε)}); feeding it {@link #epsilonForOp} = ε·√(1−β2^t)
 * makes the two identical, which is how the ND4J-op kernel reuses these scalars.
 *
 * <p>SGDW (the paper's Algorithm 1), with momentum μ, shares η_t, lr_t and d_t:
 * <pre>
 *   m     = μ·m + lr_t·g
 *   u     = m + d_t·θ           (Nesterov: u = μ·m + lr_t·g + d_t·θ)
 * </pre>
 */
public final class StepScalars {
    /** Step number t = iteration + 1 (a long: DL4J's int iteration may be Integer.MAX_VALUE). */
    public long t;
    /** Schedule multiplier η_t. */
    public double eta;
    /** Learning rate lr_t = α·η_t. */
    public double lr;
    /** Decay factor per step d_t (0 when the configuration has no decay). */
    public double decay;
    public double beta1, beta2, oneMinusBeta1, oneMinusBeta2;
    /** lr_t / (1 − β1^t). */
    public double stepSize;
    /** √(1 − β2^t). */
    public double sqrtBc2;
    /** ε as configured (added after bias correction). */
    public double epsilon;
    /** ε·√(1 − β2^t): the ε that gives libnd4j's adam/amsgrad ops the formula above. */
    public double epsilonForOp;
    public boolean amsgrad;
    /** SGDW: momentum μ and Nesterov flag. */
    public double momentum;
    public boolean nesterov;

    /** Fills the scalars for the step at DL4J {@code iteration} (0-based) and {@code epoch}. */
    public StepScalars compute(DecoupledDecayUpdater c, int iteration, int epoch) {
        ISchedule schedule = c.getSchedule();
        t = iteration + 1L;
        eta = schedule == null ? 1.0 : schedule.valueAt(iteration, epoch);
        lr = c.getLearningRate() * eta;
        // A schedule is any ISchedule: a negative η_t would climb the loss and grow the weights (1 − d_t > 1), and
        // NaN/Inf would reach every parameter. Refused before anything is written, as a bad decay is below.
        if (!(eta >= 0) || !Double.isFinite(lr))
            throw new IllegalStateException("learning-rate multiplier η_t = " + eta + " at iteration " + iteration
                    + " (lr_t = α·η_t = " + lr + ") is invalid: must be a finite number >= 0; the schedule "
                    + schedule + " gives it");
        double lambda = c.getNormalizedWeightDecay() != null
                ? c.getNormalizedWeightDecay().lambdaAt(iteration, schedule)
                : c.getWeightDecay();
        decay = c.getDecayConvention().decayPerStep(lr, eta, lambda);
        if (!(decay < 1))   // θ·(1 − d) with d ≥ 1 zeroes or flips the weights (see DecoupledDecayUpdater)
            throw new IllegalStateException("decay per step d_t = " + decay + " at iteration " + iteration
                    + " (lr_t = " + lr + ", η_t = " + eta + ", λ = " + lambda + ", " + c.getDecayConvention()
                    + ") is invalid: must be < 1; the schedule " + schedule + " takes it there");
        if (c instanceof SGDW) {
            momentum = ((SGDW) c).getMomentum();
            nesterov = ((SGDW) c).isNesterov();
            return this;
        }
        adam((AdamW) c);
        return this;
    }

    private void adam(AdamW c) {
        beta1 = c.getBeta1();
        beta2 = c.getBeta2();
        oneMinusBeta1 = 1 - beta1;
        oneMinusBeta2 = 1 - beta2;
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        stepSize = lr / bc1;
        sqrtBc2 = Math.sqrt(bc2);
        epsilon = c.getEpsilon();
        epsilonForOp = epsilon * sqrtBc2;
        amsgrad = c.isAmsgrad();
    }

    // ---- the element formula, in double and in float (the CPU kernel's inner loops call these) ----

    /** m ← β1·m + (1−β1)·g */
    public static double firstMoment(double m, double g, double beta1, double oneMinusBeta1) {
        return beta1 * m + oneMinusBeta1 * g;
    }

    /** v ← β2·v + (1−β2)·g² */
    public static double secondMoment(double v, double g, double beta2, double oneMinusBeta2) {
        return beta2 * v + oneMinusBeta2 * g * g;
    }

    /** Adam direction (lr_t/(1−β1^t))·m/(√v/√(1−β2^t) + ε); v is v̂max under AMSGrad. */
    public static double direction(double m, double v, double stepSize, double sqrtBc2, double epsilon) {
        return stepSize * m / (Math.sqrt(v) / sqrtBc2 + epsilon);
    }

    /** SGDW momentum buffer: m ← μ·m + lr_t·g */
    public static double momentumBuffer(double m, double g, double momentum, double lr) {
        return momentum * m + lr * g;
    }

    /** SGDW direction: m, or μ·m + lr_t·g with Nesterov (m already updated). */
    public static double sgdDirection(double m, double g, double momentum, double lr, boolean nesterov) {
        return nesterov ? momentum * m + lr * g : m;
    }

    public static float momentumBuffer(float m, float g, float momentum, float lr) {
        return momentum * m + lr * g;
    }

    public static float sgdDirection(float m, float g, float momentum, float lr, boolean nesterov) {
        return nesterov ? momentum * m + lr * g : m;
    }

    public static float firstMoment(float m, float g, float beta1, float oneMinusBeta1) {
        return beta1 * m + oneMinusBeta1 * g;
    }

    public static float secondMoment(float v, float g, float beta2, float oneMinusBeta2) {
        return beta2 * v + oneMinusBeta2 * g * g;
    }

    public static float direction(float m, float v, float stepSize, float sqrtBc2, float epsilon) {
        return stepSize * m / ((float) Math.sqrt(v) / sqrtBc2 + epsilon);
    }
}
