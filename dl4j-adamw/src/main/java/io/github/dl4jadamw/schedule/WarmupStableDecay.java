package io.github.dl4jadamw.schedule;

import io.github.dl4jadamw.internal.Check;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Warm-up, stable, decay ("WSD"): Hugging Face transformers' {@code get_wsd_schedule}, a stateless {@link ISchedule}
 * giving the multiplier η_s of the base learning rate α. With w warm-up, S stable and D decay steps, floor ratio r and
 * c cycles, at optimizer step s (from 0), each phase shaped by a {@link Shape}:
 * <pre>
 *   s &lt; w          :  p = s / max(1, w);             f = p | ½(1 − cos πp) | 1 − √(1 − p)     (warm-up shape)
 *                      η_s = max(0, f·(1 − r) + r)
 *   s &lt; w + S      :  η_s = 1
 *   s &lt; w + S + D  :  p = (s − w − S) / max(1, D);   f = 1 − p | ½(1 + cos 2πcp) | 1 − √p     (decay shape)
 *                      η_s = max(0, f·(1 − r) + r)
 *   after          :  η_s = r
 * </pre>
 * The first step uses s = 0, so with w &gt; 0 it runs at r·α (0 with the default r = 0), as in transformers.
 *
 * <p>s is the optimizer step (see {@link LinearWarmupDecay}).
 */
public final class WarmupStableDecay implements ISchedule {
    /** The shape of a warm-up or decay phase (transformers' {@code "linear"}, {@code "cosine"}, {@code "1-sqrt"}). */
    public enum Shape { LINEAR, COSINE, ONE_MINUS_SQRT }

    @JsonProperty private final long warmup;
    @JsonProperty private final long stable;
    @JsonProperty private final long decay;
    @JsonProperty private final Shape warmupShape;
    @JsonProperty private final Shape decayShape;
    @JsonProperty private final double minLrRatio;
    @JsonProperty private final double cycles;

    @JsonCreator
    private WarmupStableDecay(@JsonProperty("warmup") long warmup, @JsonProperty("stable") long stable,
                             @JsonProperty("decay") long decay, @JsonProperty("warmupShape") Shape warmupShape,
                             @JsonProperty("decayShape") Shape decayShape,
                             @JsonProperty("minLrRatio") double minLrRatio, @JsonProperty("cycles") double cycles) {
        this.warmup = Check.atLeast("warmup", warmup, 0);
        this.stable = Check.atLeast("stable", stable, 0);
        this.decay = Check.atLeast("decay", decay, 0);
        if (warmup + stable + decay < 0)   // overflow
            throw new IllegalArgumentException("warmup + stable + decay = " + warmup + " + " + stable + " + " + decay
                    + " is invalid: must be at most " + Long.MAX_VALUE);
        this.warmupShape = Check.notNull("warmupShape", warmupShape);
        this.decayShape = Check.notNull("decayShape", decayShape);
        this.minLrRatio = Warmups.ratio("minLrRatio", minLrRatio);
        this.cycles = Warmups.cycles("cycles", cycles);
    }

    /**
     * Linear warm-up, then {@code decayShape} decay to 0 (half a cosine if that is the shape): transformers'
     * {@code get_wsd_schedule(optimizer, warmup, decay, num_stable_steps=stable, decay_type=...)}.
     */
    public static WarmupStableDecay of(long warmup, long stable, long decay, Shape decayShape) {
        return new WarmupStableDecay(warmup, stable, decay, Shape.LINEAR, decayShape, 0, CosineWarmup.DEFAULT_CYCLES);
    }

    /**
     * transformers' {@code get_wsd_schedule} with every setting.
     *
     * @param warmup      w, warm-up steps, &gt;= 0
     * @param stable      S, steps at η = 1, &gt;= 0
     * @param decay       D, decay steps, &gt;= 0
     * @param warmupShape the warm-up's shape
     * @param decayShape  the decay's shape
     * @param minLrRatio  r, the floor as a share of the base learning rate, in [0, 1]
     * @param cycles      c, cosine cycles over the decay (cosine decay only), &gt; 0 (0.5: a half cosine)
     */
    public static WarmupStableDecay of(long warmup, long stable, long decay, Shape warmupShape, Shape decayShape,
                                       double minLrRatio, double cycles) {
        return new WarmupStableDecay(warmup, stable, decay, warmupShape, decayShape, minLrRatio, cycles);
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return valueAtStep(iteration);
    }

    /** η_s at optimizer step s (from 0). */
    public double valueAtStep(long s) {
        double f;
        if (s < warmup) {
            double p = Warmups.linear(s, warmup);
            switch (warmupShape) {
                case LINEAR: f = p; break;
                case COSINE: f = 0.5 * (1.0 - Math.cos(Math.PI * p)); break;
                default: f = 1.0 - Math.sqrt(1.0 - p); break;
            }
        } else if (s < warmup + stable) {
            return 1.0;
        } else if (s < warmup + stable + decay) {
            double p = (double) (s - warmup - stable) / Math.max(1, decay);
            switch (decayShape) {
                case LINEAR: f = 1.0 - p; break;
                case COSINE: f = 0.5 * (1.0 + Math.cos(Math.PI * cycles * 2.0 * p)); break;
                default: f = 1.0 - Math.sqrt(p); break;
            }
        } else {
            return minLrRatio;
        }
        return Math.max(0.0, f * (1.0 - minLrRatio) + minLrRatio);
    }

    public long getWarmup() { return warmup; }
    public long getStable() { return stable; }
    public long getDecay() { return decay; }
    public Shape getWarmupShape() { return warmupShape; }
    public Shape getDecayShape() { return decayShape; }
    public double getMinLrRatio() { return minLrRatio; }
    public double getCycles() { return cycles; }

    @Override
    public ISchedule clone() {
        return this;   // immutable
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof WarmupStableDecay)) return false;
        WarmupStableDecay w = (WarmupStableDecay) o;
        return warmup == w.warmup && stable == w.stable && decay == w.decay && warmupShape == w.warmupShape
                && decayShape == w.decayShape && minLrRatio == w.minLrRatio && cycles == w.cycles;
    }

    @Override
    public int hashCode() {
        return Objects.hash(warmup, stable, decay, warmupShape, decayShape, minLrRatio, cycles);
    }

    @Override
    public String toString() {
        return "WarmupStableDecay{warmup=" + warmup + " " + warmupShape + ", stable=" + stable + ", decay=" + decay
                + " " + decayShape + ", minLrRatio=" + minLrRatio + ", cycles=" + cycles + "}";
    }
}
