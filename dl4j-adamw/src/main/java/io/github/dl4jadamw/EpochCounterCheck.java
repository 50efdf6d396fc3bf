package io.github.dl4jadamw;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Warns, once per schedule, when a warm-restart schedule counted in epochs was given another number of iterations
 * per epoch than DL4J's epoch counter shows: its restart periods then drift away from the epochs they are meant to
 * span, silently. The check watches the epoch DL4J passes with each step: when it moves on by one, the optimizer steps
 * since the previous move are the epoch's real length (an epoch seen only in part, as after a resume, is not judged).
 * One instance per updater block; the warning is shared, so a network warns once.
 */
final class EpochCounterCheck {
    private static final Logger LOG = LoggerFactory.getLogger(EpochCounterCheck.class);
    private static final Set<CosineWarmRestarts> WARNED = ConcurrentHashMap.newKeySet();

    private int lastEpoch = -1;
    private int epochStart = -1;   // the iteration that began lastEpoch, −1 where it was not seen

    void observe(DecoupledDecayUpdater c, int iteration, int epoch) {
        ISchedule s = c.getSchedule();
        if (!(s instanceof CosineWarmRestarts) || ((CosineWarmRestarts) s).getUnit() != ScheduleType.EPOCH) return;
        if (epoch == lastEpoch) return;
        CosineWarmRestarts r = (CosineWarmRestarts) s;
        if (lastEpoch >= 0 && epoch == lastEpoch + 1 && epochStart >= 0) {
            double steps = (iteration - epochStart) / (double) c.getAccumulationSteps();
            if (Math.abs(steps - r.getIterationsPerEpoch()) >= 1 && WARNED.add(r))
                LOG.warn("{}: DL4J's epoch {} took {} optimizer steps ({} fits), but the warm-restart schedule counts "
                                + "iterationsPerEpoch = {}: its periods (T_0 = {} epochs, T_mult = {}) will not line up "
                                + "with DL4J's epochs. Give restartsInEpochs(T_0, T_mult, {}): optimizer steps per epoch "
                                + "(fits per epoch / accumulationSteps; one per segment under truncated BPTT).",
                        c.getClass().getSimpleName(), lastEpoch, steps, iteration - epochStart,
                        r.getIterationsPerEpoch(), r.getT0(), r.getTMult(), steps);
        }
        epochStart = lastEpoch >= 0 || iteration == 0 ? iteration : -1;
        lastEpoch = epoch;
    }

    /** Whether the warning was given for this schedule (tests). */
    static boolean warnedAbout(CosineWarmRestarts schedule) {
        return WARNED.contains(schedule);
    }
}
