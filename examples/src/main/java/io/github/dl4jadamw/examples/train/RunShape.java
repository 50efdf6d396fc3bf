package io.github.dl4jadamw.examples.train;

import io.github.dl4jadamw.examples.data.Batches;

/**
 * The size of a run as the optimizer sees it: training images B, batch size b and epochs T. Schedules over the whole
 * run (cosine annealing, step drops) and the paper's normalized decay λ = λ_norm·√(b/(B·T)) are built from it.
 * {@code epochs} 0 = unknown (only fixed learning rates and warm restarts can be built then).
 */
public record RunShape(int trainSize, int batchSize, int epochs) {
    public RunShape {
        if (trainSize <= 0 || batchSize <= 0 || epochs < 0)
            throw new IllegalArgumentException("run shape: train size " + trainSize + " and batch size " + batchSize
                    + " must be > 0, epochs " + epochs + " >= 0");
    }

    /** A shape that knows only its iterations per epoch (a set of that many single-image batches). */
    public static RunShape ofIterationsPerEpoch(int iterationsPerEpoch) {
        return new RunShape(iterationsPerEpoch, 1, 0);
    }

    /** Minibatches per epoch, the last partial one counted. */
    public int iterationsPerEpoch() {
        return Batches.perEpoch(trainSize, batchSize);
    }

    /** Iterations of the whole run (epochs × iterations per epoch); 0 when the epochs are unknown. */
    public int iterations() {
        return epochs * iterationsPerEpoch();
    }
}
