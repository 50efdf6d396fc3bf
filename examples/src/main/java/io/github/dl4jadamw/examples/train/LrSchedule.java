package io.github.dl4jadamw.examples.train;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The learning-rate schedules of the paper's experiments, as multipliers η_t of the base learning rate α
 * (lr_t = α·η_t), stepped every iteration t = 0, 1, …, N − 1 of a run of N iterations:
 * <ul>
 *   <li>{@link #FIXED}: η_t = 1.</li>
 *   <li>{@link #STEP_DROP}: η_t = 1 for t &lt; N/2, 0.1 for N/2 ≤ t &lt; 3N/4, 0.01 from 3N/4 on (×0.1 at 50% and at
 *       75% of the iterations).</li>
 *   <li>{@link #COSINE}: one cosine annealing over the whole run, no restart: η_t = ½·(1 + cos(π·t/N)).</li>
 *   <li>{@link #RESTARTS}: cosine annealing with warm restarts (SGDR), periods T_0, T_0·T_mult, … in fractional
 *       epochs ({@link CosineWarmRestarts}).</li>
 * </ul>
 */
public enum LrSchedule {
    FIXED("fixed", "fixed lr"),
    STEP_DROP("step", "step-drop"),
    COSINE("cosine", "cosine annealing"),
    RESTARTS("restarts", "warm restarts");

    public final String id;
    public final String label;

    LrSchedule(String id, String label) {
        this.id = id;
        this.label = label;
    }

    public static LrSchedule parse(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT);
        for (LrSchedule x : values()) if (x.id.equals(k)) return x;
        throw new IllegalArgumentException("unknown schedule '" + s + "': expected fixed, step, cosine or restarts");
    }

    /** Whether the schedule needs the run's length (its iterations). */
    public boolean needsRunLength() {
        return this == STEP_DROP || this == COSINE;
    }

    /**
     * The schedule of {@code peak}·η_t for a run of {@code shape} (null for {@link #FIXED}): peak 1 gives the
     * multiplier η_t (the library's updaters, lr_t = α·η_t), peak α the absolute learning rate (DL4J's Adam).
     */
    public ISchedule values(double peak, RunShape shape, double restartT0, double restartTMult) {
        int n = shape.iterations();
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
                return CosineWarmRestarts.epochs(restartT0, restartTMult, 0, peak, shape.iterationsPerEpoch());
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
