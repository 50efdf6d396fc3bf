package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.StepScalars;

import io.github.dl4jadamw.internal.kernel.AdamWKernel;
import io.github.dl4jadamw.internal.kernel.DecaySegments;
import io.github.dl4jadamw.internal.kernel.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stateful side shared by {@link AdamWUpdater} and {@link SGDWUpdater}: named state views (each as long as the
 * block, in {@link #stateKeys()} order in DL4J's updater state array), the hand-over of the parameters to decay from
 * {@link DecoupledWeightDecay} through the {@link DecayLedger}, the missing-companion and NaN/Inf checks, and the
 * kernel call. Subclasses say only which state they keep and which step they run.
 */
abstract class DecoupledGradientUpdater<C extends DecoupledDecayUpdater> implements GradientUpdater<C> {
    private final C config;
    private final StepScalars scalars = new StepScalars();
    private final Map<String, INDArray> state = new LinkedHashMap<>();
    private INDArray firstState;   // cached: applyUpdater allocates nothing
    private AdamWKernel kernel;

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

    @Override
    public C getConfig() {
        return config;
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (!stateMap.keySet().equals(new java.util.HashSet<>(stateKeys())))
            throw new IllegalStateException(getClass().getSimpleName() + " state must have exactly the keys "
                    + stateKeys() + " but has " + stateMap.keySet());
        state.clear();
        for (String k : stateKeys()) {
            INDArray a = stateMap.get(k);
            if (initialize) a.assign(0);
            state.put(k, a);
        }
        firstState = state.get(stateKeys().get(0));
    }

    @Override
    public Map<String, INDArray> getState() {
        return new HashMap<>(state);
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        int parts = stateKeys().size();
        if (viewArray.length() % parts != 0)
            throw new IllegalArgumentException(getClass().getSimpleName() + " state view length " + viewArray.length()
                    + " is not a multiple of " + parts);
        if (initialize) viewArray.assign(0);
        INDArray flat = viewArray.reshape(viewArray.length());
        long n = flat.length() / parts;
        state.clear();
        for (int i = 0; i < parts; i++)
            state.put(stateKeys().get(i), flat.get(NDArrayIndex.interval(i * n, (i + 1) * n)));
        firstState = state.get(stateKeys().get(0));
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
        DecayLedger ledger = DecayLedger.forThread();
        DecayLedger.Segments decayed = ledger.take(gradient);
        try {
            if (config.hasDecay() && decayed.marked == 0)
                throw missingCompanion(gradient);
            if (ledger.nonFiniteStep(gradient, iteration, epoch, config.getNonFiniteGradients(),
                    config.getClass().getSimpleName()))
                return;   // skipped step: the ledger zeroed the whole gradient (θ −= 0); the state is untouched
            if (kernel == null) kernel = Kernels.forType(gradient.dataType());
            step(kernel, scalars.compute(config, iteration, epoch), gradient, decayed);
        } finally {
            decayed.release();   // the per-thread ledger keeps nothing of this network
        }
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
                + "(README: 'Configure a network'). If this block only holds parameters DL4J never regularizes "
                + "(BatchNormalization gamma/beta, or biases with their own updater), give it "
                + "withWeightDecay(0) instead.");
    }
}
