package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Groups complete runs by setting (optimizer, lr, λ) and summarises them over seeds. */
public final class Summary {
    /** All seeds of one setting. */
    public static final class Setting {
        public final OptimizerSpec spec;
        public final List<RunResult> runs = new ArrayList<>();

        Setting(OptimizerSpec spec) { this.spec = spec; }

        public Stat finalAccuracy() { return Stat.of(runs, r -> r.last().testAccuracy); }

        public Stat bestAccuracy() { return Stat.of(runs, r -> r.best().testAccuracy); }

        public Stat bestEpoch() { return Stat.of(runs, r -> r.best().epoch); }

        public Stat finalTestLoss() { return Stat.of(runs, r -> r.last().testLoss); }

        public Stat finalTrainLoss() { return Stat.of(runs, r -> r.last().trainLoss); }

        public Stat finalWeightNorm() { return Stat.of(runs, r -> r.last().weightNorm); }

        public Stat epochSeconds() { return Stat.of(runs, RunResult::medianEpochSeconds); }

        /**
         * Mean final accuracy over the given seeds only: NaN when none of them ran, or when one of them diverged
         * ({@link RunResult#diverged}), so that a diverged setting is never chosen as the best one.
         */
        public double finalAccuracyOver(Set<Long> seeds) {
            List<RunResult> l = over(seeds);
            return l.isEmpty() || l.stream().anyMatch(RunResult::diverged) ? Double.NaN
                    : Stat.of(l, r -> r.last().testAccuracy).mean;
        }

        /** Whether a run of the given seeds (null: all) diverged. */
        public boolean divergedOver(Set<Long> seeds) {
            return over(seeds).stream().anyMatch(RunResult::diverged);
        }

        /** How many of its runs diverged. */
        public long divergedRuns() {
            return runs.stream().filter(RunResult::diverged).count();
        }

        private List<RunResult> over(Set<Long> seeds) {
            List<RunResult> l = new ArrayList<>();
            for (RunResult r : runs) if (seeds == null || seeds.contains(r.seed)) l.add(r);
            return l;
        }

        public Set<Long> seeds() {
            Set<Long> s = new TreeSet<>();
            for (RunResult r : runs) s.add(r.seed);
            return s;
        }
    }

    /** Mean, sample standard deviation, min, max, n. */
    public static final class Stat {
        public final double mean, sd, min, max;
        public final int n;

        Stat(double mean, double sd, double min, double max, int n) {
            this.mean = mean;
            this.sd = sd;
            this.min = min;
            this.max = max;
            this.n = n;
        }

        static Stat of(Collection<RunResult> runs, java.util.function.ToDoubleFunction<RunResult> f) {
            double[] v = runs.stream().mapToDouble(f).toArray();
            return of(v);
        }

        public static Stat of(double[] v) {
            int n = v.length;
            if (n == 0) return new Stat(Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
            double s = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double x : v) {
                s += x;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
            double mean = s / n, ss = 0;
            for (double x : v) ss += (x - mean) * (x - mean);
            return new Stat(mean, n > 1 ? Math.sqrt(ss / (n - 1)) : 0, min, max, n);
        }
    }

    public final Map<OptimizerSpec, Setting> settings = new LinkedHashMap<>();

    public Summary(Collection<RunResult> runs) {
        for (RunResult r : runs) {
            if (!r.complete()) continue;
            settings.computeIfAbsent(r.optimizer, Setting::new).runs.add(r);
        }
    }

    /** Optimizers present, in enum order. */
    public List<OptimizerKind> kinds() {
        Set<OptimizerKind> s = new TreeSet<>();
        for (OptimizerSpec o : settings.keySet()) s.add(o.kind);
        return new ArrayList<>(s);
    }

    public List<Setting> of(OptimizerKind k) {
        List<Setting> l = new ArrayList<>();
        for (Setting s : settings.values()) if (s.spec.kind == k) l.add(s);
        l.sort(Comparator.<Setting>comparingDouble(s -> s.spec.lr).thenComparingDouble(s -> s.spec.lambda));
        return l;
    }

    /**
     * The setting of {@code k} with the highest mean final test accuracy over {@code selectionSeeds} (null: all
     * seeds) — the seeds every setting of the grid ran with, so the choice is not biased by extra seeds. Settings
     * with a diverged run among those seeds are left out.
     */
    public Setting best(OptimizerKind k, Set<Long> selectionSeeds) {
        Setting b = null;
        double bv = Double.NEGATIVE_INFINITY;
        for (Setting s : of(k)) {
            double v = s.finalAccuracyOver(selectionSeeds);
            if (!Double.isNaN(v) && v > bv) {
                bv = v;
                b = s;
            }
        }
        return b;
    }

    /** Learning rates present for k, ascending. */
    public List<Double> learningRates(OptimizerKind k) {
        Set<Double> s = new TreeSet<>();
        for (Setting x : of(k)) s.add(x.spec.lr);
        return new ArrayList<>(s);
    }

    public List<Double> lambdas(OptimizerKind k) {
        Set<Double> s = new TreeSet<>();
        for (Setting x : of(k)) s.add(x.spec.lambda);
        return new ArrayList<>(s);
    }

    public Setting get(OptimizerKind k, double lr, double lambda) {
        for (Setting s : of(k)) if (s.spec.lr == lr && s.spec.lambda == lambda) return s;
        return null;
    }

    /** Best setting of k at one learning rate, over {@code selectionSeeds}. */
    public Setting bestAt(OptimizerKind k, double lr, Set<Long> selectionSeeds) {
        Setting b = null;
        double bv = Double.NEGATIVE_INFINITY;
        for (Setting s : of(k)) {
            if (s.spec.lr != lr) continue;
            double v = s.finalAccuracyOver(selectionSeeds);
            if (!Double.isNaN(v) && v > bv) {
                bv = v;
                b = s;
            }
        }
        return b;
    }
}
