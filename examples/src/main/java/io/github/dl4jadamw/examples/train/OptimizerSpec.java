package io.github.dl4jadamw.examples.train;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import io.github.dl4jadamw.DecoupledDecayUpdater;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.SGDW;
import io.github.dl4jadamw.SGDWR;
import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Objects;

/**
 * One optimizer setting: kind, base learning rate α and λ (Adam+L2: the L2 coefficient; AdamW/AdamWR: the
 * lr-coupled decoupled decay, d_t = lr_t·λ). Builds the DL4J updater and the regularization statement.
 */
public final class OptimizerSpec {
    public final OptimizerKind kind;
    public final double lr;
    public final double lambda;
    /** The restart schedule of AdamWR/SGDWR unless told otherwise: T_0 = 1 epoch, T_mult = 2. */
    public static final double DEFAULT_RESTART_T0 = 1, DEFAULT_RESTART_TMULT = 2;
    /**
     * AdamWR/SGDWR restart schedule: T_0 in epochs and T_mult. Kinds without restarts always carry the defaults:
     * the values do not change their training, and a setting's identity (equals, {@link RunResult#key}, the
     * results.json that stores them only for the restart kinds) must not depend on --restart-t0/--restart-tmult,
     * or a resumed AdamW run would never match its saved self.
     */
    public final double restartT0, restartTMult;

    public OptimizerSpec(OptimizerKind kind, double lr, double lambda, double restartT0, double restartTMult) {
        this.kind = Objects.requireNonNull(kind);
        if (!(lr > 0) || !Double.isFinite(lr))
            throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + lr);
        if (!(lambda >= 0) || !Double.isFinite(lambda))
            throw new IllegalArgumentException(kind.id + ": λ must be a finite number >= 0, got " + lambda);
        // the restart schedule's ranges are the library's: check them with it, now rather than when the run starts.
        // Iterations per epoch are not known here: the largest stands in, so that "a period holds at least one step"
        // is left to the run (and to the CLI's OptionChecks, which knows them).
        if (kind.restarts()) CosineWarmRestarts.epochs(restartT0, restartTMult, 0, 1, Double.MAX_VALUE);
        this.lr = lr;
        this.lambda = lambda + 0.0;   // −0.0 as 0.0: equals compares with ==, hashCode hashes the bits
        this.restartT0 = kind.restarts() ? restartT0 : DEFAULT_RESTART_T0;
        this.restartTMult = kind.restarts() ? restartTMult : DEFAULT_RESTART_TMULT;
    }

    public OptimizerSpec(OptimizerKind kind, double lr, double lambda) {
        this(kind, lr, lambda, DEFAULT_RESTART_T0, DEFAULT_RESTART_TMULT);
    }

    /** The updater configuration for a run with {@code iterationsPerEpoch} minibatches per epoch. */
    public IUpdater updater(int iterationsPerEpoch) {
        switch (kind) {
            case ADAM_L2:
                return new Adam(lr);
            case ADAMW:
                return AdamW.builder().learningRate(lr).weightDecay(lambda).build();
            case ADAMWR:
                return AdamWR.builder().learningRate(lr).weightDecay(lambda)
                        .restartsInEpochs(restartT0, restartTMult, iterationsPerEpoch).build();
            case SGDW: // momentum 0.9 (the library's default), lr-coupled decay like AdamW
                return SGDW.builder().learningRate(lr).weightDecay(lambda).build();
            case SGDWR:
                return SGDWR.builder().learningRate(lr).weightDecay(lambda)
                        .restartsInEpochs(restartT0, restartTMult, iterationsPerEpoch).build();
            default:
                throw new IllegalStateException(kind.id);
        }
    }

    /** Sets the updater and the weights-only regularization on a configuration builder. */
    public NeuralNetConfiguration.Builder configure(NeuralNetConfiguration.Builder b, int iterationsPerEpoch) {
        b.updater(updater(iterationsPerEpoch));
        if (kind == OptimizerKind.ADAM_L2) {
            if (lambda > 0) b.l2(lambda); // weights only: DL4J's l2 does not touch biases (l2Bias does)
        } else {
            b.regularization(DecoupledWeightDecay.onWeights()); // the companion: weights decay, biases do not
        }
        return b;
    }

    /** Learning rate lr_t at a DL4J iteration (0-based). */
    public static double learningRate(IUpdater u, int iteration, int epoch) {
        return u.getLearningRate(iteration, epoch);
    }

    /** Schedule multiplier η_t (1 without a schedule). */
    public static double eta(IUpdater u, int iteration, int epoch) {
        if (u instanceof DecoupledDecayUpdater) {
            ISchedule s = ((DecoupledDecayUpdater) u).getSchedule();
            return s == null ? 1.0 : s.valueAt(iteration, epoch);
        }
        return 1.0;
    }

    /** Short label, e.g. "AdamW lr=1e-3 λ=0.05". */
    public String label() {
        return kind.label + " lr=" + Fmt.num(lr) + " λ=" + Fmt.num(lambda);
    }

    /** Setting key without seed, e.g. "adamw_lr1e-3_wd0.05". */
    public String key() {
        return kind.id + "_lr" + Fmt.num(lr) + "_wd" + Fmt.num(lambda);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OptimizerSpec)) return false;
        OptimizerSpec s = (OptimizerSpec) o;
        return kind == s.kind && lr == s.lr && lambda == s.lambda && restartT0 == s.restartT0
                && restartTMult == s.restartTMult;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, lr, lambda, restartT0, restartTMult);
    }

    @Override
    public String toString() { return label(); }
}
