package io.github.dl4jadamw;

/**
 * A step's gradient held NaN or ±Inf under {@link NonFiniteGradients#FAIL}; AdamW changed no parameter or state
 * (SameDiff checks one variable at a time: see {@link NonFiniteGradients}).
 */
public final class NonFiniteGradientException extends IllegalStateException {
    private final int iteration;
    private final long index;

    NonFiniteGradientException(String message, int iteration, long index) {
        super(message);
        this.iteration = iteration;
        this.index = index;
    }

    /** DL4J iteration (0-based) of the failed step. */
    public int getIteration() { return iteration; }

    /** Index of the first non-finite element in the network's flattened gradient (DL4J's parameter order). */
    public long getIndex() { return index; }
}
