package io.github.dl4jadamw.examples.train;

import org.nd4j.shade.jackson.annotation.JsonInclude;

/** What one epoch of one run produced. */
public final class EpochRecord {
    /** 1-based epoch number. */
    public int epoch;
    /** DL4J iterations (minibatch steps) done after this epoch. */
    public int iterations;
    /** Mean data loss (cross-entropy, no L2 term) over this epoch's minibatches, as seen while training; NaN once diverged. */
    public double trainLoss;
    /** Cross-entropy on the test set after the epoch. */
    public double testLoss;
    public double testAccuracy;
    /**
     * Test accuracy and loss of the EMA of the weights ({@code --ema}) after the epoch, evaluated as the raw weights
     * are; null (and absent from results.json) without an EMA. {@link #testAccuracy}/{@link #testLoss} stay the raw
     * weights' in every run, so runs with and without an EMA compare on the same measure.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public Double emaTestAccuracy, emaTestLoss;
    /** Global L2 norm of all weight matrices/kernels (biases and BatchNorm parameters excluded). */
    public double weightNorm;
    /** Learning rate lr_t = α·η_t at the epoch's last iteration. */
    public double lr;
    /** Schedule multiplier η_t at the epoch's last iteration (1 without a schedule). */
    public double eta;
    /**
     * λ in force at the epoch's last iteration: the L2 coefficient (Adam+L2) or the decoupled λ, which for the paper's
     * normalized decay is λ_norm·√(b/(B·T)) as the library computes it (per restart period for AdamWR).
     */
    public double lambda = Double.NaN;
    /** Mean η_t over the epoch's iterations. */
    public double etaMean;
    /**
     * Wall time of the epoch's training steps (batches built, fit), without evaluation; NaN for an epoch a refused
     * step (non-finite gradient) cut short or left untrained.
     */
    public double trainSeconds;
    public double evalSeconds;

    public EpochRecord() {}
}
