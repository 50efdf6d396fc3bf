package io.github.dl4jadamw.examples.train;

import io.github.dl4jadamw.examples.data.Batches;

/**
 * The size of a run as the optimizer sees it: training images B, batch size b, epochs T and the micro-batches per
 * optimizer step k (gradient accumulation; 1 without). Schedules over the whole run (cosine annealing, step drops,
 * warm-up and decay) and the paper's normalized decay λ = λ_norm·√(b/(B·T)) are built from it. Schedules count
 * optimizer steps ({@link #steps}, {@link #stepsPerEpoch}), which under accumulation are 1/k of the minibatches
 * DL4J fits ({@link #iterations}, {@link #iterationsPerEpoch}).
 * {@code epochs} 0 = unknown (only fixed learning rates and warm restarts can be built then).
 */
public record RunShape(int trainSize, int batchSize, int epochs, int accumulationSteps) {
    public RunShape {
        if (trainSize <= 0 || batchSize <= 0 || epochs < 0 || accumulationSteps < 1)
            throw new IllegalArgumentException("run shape: train size " + trainSize + " and batch size " + batchSize
                    + " must be > 0, epochs " + epochs + " >= 0, accumulation steps " + accumulationSteps + " >= 1");
    }

    /** Without accumulation. */
    public RunShape(int trainSize, int batchSize, int epochs) {
        this(trainSize, batchSize, epochs, 1);
    }

    /** A shape that knows only its iterations per epoch (a set of that many single-image batches). */
    public static RunShape ofIterationsPerEpoch(int iterationsPerEpoch) {
        return new RunShape(iterationsPerEpoch, 1, 0);
    }

    /** The same run with one optimizer step per {@code k} minibatches. */
    public RunShape withAccumulationSteps(int k) {
        return k == accumulationSteps ? this : new RunShape(trainSize, batchSize, epochs, k);
    }

    /** Minibatches (DL4J fits) per epoch, the last partial one counted. */
    public int iterationsPerEpoch() {
        return Batches.perEpoch(trainSize, batchSize);
    }

    /** Minibatches (DL4J fits) of the whole run (epochs × iterations per epoch); 0 when the epochs are unknown. */
    public int iterations() {
        return epochs * iterationsPerEpoch();
    }

    /**
     * Optimizer steps per epoch: minibatches / k, fractional when k does not divide them (accumulation groups then
     * run across epoch ends, as the library counts them: step s covers fits s·k … s·k + k − 1).
     */
    public double stepsPerEpoch() {
        return iterationsPerEpoch() / (double) accumulationSteps;
    }

    /**
     * Optimizer steps of the whole run, ⌊iterations / k⌋: the minibatches of a last, incomplete group
     * ({@link #unstepped}) accumulate and never step. 0 when the epochs are unknown.
     */
    public int steps() {
        return iterations() / accumulationSteps;
    }

    /** Minibatches at the end of the run that accumulate but reach no optimizer step (iterations mod k). */
    public int unstepped() {
        return iterations() % accumulationSteps;
    }
}
