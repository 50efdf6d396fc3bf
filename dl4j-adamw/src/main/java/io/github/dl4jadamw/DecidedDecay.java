package io.github.dl4jadamw;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * A decision {@link DecayRules#applyTo} wrote into a regularization list, parameter by parameter: the mark each
 * parameter gives the ledger at run time, readable again by {@link DecayTable#of}.
 */
interface DecidedDecay extends Regularization {
    /** It marks before the updater runs: the mark is what the updater of the same block reads. */
    @Override
    default ApplyStep applyStep() {
        return ApplyStep.BEFORE_UPDATER;
    }

    /** Decoupled decay is not a loss term: it adds nothing to the score. */
    @Override
    default double score(INDArray param, int iteration, int epoch) {
        return 0.0;
    }

    /** Whether {@code p} decays by this decision; null if the decision does not cover {@code p}. */
    Boolean decays(ParamInfo p);

    /** The rule that decided {@code p} (covered). */
    String rule(ParamInfo p);

    /** DL4J's WeightDecay/L2/L1 beside it was stated as wanted ({@link DecoupledWeightDecay#togetherWith}). */
    boolean isTogetherWithDl4j();
}
