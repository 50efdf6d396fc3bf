package io.github.dl4jadamw.examples.train;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import io.github.dl4jadamw.schedule.CosineWarmup;
import io.github.dl4jadamw.schedule.LinearWarmupDecay;
import io.github.dl4jadamw.schedule.WarmupStableDecay;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The learning-rate schedules of the paper's experiments, as multipliers η_t of the base learning rate α
 * (lr_t = α·η_t), stepped every optimizer step t = 0, 1, …, N − 1 of a run of N steps (the iterations; under
 * gradient accumulation over k minibatches one step per k of them):
 * <ul>
 *   <li>{@link #FIXED}: η_t = 1.</li>
 *   <li>{@link #STEP_DROP}: η_t = 1 for t &lt; N/2, 0.1 for N/2 ≤ t &lt; 3N/4, 0.01 from 3N/4 on (×0.1 at 50% and at
 *       75% of the iterations).</li>
 *   <li>{@link #COSINE}: one cosine annealing over the whole run, no restart: η_t = ½·(1 + cos(π·t/N)).</li>
 *   <li>{@link #RESTARTS}: cosine annealing with warm restarts (SGDR), periods T_0, T_0·T_mult, … in fractional
 *       epochs ({@link CosineWarmRestarts}).</li>
 *   <li>{@link #LINEAR}: linear decay from 1 at t = 0 to 0 at t = N (transformers' linear schedule).</li>
 * </ul>
 * With a warm-up of w steps ({@code --warmup}) they become transformers' schedules with warm-up, η_t = t/w for
 * t &lt; w (the first step at lr 0): fixed → constant after the warm-up ({@code get_constant_schedule_with_warmup},
 * {@link WarmupStableDecay} with no decay phase), cosine → {@link CosineWarmup} ({@code
 * get_cosine_schedule_with_warmup}), linear → {@link LinearWarmupDecay} ({@code get_linear_schedule_with_warmup}).
 * Step drops and warm restarts take no warm-up: transformers has no such schedule, and a restart schedule's own
 * warm-up would restart with it.
 */
public enum LrSchedule {
    FIXED("fixed", "fixed lr"),
    STEP_DROP("step", "step-drop"),
    COSINE("cosine", "cosine annealing"),
    RESTARTS("restarts", "warm restarts"),
    LINEAR("linear", "linear decay");

    public final String id;
    public final String label;

    LrSchedule(String id, String label) {
        this.id = id;
        this.label = label;
    }

    public static LrSchedule parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (LrSchedule x : values()) if (x.id.equals(k)) return x;
        throw new IllegalArgumentException("unknown schedule '" + s + "': expected fixed, step, cosine, restarts or linear");
    }

    /** Whether the schedule needs the run's length (its iterations). */
    public boolean needsRunLength() {
        return this == STEP_DROP || this == COSINE || this == LINEAR;
    }

    /** Whether a linear warm-up can precede it (see the class comment). */
    public boolean takesWarmup() {
        return this == FIXED || this == COSINE || this == LINEAR;
    }

    /**
     * The schedule of {@code peak}·η_t for a run of {@code shape} (null for {@link #FIXED}): peak 1 gives the
     * multiplier η_t (the library's updaters, lr_t = α·η_t), peak α the absolute learning rate (DL4J's Adam).
     */
    public ISchedule values(double peak, RunShape shape, double restartT0, double restartTMult) {
        return values(peak, shape, restartT0, restartTMult, 0);
    }

    /**
     * As {@link #values(double, RunShape, double, double)}, after a linear warm-up over the first {@code warmup}
     * optimizer steps (0: none); the warm-up must be shorter than the run.
     */
    public ISchedule values(double peak, RunShape shape, double restartT0, double restartTMult, long warmup) {
        int n = shape.steps();
        if (warmup > 0) {
            if (!takesWarmup())
                throw new IllegalArgumentException("--warmup " + warmup + " is invalid with the " + id + " schedule:"
                        + " a warm-up precedes fixed, cosine or linear only");
            if (n > 0 && warmup >= n)
                throw new IllegalArgumentException("--warmup " + warmup + " is invalid: must be 1 to " + (n - 1)
                        + " (shorter than the run's " + n + " optimizer steps)");
            if (this != FIXED && n <= 0)
                throw new IllegalArgumentException(id + " schedule: the run's length is not known (epochs = "
                        + shape.epochs() + ")");
            ISchedule eta = this == FIXED
                    // η = 1 from step w on, for as long as the network trains (the stable phase never ends)
                    ? WarmupStableDecay.of(warmup, Long.MAX_VALUE - warmup, 0, WarmupStableDecay.Shape.LINEAR)
                    : this == COSINE ? CosineWarmup.of(warmup, n) : LinearWarmupDecay.of(warmup, n);
            return peak == 1 ? eta : new ScaledSchedule(peak, eta);
        }
        if (needsRunLength() && n <= 0)
            throw new IllegalArgumentException(id + " schedule: the run's length is not known (epochs = "
                    + shape.epochs() + ")");
        switch (this) {
            case FIXED:
                return null;
            case STEP_DROP: {
                Map<Integer, Double> m = new TreeMap<>();
                m.put(0, peak);
                m.put(firstIterationAtOrAfter(0.5 * n), 0.1 * peak);
                m.put(firstIterationAtOrAfter(0.75 * n), 0.01 * peak);
                return new MapSchedule(ScheduleType.ITERATION, m);
            }
            case COSINE:   // one period of N iterations, η from peak to 0
                return CosineWarmRestarts.iterations(n, 1, 0, peak);
            case RESTARTS:
                return CosineWarmRestarts.epochs(restartT0, restartTMult, 0, peak, shape.stepsPerEpoch());
            case LINEAR: {
                ISchedule eta = LinearWarmupDecay.of(0, n);
                return peak == 1 ? eta : new ScaledSchedule(peak, eta);
            }
            default:
                throw new IllegalStateException(id);
        }
    }

    /** The first whole iteration t with t ≥ x. */
    static int firstIterationAtOrAfter(double x) {
        return (int) Math.ceil(x);
    }

    @Override
    public String toString() { return id; }
}
