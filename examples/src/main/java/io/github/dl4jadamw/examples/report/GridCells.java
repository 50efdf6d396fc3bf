package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.OptimizerSpec;
import io.github.dl4jadamw.examples.train.RunResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One panel of an lr × λ grid: the complete runs of one optimizer under one schedule, by (α, λ), each cell the mean
 * over its seeds of the final epoch's test error, test loss and weight norm. A cell with a diverged run has no value
 * (NaN) and is never the best.
 */
public final class GridCells {
    /** The final numbers of one (α, λ), mean over its seeds. */
    public static final class Cell {
        public final double lr, lambda;
        public final List<RunResult> runs = new ArrayList<>();

        Cell(double lr, double lambda) {
            this.lr = lr;
            this.lambda = lambda;
        }

        public boolean diverged() {
            return runs.stream().anyMatch(RunResult::diverged);
        }

        /** Final test error in % (NaN if diverged). */
        public double error() {
            return diverged() ? Double.NaN : 100 * (1 - mean(r -> r.last().testAccuracy));
        }

        public double testLoss() {
            return diverged() ? Double.NaN : mean(r -> r.last().testLoss);
        }

        public double weightNorm() {
            return diverged() ? Double.NaN : mean(r -> r.last().weightNorm);
        }

        public OptimizerSpec spec() {
            return runs.get(0).optimizer;
        }

        private double mean(java.util.function.ToDoubleFunction<RunResult> f) {
            return runs.stream().mapToDouble(f).average().orElse(Double.NaN);
        }
    }

    public final OptimizerKind kind;
    public final LrSchedule schedule;
    /** Cells by α, then λ (both ascending). */
    private final Map<Double, Map<Double, Cell>> cells = new TreeMap<>();

    /** The runs of {@code kind} under {@code schedule} among {@code runs} (complete ones, of the given seeds). */
    public GridCells(Collection<RunResult> runs, OptimizerKind kind, LrSchedule schedule, java.util.Set<Long> seeds) {
        this.kind = kind;
        this.schedule = schedule;
        for (RunResult r : runs) {
            if (!r.complete() || r.optimizer.kind != kind || r.optimizer.schedule != schedule) continue;
            if (seeds != null && !seeds.contains(r.seed)) continue;
            cells.computeIfAbsent(r.optimizer.lr, a -> new TreeMap<>())
                    .computeIfAbsent(r.optimizer.lambda, l -> new Cell(r.optimizer.lr, l)).runs.add(r);
        }
    }

    public boolean isEmpty() {
        return cells.isEmpty();
    }

    public List<Double> learningRates() {
        return new ArrayList<>(cells.keySet());
    }

    public List<Double> lambdas() {
        TreeSet<Double> s = new TreeSet<>();
        for (Map<Double, Cell> m : cells.values()) s.addAll(m.keySet());
        return new ArrayList<>(s);
    }

    /** The cell, or null when it did not run. */
    public Cell get(double lr, double lambda) {
        Map<Double, Cell> m = cells.get(lr);
        return m == null ? null : m.get(lambda);
    }

    public List<Cell> all() {
        List<Cell> l = new ArrayList<>();
        for (Map<Double, Cell> m : cells.values()) l.addAll(m.values());
        return l;
    }

    /** Lowest final test error (ties: lower test loss); null if every cell diverged. */
    public Cell best() {
        return best(all());
    }

    /** The best cell at one learning rate. */
    public Cell bestAt(double lr) {
        Map<Double, Cell> m = cells.get(lr);
        return m == null ? null : best(m.values());
    }

    /** The cell of lowest test loss at one learning rate. */
    public Cell bestLossAt(double lr) {
        Map<Double, Cell> m = cells.get(lr);
        if (m == null) return null;
        Cell b = null;
        for (Cell c : m.values())
            if (!Double.isNaN(c.testLoss()) && (b == null || c.testLoss() < b.testLoss())) b = c;
        return b;
    }

    static Cell best(Collection<Cell> cs) {
        Cell b = null;
        for (Cell c : cs) {
            double e = c.error();
            if (Double.isNaN(e)) continue;
            if (b == null || e < b.error() || (e == b.error() && c.testLoss() < b.testLoss())) b = c;
        }
        return b;
    }
}
