package io.github.dl4jadamw.schedule;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.schedule.WarmupStableDecay.Shape;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The warm-up schedules against naive references written from the schedule table of
 * reference-trajectories/README.md (transformers' formulas): each reference builds the whole list of values phase by
 * phase (w warm-up values, then the decay, then what follows), so a wrong phase boundary in the closed forms shows.
 * The recipe conformance checks them once more against PyTorch's own learning rates (lr_per_step).
 */
class WarmupSchedulesTest {

    /** transformers' get_linear_schedule_with_warmup, s = 0..n−1, built phase by phase. */
    private static List<Double> naiveLinear(int w, int total, int n) {
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < w; s++) out.add((double) s / Math.max(1, w));
        for (int s = w; s <= total; s++) out.add((double) (total - s) / Math.max(1, total - w));
        while (out.size() < n) out.add(0.0);
        return out.subList(0, n);
    }

    /** get_cosine_schedule_with_warmup / ..._with_min_lr (min_lr_rate r), s = 0..n−1. */
    private static List<Double> naiveCosine(int w, int total, double cycles, double r, int n) {
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < w; s++) out.add((double) s / Math.max(1, w));
        for (int s = w; out.size() < n; s++) {
            double progress = (double) (s - w) / Math.max(1, total - w);
            double f = 0.5 * (1.0 + Math.cos(Math.PI * cycles * 2.0 * progress));
            out.add(Math.max(0.0, f * (1 - r) + r));
        }
        return out.subList(0, n);
    }

    /** get_wsd_schedule, s = 0..n−1. */
    private static List<Double> naiveWsd(int w, int stable, int decay, String warmupType, String decayType, double r,
                                         double cycles, int n) {
        List<Double> out = new ArrayList<>();
        for (int s = 0; s < w; s++) {
            double p = (double) s / Math.max(1, w);
            double f = warmupType.equals("linear") ? p
                    : warmupType.equals("cosine") ? 0.5 * (1.0 - Math.cos(Math.PI * p)) : 1.0 - Math.sqrt(1.0 - p);
            out.add(Math.max(0.0, f * (1 - r) + r));
        }
        for (int s = 0; s < stable; s++) out.add(1.0);
        for (int s = 0; s < decay; s++) {
            double p = (double) s / Math.max(1, decay);
            double f = decayType.equals("linear") ? 1.0 - p
                    : decayType.equals("cosine") ? 0.5 * (1.0 + Math.cos(Math.PI * cycles * 2.0 * p)) : 1.0 - Math.sqrt(p);
            out.add(Math.max(0.0, f * (1 - r) + r));
        }
        while (out.size() < n) out.add(r);
        return out.subList(0, n);
    }

    private static void assertMatches(List<Double> expected, ISchedule s) {
        for (int i = 0; i < expected.size(); i++)
            assertEquals(expected.get(i), s.valueAt(i, 0), 1e-15, s + " at step " + i);
    }

    @Test
    void linearWarmupDecay() {
        assertMatches(naiveLinear(5, 30, 40), LinearWarmupDecay.of(5, 30));
        assertMatches(naiveLinear(0, 7, 12), LinearWarmupDecay.of(0, 7));
        assertMatches(naiveLinear(100, 1000, 1200), LinearWarmupDecay.of(100, 1000));
        assertMatches(naiveLinear(10, 10, 15), LinearWarmupDecay.of(10, 10));   // all warm-up, then 0
        LinearWarmupDecay s = LinearWarmupDecay.of(4, 20);
        assertEquals(0.0, s.valueAt(0, 0), 0, "the first step runs at lr 0");
        assertEquals(1.0, s.valueAt(4, 0), 0, "peak right after the warm-up");
        assertEquals(0.0, s.valueAt(20, 0), 0);
        assertEquals(0.0, s.valueAt(Integer.MAX_VALUE, 0), 0);
    }

    @Test
    void cosineWarmup() {
        assertMatches(naiveCosine(4, 30, 0.5, 0.1, 40), CosineWarmup.of(4, 30, 0.5, 0.1));
        assertMatches(naiveCosine(3, 30, 0.5, 0, 30), CosineWarmup.of(3, 30));
        assertMatches(naiveCosine(10, 100, 2, 0.05, 150), CosineWarmup.of(10, 100, 2, 0.05));   // past T it goes on
        assertMatches(naiveCosine(0, 50, 0.5, 1, 60), CosineWarmup.of(0, 50, 0.5, 1));
        CosineWarmup s = CosineWarmup.of(8, 108, 0.5, 0.2);
        assertEquals(0.0, s.valueAt(0, 0), 0, "the first step runs at lr 0, the floor only applies after the warm-up");
        assertEquals(1.0, s.valueAt(8, 0), 0);
        assertEquals(0.2, s.valueAt(108, 0), 1e-15, "the floor at T");
    }

    @Test
    void warmupStableDecayEveryShape() {
        String[] names = {"linear", "cosine", "1-sqrt"};
        Shape[] shapes = {Shape.LINEAR, Shape.COSINE, Shape.ONE_MINUS_SQRT};
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++) {
                assertMatches(naiveWsd(4, 12, 14, names[a], names[b], 0.05, 0.5, 40),
                        WarmupStableDecay.of(4, 12, 14, shapes[a], shapes[b], 0.05, 0.5));
                assertMatches(naiveWsd(7, 0, 9, names[a], names[b], 0, 1.5, 25),
                        WarmupStableDecay.of(7, 0, 9, shapes[a], shapes[b], 0, 1.5));
            }
        assertMatches(naiveWsd(0, 5, 0, "linear", "linear", 0.3, 0.5, 10),
                WarmupStableDecay.of(0, 5, 0, Shape.LINEAR, Shape.LINEAR, 0.3, 0.5));
        WarmupStableDecay s = WarmupStableDecay.of(4, 12, 14, Shape.COSINE);
        assertEquals(0.0, s.valueAt(0, 0), 0);
        assertEquals(1.0, s.valueAt(4, 0), 0);
        assertEquals(1.0, s.valueAt(15, 0), 0);
        assertEquals(1.0, s.valueAt(16, 0), 0, "the decay's first step is at p = 0");
        assertEquals(0.0, s.valueAt(30, 0), 0);
    }

    /** A warm-up at the start of every restart period: η_min up to that period's peak, then its cosine. */
    @Test
    void warmupInEveryRestartPeriod() {
        double etaMin = 0.1, etaMax = 1.0, gamma = 0.5;
        int w = 2;
        CosineWarmRestarts s = CosineWarmRestarts.iterations(5, 2, etaMin, etaMax).withPeakDecay(gamma)
                .withWarmupEveryPeriod(w);
        // naive: periods of 5, 10, 20 iterations, each a warm-up of 2 then a cosine over the rest
        List<Double> ref = new ArrayList<>();
        int len = 5;
        for (int period = 0; ref.size() < 35; period++, len *= 2) {
            double peak = etaMin + (etaMax - etaMin) * Math.pow(gamma, period);
            for (int c = 0; c < len; c++)
                ref.add(c < w ? etaMin + (peak - etaMin) * c / w
                        : etaMin + 0.5 * (peak - etaMin) * (1 + Math.cos(Math.PI * (c - w) / (len - w))));
        }
        assertMatches(ref.subList(0, 35), s);
        assertEquals(etaMin, s.valueAt(5, 0), 1e-15, "a restart begins its warm-up at η_min");
        // first-period-only warm-up is unchanged: the restart at 5 jumps to the peak
        assertEquals(etaMin + (etaMax - etaMin) * gamma, s.withWarmup(w).valueAt(5, 0), 1e-15);
        assertNotEquals(s, s.withWarmup(w));
        assertEquals(s, ((io.github.dl4jadamw.AdamW) io.github.dl4jadamw.AdamWR.builder().restartsInIterations(5, 2)
                .eta(etaMin, etaMax).peakDecay(gamma).warmupEveryPeriod(w).build()).getSchedule(), "AdamWR's builder");
        // epochs: T_0 = 1 epoch of 10 iterations, warm-up 0.3 epoch in each
        CosineWarmRestarts e = CosineWarmRestarts.epochs(1, 1, 0, 1, 10).withWarmupEveryPeriod(0.3);
        for (int k = 0; k < 3; k++) {
            assertEquals(0.0, e.valueAt(10 * k, 0), 1e-15);
            assertEquals(2 / 3.0, e.valueAt(10 * k + 2, 0), 1e-12);
            assertEquals(1.0, e.valueAt(10 * k + 3, 0), 1e-12);
        }
    }

    @Test
    void badSettingsAreRefusedNamingFieldValueAndRange() {
        assertRefused(() -> LinearWarmupDecay.of(31, 30), "warmup = 31", "[0, total = 30]");
        assertRefused(() -> LinearWarmupDecay.of(-1, 30), "warmup = -1", "[0, total = 30]");
        assertRefused(() -> LinearWarmupDecay.of(0, 0), "total = 0", ">= 1");
        assertRefused(() -> CosineWarmup.of(40, 30), "warmup = 40", "[0, total = 30]");
        assertRefused(() -> CosineWarmup.of(3, 30, 0.5, 1.5), "minLrRatio = 1.5", "[0, 1]");
        assertRefused(() -> CosineWarmup.of(3, 30, 0.5, -0.1), "minLrRatio = -0.1", "[0, 1]");
        assertRefused(() -> CosineWarmup.of(3, 30, 0.5, Double.NaN), "minLrRatio = NaN", "[0, 1]");
        assertRefused(() -> CosineWarmup.of(3, 30, 0, 0), "cycles = 0.0", "> 0");
        assertRefused(() -> CosineWarmup.of(3, 30, Double.POSITIVE_INFINITY, 0), "cycles = Infinity", "> 0");
        assertRefused(() -> WarmupStableDecay.of(-2, 1, 1, Shape.LINEAR), "warmup = -2", ">= 0");
        assertRefused(() -> WarmupStableDecay.of(2, -1, 1, Shape.LINEAR), "stable = -1", ">= 0");
        assertRefused(() -> WarmupStableDecay.of(2, 1, -1, Shape.LINEAR), "decay = -1", ">= 0");
        assertRefused(() -> WarmupStableDecay.of(2, 1, 1, null), "decayShape", "required");
        assertRefused(() -> WarmupStableDecay.of(2, 1, 1, Shape.LINEAR, Shape.LINEAR, 2, 0.5), "minLrRatio = 2.0", "[0, 1]");
        assertRefused(() -> WarmupStableDecay.of(Long.MAX_VALUE, 1, 1, Shape.LINEAR), "warmup + stable + decay", "at most");
        assertRefused(() -> CosineWarmRestarts.iterations(5, 2, 0, 1).withWarmupEveryPeriod(5), "warmup = 5.0", "T_0");
    }

    private static void assertRefused(Executable build, String... mustSay) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::execute);
        for (String s : mustSay)
            assertTrue(e.getMessage().contains(s), "message '" + e.getMessage() + "' should contain '" + s + "'");
    }

    /** Executable that may throw only unchecked exceptions. */
    private interface Executable {
        void execute();
    }

    /** Every schedule, inside an AdamW inside a network configuration, survives DL4J's JSON round trip. */
    @Test
    void jsonRoundTripInsideANetworkConfiguration() {
        ISchedule[] schedules = {LinearWarmupDecay.of(5, 30), CosineWarmup.of(4, 30, 0.75, 0.1),
                WarmupStableDecay.of(4, 12, 14, Shape.COSINE, Shape.ONE_MINUS_SQRT, 0.05, 0.5),
                CosineWarmRestarts.epochs(1, 2, 0.01, 1, 37).withWarmupEveryPeriod(0.25).withPeakDecay(0.8)};
        for (ISchedule s : schedules) {
            MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder()
                    .updater(AdamW.builder().learningRate(1e-3).schedule(s).build())
                    .regularization(DecoupledWeightDecay.onWeights())
                    .list()
                    .layer(new DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                            .nIn(4).nOut(2).build())
                    .build();
            MultiLayerConfiguration back = MultiLayerConfiguration.fromJson(conf.toJson());
            assertEquals(conf, back);
            ISchedule got = ((AdamW) ((BaseLayer) back.getConf(1).getLayer()).getIUpdater()).getSchedule();
            assertEquals(s, got);
            for (int i = 0; i < 50; i++) assertEquals(s.valueAt(i, 0), got.valueAt(i, 0), 0);
        }
    }

    /** A configuration written before warmupEveryPeriod existed still reads, with the warm-up in the first period. */
    @Test
    void restartScheduleJsonWithoutWarmupEveryPeriodStillReads() throws Exception {
        CosineWarmRestarts s = CosineWarmRestarts.iterations(10, 2, 0, 1).withWarmup(3);
        var mapper = org.nd4j.serde.json.JsonMappers.getMapper();
        String json = mapper.writeValueAsString(s);
        String old = json.replaceAll(",\\s*\"warmupEveryPeriod\"\\s*:\\s*false", "");
        assertNotEquals(json, old, json);
        assertTrue(!old.contains("warmupEveryPeriod"), old);
        ISchedule back = mapper.readValue(old, ISchedule.class);
        assertEquals(s, back);
        assertEquals(ScheduleType.ITERATION, ((CosineWarmRestarts) back).getUnit());
    }
}
