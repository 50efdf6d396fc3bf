package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Objects;

/**
 * The paper's normalized weight decay (Loshchilov &amp; Hutter 2019, Appendix B.1):
 * <pre>  λ = λ_norm · √( b / (B · T) )</pre>
 * with b the batch size, B the number of training points and T the length of the run in epochs. With warm
 * restarts T is the current restart period T_i, so λ is recomputed at every restart. A period counted in
 * iterations lasts T_i·b/B epochs, so there λ = λ_norm/√T_i. Without a restart schedule T is
 * {@code totalEpochs}.
 */
public final class NormalizedWeightDecay implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @JsonProperty private final double lambdaNorm;
    @JsonProperty private final long batchSize;
    @JsonProperty private final long trainingSetSize;
    @JsonProperty private final double totalEpochs;

    /**
     * @param lambdaNorm      λ_norm ≥ 0
     * @param batchSize       b ≥ 1
     * @param trainingSetSize B ≥ 1
     * @param totalEpochs     T &gt; 0 for runs without a restart schedule; 0 = take T_i from the restart schedule
     */
    @JsonCreator
    private NormalizedWeightDecay(@JsonProperty("lambdaNorm") double lambdaNorm,
                                 @JsonProperty("batchSize") long batchSize,
                                 @JsonProperty("trainingSetSize") long trainingSetSize,
                                 @JsonProperty("totalEpochs") double totalEpochs) {
        this.lambdaNorm = Check.nonNegative("normalizedWeightDecay.lambdaNorm", lambdaNorm);
        this.batchSize = Check.atLeast("normalizedWeightDecay.batchSize (b)", batchSize, 1);
        this.trainingSetSize = Check.atLeast("normalizedWeightDecay.trainingSetSize (B)", trainingSetSize, 1);
        if (batchSize > trainingSetSize)   // b/B is the share of the data one step sees: at most 1
            throw new IllegalArgumentException("normalizedWeightDecay.batchSize (b) = " + batchSize + " is invalid: "
                    + "must be <= trainingSetSize (B) = " + trainingSetSize);
        this.totalEpochs = Check.nonNegative("normalizedWeightDecay.totalEpochs (T)", totalEpochs);
    }

    /** λ for restart periods: T = the current period T_i of the learning-rate schedule. */
    public static NormalizedWeightDecay perRestartPeriod(double lambdaNorm, long batchSize, long trainingSetSize) {
        return new NormalizedWeightDecay(lambdaNorm, batchSize, trainingSetSize, 0);
    }

    /** λ for a run of {@code totalEpochs} epochs without restarts. */
    public static NormalizedWeightDecay forRun(double lambdaNorm, long batchSize, long trainingSetSize, double totalEpochs) {
        Check.positive("normalizedWeightDecay.totalEpochs (T)", totalEpochs);
        return new NormalizedWeightDecay(lambdaNorm, batchSize, trainingSetSize, totalEpochs);
    }

    /** Checks, at configuration time, that T is known for the given schedule. */
    void validateWith(ISchedule schedule) {
        if (totalEpochs == 0 && !(schedule instanceof CosineWarmRestarts))
            throw new IllegalArgumentException("normalizedWeightDecay.totalEpochs (T) = 0 is invalid without a "
                    + "CosineWarmRestarts schedule (schedule = " + schedule + "): T = 0 takes each restart period T_i "
                    + "from that schedule. Give T > 0 epochs (NormalizedWeightDecay.forRun), or keep a "
                    + "CosineWarmRestarts schedule (AdamWR); a network's setLearningRate(...) replaces the schedule");
    }

    /** λ in force at DL4J iteration {@code iteration} (0-based). */
    public double lambdaAt(int iteration, ISchedule schedule) {
        double epochs;
        if (totalEpochs > 0) {
            epochs = totalEpochs;
        } else {
            CosineWarmRestarts r = (CosineWarmRestarts) schedule;
            double ti = r.periodAt(r.unitsAt(iteration)).length;
            epochs = r.getUnit() == ScheduleType.EPOCH ? ti : ti * batchSize / (double) trainingSetSize;
        }
        return lambdaNorm * Math.sqrt(batchSize / (trainingSetSize * epochs));
    }

    public double getLambdaNorm() { return lambdaNorm; }
    public long getBatchSize() { return batchSize; }
    public long getTrainingSetSize() { return trainingSetSize; }
    public double getTotalEpochs() { return totalEpochs; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof NormalizedWeightDecay)) return false;
        NormalizedWeightDecay n = (NormalizedWeightDecay) o;
        return lambdaNorm == n.lambdaNorm && batchSize == n.batchSize && trainingSetSize == n.trainingSetSize
                && totalEpochs == n.totalEpochs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(lambdaNorm, batchSize, trainingSetSize, totalEpochs);
    }

    @Override
    public String toString() {
        return "NormalizedWeightDecay{lambdaNorm=" + lambdaNorm + ", b=" + batchSize + ", B=" + trainingSetSize
                + (totalEpochs > 0 ? ", T=" + totalEpochs : ", T=restart period") + "}";
    }
}
