package io.github.dl4jadamw.schedule;

import io.github.dl4jadamw.internal.Check;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * Cosine annealing with warm restarts (SGDR, Loshchilov &amp; Hutter 2017), a stateless {@link ISchedule}.
 *
 * <p>Periods have lengths T_0, T_0·T_mult, T_0·T_mult², … (T_mult real, ≥ 1; lengths need not be whole).
 * With t the number of completed steps in schedule units (DL4J counts iterations from 0, so the first
 * step uses t = 0), the current period i is the one with {@code start_i <= t < start_i + T_i} and
 * T_cur = t − start_i. Then
 * <pre>  η(t) = η_min + ½·(η_max,i − η_min)·(1 + cos(π·T_cur/T_i)),   η_max,i = η_min + (η_max − η_min)·γ^i</pre>
 * where γ is the per-restart peak multiplier (1 = every restart returns to η_max). This is the closed form
 * PyTorch's {@code CosineAnnealingWarmRestarts.step(epoch)} uses.
 *
 * <p>Units: {@link ScheduleType#ITERATION} (t = iteration) or {@link ScheduleType#EPOCH} with the paper's
 * fractional epochs: t = iteration / iterationsPerEpoch, so T_cur advances every iteration, not once per
 * epoch. DL4J's epoch counter is deliberately not used: it only moves at epoch ends.
 *
 * <p>Optional linear warm-up over the first {@code warmup} units of training (first period only):
 * η(t) = η_min + (η_max − η_min)·t/warmup, after which the first period's cosine runs over the remaining
 * T_0 − warmup units. With {@code warmupEveryPeriod} every period starts so: η = η_min + (η_max,i − η_min)·T_cur/warmup
 * for T_cur &lt; warmup, then the cosine over the remaining T_i − warmup units. Either way the first step of a warm-up
 * (T_cur = 0) runs at η_min.
 *
 * <p>The value is a multiplier η_t: {@code AdamW} uses lr_t = α·η_t. With η_max = 1 and η_min = lr_min/α it
 * equals PyTorch's scheduler with base lr α and {@code eta_min = lr_min}.
 *
 * <p>Iterations are DL4J ints: every t in [0, 2^31−1] is exact (t is formed in double, period starts are
 * summed in double; no counter overflows).
 */
public final class CosineWarmRestarts implements ISchedule {
    @JsonProperty private final ScheduleType unit;
    @JsonProperty private final double t0;
    @JsonProperty private final double tMult;
    @JsonProperty private final double etaMin;
    @JsonProperty private final double etaMax;
    @JsonProperty private final double warmup;
    @JsonProperty private final double peakDecay;
    @JsonProperty private final double iterationsPerEpoch;
    @JsonProperty private final boolean warmupEveryPeriod;

    /** A schedule whose warm-up (if any) is in the first period only. */
    private CosineWarmRestarts(ScheduleType unit, double t0, double tMult, double etaMin, double etaMax, double warmup,
                              double peakDecay, double iterationsPerEpoch) {
        this(unit, t0, tMult, etaMin, etaMax, warmup, peakDecay, iterationsPerEpoch, false);
    }

    @JsonCreator
    private CosineWarmRestarts(@JsonProperty("unit") ScheduleType unit,
                              @JsonProperty("t0") double t0,
                              @JsonProperty("tMult") double tMult,
                              @JsonProperty("etaMin") double etaMin,
                              @JsonProperty("etaMax") double etaMax,
                              @JsonProperty("warmup") double warmup,
                              @JsonProperty("peakDecay") double peakDecay,
                              @JsonProperty("iterationsPerEpoch") double iterationsPerEpoch,
                              @JsonProperty("warmupEveryPeriod") boolean warmupEveryPeriod) {
        this.warmupEveryPeriod = warmupEveryPeriod;
        this.unit = Check.notNull("unit", unit);
        this.t0 = Check.positive("T_0", t0);
        this.tMult = Check.atLeast("T_mult", tMult, 1.0);
        this.etaMin = Check.nonNegative("eta_min", etaMin);
        this.etaMax = Check.nonNegative("eta_max", etaMax);
        if (etaMax < etaMin)
            throw Check.bad("eta_max", etaMax, ">= eta_min (" + etaMin + ")");
        this.warmup = Check.nonNegative("warmup", warmup);
        if (warmup >= t0)
            throw Check.bad("warmup", warmup, "in [0, T_0) = [0, " + t0 + "): the warm-up must end inside the first period");
        if (!(peakDecay > 0 && peakDecay <= 1))
            throw Check.bad("peakDecay", peakDecay, "(0, 1]");
        this.peakDecay = peakDecay;
        if (unit == ScheduleType.EPOCH)
            Check.positive("iterationsPerEpoch", iterationsPerEpoch);
        else if (iterationsPerEpoch != 0 && !(iterationsPerEpoch > 0 && Double.isFinite(iterationsPerEpoch)))
            throw Check.bad("iterationsPerEpoch", iterationsPerEpoch, "a finite number > 0 (or 0 = unknown)");
        this.iterationsPerEpoch = iterationsPerEpoch + 0.0;   // −0.0 as 0.0: see Check
        // A period shorter than one step never anneals: every step would land on a restart, at η_max. PyTorch's
        // scheduler asks for a whole number of steps, T_0 >= 1.
        if (unit == ScheduleType.EPOCH && !(t0 * iterationsPerEpoch >= 1))
            throw Check.bad("T_0", t0, "at least one iteration: T_0·iterationsPerEpoch = " + t0 * iterationsPerEpoch
                    + " < 1 with iterationsPerEpoch = " + iterationsPerEpoch);
        if (unit == ScheduleType.ITERATION && !(t0 >= 1))
            throw Check.bad("T_0", t0, "a number >= 1 (iterations): a period shorter than one step never anneals");
    }

    /** Restarts counted in iterations, η from {@code etaMax} down to {@code etaMin}. */
    public static CosineWarmRestarts iterations(double t0, double tMult, double etaMin, double etaMax) {
        return new CosineWarmRestarts(ScheduleType.ITERATION, t0, tMult, etaMin, etaMax, 0, 1, 0);
    }

    /** Restarts counted in (fractional) epochs of {@code iterationsPerEpoch} iterations. */
    public static CosineWarmRestarts epochs(double t0, double tMult, double etaMin, double etaMax, double iterationsPerEpoch) {
        return new CosineWarmRestarts(ScheduleType.EPOCH, t0, tMult, etaMin, etaMax, 0, 1, iterationsPerEpoch);
    }

    /** A linear warm-up over the first {@code warmup} units of the first period. */
    public CosineWarmRestarts withWarmup(double warmup) {
        return new CosineWarmRestarts(unit, t0, tMult, etaMin, etaMax, warmup, peakDecay, iterationsPerEpoch, false);
    }

    /** A linear warm-up over the first {@code warmup} units of every period (warmup &lt; T_0). */
    public CosineWarmRestarts withWarmupEveryPeriod(double warmup) {
        return new CosineWarmRestarts(unit, t0, tMult, etaMin, etaMax, warmup, peakDecay, iterationsPerEpoch, true);
    }

    public CosineWarmRestarts withPeakDecay(double peakDecay) {
        return new CosineWarmRestarts(unit, t0, tMult, etaMin, etaMax, warmup, peakDecay, iterationsPerEpoch,
                warmupEveryPeriod);
    }

    /** Completed steps in schedule units before the step at DL4J {@code iteration} (0-based). */
    public double unitsAt(int iteration) {
        return unit == ScheduleType.EPOCH ? iteration / iterationsPerEpoch : iteration;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        return valueAtUnits(unitsAt(iteration));
    }

    /** η at t completed schedule units. */
    public double valueAtUnits(double t) {
        Period p = periodAt(t);
        double peak = etaMin + (etaMax - etaMin) * Math.pow(peakDecay, p.index);
        boolean warms = p.index == 0 || warmupEveryPeriod;
        if (warms && p.tCur < warmup)
            return etaMin + ((p.index == 0 ? etaMax : peak) - etaMin) * (p.tCur / warmup);
        double cur = p.tCur, len = p.length;
        if (warms && warmup > 0) { // the cosine runs over what the warm-up left of the period
            cur -= warmup;
            len -= warmup;
        }
        return etaMin + 0.5 * (peak - etaMin) * (1 + Math.cos(Math.PI * cur / len));
    }

    /** The restart period containing t (in schedule units). */
    public Period periodAt(double t) {
        // Beyond 2^52 periods of T_0, period starts are no longer exact in double and the walk below could not advance
        // (start + T_k == start). Every DL4J iteration is far below: t/T_0 <= 2^31 with T_0 at least one iteration.
        if (!(t >= 0) || !(t / t0 < 0x1p52))
            throw Check.bad("t", t, "a finite number >= 0 and below 2^52·T_0 = " + 0x1p52 * t0);
        long k;
        if (tMult == 1.0) {
            k = (long) Math.floor(t / t0);
        } else {
            // Closed form n = floor(log_Tmult(t/T0·(Tmult−1) + 1)); corrected below, since log() may land
            // a hair below an exact integer at a period boundary. log1p keeps it accurate for T_mult near 1.
            k = (long) Math.floor(Math.log1p(t / t0 * (tMult - 1)) / Math.log1p(tMult - 1));
        }
        double start = startOf(k);
        int steps = 0;   // the closed form is within a period or two; a long walk means a broken invariant, not a slow t
        while (start > t && k > 0) { k--; start = startOf(k); guard(++steps, t); }
        while (t - start >= lengthOf(k)) { start += lengthOf(k); k++; guard(++steps, t); }
        // t = iteration / iterationsPerEpoch and the period starts are rounded separately, so a boundary that falls on
        // an iteration can come out a few ulps above t (T_0 = 0.1 epoch at 100 iterations per epoch: 30/100 against
        // 0.1·(2²−1)). Such a t is the boundary: it starts the next period, or that step would run at η_min and every
        // later step of the period one step out of phase. One snap at most: the tolerance is far below a step.
        double end = start + lengthOf(k);
        if (end - t <= BOUNDARY_ULPS * Math.ulp(end)) { start = end; k++; }
        return new Period(k, start, lengthOf(k), Math.max(0, t - start));
    }

    private void guard(int steps, double t) {
        if (steps > 1000)
            throw new IllegalStateException("CosineWarmRestarts could not place t = " + t + " in a period of " + this);
    }

    /** How close below a period's end (in ulps of the end) t counts as the end; rounding errors are a few ulps. */
    private static final double BOUNDARY_ULPS = 64;

    /** Length T_k of period k (k from 0). */
    public double lengthOf(long k) {
        return tMult == 1.0 ? t0 : t0 * Math.pow(tMult, k);
    }

    /** Start of period k: T_0·(T_mult^k − 1)/(T_mult − 1). */
    public double startOf(long k) {
        return tMult == 1.0 ? t0 * k : t0 * (Math.pow(tMult, k) - 1) / (tMult - 1);
    }

    /** Where t falls: period index (restarts so far), its start and length, and T_cur. */
    public static final class Period {
        public final long index;
        public final double start;
        public final double length;
        public final double tCur;

        Period(long index, double start, double length, double tCur) {
            this.index = index;
            this.start = start;
            this.length = length;
            this.tCur = tCur;
        }
    }

    public ScheduleType getUnit() { return unit; }
    public double getT0() { return t0; }
    public double getTMult() { return tMult; }
    public double getEtaMin() { return etaMin; }
    public double getEtaMax() { return etaMax; }
    public double getWarmup() { return warmup; }
    public double getPeakDecay() { return peakDecay; }
    public double getIterationsPerEpoch() { return iterationsPerEpoch; }
    public boolean isWarmupEveryPeriod() { return warmupEveryPeriod; }

    @Override
    public ISchedule clone() {
        return this; // immutable
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof CosineWarmRestarts)) return false;
        CosineWarmRestarts c = (CosineWarmRestarts) o;
        return unit == c.unit && t0 == c.t0 && tMult == c.tMult && etaMin == c.etaMin && etaMax == c.etaMax
                && warmup == c.warmup && peakDecay == c.peakDecay && iterationsPerEpoch == c.iterationsPerEpoch
                && warmupEveryPeriod == c.warmupEveryPeriod;
    }

    @Override
    public int hashCode() {
        return Objects.hash(unit, t0, tMult, etaMin, etaMax, warmup, peakDecay, iterationsPerEpoch, warmupEveryPeriod);
    }

    @Override
    public String toString() {
        return "CosineWarmRestarts{unit=" + unit + ", T_0=" + t0 + ", T_mult=" + tMult + ", eta=[" + etaMin + ", "
                + etaMax + "], warmup=" + warmup + (warmupEveryPeriod ? " every period" : "") + ", peakDecay=" + peakDecay
                + (unit == ScheduleType.EPOCH ? ", iterationsPerEpoch=" + iterationsPerEpoch : "") + "}";
    }
}
