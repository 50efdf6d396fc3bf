package io.github.dl4jadamw.examples.train;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.AdamWR;
import io.github.dl4jadamw.DecayConvention;
import io.github.dl4jadamw.DecoupledDecayUpdater;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.NormalizedWeightDecay;
import io.github.dl4jadamw.SGDW;
import io.github.dl4jadamw.SGDWR;
import io.github.dl4jadamw.WarmRestartsBuilder;
import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Objects;

/**
 * One optimizer setting: kind, base learning rate α, λ, the learning-rate schedule, for the decoupled kinds the
 * decay convention and whether λ is the paper's normalized λ_norm, and the recipe options around the step
 * ({@link Recipe}: clipping, accumulation, warm-up, EMA).
 * <ul>
 *   <li>Adam+L2: λ is the L2 coefficient (gradient += λ·W, weights only).</li>
 *   <li>AdamW/AdamWR/SGDW/SGDWR: λ is the decoupled decay, per step lr_t·λ ({@link DecayConvention#LR_COUPLED},
 *       PyTorch's convention, the default) or η_t·λ ({@link DecayConvention#SCHEDULE_MULTIPLIER}, the paper's);
 *       with {@link #normalized} λ is λ_norm and the decay λ_norm·√(b/(B·T)) ({@link NormalizedWeightDecay}).</li>
 * </ul>
 * Builds the DL4J updater and the regularization statement.
 */
public final class OptimizerSpec {
    public final OptimizerKind kind;
    public final double lr;
    /** The L2 coefficient, the decoupled λ, or λ_norm when {@link #normalized}. */
    public final double lambda;
    /** The restart schedule of AdamWR/SGDWR unless told otherwise: T_0 = 1 epoch, T_mult = 2. */
    public static final double DEFAULT_RESTART_T0 = 1, DEFAULT_RESTART_TMULT = 2;
    /**
     * Restart schedule: T_0 in epochs and T_mult. Settings without restarts always carry the defaults: the values do
     * not change their training, and a setting's identity (equals, {@link RunResult#key}, the results.json that
     * stores them only for restart runs) must not depend on --restart-t0/--restart-tmult, or a resumed AdamW run
     * would never match its saved self.
     */
    public final double restartT0, restartTMult;
    /** The learning-rate schedule; AdamWR and SGDWR always {@link LrSchedule#RESTARTS}. */
    public final LrSchedule schedule;
    /** How λ scales each step (decoupled kinds; Adam+L2 always carries the default, LR_COUPLED). */
    public final DecayConvention convention;
    /** λ is the paper's normalized λ_norm (decoupled kinds only). */
    public final boolean normalized;
    /**
     * Clipping, accumulation, warm-up and EMA. Adam+L2 (DL4J's own Adam) takes the warm-up only: DL4J's Adam has no
     * global-norm clipping, accumulation or EMA. Warm restarts take no warm-up (see {@link LrSchedule}).
     */
    public final Recipe recipe;

    public OptimizerSpec(OptimizerKind kind, double lr, double lambda, double restartT0, double restartTMult,
                         LrSchedule schedule, DecayConvention convention, boolean normalized) {
        this(kind, lr, lambda, restartT0, restartTMult, schedule, convention, normalized, Recipe.NONE);
    }

    public OptimizerSpec(OptimizerKind kind, double lr, double lambda, double restartT0, double restartTMult,
                         LrSchedule schedule, DecayConvention convention, boolean normalized, Recipe recipe) {
        this.kind = Objects.requireNonNull(kind);
        if (!(lr > 0) || !Double.isFinite(lr))
            throw new IllegalArgumentException("learning rate must be a finite number > 0, got " + lr);
        if (!(lambda >= 0) || !Double.isFinite(lambda))
            throw new IllegalArgumentException(kind.id + ": λ must be a finite number >= 0, got " + lambda);
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(convention, "convention");
        Objects.requireNonNull(recipe, "recipe");
        if (kind.restarts() && schedule != LrSchedule.RESTARTS)
            throw new IllegalArgumentException(kind.id + " has warm restarts: schedule " + schedule.id
                    + " is invalid (give adamw or sgdw another schedule instead)");
        boolean decoupled = kind != OptimizerKind.ADAM_L2;
        if (!decoupled && convention != DecayConvention.LR_COUPLED)
            throw new IllegalArgumentException("adam-l2: decay convention " + convention + " is invalid: its λ is an"
                    + " L2 coefficient");
        if (!decoupled && normalized)
            throw new IllegalArgumentException("adam-l2: normalized weight decay is invalid: its λ is an L2 coefficient");
        if (!decoupled && !recipe.beyondDl4jAdam().isEmpty())
            throw new IllegalArgumentException("adam-l2: " + String.join(", ", recipe.beyondDl4jAdam()) + " is invalid:"
                    + " DL4J's own Adam has no global-norm clipping, gradient accumulation or EMA of the weights");
        if (recipe.warmsUp() && !schedule.takesWarmup())
            throw new IllegalArgumentException(kind.id + ": --warmup " + recipe.warmupSteps() + " is invalid with the "
                    + schedule.id + " schedule: a warm-up precedes fixed, cosine or linear only");
        boolean restarts = schedule == LrSchedule.RESTARTS;
        // the restart schedule's ranges are the library's: check them with it, now rather than when the run starts.
        // Iterations per epoch are not known here: the largest stands in, so that "a period holds at least one step"
        // is left to the run (and to the CLI's OptionChecks, which knows them).
        if (restarts) CosineWarmRestarts.epochs(restartT0, restartTMult, 0, 1, Double.MAX_VALUE);
        this.lr = lr;
        this.lambda = lambda + 0.0;   // −0.0 as 0.0: equals compares with ==, hashCode hashes the bits
        this.restartT0 = restarts ? restartT0 : DEFAULT_RESTART_T0;
        this.restartTMult = restarts ? restartTMult : DEFAULT_RESTART_TMULT;
        this.schedule = schedule;
        this.convention = convention;
        this.normalized = normalized;
        this.recipe = recipe;
    }

    /** The kind's own schedule (fixed, or warm restarts for AdamWR/SGDWR), PyTorch's decay convention. */
    public OptimizerSpec(OptimizerKind kind, double lr, double lambda, double restartT0, double restartTMult) {
        this(kind, lr, lambda, restartT0, restartTMult, defaultSchedule(kind), DecayConvention.LR_COUPLED, false);
    }

    public OptimizerSpec(OptimizerKind kind, double lr, double lambda) {
        this(kind, lr, lambda, DEFAULT_RESTART_T0, DEFAULT_RESTART_TMULT);
    }

    /**
     * A setting of the paper's experiments: Adam+L2 (λ the L2 coefficient), or a decoupled kind in the paper's
     * convention (decay per step η_t·λ); restarts, where the schedule has them, with T_0 = 1 epoch, T_mult = 2.
     */
    public static OptimizerSpec paper(OptimizerKind kind, double lr, double lambda, LrSchedule schedule,
                                      boolean normalized) {
        return new OptimizerSpec(kind, lr, lambda, DEFAULT_RESTART_T0, DEFAULT_RESTART_TMULT, schedule,
                kind == OptimizerKind.ADAM_L2 ? DecayConvention.LR_COUPLED : DecayConvention.SCHEDULE_MULTIPLIER,
                normalized);
    }

    /** Fixed for Adam+L2, AdamW, SGDW; warm restarts for AdamWR, SGDWR. */
    public static LrSchedule defaultSchedule(OptimizerKind kind) {
        return kind.restarts() ? LrSchedule.RESTARTS : LrSchedule.FIXED;
    }

    /** Whether the learning rate restarts (AdamWR, SGDWR, or a kind given the restart schedule). */
    public boolean restarts() {
        return schedule == LrSchedule.RESTARTS;
    }

    /** The updater configuration for a run with {@code iterationsPerEpoch} minibatches per epoch (length unknown). */
    public IUpdater updater(int iterationsPerEpoch) {
        return updater(RunShape.ofIterationsPerEpoch(iterationsPerEpoch));
    }

    /**
     * The updater configuration for a run of {@code shape}. Schedules count optimizer steps: under this setting's
     * accumulation over k minibatches, 1/k of the shape's iterations (the library indexes them so).
     */
    public IUpdater updater(RunShape shape) {
        shape = shape.withAccumulationSteps(recipe.accumulationSteps());
        long warmup = recipe.warmupSteps();
        if (kind == OptimizerKind.ADAM_L2)   // DL4J's Adam takes the absolute learning rate α·η_t as its schedule
            return schedule == LrSchedule.FIXED && warmup == 0 ? new Adam(lr)
                    : new Adam(schedule.values(lr, shape, restartT0, restartTMult, warmup));
        if (kind.restarts()) {
            WarmRestartsBuilder<?, ? extends DecoupledDecayUpdater> b = kind == OptimizerKind.ADAMWR
                    ? AdamWR.builder() : SGDWR.builder();   // SGDW: momentum 0.9, the library's default
            b.learningRate(lr).decayConvention(convention)
                    .restartsInEpochs(restartT0, restartTMult, shape.stepsPerEpoch());   // optimizer steps per epoch
            if (recipe.clips()) b.clipGlobalNorm(recipe.clipGlobalNorm());
            if (recipe.accumulates()) b.accumulationSteps(recipe.accumulationSteps());
            if (recipe.averages()) b.ema(recipe.emaDecay());
            if (normalized) b.normalizedWeightDecay(lambda, shape.batchSize(), shape.trainSize());  // T = T_i
            else b.weightDecay(lambda);
            return b.build();
        }
        DecoupledDecayUpdater.Builder<?> b = kind == OptimizerKind.ADAMW ? AdamW.builder() : SGDW.builder();
        b.learningRate(lr).decayConvention(convention)
                .schedule(schedule.values(1, shape, restartT0, restartTMult, warmup));
        // only what is on: the library refuses a max norm of 0, and its defaults are "off"
        if (recipe.clips()) b.clipGlobalNorm(recipe.clipGlobalNorm());
        if (recipe.accumulates()) b.accumulationSteps(recipe.accumulationSteps());
        if (recipe.averages()) b.ema(recipe.emaDecay());
        if (normalized) {
            if (shape.epochs() <= 0)
                throw new IllegalArgumentException(kind.id + ": normalized weight decay needs the run's epochs");
            b.normalizedWeightDecay(NormalizedWeightDecay.forRun(lambda, shape.batchSize(), shape.trainSize(),
                    shape.epochs()));
        } else {
            b.weightDecay(lambda);
        }
        return kind == OptimizerKind.ADAMW ? ((AdamW.Builder) b).build() : ((SGDW.Builder) b).build();
    }

    /** Sets the updater and the weights-only regularization on a configuration builder. */
    public NeuralNetConfiguration.Builder configure(NeuralNetConfiguration.Builder b, int iterationsPerEpoch) {
        return configure(b, RunShape.ofIterationsPerEpoch(iterationsPerEpoch));
    }

    /** Sets the updater and the weights-only regularization on a configuration builder. */
    public NeuralNetConfiguration.Builder configure(NeuralNetConfiguration.Builder b, RunShape shape) {
        b.updater(updater(shape));
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

    /** Schedule multiplier η_t of this setting's updater {@code u}: the library's η_t, or DL4J Adam's lr_t/α. */
    public double etaOf(IUpdater u, int iteration, int epoch) {
        if (u instanceof DecoupledDecayUpdater || (schedule == LrSchedule.FIXED && !recipe.warmsUp()))
            return eta(u, iteration, epoch);
        return u.getLearningRate(iteration, epoch) / lr;
    }

    /**
     * Schedule multiplier η_t of a library updater at DL4J iteration {@code iteration} (1 without a schedule, and for
     * DL4J's own updaters). The schedule is indexed by the optimizer step the iteration belongs to (iteration / k
     * under accumulation over k minibatches), as the library indexes it.
     */
    public static double eta(IUpdater u, int iteration, int epoch) {
        if (u instanceof DecoupledDecayUpdater) {
            DecoupledDecayUpdater d = (DecoupledDecayUpdater) u;
            ISchedule s = d.getSchedule();
            return s == null ? 1.0 : s.valueAt(d.optimizerStep(iteration), epoch);
        }
        return 1.0;
    }

    /**
     * The decoupled λ in force at a DL4J iteration (the library's, from λ_norm when normalized); the L2 coefficient
     * for Adam+L2.
     */
    public double lambdaAt(IUpdater u, int iteration) {
        if (u instanceof DecoupledDecayUpdater) {
            DecoupledDecayUpdater d = (DecoupledDecayUpdater) u;
            return d.getNormalizedWeightDecay() == null ? d.getWeightDecay()
                    : d.getNormalizedWeightDecay().lambdaAt(d.optimizerStep(iteration), d.getSchedule());
        }
        return lambda;
    }

    /** Short label, e.g. "AdamW lr=1e-3 λ=0.05", "AdamW lr=1e-3 λ_norm=0.02 (paper convention, cosine annealing)". */
    public String label() {
        String s = kind.label + " lr=" + Fmt.num(lr) + (normalized ? " λ_norm=" : " λ=") + Fmt.num(lambda);
        String conv = convention == DecayConvention.SCHEDULE_MULTIPLIER ? "paper convention" : null;
        String sch = schedule != defaultSchedule(kind) ? schedule.label : null;
        if (recipe.warmsUp()) sch = (sch != null ? sch + " after " : "") + recipe.warmupSteps() + " warm-up steps";
        if (conv != null && sch != null) return s + " (" + conv + ", " + sch + ")";
        if (conv != null || sch != null) return s + " (" + (conv != null ? conv : sch) + ")";
        return s;
    }

    /**
     * Setting key without seed, e.g. "adamw_lr1e-3_wd0.05"; the paper's settings add the convention and the
     * schedule, e.g. "adamw_lr1e-3_wdn0.02_paper_cosine" (normalized λ_norm = 0.02), the recipe options theirs
     * ({@link Recipe#keySuffix}, e.g. "adamw_lr1e-3_wd0.05_cosine_clip1_acc4_wu50_ema0.999"). Keys of the kind's default
     * schedule and PyTorch's convention are as they always were, so older results.json files still match.
     */
    public String key() {
        return kind.id + "_lr" + Fmt.num(lr) + (normalized ? "_wdn" : "_wd") + Fmt.num(lambda)
                + (convention == DecayConvention.SCHEDULE_MULTIPLIER ? "_paper" : "")
                + (schedule != defaultSchedule(kind) ? "_" + schedule.id : "") + recipe.keySuffix();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OptimizerSpec)) return false;
        OptimizerSpec s = (OptimizerSpec) o;
        return kind == s.kind && lr == s.lr && lambda == s.lambda && restartT0 == s.restartT0
                && restartTMult == s.restartTMult && schedule == s.schedule && convention == s.convention
                && normalized == s.normalized && recipe.equals(s.recipe);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, lr, lambda, restartT0, restartTMult, schedule, convention, normalized, recipe);
    }

    @Override
    public String toString() { return label(); }
}
