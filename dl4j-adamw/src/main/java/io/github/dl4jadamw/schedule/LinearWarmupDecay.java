package io.github.dl4jadamw.schedule;

import io.github.dl4jadamw.internal.Check;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Linear warm-up, then linear decay to 0: Hugging Face transformers' {@code get_linear_schedule_with_warmup}, a
 * stateless {@link ISchedule} giving the multiplier η_s of the base learning rate α (AdamW uses lr_s = α·η_s).
 * With w warm-up steps and T steps in all, at optimizer step s (from 0):
 * <pre>
 *   s &lt; w :  η_s = s / max(1, w)
 *   else   :  η_s = max(0, (T − s) / max(1, T − w))
 * </pre>
 * The first step uses s = 0, so with w &gt; 0 it runs at learning rate 0, as in transformers.
 *
 * <p>s is the optimizer step: AdamW, AdamWR, SGDW and SGDWR pass it as {@code iteration} (DL4J's iteration, or the
 * iteration divided by k under gradient accumulation over k micro-batches). Given to one of DL4J's own updaters, the
 * schedule sees DL4J's iteration instead.
 */
public final class LinearWarmupDecay implements ISchedule {
    @JsonProperty private final long warmup;
    @JsonProperty private final long total;

    @JsonCreator
    private LinearWarmupDecay(@JsonProperty("warmup") long warmup, @JsonProperty("total") long total) {
        this.total = Check.atLeast("total", total, 1);
        this.warmup = Warmups.steps("warmup", warmup, "total", total);
    }

    /**
     * transformers' {@code get_linear_schedule_with_warmup(optimizer, warmup, total)}.
     *
     * @param warmup w, warm-up steps, in [0, total]
     * @param total  T, steps in all (the value reaches 0 at s = T), &gt;= 1
     */
    public static LinearWarmupDecay of(long warmup, long total) {
        return new LinearWarmupDecay(warmup, total);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return valueAtStep(iteration);
    }

    /** η_s at optimizer step s (from 0). */
    public double valueAtStep(long s) {
        if (s < warmup) return Warmups.linear(s, warmup);
        return Math.max(0.0, (double) (total - s) / Math.max(1, total - warmup));
    }

    public long getWarmup() { return warmup; }
    public long getTotal() { return total; }

    @Override
    public ISchedule clone() {
        return this;   // immutable
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LinearWarmupDecay && ((LinearWarmupDecay) o).warmup == warmup
                && ((LinearWarmupDecay) o).total == total;
    }

    @Override
    public int hashCode() {
        return Objects.hash(warmup, total);
    }

    @Override
    public String toString() {
        return "LinearWarmupDecay{warmup=" + warmup + ", total=" + total + "}";
    }
}
