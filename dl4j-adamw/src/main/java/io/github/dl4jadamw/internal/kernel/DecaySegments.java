package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The parameter views of one updater block that receive decay, ordered by offset inside the block. */
public interface DecaySegments {
    int count();

    /** Offset of segment i inside the block's gradient. */
    long offset(int i);

    long length(int i);

    /** The parameter view of segment i (same element order as its gradient: DL4J views of one flat buffer). */
    INDArray param(int i);
}
