package io.github.dl4jadamw.schedule;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.schedule.ScheduleType;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schedule values against a naive loop that steps T_cur like PyTorch's {@code CosineAnnealingWarmRestarts.step()}
 * (T_cur += Δ; when T_cur ≥ T_i: T_cur −= T_i, T_i *= T_mult), at, just before and just after every restart.
 */
class CosineWarmRestartsTest {

    /** The naive reference: one loop iteration per DL4J iteration, no closed form. */
    private static double[] naive(double t0, double tMult, double etaMin, double etaMax, double delta, int steps) {
        double[] out = new double[steps];
        double tCur = 0, ti = t0;
        for (int i = 0; i < steps; i++) {
            out[i] = etaMin + 0.5 * (etaMax - etaMin) * (1 + Math.cos(Math.PI * tCur / ti));
            tCur += delta;
            if (tCur >= ti - 1e-12 * ti) { // a period completes once T_cur reaches its length
                tCur -= ti;
                ti *= tMult;
            }
        }
        return out;
    }

    /** The reference gets the literal constructor arguments, not the getters: a field stored wrong would agree. */
    private static void assertMatchesNaive(CosineWarmRestarts s, double t0, double tMult, double etaMin, double etaMax,
                                           double delta, int steps) {
        double[] ref = naive(t0, tMult, etaMin, etaMax, delta, steps);
        for (int i = 0; i < steps; i++)
            assertEquals(ref[i], s.valueAt(i, 0), 1e-12, s + " at iteration " + i);
    }

    @Test
    void integerPeriodsInIterations() {
        assertMatchesNaive(CosineWarmRestarts.iterations(4, 2, 0.0001, 1.0), 4, 2, 0.0001, 1.0, 1, 200);
        assertMatchesNaive(CosineWarmRestarts.iterations(5, 1, 0, 0.5), 5, 1, 0, 0.5, 1, 100);
        assertMatchesNaive(CosineWarmRestarts.iterations(3, 3, 0.1, 2.0), 3, 3, 0.1, 2.0, 1, 500);
    }

    @Test
    void realTMultAndFractionalEpochs() {
        // T_0 = 1 epoch of 10 iterations, T_mult = 1.5: periods 1, 1.5, 2.25, ... epochs; T_cur advances 0.1 per iteration
        assertMatchesNaive(CosineWarmRestarts.epochs(1, 1.5, 0, 1, 10), 1, 1.5, 0, 1, 0.1, 400);
        // 157 iterations per epoch (not a divisor of anything): the paper's fractional epochs
        assertMatchesNaive(CosineWarmRestarts.epochs(1, 2, 0, 1, 157), 1, 2, 0, 1, 1.0 / 157, 157 * 15);
    }

    /**
     * Fractional periods whose boundaries fall on iterations: T_0 = 0.1 epoch of 100 iterations (restarts every 10, or
     * at 10, 30, 70, 150 with T_mult = 2) and T_0 = 1/3 epoch of 30. t = i/100 and the period starts round separately,
     * so at 7 of the first 20 T_mult = 1 boundaries t fell a few ulps short of the start: η_min instead of a restart.
     */
    @Test
    void fractionalPeriodsRestartOnTheirIteration() {
        CosineWarmRestarts tenths = CosineWarmRestarts.epochs(0.1, 1, 0, 1, 100);
        for (int k = 1; k <= 200; k++) {
            assertEquals(1.0, tenths.valueAt(10 * k, 0), 0, "restart at iteration " + 10 * k);
            assertEquals(k, tenths.periodAt(tenths.unitsAt(10 * k)).index, "period starting at iteration " + 10 * k);
            assertEquals(k - 1, tenths.periodAt(tenths.unitsAt(10 * k - 1)).index, "last iteration of period " + (k - 1));
        }
        assertMatchesNaive(tenths, 0.1, 1, 0, 1, 0.01, 2000);
        CosineWarmRestarts doubling = CosineWarmRestarts.epochs(0.1, 2, 0, 1, 100);
        int start = 0;
        for (int k = 0; k < 12; k++) {                     // period k spans 10·2^k iterations
            assertEquals(1.0, doubling.valueAt(start, 0), 0, "restart at iteration " + start);
            assertEquals(k, doubling.periodAt(doubling.unitsAt(start)).index);
            assertEquals(0.1 * Math.pow(2, k), doubling.periodAt(doubling.unitsAt(start)).length, 1e-12);
            start += 10 << k;
        }
        assertMatchesNaive(doubling, 0.1, 2, 0, 1, 0.01, 5000);
        assertMatchesNaive(CosineWarmRestarts.epochs(1.0 / 3, 2, 0, 1, 30), 1.0 / 3, 2, 0, 1, 1.0 / 30, 3000);
    }

    @Test
    void restartsHappenExactlyAtPeriodBoundaries() {
        CosineWarmRestarts s = CosineWarmRestarts.iterations(4, 2, 0, 1);
        // periods [0,4) [4,12) [12,28) [28,60)
        for (int start : new int[]{0, 4, 12, 28, 60}) {
            assertEquals(1.0, s.valueAt(start, 0), 0, "restart at " + start);
            if (start > 0) assertTrue(s.valueAt(start - 1, 0) < 0.2, "end of period before " + start);
        }
        assertEquals(3, s.periodAt(28).index);
        assertEquals(32, s.periodAt(59).length, 0);
        assertEquals(31, s.periodAt(59).tCur, 0);
        // epochs: T_0 = 1 epoch of 64 iterations, T_mult = 2 → restarts at iterations 64, 192, 448
        CosineWarmRestarts e = CosineWarmRestarts.epochs(1, 2, 0, 1, 64);
        for (int it : new int[]{0, 64, 192, 448}) assertEquals(1.0, e.valueAt(it, 0), 0, "epoch restart at " + it);
        assertEquals(1, e.periodAt(e.unitsAt(191)).index);
        assertEquals(2, e.periodAt(e.unitsAt(192)).index);
    }

    @Test
    void warmupRampsLinearlyThenAnneals() {
        CosineWarmRestarts s = CosineWarmRestarts.iterations(10, 2, 0, 1).withWarmup(4);
        assertEquals(0.0, s.valueAt(0, 0), 0);
        assertEquals(0.5, s.valueAt(2, 0), 1e-15);
        assertEquals(1.0, s.valueAt(4, 0), 1e-15);   // warm-up done: cosine starts at the peak
        double mid = 0.5 * (1 + Math.cos(Math.PI * 3 / 6.0)); // cosine over the 6 remaining iterations
        assertEquals(mid, s.valueAt(7, 0), 1e-15);
        assertEquals(1.0, s.valueAt(10, 0), 0);      // first restart: no second warm-up
    }

    /**
     * The PyTorch recipe "linear warm-up, then one cosine decay to 0 over the run" (Hugging Face transformers'
     * get_cosine_schedule_with_warmup(W, T), written out here from its definition) is one period of T iterations with
     * a warm-up of W: the README's recipe.
     */
    @Test
    void oneCosinePeriodWithWarmupIsTheTransformersSchedule() {
        int w = 30, total = 1000;
        CosineWarmRestarts s = CosineWarmRestarts.iterations(total, 1, 0, 1).withWarmup(w);
        double peak = 3e-4;   // and as README writes it, through the updater: lr_t = α·η_t
        io.github.dl4jadamw.AdamW adamwr = io.github.dl4jadamw.AdamWR.builder().learningRate(peak)
                .restartsInIterations(total, 1).warmup(w).build();
        for (int step = 0; step < total; step++) {
            double expected = step < w ? (double) step / w
                    : 0.5 * (1 + Math.cos(Math.PI * (double) (step - w) / (total - w)));
            assertEquals(expected, s.valueAt(step, 0), 1e-15, "step " + step);
            assertEquals(peak * expected, adamwr.getLearningRate(step, 0), 1e-15 * peak, "AdamWR, step " + step);
        }
    }

    @Test
    void peakDecayShrinksEachRestart() {
        CosineWarmRestarts s = CosineWarmRestarts.iterations(4, 1, 0.1, 1.1).withPeakDecay(0.5);
        assertEquals(1.1, s.valueAt(0, 0), 1e-15);
        assertEquals(0.1 + 0.5, s.valueAt(4, 0), 1e-15);
        assertEquals(0.1 + 0.25, s.valueAt(8, 0), 1e-15);
    }

    @Test
    void exactUpToAndAtTheIntLimit() {
        int max = Integer.MAX_VALUE;
        CosineWarmRestarts one = CosineWarmRestarts.iterations(1000, 1, 0, 1);
        // 2^31−1 = 2147483·1000 + 647
        assertEquals(0.5 * (1 + Math.cos(Math.PI * 647 / 1000.0)), one.valueAt(max, 0), 1e-15);
        CosineWarmRestarts two = CosineWarmRestarts.iterations(1, 2, 0, 1);
        // periods start at 2^k − 1: 2^31 − 1 is the start of period 31
        CosineWarmRestarts.Period p = two.periodAt(max);
        assertEquals(31, p.index);
        assertEquals(0, p.tCur, 0);
        assertEquals(1.0, two.valueAt(max, 0), 0);
        CosineWarmRestarts.Period before = two.periodAt(max - 1);
        assertEquals(30, before.index);
        assertEquals(Math.pow(2, 30) - 1, before.tCur, 0);
        // fractional epochs at the limit
        CosineWarmRestarts e = CosineWarmRestarts.epochs(3, 1, 0, 1, 7);
        double t = max / 7.0, tCur = t - 3 * Math.floor(t / 3);
        assertEquals(0.5 * (1 + Math.cos(Math.PI * tCur / 3)), e.valueAt(max, 0), 1e-9);
    }

    @Test
    void epochUnitIgnoresDl4jEpochCounter() {
        CosineWarmRestarts e = CosineWarmRestarts.epochs(2, 1, 0, 1, 10);
        assertEquals(e.valueAt(15, 0), e.valueAt(15, 7), 0);
        assertEquals(ScheduleType.EPOCH, e.getUnit());
    }
}
