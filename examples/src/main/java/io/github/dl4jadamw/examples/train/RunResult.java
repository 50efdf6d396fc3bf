package io.github.dl4jadamw.examples.train;

import java.util.ArrayList;
import java.util.List;

/** One training run: its configuration and its epochs (complete when all planned epochs are recorded). */
public final class RunResult {
    public String runId;
    public OptimizerSpec optimizer;
    public long seed;
    public String model;
    public String dataset;
    public String dataSource;
    public int trainSize, testSize, batchSize, epochs, iterationsPerEpoch;
    public long numParams;
    public double initialWeightNorm;
    public String updater;
    public final List<EpochRecord> records = new ArrayList<>();

    public boolean complete() {
        return records.size() == epochs;
    }

    public EpochRecord last() {
        return records.get(records.size() - 1);
    }

    /**
     * Whether the run diverged: an epoch's train loss is NaN/Inf. That covers both ways a run ends so: the library's
     * optimizers refuse a NaN/Inf step and stop (train loss NaN from then on), Adam+L2 steps on into NaN weights.
     * Its test accuracy says nothing about the setting: the refused ones keep the last finite weights.
     */
    public boolean diverged() {
        return records.stream().anyMatch(r -> !Double.isFinite(r.trainLoss));
    }

    /** Highest test accuracy over the epochs. */
    public EpochRecord best() {
        EpochRecord b = null;
        for (EpochRecord r : records) if (b == null || r.testAccuracy > b.testAccuracy) b = r;
        return b;
    }

    /** Median training seconds per epoch (robust to the first epoch's JIT warm-up); untimed epochs (NaN) left out. */
    public double medianEpochSeconds() {
        double[] t = records.stream().mapToDouble(r -> r.trainSeconds).filter(Double::isFinite).sorted().toArray();
        if (t.length == 0) return Double.NaN;
        return t.length % 2 == 1 ? t[t.length / 2] : 0.5 * (t[t.length / 2 - 1] + t[t.length / 2]);
    }

    /**
     * Identity of the run's protocol + setting + seed (used to resume: equal keys = same run). T_0/T_mult are the
     * defaults for kinds without restarts (see {@link OptimizerSpec#restartT0}), as results.json reads them back.
     */
    public String key() {
        return String.join("|", model, dataset, optimizer.key(), "T0=" + optimizer.restartT0, "Tm="
                + optimizer.restartTMult, "seed=" + seed, "n=" + trainSize + "/" + testSize, "b=" + batchSize,
                "e=" + epochs);
    }
}
