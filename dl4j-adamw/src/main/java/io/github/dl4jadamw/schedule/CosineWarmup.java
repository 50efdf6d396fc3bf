package io.github.dl4jadamw.schedule;

import io.github.dl4jadamw.internal.Check;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Linear warm-up, then cosine decay with an optional floor: Hugging Face transformers'
 * {@code get_cosine_schedule_with_warmup} (r = 0) and {@code get_cosine_with_min_lr_schedule_with_warmup}
 * ({@code min_lr_rate} = r), a stateless {@link ISchedule} giving the multiplier η_s of the base learning rate α.
 * With w warm-up steps, T steps in all, c cycles and floor ratio r, at optimizer step s (from 0):
 * <pre>
 *   s &lt; w :  η_s = s / max(1, w)
 *   else   :  p = (s − w) / max(1, T − w),   f = ½·(1 + cos(2π·c·p)),   η_s = max(0, f·(1 − r) + r)
 * </pre>
 * c = 0.5 (the default) is one half cosine from 1 at s = w down to r at s = T. As in transformers, p is not clamped:
 * past T the cosine goes on. The first step uses s = 0, so with w &gt; 0 it runs at learning rate 0.
 *
 * <p>s is the optimizer step (see {@link LinearWarmupDecay}).
 */
public final class CosineWarmup implements ISchedule {
    public static final double DEFAULT_CYCLES = 0.5;

    @JsonProperty private final long warmup;
    @JsonProperty private final long total;
    @JsonProperty private final double cycles;
    @JsonProperty private final double minLrRatio;

    @JsonCreator
    private CosineWarmup(@JsonProperty("warmup") long warmup, @JsonProperty("total") long total,
                        @JsonProperty("cycles") double cycles, @JsonProperty("minLrRatio") double minLrRatio) {
        this.total = Check.atLeast("total", total, 1);
        this.warmup = Warmups.steps("warmup", warmup, "total", total);
        this.cycles = Warmups.cycles("cycles", cycles);
        this.minLrRatio = Warmups.ratio("minLrRatio", minLrRatio);
    }

    /**
     * transformers' {@code get_cosine_schedule_with_warmup(optimizer, warmup, total)}: half a cosine from 1 to 0 after
     * the warm-up.
     */
    public static CosineWarmup of(long warmup, long total) {
        return new CosineWarmup(warmup, total, DEFAULT_CYCLES, 0);
    }

    /**
     * transformers' {@code get_cosine_with_min_lr_schedule_with_warmup(optimizer, warmup, total, cycles,
     * min_lr_rate=minLrRatio)} ({@code get_cosine_schedule_with_warmup} when minLrRatio = 0).
     *
     * @param warmup     w, warm-up steps, in [0, total]
     * @param total      T, steps in all, &gt;= 1
     * @param cycles     c, cosine cycles over the decay, &gt; 0 (0.5: a half cosine)
     * @param minLrRatio r, the floor as a share of the base learning rate, in [0, 1]
     */
    public static CosineWarmup of(long warmup, long total, double cycles, double minLrRatio) {
        return new CosineWarmup(warmup, total, cycles, minLrRatio);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return valueAtStep(iteration);
    }

    /** η_s at optimizer step s (from 0). */
    public double valueAtStep(long s) {
        if (s < warmup) return Warmups.linear(s, warmup);
        double p = (double) (s - warmup) / Math.max(1, total - warmup);
        double f = 0.5 * (1 + Math.cos(Math.PI * cycles * 2.0 * p));
        return Math.max(0.0, f * (1 - minLrRatio) + minLrRatio);
    }

    public long getWarmup() { return warmup; }
    public long getTotal() { return total; }
    public double getCycles() { return cycles; }
    public double getMinLrRatio() { return minLrRatio; }

    @Override
    public ISchedule clone() {
        return this;   // immutable
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof CosineWarmup)) return false;
        CosineWarmup c = (CosineWarmup) o;
        return warmup == c.warmup && total == c.total && cycles == c.cycles && minLrRatio == c.minLrRatio;
    }

    @Override
    public int hashCode() {
        return Objects.hash(warmup, total, cycles, minLrRatio);
    }

    @Override
    public String toString() {
        return "CosineWarmup{warmup=" + warmup + ", total=" + total + ", cycles=" + cycles + ", minLrRatio="
                + minLrRatio + "}";
    }
}
