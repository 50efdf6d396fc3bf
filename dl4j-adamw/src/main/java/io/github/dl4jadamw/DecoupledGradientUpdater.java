package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.StepScalars;

import io.github.dl4jadamw.internal.kernel.AdamWKernel;
import io.github.dl4jadamw.internal.kernel.AccumulateKernel;
import io.github.dl4jadamw.internal.kernel.Buffers;
import io.github.dl4jadamw.internal.kernel.DecaySegments;
import io.github.dl4jadamw.internal.kernel.EmaKernel;
import io.github.dl4jadamw.internal.kernel.Kernels;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stateful side shared by {@link AdamWUpdater} and {@link SGDWUpdater}: named state views (each as long as the
 * block, in {@link #stateKeys()} order in DL4J's updater state array), the hand-over of the parameters to decay from
 * {@link DecoupledWeightDecay} through the {@link DecayLedger}, the missing-companion and NaN/Inf checks, and the
 * kernel call. Subclasses say only which state they keep and which step they run.
 *
 * <p>Around the step ({@link StepOptions}): under accumulation over k micro-batches, DL4J iteration i belongs to
 * optimizer step s = i / k; the first k − 1 micro-batches of a group add g/k to the state ACC and leave the update 0
 * (nothing moves), the last forms g = ACC + g/k and steps with t = s + 1 (the network's first touch forms it for every
 * block when {@link NetworkStep} knows the network). After each optimizer step the EMA state is updated from θ − u.
 */
abstract class DecoupledGradientUpdater<C extends DecoupledDecayUpdater> implements GradientUpdater<C> {
    private final C config;
    private final StepScalars scalars = new StepScalars();
    private final Map<String, INDArray> state = new LinkedHashMap<>();
    private INDArray firstState;   // cached: applyUpdater allocates nothing
    private AdamWKernel kernel;
    private List<String> keys;
    /** The EMA's parameter view, cached for the gradient block it was made for. */
    private INDArray emaParams;
    private WeakReference<DataBuffer> emaParamsFor = new WeakReference<>(null);
    private long emaParamsOffset = -1;
    private EmaKernel ema;
    private AccumulateKernel accumulate;
    private final EpochCounterCheck epochs = new EpochCounterCheck();
    private boolean dataParallelChecked;

    /** State keys of {@link StepOptions}: the accumulated gradient and the EMA of the weights. */
    static final String ACC_STATE = "ACC", EMA_STATE = "EMA";

    protected DecoupledGradientUpdater(C config) {
        this.config = config;
    }

    /** State keys, in the order their views are laid out in the state array. */
    protected abstract List<String> stateKeys();

    /** Runs this updater's step on the chosen kernel. */
    protected abstract void step(AdamWKernel kernel, StepScalars s, INDArray gradient, DecaySegments decayed);

    protected final INDArray state(String key) {
        return state.get(key);
    }

    /** Every state key in layout order: the optimizer's own, then ACC and EMA where configured. */
    private List<String> keys() {
        if (keys == null) {
            List<String> k = new ArrayList<>(stateKeys());
            if (config.stepOptions().accumulates()) k.add(ACC_STATE);
            if (config.stepOptions().ema()) k.add(EMA_STATE);
            keys = List.copyOf(k);
        }
        return keys;
    }

    @Override
    public C getConfig() {
        return config;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (!stateMap.keySet().equals(new java.util.HashSet<>(keys())))
            throw new IllegalStateException(getClass().getSimpleName() + " state must have exactly the keys "
                    + keys() + " but has " + stateMap.keySet());
        state.clear();
        for (String k : keys()) {
            INDArray a = stateMap.get(k);
            if (initialize) a.assign(0);
            state.put(k, a);
        }
        firstState = state.get(keys().get(0));
    }

    @Override
    public Map<String, INDArray> getState() {
        return new HashMap<>(state);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        int parts = keys().size();
        if (viewArray.length() % parts != 0)
            throw new IllegalArgumentException(getClass().getSimpleName() + " state view length " + viewArray.length()
                    + " is not a multiple of " + parts);
        if (initialize) viewArray.assign(0);
        INDArray flat = viewArray.reshape(viewArray.length());
        long n = flat.length() / parts;
        state.clear();
        for (int i = 0; i < parts; i++)
            state.put(keys().get(i), flat.get(NDArrayIndex.interval(i * n, (i + 1) * n)));
        firstState = state.get(keys().get(0));
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        INDArray first = firstState;
        if (first == null)
            throw new IllegalStateException(getClass().getSimpleName() + " has no state: DL4J did not call "
                    + "setStateViewArray/setState");
        if (gradient.length() != first.length())
            throw new IllegalStateException("gradient length " + gradient.length() + " differs from the state length "
                    + first.length());
        if (!dataParallelChecked) {   // once per updater: DL4J's data-parallel trainers make new ones per worker
            DataParallelCheck.refuseUnderDataParallelTraining(config.stepOptions(), config.getClass().getSimpleName());
            dataParallelChecked = true;
        }
        NetworkStep.atUpdater(gradient, iteration, epoch);   // the network's pass, if this is the step's first touch
        epochs.observe(config, iteration, epoch);
        DecayLedger ledger = DecayLedger.forThread();
        DecayLedger.Segments decayed = ledger.take(gradient);
        try {
            if (config.hasDecay() && decayed.marked == 0)
                throw missingCompanion(gradient);
            StepOptions options = config.stepOptions();
            INDArray params = options.ema() ? paramsFor(gradient) : null;
            if (options.clips() && NetworkStep.layoutOf(gradient) == null)
                throw needsListener("clipGlobalNorm = " + options.clipGlobalNorm);
            boolean skip = ledger.nonFiniteStep(gradient, iteration, epoch, config.getNonFiniteGradients(),
                    config.getClass().getSimpleName());   // skipped: the ledger zeroed the whole gradient (θ −= 0)
            int k = options.accumulationSteps;
            if (!config.stepsAt(iteration)) {   // a micro-batch that only accumulates (a skipped one adds 0)
                accumulate(gradient, iteration % k, k);
                return;
            }
            int s = config.optimizerStep(iteration);
            if (!skip) {                        // a skipped step leaves M, V (and VMAX) untouched
                if (k > 1 && !NetworkStep.formed(gradient, iteration, epoch)) finishAccumulation(gradient);
                if (kernel == null) kernel = Kernels.forType(gradient.dataType());
                scalars.compute(config, s, epoch);
                if (options.clips()) scalars.gradScale = NetworkStep.gradScale(gradient, iteration, epoch);
                step(kernel, scalars, gradient, decayed);
            }
            if (params != null) {               // after every optimizer step, skipped ones too (θ − 0)
                if (ema == null) ema = new EmaKernel();
                ema.update(state(EMA_STATE), params, gradient, options.emaDecay, s == 0);
            }
        } finally {
            decayed.release();   // the per-thread ledger keeps nothing of this network
        }
    }

    /**
     * Micro-batch j (from 0) of a group of k that does not step: ACC ← g/k (j = 0) or ACC + g/k, and the update 0.
     * PyTorch's {@code (loss/k).backward()} sums g/k in the same order.
     */
    private void accumulate(INDArray gradient, int j, int k) {
        accumulator().add(gradient, state(ACC_STATE), j, k);
    }

    /** The group's last micro-batch: g ← ACC + g/k, the mean over the group, in the gradient's memory. */
    void finishAccumulation(INDArray gradient) {
        accumulator().finish(gradient, state(ACC_STATE), config.getAccumulationSteps());
    }

    private AccumulateKernel accumulator() {
        return accumulate != null ? accumulate : (accumulate = new AccumulateKernel());
    }

    /** The parameters of this block (for the EMA), from the network's layout; the view is made once. */
    private INDArray paramsFor(INDArray gradient) {
        DataBuffer root = Buffers.root(gradient);
        if (emaParams != null && emaParamsFor.get() == root && emaParamsOffset == gradient.offset()) return emaParams;
        INDArray p = NetworkStep.paramsOf(gradient);
        if (p == null) throw needsListener("ema = " + config.getEmaDecay());
        emaParams = p;
        emaParamsFor = new WeakReference<>(root);
        emaParamsOffset = gradient.offset();
        return p;
    }

    private IllegalStateException needsListener(String option) {
        return new IllegalStateException(config.getClass().getSimpleName() + " with " + option + " needs the "
                + "network's layout, which DL4J gives no updater (it hands each one a block of the gradient and never "
                + "the parameters): add AdamWListener to the network before training, e.g. "
                + "net.addListeners(AdamWListener.builder().reportEvery(0).build()) (again after restoring a network)."
                + " Clipping and the EMA work on MultiLayerNetwork and ComputationGraph, not in SameDiff.");
    }

    /** The kernel this updater runs (chosen on the first step). */
    public String kernelName() {
        return kernel == null ? "(not chosen yet)" : kernel.name();
    }

    private IllegalStateException missingCompanion(INDArray gradient) {
        return new IllegalStateException(config.getClass().getSimpleName() + " is configured with decoupled weight "
                + "decay (" + config + ") but none of the parameters it updates here (" + gradient.length() + " values "
                + "at offset " + gradient.offset() + " of the network's gradient; DecayTable.of(net) names them by layer "
                + "and key) carries the DecoupledWeightDecay marker, so no decay would happen. Add "
                + ".regularization(DecoupledWeightDecay.onWeights()) next to .updater(...) in the configuration "
                + "(README: 'Configure a network'), or state a recipe's rule with DecayRules (e.g. "
                + "DecayRules.huggingFace().applyTo(net)) after init(). If this block only holds parameters DL4J never regularizes "
                + "(BatchNormalization gamma/beta, or biases with their own updater), give it "
                + "withWeightDecay(0) instead.");
    }
}
