package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.kernel.Buffers;
import io.github.dl4jadamw.internal.kernel.FiniteScan;
import io.github.dl4jadamw.internal.kernel.Kernels;
import io.github.dl4jadamw.internal.kernel.SquareSums;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.Trainable;
import org.deeplearning4j.nn.api.Updater;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.updater.BaseMultiLayerUpdater;
import org.deeplearning4j.nn.updater.UpdaterBlock;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;

/**
 * The network-wide part of a training step, which DL4J gives no updater: the global gradient norm and its clipping,
 * the mean of an accumulated gradient across every updater block, and where the parameters lie (for the EMA).
 *
 * <p>DL4J hands each {@code GradientUpdater} one block of the flattened gradient and never the network, so the
 * network's layout comes from {@link AdamWListener}, whose {@code onGradientCalculation} runs before every update with
 * the network in hand ({@link #register}). The layout is read from DL4J's own updater blocks: which ranges of the
 * flattened gradient our updaters step, which other updaters step (their layers count in the norm and are clipped too,
 * as {@code clip_grad_norm_(model.parameters())} does), and which are not gradients at all (blocks with DL4J's
 * {@code NoOp} updater: BatchNormalization's running mean and variance, whose "gradient" is their change, and frozen
 * layers) and stay out of the norm.
 *
 * <p>The pass runs once per step at the step's first touch of the gradient by this library: the
 * {@link DecoupledWeightDecay} marker of the first block that carries one, or the first block our updater steps,
 * whichever DL4J reaches first. At that point DL4J has divided the gradient by the minibatch size and no block has
 * stepped. At the last micro-batch of an accumulation group it first forms every one of our blocks' mean gradient
 * (ACC + g/k), then sums the squares over the gradient (the same pass proves it finite, so the NaN/Inf check reads it
 * no second time), then, when clipping, hands our blocks' kernels the factor c = min(1, max_norm/(‖g‖ + 10⁻⁶)) to
 * apply as they read the gradient, and scales the ranges of other updaters by c itself, before DL4J steps them.
 *
 * <p>Per thread (DL4J trains a network in one thread; ParallelWrapper's workers each have theirs) and per network
 * (keyed weakly by the gradient's root buffer): nothing here keeps a discarded network reachable.
 */
final class NetworkStep {
    private static final ThreadLocal<WeakIdentityMap<DataBuffer, Layout>> LAYOUTS =
            ThreadLocal.withInitial(WeakIdentityMap::new);
    /** PyTorch's clip_grad_norm_: clip_coef = max_norm / (total_norm + 1e-6). */
    static final double CLIP_EPSILON = 1e-6;

    private NetworkStep() {}

    enum Kind { OURS, OTHER, NOT_A_GRADIENT }

    /** One updater block of the network. */
    static final class Range {
        final long offset, length;   // in the flattened gradient (and parameters), from its start
        final Kind kind;
        final String layer, updater;
        final WeakReference<DecoupledGradientUpdater<?>> ours;

        Range(long offset, long length, Kind kind, String layer, String updater, DecoupledGradientUpdater<?> ours) {
            this.offset = offset;
            this.length = length;
            this.kind = kind;
            this.layer = layer;
            this.updater = updater;
            this.ours = new WeakReference<>(ours);
        }
    }

    /** What the step's pass found, for {@link AdamWListener}. */
    static final class Result {
        final int iteration, epoch;
        /** Whether this iteration applied an optimizer step (the last micro-batch of its group). */
        final boolean stepped;
        final double norm;
        final boolean clipped;

        Result(int iteration, int epoch, boolean stepped, double norm, boolean clipped) {
            this.iteration = iteration;
            this.epoch = epoch;
            this.stepped = stepped;
            this.norm = norm;
            this.clipped = clipped;
        }
    }

    /** One network's layout, as read from its DL4J updater, and the state of the current step's pass. */
    static final class Layout {
        final WeakReference<Updater> source;
        final List<Range> ranges;
        final long gradientBase;   // offset of the flattened gradient in its root buffer
        final WeakReference<DataBuffer> paramsRoot;
        final long paramsBase;
        final long firstTouchOffset;   // gradient offset (from the root) of the step's first touch
        final boolean firstTouchIsMark;
        /** Whether the norm can be taken: no other updater steps before the first touch. */
        final boolean normValid;
        final String normInvalidWhy;
        final double clipGlobalNorm;
        final int accumulationSteps;
        /** The NaN/Inf policy of the first of our blocks, which decides for the whole step (see NonFiniteGradients). */
        final NonFiniteGradients policy;
        /** Sum the squares with ND4J's op (-Dadamw.kernel=nd4j when the layout was read), as CUDA does. */
        final boolean byOps = Kernels.configured() == Kernels.Choice.ND4J;
        // the current step
        int passIteration = -1, passEpoch = -1;
        boolean touchedSincePass = true;
        boolean formed, finite;
        /** The step's clipping factor c for our blocks, which their kernels apply as they read the gradient. */
        double coef = 1;
        Result last;

        Layout(Updater source, List<Range> ranges, long gradientBase, DataBuffer paramsRoot, long paramsBase,
               long firstTouchOffset, boolean firstTouchIsMark, String normInvalidWhy, double clipGlobalNorm,
               int accumulationSteps, NonFiniteGradients policy) {
            this.policy = policy;
            this.source = new WeakReference<>(source);
            this.ranges = ranges;
            this.gradientBase = gradientBase;
            this.paramsRoot = new WeakReference<>(paramsRoot);
            this.paramsBase = paramsBase;
            this.firstTouchOffset = firstTouchOffset;
            this.firstTouchIsMark = firstTouchIsMark;
            this.normValid = normInvalidWhy == null;
            this.normInvalidWhy = normInvalidWhy;
            this.clipGlobalNorm = clipGlobalNorm;
            this.accumulationSteps = accumulationSteps;
        }
    }

    // ---------------------------------------------------------------- registration (AdamWListener)

    /**
     * Reads the network's layout from its DL4J updater, once per network and thread (again if the updater object
     * changes), before the step's update. Refuses layouts the options cannot step exactly, naming the layer.
     */
    static void register(Model model) {
        BaseMultiLayerUpdater<?> u = updaterOf(model);
        if (u == null) return;
        INDArray grads = u.getFlattenedGradientsView();
        if (grads == null) return;
        DataBuffer root = Buffers.root(grads);
        WeakIdentityMap<DataBuffer, Layout> layouts = LAYOUTS.get();
        Layout known = layouts.get(root);
        if (known != null && known.source.get() == u) return;
        Layout l = read(u, model, grads);
        if (l == null) {
            layouts.remove(root);
            return;
        }
        if (!CheckedNetworks.contains(model.params())) checkDecay(model);
        layouts.put(root, l);
    }

    /**
     * The {@link DecayTable} check, before the network's first update: the one place where a DL4J decay that DL4J
     * merged beside the marker (a global {@code .weightDecay} with a layer's marker, or the reverse) can be seen, and
     * refused by layer and key, when the user never called {@code DecayTable.of} or {@code DecayRules.applyTo}.
     */
    private static void checkDecay(Model model) {
        if (model instanceof MultiLayerNetwork) DecayTable.of((MultiLayerNetwork) model);
        else DecayTable.of((ComputationGraph) model);
    }

    private static BaseMultiLayerUpdater<?> updaterOf(Model model) {
        Updater u;
        if (model instanceof MultiLayerNetwork) u = ((MultiLayerNetwork) model).getUpdater();
        else if (model instanceof ComputationGraph) u = ((ComputationGraph) model).getUpdater();
        else return null;
        return u instanceof BaseMultiLayerUpdater ? (BaseMultiLayerUpdater<?>) u : null;
    }

    private static Layout read(BaseMultiLayerUpdater<?> u, Model model, INDArray grads) {
        List<Range> ranges = new ArrayList<>();
        long firstTouch = -1;
        boolean firstIsMark = false;
        String normInvalid = null;
        DecoupledDecayUpdater first = null;
        String firstLayer = null;
        for (UpdaterBlock b : u.getUpdaterBlocks()) {
            long start = b.getParamOffsetStart(), len = b.getParamOffsetEnd() - start;
            if (len == 0) continue;
            GradientUpdater<?> gu = b.getGradientUpdater();
            List<UpdaterBlock.ParamState> params = b.getLayersAndVariablesInBlock();
            String layer = layerName(params.get(0).getLayer());
            Kind kind;
            if (gu instanceof DecoupledGradientUpdater) kind = Kind.OURS;
            else if (gu.getConfig() instanceof NoOp || !dividedByMinibatch(params)) kind = Kind.NOT_A_GRADIENT;
            else kind = Kind.OTHER;
            String updaterName = gu.getConfig().getClass().getSimpleName();
            if (kind == Kind.OURS) {
                DecoupledDecayUpdater c = (DecoupledDecayUpdater) gu.getConfig();
                if (first == null) {
                    first = c;
                    firstLayer = layer;
                } else {
                    agree("clipGlobalNorm", first.getClipGlobalNorm(), c.getClipGlobalNorm(), firstLayer, layer);
                    agree("accumulationSteps", first.getAccumulationSteps(), c.getAccumulationSteps(), firstLayer, layer);
                }
            }
            if (firstTouch < 0) {
                long marked = firstMarked(params);
                if (marked >= 0) {
                    firstTouch = marked;
                    firstIsMark = true;
                } else if (kind == Kind.OURS) {
                    firstTouch = start;
                } else if (kind == Kind.OTHER && normInvalid == null) {
                    normInvalid = "layer '" + layer + "' (updater " + updaterName + ") comes before the first layer "
                            + "that AdamW/SGDW or the DecoupledWeightDecay marker reaches, so DL4J steps it before the "
                            + "global-norm pass runs. Give it .regularization(DecoupledWeightDecay.excluded()) (the "
                            + "marker then runs before its updater and decays nothing), or give it AdamW/SGDW too "
                            + "(withWeightDecay(0) keeps it undecayed)";
                }
            }
            ranges.add(new Range(start, len, kind, layer, updaterName,
                    kind == Kind.OURS ? (DecoupledGradientUpdater<?>) gu : null));
        }
        if (first == null) return null;   // none of our updaters: nothing to do here
        int k = first.getAccumulationSteps();
        if (k > 1)
            for (Range r : ranges)
                if (r.kind == Kind.OTHER)
                    throw new IllegalStateException("accumulationSteps = " + k + " (layer '" + firstLayer + "') cannot "
                            + "hold layer '" + r.layer + "' still: its updater " + r.updater + " is not AdamW/SGDW, and "
                            + "DL4J would step it at every micro-batch. Give that layer AdamW or SGDW too "
                            + "(withWeightDecay(0) to keep it undecayed), or freeze it");
        if (first.getClipGlobalNorm() > 0 && normInvalid != null)
            throw new IllegalStateException("clipGlobalNorm = " + first.getClipGlobalNorm() + ": " + normInvalid);
        INDArray params = model.params();
        return new Layout(u, ranges, grads.offset(), Buffers.root(params), params.offset(),
                grads.offset() + firstTouch, firstIsMark, normInvalid, first.getClipGlobalNorm(), k,
                first.getNonFiniteGradients());
    }

    private static void agree(String field, double a, double b, String layerA, String layerB) {
        if (a != b)
            throw new IllegalStateException(field + " differs between layer '" + layerA + "' (" + a + ") and layer '"
                    + layerB + "' (" + b + "): it is one setting of the network's step; give every AdamW/SGDW the same");
    }

    private static String layerName(Trainable t) {
        String n = t.getConfig() == null ? null : t.getConfig().getLayerName();
        return n != null ? n : String.valueOf(t);
    }

    private static boolean dividedByMinibatch(List<UpdaterBlock.ParamState> params) {
        for (UpdaterBlock.ParamState p : params)
            if (!p.getLayer().updaterDivideByMinibatch(p.getParamName())) return false;
        return true;
    }

    /** Gradient offset of the block's first parameter that carries the marker (its apply runs first), or −1. */
    private static long firstMarked(List<UpdaterBlock.ParamState> params) {
        for (UpdaterBlock.ParamState p : params) {
            List<Regularization> regs = p.getLayer().getConfig().getRegularizationByParam(p.getParamName());
            if (regs != null)
                for (Regularization r : regs)   // the marker, or the decisions DecayRules wrote in its place
                    if (r instanceof DecoupledWeightDecay || r instanceof DecidedDecay) return p.getParamOffsetStart();
        }
        return -1;
    }

    static Layout layoutOf(INDArray gradient) {
        return LAYOUTS.get().get(Buffers.root(gradient));
    }

    /** The last step's figures for this network (this thread), or null. */
    static Result lastResult(Model model) {
        BaseMultiLayerUpdater<?> u = updaterOf(model);
        if (u == null || u.getFlattenedGradientsView() == null) return null;
        Layout l = LAYOUTS.get().get(Buffers.root(u.getFlattenedGradientsView()));
        return l == null ? null : l.last;
    }

    // ---------------------------------------------------------------- the step's first touch

    /** A {@link DecoupledWeightDecay} marker runs on the parameter whose gradient is {@code gradView}. */
    static void atMark(INDArray gradView, int iteration, int epoch) {
        touch(gradView, true, iteration, epoch);
    }

    /** One of our updaters is about to step the block {@code blockGradient}. */
    static void atUpdater(INDArray blockGradient, int iteration, int epoch) {
        touch(blockGradient, false, iteration, epoch);
    }

    private static void touch(INDArray view, boolean mark, int iteration, int epoch) {
        WeakIdentityMap<DataBuffer, Layout> layouts = LAYOUTS.get();
        if (layouts.isEmpty()) return;
        DataBuffer root = Buffers.root(view);
        Layout l = layouts.get(root);
        if (l == null) return;
        boolean first = mark == l.firstTouchIsMark && view.offset() == l.firstTouchOffset;
        if (!first) {
            l.touchedSincePass = true;
            return;
        }
        // DL4J lists a global regularization twice: the same first mark can come again before anything else
        if (!l.touchedSincePass && l.passIteration == iteration && l.passEpoch == epoch) return;
        l.passIteration = iteration;
        l.passEpoch = epoch;
        l.touchedSincePass = false;
        l.formed = false;
        l.finite = false;
        l.coef = 1;
        try {
            pass(l, root, iteration, epoch);
        } catch (RuntimeException | Error e) {
            l.passIteration = -1;   // a retried step runs the pass again
            throw e;
        }
    }

    private static void pass(Layout l, DataBuffer root, int iteration, int epoch) {
        int k = l.accumulationSteps;
        if (iteration % k != k - 1) {   // a micro-batch that only accumulates: each block adds its own
            l.last = new Result(iteration, epoch, false, Double.NaN, false);
            return;
        }
        List<INDArray> views = new ArrayList<>(l.ranges.size());
        for (Range r : l.ranges)
            views.add(r.kind == Kind.NOT_A_GRADIENT ? null : view(root, l.gradientBase + r.offset, r.length));
        if (k > 1) {
            for (int i = 0; i < l.ranges.size(); i++) {
                Range r = l.ranges.get(i);
                if (r.kind != Kind.OURS) continue;
                DecoupledGradientUpdater<?> u = r.ours.get();
                if (u == null) throw new IllegalStateException("the updater of layer '" + r.layer + "' is gone");
                u.finishAccumulation(views.get(i));
            }
            l.formed = true;
        }
        if (!l.normValid) {
            l.last = new Result(iteration, epoch, true, Double.NaN, false);
            return;
        }
        SquareSums sums = SquareSums.forThread();
        double sq = 0;
        for (int i = 0; i < views.size(); i++)
            if (views.get(i) != null) sq += sums.of(views.get(i), i, l.byOps);
        double norm = Math.sqrt(sq);
        l.finite = Double.isFinite(sq) && notAGradientFinite(l, root);
        boolean clipped = false;
        // A NaN norm (a NaN in the gradient) leaves the gradient as it is for the NaN/Inf policy (FAIL names its first
        // bad value, SKIP_STEP zeroes it); only UNCHECKED scales by the NaN coefficient, which spreads NaN everywhere,
        // as PyTorch does. An infinite norm (±Inf in the gradient, or squares of finite float64 values above ~1e154)
        // gives the coefficient 0, as in PyTorch; the policy then meets the ±Inf values as NaN.
        if (l.clipGlobalNorm > 0 && (!Double.isNaN(sq) || l.policy == NonFiniteGradients.UNCHECKED)) {
            double coef = Math.min(1.0, l.clipGlobalNorm / (norm + CLIP_EPSILON));   // NaN stays NaN
            clipped = norm > l.clipGlobalNorm;
            l.coef = coef;   // our blocks' kernels scale their gradient as they read it: no pass of its own
            if (!(coef == 1.0))
                for (int i = 0; i < views.size(); i++)
                    if (l.ranges.get(i).kind == Kind.OTHER) views.get(i).muli(coef);   // before DL4J steps them
        }
        l.last = new Result(iteration, epoch, true, norm, clipped);
    }

    /** The ranges outside the norm (running statistics) are still checked for NaN/Inf, as the ledger's scan would. */
    private static boolean notAGradientFinite(Layout l, DataBuffer root) {
        for (Range r : l.ranges) {
            if (r.kind != Kind.NOT_A_GRADIENT) continue;
            INDArray v = view(root, l.gradientBase + r.offset, r.length);
            if (!FiniteScan.supports(v) || FiniteScan.firstNonFinite(v) >= 0) return false;
        }
        return true;
    }

    private static INDArray view(DataBuffer root, long offset, long length) {
        return Nd4j.create(root, new long[]{length}, new long[]{1}, offset, 'c', root.dataType());
    }

    // ---------------------------------------------------------------- what the updaters ask

    /** Whether this step's pass already formed the accumulated mean in the gradient of {@code blockGradient}. */
    static boolean formed(INDArray blockGradient, int iteration, int epoch) {
        Layout l = layoutOf(blockGradient);
        return l != null && l.formed && l.passIteration == iteration && l.passEpoch == epoch;
    }

    /**
     * The clipping factor c for the block {@code blockGradient} at this step. Throws if this step's pass did not run:
     * clipping must never be skipped silently.
     */
    static double gradScale(INDArray blockGradient, int iteration, int epoch) {
        Layout l = layoutOf(blockGradient);
        if (l == null || l.passIteration != iteration || l.passEpoch != epoch)
            throw new IllegalStateException("global-norm clipping: the network-wide pass did not run before this block "
                    + "at iteration " + iteration + " (the step's first touch was expected at gradient offset "
                    + (l == null ? "?" : l.firstTouchOffset + (l.firstTouchIsMark ? ", a decay marker" : ", an updater"))
                    + "); the step was not taken. Please report this with the network's configuration.");
        return l.coef;
    }

    /** Whether this step's pass proved the network's whole gradient finite (so the ledger need not scan it). */
    static boolean provedFinite(DataBuffer root, int iteration, int epoch) {
        WeakIdentityMap<DataBuffer, Layout> layouts = LAYOUTS.get();
        if (layouts.isEmpty()) return false;
        Layout l = layouts.get(root);
        return l != null && l.finite && l.passIteration == iteration && l.passEpoch == epoch;
    }

    /** The parameters of the block whose gradient is {@code blockGradient}, or null without a registered layout. */
    static INDArray paramsOf(INDArray blockGradient) {
        Layout l = layoutOf(blockGradient);
        if (l == null) return null;
        DataBuffer params = l.paramsRoot.get();
        if (params == null) return null;
        long offset = l.paramsBase + blockGradient.offset() - l.gradientBase;
        return Nd4j.create(params, new long[]{blockGradient.length()}, new long[]{1}, offset, 'c', params.dataType());
    }
}
