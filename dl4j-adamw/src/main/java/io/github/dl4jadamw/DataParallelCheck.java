package io.github.dl4jadamw;

import java.util.Optional;

/**
 * Refuses the network-wide step options (accumulation, global-norm clipping, EMA) under DL4J's data-parallel trainers:
 * ParallelWrapper (and what builds on it: EarlyStoppingParallelTrainer, Spark's SharedTrainingMaster) and Spark's
 * parameter averaging. Each worker steps its own copy of the network on its own minibatches, so each would accumulate
 * and clip its own gradients (not those of the global batch, as PyTorch's DistributedDataParallel does), and averaging
 * the updater state would average the accumulated gradient and the EMA with M and V. Data-parallel training already
 * steps on the workers' combined batch: a larger global batch replaces accumulation. Refused at the first step of
 * each updater, before anything changes; found by the trainer's classes on the calling thread's stack, once.
 */
final class DataParallelCheck {
    private static final StackWalker WALKER = StackWalker.getInstance();
    private static final String[] TRAINERS = {"org.deeplearning4j.parallelism.", "org.deeplearning4j.spark."};

    private DataParallelCheck() {}

    static void refuseUnderDataParallelTraining(StepOptions o, String updater) {
        if (!o.accumulates() && !o.clips() && !o.ema()) return;
        Optional<String> trainer = WALKER.walk(frames -> frames.map(StackWalker.StackFrame::getClassName)
                .filter(DataParallelCheck::isTrainer).findFirst());
        if (trainer.isEmpty()) return;
        throw new IllegalStateException(updater + ": " + options(o) + " cannot run under DL4J's data-parallel training ("
                + trainer.get() + " is on this thread's stack): each worker would accumulate and clip only its own "
                + "minibatches' gradients, and averaging the updater state would mix the accumulated gradient and the "
                + "EMA with M and V. Train with a larger global batch instead of accumulationSteps, and without "
                + "clipGlobalNorm/ema here; nothing was changed by this step.");
    }

    private static boolean isTrainer(String className) {
        for (String t : TRAINERS) if (className.startsWith(t)) return true;
        return false;
    }

    private static String options(StepOptions o) {
        StringBuilder s = new StringBuilder();
        if (o.accumulates()) s.append("accumulationSteps = ").append(o.accumulationSteps);
        if (o.clips()) s.append(s.length() > 0 ? ", " : "").append("clipGlobalNorm = ").append(o.clipGlobalNorm);
        if (o.ema()) s.append(s.length() > 0 ? ", " : "").append("ema = ").append(o.emaDecay);
        return s.toString();
    }
}
