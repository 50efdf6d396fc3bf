package io.github.dl4jadamw.examples.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What every run of one comparison shares: model, data, budget and the recipe options around the optimizer step
 * ({@link Recipe}). Runs are comparable (and may be averaged in one report row) only under equal protocols; the
 * optimizer setting and the seed are what varies between them.
 */
public record Protocol(String model, String dataset, String dataSource, int trainSize, int testSize, int batchSize,
                       int epochs, Recipe recipe) {

    public Protocol {
        Objects.requireNonNull(recipe, "recipe");
    }

    /** Without recipe options (the paper modes). */
    public Protocol(String model, String dataset, String dataSource, int trainSize, int testSize, int batchSize,
                    int epochs) {
        this(model, dataset, dataSource, trainSize, testSize, batchSize, epochs, Recipe.NONE);
    }

    public static Protocol of(RunResult r) {
        return new Protocol(r.model, r.dataset, r.dataSource, r.trainSize, r.testSize, r.batchSize, r.epochs,
                r.optimizer.recipe);
    }

    /** The fields where {@code other} differs, each as "name theirs (here ours)", e.g. "--epochs 1 (here 3)". */
    public List<String> differences(Protocol other) {
        List<String> d = new ArrayList<>();
        diff(d, "--model", other.model, model);
        diff(d, "dataset", other.dataset, dataset);
        diff(d, "data source", other.dataSource, dataSource);
        diff(d, "--train-size", other.trainSize, trainSize);
        diff(d, "--test-size", other.testSize, testSize);
        diff(d, "--batch-size", other.batchSize, batchSize);
        diff(d, "--epochs", other.epochs, epochs);
        d.addAll(recipe.differences(other.recipe));
        return d;
    }

    private static void diff(List<String> d, String name, Object theirs, Object ours) {
        if (Objects.equals(theirs, ours)) return;
        if (theirs instanceof String || ours instanceof String) d.add(name + " '" + theirs + "' (here '" + ours + "')");
        else d.add(name + " " + theirs + " (here " + ours + ")");
    }
}
