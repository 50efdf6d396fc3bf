package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;

import io.github.dl4jadamw.internal.StepScalars;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonInclude;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.ArrayList;
import java.util.List;

/**
 * The companion of {@link AdamW} and {@link SGDW} (and their warm-restart forms): marks which parameters they decay.
 * It applies nothing itself.
 *
 * <h2>Why two statements, and why a marker</h2>
 * DL4J never hands a {@code GradientUpdater} the parameters: {@code UpdaterBlock} gives it only the gradient
 * block. The one place where DL4J passes a parameter view is a {@link Regularization}, and it chooses per
 * parameter which list applies (weights: {@code regularization}, biases: {@code regularizationBias},
 * BatchNormalization: none), which is exactly the default decay policy users expect. So this class, running
 * {@link ApplyStep#BEFORE_UPDATER} on each parameter of a block just before the block's updater runs, records
 * the parameter view in a per-thread {@link DecayLedger}; the block's updater ({@link DecoupledGradientUpdater}) takes
 * the views from there and applies decay and its step together, from one set of {@link StepScalars}. The math stays
 * in one place and AdamWR's schedule drives decay without a second copy of the hyperparameters.
 *
 * <p>Alternatives considered: a {@code Regularization} that decays by itself would be duplicated by DL4J (below),
 * need its own copy of λ and the schedule, and cost a separate pass over memory; an explicit "attach the network"
 * call would have to be repeated on every copy DL4J makes (ParallelWrapper workers, Spark executors, restored
 * models), whereas a marker travels inside the configuration (JSON, Java/Kryo serialization).
 *
 * <p>DL4J 1.0.0-M2.1 appends every non-L1/L2 regularization of the global configuration to each layer twice
 * ({@code LayerValidation.configureBaseLayer} runs twice), which is why its own {@code weightDecay()} shrinks
 * weights twice per step. A marker cannot suffer from that: marking a parameter twice still means "decay this
 * parameter", so decay happens exactly once per step by construction.
 *
 * <p>Forgetting a statement fails loudly, before the first update of the block concerned:
 * <ul>
 *   <li>λ &gt; 0 and no marker in the block: the updater throws (decay asked for, none would happen);</li>
 *   <li>a marker on a parameter whose updater is not one of ours: the ledger throws at the next block or step, since
 *       nobody consumed it.</li>
 * </ul>
 * An {@link #excluded()} marker on a layer opts it out (exclusion wins over inclusion from the global list).
 *
 * <p>Decay happens once, whatever else the configuration says: DL4J's own {@code WeightDecay}, {@code L2} or
 * {@code L1} on parameters this marker decays is refused ({@code .weightDecay()}/{@code .l2()}/{@code .l1()} appended to
 * the list {@link #onWeights()} returned fails at once; {@link DecayTable#of} finds the rest, naming layer and key),
 * unless both are wanted and said so with {@link #togetherWith}. Per-tensor rules for a whole network (recipes of
 * Hugging Face, minGPT, nanoGPT, timm, Keras) are {@link DecayRules}.
 */
public final class DecoupledWeightDecay implements Regularization {
    private static final DecoupledWeightDecay INCLUDE = new DecoupledWeightDecay(true);
    private static final DecoupledWeightDecay EXCLUDE = new DecoupledWeightDecay(false);
    private static final DecoupledWeightDecay MATRICES = new DecoupledWeightDecay(true, 2);

    @JsonProperty private final boolean decay;
    /** Decay only arrays of at least this rank (0 = any); lower-rank arrays are marked excluded. */
    @JsonProperty private final int minRank;
    /** DL4J's WeightDecay/L2/L1 on the same parameters is wanted too ({@link #togetherWith}); absent from JSON if not. */
    @JsonProperty @JsonInclude(JsonInclude.Include.NON_DEFAULT) private final boolean togetherWithDl4j;

    DecoupledWeightDecay(boolean decay) {
        this(decay, 0);
    }

    DecoupledWeightDecay(boolean decay, int minRank) {
        this(decay, minRank, false);
    }

    @JsonCreator
    DecoupledWeightDecay(@JsonProperty("decay") boolean decay, @JsonProperty("minRank") int minRank,
                         @JsonProperty("togetherWithDl4j") boolean togetherWithDl4j) {
        this.decay = decay;
        this.togetherWithDl4j = togetherWithDl4j;
        this.minRank = (int) Check.atLeast("minRank", minRank, 0);
        if (minRank > 32)   // beyond ND4J's largest rank it would exclude every parameter while still marking them
            throw new IllegalArgumentException("minRank = " + minRank + " is invalid: must be an integer in [0, 32]");
    }

    /**
     * For SameDiff's {@code TrainingConfig.regularization(...)}, which applies one list to every trainable variable:
     * decay arrays of rank ≥ 2 (weight matrices and kernels), not rank-1 biases. (In DL4J networks use
     * {@link #onWeights()}: DL4J already separates weights from biases, whose arrays are [1, n].)
     */
    public static Regularization matricesOnly() {
        return MATRICES;
    }

    /**
     * For SameDiff's {@code TrainingConfig.regularization(...)}: decay every trainable variable, whatever its rank
     * (biases and normalization gains included).
     */
    public static Regularization allArrays() {
        return INCLUDE;
    }

    /**
     * For {@code .regularization(...)} (weights) or {@code .regularizationBias(...)} (biases): decay these. DL4J appends
     * to the list in place; appending its own WeightDecay/L2/L1 to it fails (decay would happen twice).
     */
    public static List<Regularization> onWeights() {
        return new MarkerList(INCLUDE);
    }

    /** Same marker, named for {@code .regularizationBias(...)}: opt biases in. */
    public static List<Regularization> onBiases() {
        return new MarkerList(INCLUDE);
    }

    /**
     * Decoupled decay and DL4J's own regularizations on the same parameters, on purpose (e.g. AdamW's decay plus an L2
     * penalty, as some recipes do): {@code .regularization(DecoupledWeightDecay.togetherWith(new L2Regularization(1e-4)))}.
     * Each applies once. Without this statement the combination is refused as decay stacked by mistake.
     */
    public static List<Regularization> togetherWith(Regularization... dl4jRegularizations) {
        List<Regularization> l = new MarkerList(new DecoupledWeightDecay(true, 0, true));
        for (Regularization r : dl4jRegularizations) l.add(Check.notNull("dl4jRegularizations element", r));
        return l;
    }

    /** For one layer's {@code .regularization(...)}: never decay this layer's parameters. */
    public static List<Regularization> excluded() {
        return mutableListOf(EXCLUDE);
    }

    private static List<Regularization> mutableListOf(Regularization r) {
        List<Regularization> l = new ArrayList<>();
        l.add(r);
        return l;
    }

    public boolean isDecay() {
        return decay;
    }

    /** Whether DL4J's own WeightDecay/L2/L1 beside this marker is wanted ({@link #togetherWith}). */
    public boolean isTogetherWithDl4j() {
        return togetherWithDl4j;
    }

    int getMinRank() {
        return minRank;
    }

    @Override
    public ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    @Override
    public void apply(INDArray param, INDArray gradView, double lr, int iteration, int epoch) {
        DecayLedger.forThread().mark(param, gradView, decay && param.rank() >= minRank, iteration, epoch);
    }

    /** Decoupled decay is not a loss term: it adds nothing to the score. */
    @Override
    public double score(INDArray param, int iteration, int epoch) {
        return 0.0;
    }

    @Override
    public Regularization clone() {
        return this; // immutable
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecoupledWeightDecay && ((DecoupledWeightDecay) o).decay == decay
                && ((DecoupledWeightDecay) o).minRank == minRank
                && ((DecoupledWeightDecay) o).togetherWithDl4j == togetherWithDl4j;
    }

    @Override
    public int hashCode() {
        return (decay ? 1231 : 1237) + 31 * minRank + (togetherWithDl4j ? 961 : 0);
    }

    @Override
    public String toString() {
        return !decay ? "DecoupledWeightDecay(excluded)"
                : (minRank > 0 ? "DecoupledWeightDecay(rank >= " + minRank + ")" : "DecoupledWeightDecay")
                + (togetherWithDl4j ? "(together with DL4J's)" : "");
    }
}
