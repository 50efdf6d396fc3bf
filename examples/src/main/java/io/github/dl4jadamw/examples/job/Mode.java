package io.github.dl4jadamw.examples.job;

import io.github.dl4jadamw.examples.Options;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The jobs the program runs; the id names the default output folder (results/ID) and is saved in results.json. */
public enum Mode {
    MAIN("main", null),
    QUICK("quick", "--quick"),
    SWEEP("sweep", "--sweep"),
    PAPER_GRID("paper-grid", "--paper-grid"),
    PAPER_SCHEDULES("paper-schedules", "--paper-schedules"),
    PAPER_BUDGETS("paper-budgets", "--paper-budgets"),
    CIFAR_STYLE("cifar-style", "--cifar-style");

    public final String id;
    /** The option that chooses it (null: the main job, no option). */
    public final String flag;

    Mode(String id, String flag) {
        this.id = id;
        this.flag = flag;
    }

    /** The mode the options choose; two mode options are refused. */
    public static Mode of(Options o) {
        List<Mode> chosen = new ArrayList<>();
        if (o.quick) chosen.add(QUICK);
        if (o.sweep) chosen.add(SWEEP);
        if (o.paperGrid) chosen.add(PAPER_GRID);
        if (o.paperSchedules) chosen.add(PAPER_SCHEDULES);
        if (o.paperBudgets) chosen.add(PAPER_BUDGETS);
        if (o.cifarStyle) chosen.add(CIFAR_STYLE);
        if (chosen.size() > 1)
            throw new IllegalArgumentException(chosen.get(0).flag + " and " + chosen.get(1).flag + " exclude each other");
        return chosen.isEmpty() ? MAIN : chosen.get(0);
    }

    /** The mode saved in a results.json (results written before the paper modes say main, quick or sweep). */
    public static Mode parse(String id) {
        for (Mode m : values()) if (m.id.equals(id)) return m;
        return MAIN;
    }

    /** The paper's experiments and the CIFAR-style recipe (not main, quick or sweep). */
    public boolean paper() {
        return this != MAIN && this != QUICK && this != SWEEP;
    }

    /** Options a paper mode reads, besides those every job reads (--out, --resume, --progress, charts, models). */
    public Set<String> reads() {
        Set<String> sizes = Set.of("--train-size", "--test-size", "--batch-size", "--data", "--dataset");
        switch (this) {
            case PAPER_GRID:
                return union(sizes, Set.of("--optimizers", "--lr", "--l2", "--wd", "--schedules", "--seeds", "--epochs",
                        "--restart-t0", "--restart-tmult"));
            case PAPER_SCHEDULES:
                return union(sizes, Set.of("--optimizers", "--schedules", "--seeds", "--epochs", "--grid-results",
                        "--restart-t0", "--restart-tmult"));
            case PAPER_BUDGETS:
                return union(sizes, Set.of("--lr", "--wd-norm", "--budgets", "--seeds"));
            case CIFAR_STYLE:
                return union(sizes, Set.of("--optimizers", "--lr", "--l2", "--wd-norm", "--seeds", "--epochs",
                        "--restart-t0", "--restart-tmult"));
            default:
                throw new IllegalStateException(id + ": its options are checked by ComparisonJob");
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> s = new java.util.LinkedHashSet<>(a);
        s.addAll(b);
        return s;
    }

    @Override
    public String toString() { return id; }
}
