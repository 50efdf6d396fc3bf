package io.github.dl4jadamw.examples.train;

import io.github.dl4jadamw.AdamWListener;
import io.github.dl4jadamw.DecayTable;
import io.github.dl4jadamw.EmaWeights;
import io.github.dl4jadamw.NonFiniteGradientException;
import io.github.dl4jadamw.examples.data.Batches;
import io.github.dl4jadamw.examples.data.ImageData;
import io.github.dl4jadamw.examples.model.Architecture;
import io.github.dl4jadamw.examples.model.Net;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.IUpdater;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.Random;
import java.util.function.Consumer;

/** Trains one network with one optimizer setting and seed, recording every epoch. */
public final class Trainer {
    /** DL4J's softmax/MCXENT clipping. */
    private static final double CLIP = 1e-10;

    private final Architecture model;
    private final ImageData train, test;
    private final String dataset, dataSource;
    private final int batchSize, epochs;
    private final Progress progress;
    /** The optimizers whose decay table was shown (once per optimizer, at its first run, not for every seed). */
    private final Set<OptimizerKind> decayTablesShown = EnumSet.noneOf(OptimizerKind.class);

    public Trainer(Architecture model, ImageData train, ImageData test, String dataset, String dataSource, int batchSize,
                   int epochs, Progress progress) {
        model.checkInput(train);
        model.checkInput(test);
        this.model = model;
        this.train = train;
        this.test = test;
        this.dataset = dataset;
        this.dataSource = dataSource;
        this.batchSize = batchSize;
        this.epochs = epochs;
        this.progress = progress;
    }

    public String modelId() { return model.id(); }
    public String datasetId() { return dataset; }
    public int trainSize() { return train.size(); }
    public int testSize() { return test.size(); }
    public int batchSize() { return batchSize; }
    public int epochs() { return epochs; }

    public int iterationsPerEpoch() {
        return Batches.perEpoch(train.size(), batchSize);
    }

    /**
     * Runs {@code opt} with {@code seed}; {@code afterEpoch} sees the result after each epoch (for incremental
     * saving). With {@code saveModel} non-null the trained network (with updater state) is written there.
     */
    public RunResult run(OptimizerSpec opt, long seed, String runLabel, Consumer<RunResult> afterEpoch,
                         Path saveModel) {
        Batches trainBatches = new Batches(train, batchSize, model.flatInput(), model.cropPadding(), model.flip());
        Batches testBatches = new Batches(test, model.evalBatch(), model.flatInput(), 0, false);
        RunShape shape = new RunShape(train.size(), batchSize, epochs, opt.recipe.accumulationSteps());
        Net net = model.network(opt, seed, shape, train);
        // clipping and the EMA need the listener (it hands the updaters the network's layout); it reports nothing
        if (opt.recipe.needsListener()) net.model().addListeners(AdamWListener.builder().reportEvery(0).build());
        IUpdater updater = opt.updater(shape);
        RunResult r = newResult(opt, seed, trainBatches.batchesPerEpoch(), net, updater);
        progress.line(runLabel + "  " + opt.label() + "  seed " + seed + "  (" + model.id() + ", "
                + Fmt.f("%,d", r.numParams) + " parameters, " + r.iterationsPerEpoch + " iterations/epoch"
                + (opt.recipe.accumulates() ? Fmt.f(", %d micro-batches per optimizer step: %s optimizer steps/epoch,"
                        + " %d in all", shape.accumulationSteps(), Fmt.num(shape.stepsPerEpoch()), shape.steps()) : "")
                + ")" + (opt.recipe.any() ? "  recipe: " + String.join(" ", opt.recipe.options()) : ""));
        if (shape.unstepped() > 0)
            progress.line("  note: the run's last " + shape.unstepped() + " minibatch(es) form an incomplete"
                    + " accumulation group: they accumulate and reach no optimizer step");
        if (decayTablesShown.add(opt.kind)) showDecayTable(net.model());
        // Set when the updater refused a step (NonFiniteGradientException, see Pass.fit): the run has diverged and
        // trains no further; its epochs are still recorded and evaluated, as a diverged Adam+L2 run's are.
        boolean refused = false;
        for (int epoch = 0; epoch < epochs; epoch++) {
            progress.startEpoch(Fmt.f("  epoch %2d/%d", epoch + 1, epochs));
            Pass pass = new Pass(net, opt, updater, epoch);
            if (!refused) refused = !pass.fit(trainBatches, trainBatches.order(seed, epoch, true),
                    trainBatches.augmentation(seed, epoch));
            net.incrementEpochCount();
            EpochRecord e = record(pass, refused, testBatches);
            r.records.add(e);
            progress.endEpoch(Fmt.f("train loss %.4f | test acc %s%% loss %.4f", e.trainLoss, Fmt.pct(e.testAccuracy),
                    e.testLoss) + (e.emaTestAccuracy != null ? Fmt.f(" | EMA acc %s%% loss %.4f",
                    Fmt.pct(e.emaTestAccuracy), e.emaTestLoss) : "") + Fmt.f(" | |W| %.2f | lr %s η %.3f | %.1f s"
                            + " (+%.1f s eval)", e.weightNorm, Fmt.num(e.lr), e.eta, e.trainSeconds, e.evalSeconds));
            if (!Double.isFinite(e.trainLoss))
                progress.line("  warning: training loss is " + e.trainLoss + " (diverged)");
            if (afterEpoch != null) afterEpoch.accept(r);
        }
        if (saveModel != null) save(net, saveModel);
        return r;
    }

    /**
     * What decays, parameter by parameter, as the library will train it ({@link DecayTable}); it also fails here,
     * before the first step, on a parameter decayed twice. On stderr with the progress, not in the report.
     */
    private void showDecayTable(Model m) {
        DecayTable t = m instanceof MultiLayerNetwork ? DecayTable.of((MultiLayerNetwork) m)
                : m instanceof ComputationGraph ? DecayTable.of((ComputationGraph) m) : null;
        if (t == null) return;
        progress.line("  what decays (DecayTable.of(net), shown at each optimizer's first run):");
        for (String l : t.toString().split("\\R")) progress.line("    " + l);
    }

    /** A run's record before its first epoch. */
    private RunResult newResult(OptimizerSpec opt, long seed, int ipe, Net net, IUpdater updater) {
        RunResult r = new RunResult();
        r.runId = opt.key() + "_s" + seed;
        r.optimizer = opt;
        r.seed = seed;
        r.model = model.id();
        r.dataset = dataset;
        r.dataSource = dataSource;
        r.trainSize = train.size();
        r.testSize = test.size();
        r.batchSize = batchSize;
        r.epochs = epochs;
        r.iterationsPerEpoch = ipe;
        r.numParams = net.numParams();
        r.initialWeightNorm = weightNorm(net);
        r.updater = String.valueOf(updater);
        return r;
    }

    /** One epoch's training steps and what they measured. */
    private final class Pass {
        final Net net;
        final OptimizerSpec opt;
        final IUpdater updater;
        final int epoch;
        final boolean l2;
        long trainNanos, seen;
        double lossSum, etaSum;
        int lastIter, steps;

        Pass(Net net, OptimizerSpec opt, IUpdater updater, int epoch) {
            this.net = net;
            this.opt = opt;
            this.updater = updater;
            this.epoch = epoch;
            this.l2 = opt.kind == OptimizerKind.ADAM_L2 && opt.lambda > 0;
            this.lastIter = net.iterationCount();
        }

        /** Trains every batch of the epoch; false if the updater refused a step (the run has diverged). */
        boolean fit(Batches batches, int[] order, Random aug) {
            int ipe = batches.batchesPerEpoch();
            for (int b = 0; b < ipe; b++) {
                int it = net.iterationCount();
                lastIter = it;
                etaSum += opt.etaOf(updater, it, epoch);
                steps++;
                // fit's score includes the L2 term at the parameters before the step; the train loss is the data
                // term only. Computed outside the timed region: the other optimizers do not pay for it, and the
                // report's timing is batch assembly + fit.
                double reg = l2 ? net.regularizationScore() : 0;
                long tb = System.nanoTime();
                DataSet ds = batches.batch(order, b, aug);
                try {
                    net.fit(ds);
                } catch (NonFiniteGradientException ex) {
                    // AdamW/AdamWR/SGDW/SGDWR (the library's default policy FAIL) refuse a step whose gradient
                    // holds NaN/Inf and change nothing: the run has diverged. Recorded as such (train loss NaN) so
                    // that a sweep goes on, as it does after a diverged Adam+L2 run (whose weights turn NaN).
                    progress.line("  warning: " + opt.kind.label + " refused the step at iteration "
                            + ex.getIteration() + ": the gradient holds NaN/Inf (diverged); no further training");
                    return false;
                }
                trainNanos += System.nanoTime() - tb;
                long m = ds.numExamples();
                lossSum += (net.score() - reg) * m;
                seen += m;
                progress.step(b + 1, ipe, seen, lossSum / seen);
            }
            return true;
        }
    }

    /** The epoch's record: its training pass, then the test set evaluated. */
    private EpochRecord record(Pass p, boolean refused, Batches testBatches) {
        long t1 = System.nanoTime();
        double[] eval = evaluate(p.net, testBatches);
        // the EMA of the weights, evaluated in their place and swapped back (the library's EmaWeights)
        double[] ema = p.opt.recipe.averages()
                ? EmaWeights.with(p.net.model(), () -> evaluate(p.net, testBatches)) : null;
        long t2 = System.nanoTime();
        EpochRecord e = new EpochRecord();
        e.epoch = p.epoch + 1;
        e.iterations = p.net.iterationCount();
        e.trainLoss = refused ? Double.NaN : p.lossSum / p.seen;
        e.testAccuracy = eval[0];
        e.testLoss = eval[1];
        if (ema != null) {
            e.emaTestAccuracy = ema[0];
            e.emaTestLoss = ema[1];
        }
        e.weightNorm = weightNorm(p.net);
        e.lr = OptimizerSpec.learningRate(p.updater, p.lastIter, p.epoch);
        e.eta = p.opt.etaOf(p.updater, p.lastIter, p.epoch);
        e.lambda = p.opt.lambdaAt(p.updater, p.lastIter);
        e.etaMean = p.steps == 0 ? Double.NaN : p.etaSum / p.steps;
        // an epoch cut short (or not trained) is no measure of an epoch's cost: NaN, skipped by the report
        e.trainSeconds = refused ? Double.NaN : p.trainNanos / 1e9;
        e.evalSeconds = (t2 - t1) / 1e9;
        return e;
    }

    private static void save(Net net, Path file) {
        try {
            Files.createDirectories(file.getParent());
            net.save(file.toFile());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot save the model to " + file, ex);
        }
    }

    /**
     * {accuracy, mean cross-entropy} on the set, in inference mode. An output row holding NaN (a diverged network) is
     * no prediction and counts as wrong: taken as an argmax it would pick class 0, and a NaN network would score the
     * share of class 0 in the test set.
     */
    public static double[] evaluate(Net net, Batches batches) {
        int[] order = batches.order(0, 0, false);
        int n = order.length, k = batches.data().numClasses, correct = 0;
        double loss = 0;
        int nb = batches.batchesPerEpoch();
        for (int b = 0; b < nb; b++) {
            DataSet ds = batches.batch(order, b, null);
            INDArray out = net.output(ds.getFeatures());
            float[] p = out.dup('c').data().asFloat();
            int m = (int) ds.numExamples();
            for (int i = 0; i < m; i++) {
                int label = batches.data().label(order[b * batches.batchSizeValue() + i]);
                int arg = 0;
                boolean nan = Float.isNaN(p[i * k]);
                for (int c = 1; c < k; c++) {
                    if (p[i * k + c] > p[i * k + arg]) arg = c;
                    nan |= Float.isNaN(p[i * k + c]);
                }
                if (arg == label && !nan) correct++;
                loss -= Math.log(Math.max(p[i * k + label], CLIP));
            }
        }
        return new double[]{(double) correct / n, loss / n};
    }

    /** √(Σ‖W‖²) over every layer's weight parameter "W" (biases, BatchNorm parameters excluded). */
    public static double weightNorm(Net net) {
        double s = 0;
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            if (e.getKey().endsWith("_W")) {
                double n = e.getValue().norm2Number().doubleValue();
                s += n * n;
            }
        }
        return Math.sqrt(s);
    }
}
