package io.github.dl4jadamw.examples.report;

import io.github.dl4jadamw.examples.data.Cifar10Download;
import io.github.dl4jadamw.examples.model.Architecture;
import io.github.dl4jadamw.examples.train.Fmt;
import io.github.dl4jadamw.examples.train.LrSchedule;
import io.github.dl4jadamw.examples.train.OptimizerKind;
import io.github.dl4jadamw.examples.train.Recipe;
import io.github.dl4jadamw.examples.train.RunShape;

import java.util.ArrayList;
import java.util.List;

/** The protocol as a report states it: data, model, batches, optimizers, schedule, what is measured. */
public final class ProtocolText {
    private ProtocolText() {}

    /** Where the images came from, as the report says it. */
    public static String dataOrigin(String dataSource, String trainData) {
        if (dataSource == null || dataSource.startsWith("embedded")) return "the embedded Fashion-MNIST subset";
        if (dataSource.startsWith(Cifar10Download.SOURCE_PREFIX))
            return "CIFAR-10 from DL4J's download cache `" + dataSource.substring(Cifar10Download.SOURCE_PREFIX.length())
                    + "` (Cifar10Fetcher's PNG folders, " + (trainData != null && trainData.contains("pseudo-random order")
                    ? "images in a fixed pseudo-random order: their file names carry no CIFAR-10 image number)"
                    : "images ordered by the number in their file names)");
        return "`" + dataSource + "`";
    }

    /** The data line: origin, sizes, scaling, augmentation. */
    public static String data(String origin, int nTrain, int nTest, Architecture m, String extra) {
        return "- Data: " + origin + ", first " + Fmt.f("%,d", nTrain) + " training and " + Fmt.f("%,d", nTest)
                + " test images" + (extra == null ? "" : ", " + extra) + ", pixels / 255"
                + (m != null && m.augmented() ? ", random crop (" + m.cropPadding() + "-pixel zero padding)"
                + (m.flip() ? " and horizontal flip" : "") + " on training images" : ", no augmentation") + ".\n";
    }

    /** The batches line. */
    public static String batches(int batchSize, String epochs) {
        return "- Batch " + batchSize + " (last partial batch kept), " + epochs + ", training order reshuffled every"
                + " epoch from (seed, epoch): every optimizer sees the same batches in the same order and starts from"
                + " the same weights.\n";
    }

    /** What every epoch records. */
    public static final String MEASURED = "- Measured each epoch: test accuracy and loss (inference mode), train loss"
            + " (mean data loss over the epoch's minibatches, without the L2 term), global weight norm, lr_t and η_t.\n";

    /**
     * The main job's and the sweep's protocol (PyTorch's lr-coupled decay, each kind's own schedule); only the
     * optimizers in {@code kinds} are described.
     */
    public static String comparison(String origin, int nTrain, int nTest, Architecture m, int batchSize, int nEpochs,
                                    List<OptimizerKind> kinds, double restartT0, double restartTMult) {
        return comparison(origin, nTrain, nTest, m, batchSize, nEpochs, kinds, restartT0, restartTMult,
                LrSchedule.FIXED, Recipe.NONE);
    }

    /**
     * As above, with the schedule of the kinds without restarts and the recipe options every run shares (stated only
     * where they are not the defaults, so reports of runs without them read as they always did).
     */
    public static String comparison(String origin, int nTrain, int nTest, Architecture m, int batchSize, int nEpochs,
                                    List<OptimizerKind> kinds, double restartT0, double restartTMult,
                                    LrSchedule schedule, Recipe recipe) {
        StringBuilder s = new StringBuilder();
        s.append(data(origin, nTrain, nTest, m, null));
        if (m != null) s.append("- Model: ").append(m.description()).append("\n");
        s.append(batches(batchSize, nEpochs + " epochs"));
        boolean adamL2 = kinds.contains(OptimizerKind.ADAM_L2), adamR = kinds.contains(OptimizerKind.ADAMWR),
                adamW = adamR || kinds.contains(OptimizerKind.ADAMW), sgdR = kinds.contains(OptimizerKind.SGDWR),
                sgd = sgdR || kinds.contains(OptimizerKind.SGDW);
        List<String> adam = new ArrayList<>();
        if (adamL2) adam.add("Adam+L2: DL4J's `org.nd4j.linalg.learning.config.Adam` with `.l2(λ)` (gradient += λ·W, "
                + "weights only).");
        if (adamW) adam.add("AdamW: `io.github.dl4jadamw.AdamW`, decoupled decay W −= lr_t·λ·W (lr-coupled, PyTorch "
                + "convention), weights only (`DecoupledWeightDecay.onWeights()`).");
        if (adamR) adam.add("AdamWR: AdamW with the warm restarts below.");
        if (!adam.isEmpty()) s.append("- ").append(String.join(" ", adam)).append(" β = (0.9, 0.999), ε = 1e-8.\n");
        if (sgd)
            s.append("- SGDW/SGDWR: `io.github.dl4jadamw.SGDW`/`SGDWR` (the paper's Algorithm 1), momentum 0.9, "
                    + "lr-coupled decoupled decay W −= lr_t·λ·W on weights").append(sgdR ? "; SGDWR with the warm "
                    + "restarts below" : "").append(".\n");
        if (adamR || sgdR) s.append(restarts(restartT0, restartTMult));
        RunShape shape = new RunShape(nTrain, batchSize, nEpochs, recipe.accumulationSteps());
        if (schedule != LrSchedule.FIXED || recipe.warmsUp())
            s.append(schedule(schedule, recipe.warmupSteps(), shape, kinds));
        if (recipe.clips() || recipe.accumulates() || recipe.averages()) s.append(recipe(recipe, shape));
        s.append(MEASURED);
        if (recipe.averages())
            s.append("- With the EMA, the test accuracy and loss of the EMA weights are measured too (the EMA swapped"
                    + " into the network for the evaluation and back, `EmaWeights.with`); the tables and charts give"
                    + " the raw weights', the EMA's have their own table.\n");
        return s.toString();
    }

    /** The schedule line of the kinds without restarts, with the warm-up where there is one. */
    static String schedule(LrSchedule schedule, long warmup, RunShape shape, List<OptimizerKind> kinds) {
        List<String> who = new ArrayList<>();
        for (OptimizerKind k : kinds) if (!k.restarts()) who.add(k.label);
        String shapeText;
        switch (schedule) {
            case FIXED: shapeText = "fixed (η = 1)"; break;
            case COSINE: shapeText = "cosine annealing to 0 over the run"; break;
            case LINEAR: shapeText = "linear decay to 0 over the run"; break;
            case STEP_DROP: shapeText = "step-drop (×0.1 at 50% and 75% of the run)"; break;
            default: shapeText = schedule.label;
        }
        String tf = schedule == LrSchedule.FIXED ? "get_constant_schedule_with_warmup"
                : schedule == LrSchedule.COSINE ? "get_cosine_schedule_with_warmup" : "get_linear_schedule_with_warmup";
        return "- Learning-rate schedule of " + String.join(", ", who) + ": lr_t = α·η_t, " + shapeText
                + (warmup > 0 ? ", after a linear warm-up over the first " + warmup + " optimizer steps (η_t = t/"
                + warmup + ", the first step at lr 0; transformers' `" + tf + "`)" : "") + "; the run has "
                + shape.steps() + " optimizer steps.\n";
    }

    /** The line of the recipe options around the optimizer step (clipping, accumulation, EMA). */
    static String recipe(Recipe r, RunShape shape) {
        List<String> l = new ArrayList<>();
        if (r.clips())
            l.add("the whole gradient clipped to L2 norm " + Fmt.num(r.clipGlobalNorm()) + " before each optimizer"
                    + " step (`.clipGlobalNorm(" + Fmt.num(r.clipGlobalNorm()) + ")`, PyTorch's `clip_grad_norm_`)");
        if (r.accumulates())
            l.add("gradient accumulation: one optimizer step on the mean gradient of every " + r.accumulationSteps()
                    + " minibatches (`.accumulationSteps(" + r.accumulationSteps() + ")`), " + Fmt.num(shape.stepsPerEpoch())
                    + " optimizer steps per epoch, " + shape.steps() + " in all; schedules and warm restarts count"
                    + " optimizer steps, the epochs and DL4J's iterations minibatches"
                    + (shape.unstepped() > 0 ? " (the run's last " + shape.unstepped() + " minibatch(es) reach no step)"
                    : ""));
        if (r.averages())
            l.add("an EMA of the weights with decay " + Fmt.num(r.emaDecay()) + " (`.ema(" + Fmt.num(r.emaDecay())
                    + ")`, updated after each optimizer step, the first copying the weights)");
        return "- Recipe options of AdamW/AdamWR/SGDW/SGDWR (the library's; clipping and the EMA with `AdamWListener`"
                + " on the network): "
                + String.join("; ", l) + ".\n";
    }

    /** The warm-restart line. */
    public static String restarts(double restartT0, double restartTMult) {
        return "- Warm restarts: cosine annealing, T_0 = " + Fmt.num(restartT0) + " epoch, T_mult = "
                + Fmt.num(restartTMult) + ", η_min = 0, advanced every iteration (fractional epochs), lr_t = α·η_t.\n";
    }

    /** The paper modes' optimizers: Adam+L2 and the decoupled ones in the paper's convention. */
    public static String paperOptimizers(boolean normalized) {
        return "- Adam+L2: DL4J's `Adam` with `.l2(λ)` (gradient += λ·W, weights only), learning rate α·η_t. "
                + "AdamW: `io.github.dl4jadamw.AdamW` with `DecayConvention.SCHEDULE_MULTIPLIER`, the paper's "
                + "convention: each step W ← W − η_t·λ·W − α·η_t·m̂/(√v̂+ε), so λ is a per-step decay not multiplied by "
                + "α (PyTorch's λ is λ/α); weights only (`DecoupledWeightDecay.onWeights()`)"
                + (normalized ? "; λ = λ_norm·√(b/(B·T)) (`NormalizedWeightDecay`), b the batch size, B the training"
                + " images, T the epochs (AdamWR: the current restart period T_i)" : "")
                + ". β = (0.9, 0.999), ε = 1e-8.\n";
    }

    /** The schedules of the paper modes, as multipliers η_t over a run of N iterations. */
    public static final String SCHEDULES = "- Schedules (multiplier η_t of α, stepped every iteration t = 0 … N−1 of"
            + " N): fixed η = 1; step-drop η = 1, then 0.1 from t ≥ N/2, 0.01 from t ≥ 3N/4; cosine annealing"
            + " η = ½(1 + cos(πt/N)), one period, no restart; warm restarts: cosine periods T_0 = 1 epoch, T_mult = 2"
            + " (fractional epochs, η_min = 0).\n";
}
