package io.github.dl4jadamw;

import org.nd4j.linalg.schedule.ScheduleType;
import io.github.dl4jadamw.schedule.CosineWarmRestarts;

/**
 * The restart settings {@link AdamWR} and {@link SGDWR} share: a {@link CosineWarmRestarts} schedule multiplier for
 * the wrapped updater's builder and, optionally, {@link NormalizedWeightDecay} per restart period.
 *
 * @param <S> the concrete builder
 * @param <U> the updater it builds
 */
@SuppressWarnings("unchecked")
public abstract class WarmRestartsBuilder<S extends WarmRestartsBuilder<S, U>, U extends DecoupledDecayUpdater> {
    private CosineWarmRestarts restarts;
    private double etaMin = 0, etaMax = 1, warmup = 0, peakDecay = 1;
    private boolean warmupEveryPeriod;
    private boolean normalized;
    private double lambdaNorm;
    private long batchSize, trainingSetSize;

    /** The wrapped updater's builder, which receives the schedule and decay. */
    WarmRestartsBuilder() {} // only AdamWR.Builder and SGDWR.Builder extend it

    abstract DecoupledDecayUpdater.Builder<?> updater();

    /** Builds the wrapped updater once {@link #configure()} has set its schedule. */
    abstract U buildUpdater();

    public S learningRate(double alpha) { updater().learningRate(alpha); return (S) this; }
    public S weightDecay(double lambda) { updater().weightDecay(lambda); return (S) this; }
    public S decayConvention(DecayConvention c) { updater().decayConvention(c); return (S) this; }
    public S nonFiniteGradients(NonFiniteGradients p) { updater().nonFiniteGradients(p); return (S) this; }
    /** See {@link DecoupledDecayUpdater.Builder#clipGlobalNorm}. */
    public S clipGlobalNorm(double maxNorm) { updater().clipGlobalNorm(maxNorm); return (S) this; }
    /** See {@link DecoupledDecayUpdater.Builder#accumulationSteps}: T_0 and iterations per epoch count optimizer steps. */
    public S accumulationSteps(int k) { updater().accumulationSteps(k); return (S) this; }
    /** See {@link DecoupledDecayUpdater.Builder#ema}. */
    public S ema(double decay) { updater().ema(decay); return (S) this; }

    /** Restart periods T_0, T_0·T_mult, … counted in iterations. */
    public S restartsInIterations(double t0, double tMult) {
        restarts = CosineWarmRestarts.iterations(t0, tMult, 0, 1);
        return (S) this;
    }

    /** Restart periods counted in epochs; T_cur advances every iteration (the paper's fractional epochs). */
    public S restartsInEpochs(double t0, double tMult, double iterationsPerEpoch) {
        restarts = CosineWarmRestarts.epochs(t0, tMult, 0, 1, iterationsPerEpoch);
        return (S) this;
    }

    /** Multiplier range: η anneals from etaMax to etaMin (defaults 1 and 0). */
    public S eta(double etaMin, double etaMax) { this.etaMin = etaMin; this.etaMax = etaMax; return (S) this; }

    /** Linear warm-up over the first {@code warmup} schedule units. */
    public S warmup(double warmup) { this.warmup = warmup; this.warmupEveryPeriod = false; return (S) this; }

    /** Linear warm-up over the first {@code warmup} schedule units of every restart period (warmup &lt; T_0). */
    public S warmupEveryPeriod(double warmup) { this.warmup = warmup; this.warmupEveryPeriod = true; return (S) this; }

    /** Each restart's peak is γ times the previous one's (above etaMin). */
    public S peakDecay(double gamma) { this.peakDecay = gamma; return (S) this; }

    /** λ = λ_norm·√(b/(B·T_i)) for each restart period T_i. */
    public S normalizedWeightDecay(double lambdaNorm, long batchSize, long trainingSetSize) {
        this.normalized = true;
        this.lambdaNorm = lambdaNorm;
        this.batchSize = batchSize;
        this.trainingSetSize = trainingSetSize;
        return (S) this;
    }

    public final U build() {
        if (restarts == null)
            throw new IllegalArgumentException("restart schedule is not set: call restartsInIterations(T_0, T_mult) "
                    + "or restartsInEpochs(T_0, T_mult, iterationsPerEpoch)");
        CosineWarmRestarts periods = restarts.getUnit() == ScheduleType.ITERATION
                ? CosineWarmRestarts.iterations(restarts.getT0(), restarts.getTMult(), etaMin, etaMax)
                : CosineWarmRestarts.epochs(restarts.getT0(), restarts.getTMult(), etaMin, etaMax,
                        restarts.getIterationsPerEpoch());
        updater().schedule((warmupEveryPeriod ? periods.withWarmupEveryPeriod(warmup) : periods.withWarmup(warmup))
                .withPeakDecay(peakDecay));
        if (normalized)
            updater().normalizedWeightDecay(NormalizedWeightDecay.perRestartPeriod(lambdaNorm, batchSize, trainingSetSize));
        return buildUpdater();
    }
}
