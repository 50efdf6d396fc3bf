package io.github.dl4jadamw;

import org.nd4j.linalg.learning.regularization.Regularization;

/**
 * A decision {@link DecayRules#applyTo} wrote into a regularization list, parameter by parameter: the mark each
 * parameter gives the ledger at run time, readable again by {@link DecayTable#of}.
 */
interface DecidedDecay extends Regularization {
    /** Whether {@code p} decays by this decision; null if the decision does not cover {@code p}. */
    Boolean decays(ParamInfo p);

    /** The rule that decided {@code p} (covered). */
    String rule(ParamInfo p);

    /** DL4J's WeightDecay/L2/L1 beside it was stated as wanted ({@link DecoupledWeightDecay#togetherWith}). */
    boolean isTogetherWithDl4j();
}
