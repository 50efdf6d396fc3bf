package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.Check;

import io.github.dl4jadamw.internal.StepScalars;

import io.github.dl4jadamw.schedule.CosineWarmRestarts;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Makes AdamW/AdamWR visible while training: per layer with an AdamW updater, the learning rate lr_t, the schedule
 * multiplier η_t, the decay factor applied per step d_t, its half-life t½ = −ln 2 / ln(1 − d_t) (steps for decay alone
 * to halve a weight), and the L2 norm of the layer's weights; restart events of a warm-restart schedule; and,
 * optionally, a checkpoint at the end of each restart period (SGDR snapshots, Loshchilov &amp; Hutter 2017); the global
 * gradient norm of the step and whether it was clipped.
 *
 * <p>It also gives the updaters the network's layout, which DL4J gives no updater: global-norm clipping
 * ({@code clipGlobalNorm}) and the EMA of the weights ({@code ema}) need this listener on the network (with
 * {@code reportEvery(0)} it reports nothing). Having the network before its first update, it runs
 * {@link DecayTable#of}'s check there (once per network), so a DL4J weight decay or L2 merged beside the marker fails
 * that first {@code fit} by layer and key. Add it again after restoring a network, as any listener.
 * Reports go to SLF4J (INFO) or to a consumer of your choice. A plain DL4J listener: add it next to others, e.g.
 * DL4J's UI {@code StatsListener}.
 *
 * <pre>{@code
 * net.setListeners(AdamWListener.builder().reportEvery(100).snapshotsTo(new File("snapshots")).build(),
 *                  new StatsListener(statsStorage));
 * }</pre>
 */
public final class AdamWListener extends BaseTrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(AdamWListener.class);

    /** One layer's figures after the step at {@code iteration}. */
    public static final class Record {
        public final String layer;
        /** DL4J's iteration (one per fit, so per micro-batch under accumulation) and epoch. */
        public final int iteration, epoch;
        /**
         * The optimizer step these figures belong to, from 0: equal to {@code iteration} without accumulation, the
         * iteration's group under {@code accumulationSteps(k)}; what the schedules, bias corrections and warm restarts
         * count.
         */
        public final int step;
        public final double learningRate, eta, decayPerStep, halfLifeSteps, weightNorm;
        /** Whether this iteration applied an optimizer step (under gradient accumulation, the group's last fit). */
        public final boolean stepped;
        /**
         * The L2 norm of the network's whole gradient at this step (after accumulation, before clipping), as
         * {@code clip_grad_norm_} returns it; NaN where it was not taken (no step, or a layer with another updater
         * before the first AdamW/SGDW layer).
         */
        public final double gradientNorm;
        /** Whether global-norm clipping scaled this step's gradient down (the norm was above max_norm). */
        public final boolean clipped;

        Record(String layer, int iteration, int epoch, int step, double learningRate, double eta, double decayPerStep,
               double weightNorm, boolean stepped, double gradientNorm, boolean clipped) {
            this.layer = layer;
            this.iteration = iteration;
            this.epoch = epoch;
            this.step = step;
            this.learningRate = learningRate;
            this.eta = eta;
            this.decayPerStep = decayPerStep;
            this.halfLifeSteps = decayPerStep > 0 ? -Math.log(2) / Math.log1p(-decayPerStep) : Double.POSITIVE_INFINITY;
            this.weightNorm = weightNorm;
            this.stepped = stepped;
            this.gradientNorm = gradientNorm;
            this.clipped = clipped;
        }

        @Override
        public String toString() {
            return String.format("%s: lr=%.3g eta=%.3g decay/step=%.3g t½=%.3g steps |W|=%.4g", layer, learningRate, eta,
                    decayPerStep, halfLifeSteps, weightNorm)
                    + (Double.isNaN(gradientNorm) ? "" : String.format(" grad-norm=%.4g%s", gradientNorm,
                    clipped ? " clipped" : ""));
        }
    }

    /** A warm restart: the period that just ended (its index, from 0) and the iteration that starts the next. */
    public static final class Restart {
        public final long endedPeriod;
        public final int nextIteration;
        public final File snapshot;

        Restart(long endedPeriod, int nextIteration, File snapshot) {
            this.endedPeriod = endedPeriod;
            this.nextIteration = nextIteration;
            this.snapshot = snapshot;
        }
    }

    private final int reportEvery;
    private final File snapshotDir;
    private final Consumer<List<Record>> sink;
    private final List<Restart> restarts = Collections.synchronizedList(new ArrayList<>());
    private volatile List<Record> last = List.of();
    /** The newest restart whose snapshot was written (see {@link #onEpochEnd}). */
    private volatile Restart lastSnapshot;

    private AdamWListener(int reportEvery, File snapshotDir, Consumer<List<Record>> sink) {
        this.reportEvery = reportEvery;
        this.snapshotDir = snapshotDir;
        this.sink = sink;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Before DL4J's update of each step: hands the network's layout to the updaters ({@link NetworkStep}). */
    @Override
    public void onGradientCalculation(Model model) {
        NetworkStep.register(model);
    }

    @Override
    public void iterationDone(Model model, int iteration, int epoch) {
        List<Record> records = new ArrayList<>();
        StepScalars scalars = new StepScalars();   // per call: ParallelWrapper's workers share one listener
        NetworkStep.Result step = NetworkStep.lastResult(model);
        boolean known = step != null && step.iteration == iteration && step.epoch == epoch;
        CosineWarmRestarts restartSchedule = null;
        DecoupledDecayUpdater restartOwner = null;
        Set<Object> decaying = null;   // layer configurations with a parameter that decays (read once per report)
        for (Map.Entry<String, Layer> e : layers(model)) {
            Layer l = e.getValue();
            if (!(l.conf().getLayer() instanceof BaseLayer)) continue;
            BaseLayer conf = (BaseLayer) l.conf().getLayer();
            if (!(conf.getIUpdater() instanceof DecoupledDecayUpdater)) continue;
            DecoupledDecayUpdater a = (DecoupledDecayUpdater) conf.getIUpdater();
            if (restartSchedule == null && a.getSchedule() instanceof CosineWarmRestarts) {
                restartSchedule = (CosineWarmRestarts) a.getSchedule();
                restartOwner = a;
            }
            // every n optimizer steps, at the fit that applies the step (under accumulation the others only add)
            int s = a.optimizerStep(iteration);
            if (reportEvery > 0 && a.stepsAt(iteration) && s % reportEvery == 0) {
                if (decaying == null) decaying = decayingLayers(model);
                scalars.compute(a, s, epoch);
                records.add(new Record(e.getKey(), iteration, epoch, s, scalars.lr, scalars.eta,
                        decaying.contains(conf) ? scalars.decay : 0, weightNorm(l), true,
                        known ? step.norm : Double.NaN, known && step.clipped));
            }
        }
        if (!records.isEmpty()) {
            last = List.copyOf(records);
            sink.accept(last);
        }
        // periods count optimizer steps: under accumulation a period ends only where a group's step is applied
        if (restartSchedule != null && iteration < Integer.MAX_VALUE && restartOwner.stepsAt(iteration)) {
            int s = restartOwner.optimizerStep(iteration);
            long now = restartSchedule.periodAt(restartSchedule.unitsAt(s)).index;
            long next = restartSchedule.periodAt(restartSchedule.unitsAt(s + 1)).index;
            if (next > now) restart(model, now, iteration + 1, epoch);
        }
    }

    private void restart(Model model, long endedPeriod, int nextIteration, int epoch) {
        File snap = null;
        if (snapshotDir != null) {
            snap = new File(snapshotDir, "snapshot-period-" + endedPeriod + "-iter-" + nextIteration + ".zip");
            writeSnapshot(model, nextIteration, epoch, snap, true);
        }
        Restart r = new Restart(endedPeriod, nextIteration, snap);
        restarts.add(r);
        if (snap != null) lastSnapshot = r;
        LOG.info("AdamWR: restart period {} ended; iteration {} starts period {}{}", endedPeriod, nextIteration,
                endedPeriod + 1, snap == null ? "" : " (snapshot " + snap + ")");
    }

    /**
     * A restart on an epoch's last step: DL4J increments the epoch counter right after this call, so the snapshot
     * written at that step (with the epoch it ended in) is written again with the next epoch's number, the one the live
     * network goes on with; restored and fitted on, it then counts epochs (and runs epoch-based schedules) as the live
     * network does. Nothing else changed since that step: this is the same network, its constraints already applied.
     */
    @Override
    public void onEpochEnd(Model model) {
        Restart r = lastSnapshot;
        if (r == null || iterationCount(model) != r.nextIteration) return;   // no snapshot, or steps since it
        lastSnapshot = null;                                                  // once (an empty epoch may follow)
        writeSnapshot(model, r.nextIteration, epochCount(model) + 1, r.snapshot, false);
    }

    private static int iterationCount(Model model) {
        if (model instanceof MultiLayerNetwork) return ((MultiLayerNetwork) model).getIterationCount();
        if (model instanceof ComputationGraph) return ((ComputationGraph) model).getIterationCount();
        return -1;
    }

    private static int epochCount(Model model) {
        return model instanceof MultiLayerNetwork ? ((MultiLayerNetwork) model).getEpochCount()
                : ((ComputationGraph) model).getEpochCount();
    }

    /**
     * Writes the network as DL4J leaves it after this step. DL4J calls iterationDone before it increments the
     * iteration counter and before it applies weight constraints (max-norm etc.), so the snapshot is a copy with both
     * done: restored, it continues exactly as the live network does. The file appears whole (written beside it, then
     * moved): ParallelWrapper's workers share one listener and all reach the restart.
     */
    private static void writeSnapshot(Model model, int nextIteration, int epoch, File snap, boolean applyConstraints) {
        Model copy;
        if (model instanceof MultiLayerNetwork) {
            MultiLayerNetwork c = ((MultiLayerNetwork) model).clone();
            c.getLayerWiseConfigurations().setIterationCount(nextIteration);
            c.getLayerWiseConfigurations().setEpochCount(epoch);
            copy = c;
        } else {
            ComputationGraph c = ((ComputationGraph) model).clone();   // DL4J's graph clone starts its counters at 0
            c.getConfiguration().setIterationCount(nextIteration);
            c.getConfiguration().setEpochCount(epoch);
            copy = c;
        }
        if (applyConstraints) copy.applyConstraints(nextIteration, epoch);   // once: min-max (rate < 1) moves on
        File tmp = null;
        try {
            Files.createDirectories(snap.getParentFile().toPath());
            tmp = File.createTempFile(snap.getName(), ".part", snap.getParentFile());
            ModelSerializer.writeModel(copy, tmp, true);
            try {
                Files.move(tmp.toPath(), snap.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException notOnThisFileSystem) {
                Files.move(tmp.toPath(), snap.toPath(), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException ex) {
            if (tmp != null) tmp.delete();
            throw new UncheckedIOException("could not write SGDR snapshot " + snap, ex);
        }
    }

    /**
     * The layers (by configuration object) with at least one parameter that decays, as {@link DecayTable} decides it:
     * the markers, or the decision {@link DecayRules#applyTo} wrote in their place.
     */
    private static Set<Object> decayingLayers(Model model) {
        List<ParamInfo> params = model instanceof MultiLayerNetwork ? NetworkParams.of((MultiLayerNetwork) model)
                : NetworkParams.of((ComputationGraph) model);
        Set<Object> out = Collections.newSetFromMap(new IdentityHashMap<>());
        for (DecayPass.Decision d : DecayPass.decide(params, null, new ArrayList<>(), new ArrayList<>()))
            if (d.decays) out.add(d.p.layerConf);
        return out;
    }

    private static double weightNorm(Layer l) {
        double sq = 0;
        for (Map.Entry<String, INDArray> p : l.paramTable().entrySet())
            if (l.conf().getLayer().initializer().isWeightParam(l.conf().getLayer(), p.getKey())) {
                double n = p.getValue().norm2Number().doubleValue();
                sq += n * n;
            }
        return Math.sqrt(sq);
    }

    private static List<Map.Entry<String, Layer>> layers(Model model) {
        List<Map.Entry<String, Layer>> out = new ArrayList<>();
        if (model instanceof MultiLayerNetwork) {
            Layer[] ls = ((MultiLayerNetwork) model).getLayers();
            for (int i = 0; i < ls.length; i++)
                out.add(Map.entry(ls[i].conf().getLayer().getLayerName() != null ? ls[i].conf().getLayer().getLayerName()
                        : String.valueOf(i), ls[i]));
        } else if (model instanceof ComputationGraph) {
            for (Layer l : ((ComputationGraph) model).getLayers()) out.add(Map.entry(l.conf().getLayer().getLayerName(), l));
        }
        return out;
    }

    /** The figures of the last report. */
    public List<Record> lastRecords() {
        return last;
    }

    /** Restarts seen so far (with their snapshot files, if snapshots are on). */
    public List<Restart> restarts() {
        synchronized (restarts) {
            return List.copyOf(restarts);
        }
    }

    public static final class Builder {
        private int reportEvery = 100;
        private File snapshotDir;
        private Consumer<List<Record>> sink = rs -> {
            if (LOG.isInfoEnabled())
                LOG.info("AdamW step {} (iteration {}, epoch {}): {}", rs.get(0).step, rs.get(0).iteration,
                        rs.get(0).epoch, rs);
        };

        private Builder() {}

        /**
         * Report every n optimizer steps: steps 0, n, 2n, ... (0 = never, and the sink gets nothing; restarts and
         * snapshots still happen). Without accumulation a step is an iteration; under {@code accumulationSteps(k)} the
         * report comes at the fit that applies the step.
         */
        public Builder reportEvery(int n) {
            this.reportEvery = (int) Check.atLeast("reportEvery", n, 0);
            return this;
        }

        /** Write a checkpoint (ModelSerializer, with updater) at the end of each restart period. */
        public Builder snapshotsTo(File dir) {
            this.snapshotDir = dir;
            return this;
        }

        /** Where reports go instead of SLF4J. */
        public Builder sink(Consumer<List<Record>> sink) {
            this.sink = Check.notNull("sink", sink);
            return this;
        }

        /** Checks the snapshot directory now (creating it if needed), not at the first restart in the middle of fit. */
        public AdamWListener build() {
            if (snapshotDir != null) {
                if (!snapshotDir.isDirectory() && !snapshotDir.mkdirs())
                    throw new IllegalArgumentException("snapshotsTo = " + snapshotDir + " is invalid: must be a "
                            + "directory or a path where one can be created");
                if (!snapshotDir.canWrite())
                    throw new IllegalArgumentException("snapshotsTo = " + snapshotDir + " is invalid: must be a "
                            + "writable directory");
            }
            return new AdamWListener(reportEvery, snapshotDir, sink);
        }
    }
}
