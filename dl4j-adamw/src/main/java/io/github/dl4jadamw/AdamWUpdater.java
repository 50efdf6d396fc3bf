package io.github.dl4jadamw;

import io.github.dl4jadamw.kernel.AdamWKernel;
import io.github.dl4jadamw.kernel.Kernels;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The stateful side of {@link AdamW}: holds views of its block's state (M, V and, with AMSGrad, VMAX — each as long
 * as the block, in that order in DL4J's updater state array) and runs one step per call. The parameters to decay
 * come from {@link DecoupledWeightDecay} through the {@link DecayLedger}; see there for why.
 */
public final class AdamWUpdater implements GradientUpdater<AdamW> {
    public static final String M_STATE = "M";
    public static final String V_STATE = "V";
    public static final String VMAX_STATE = "VMAX";

    private final AdamW config;
    private final StepScalars scalars = new StepScalars();
    private INDArray m, v, vmax;
    private AdamWKernel kernel;

    public AdamWUpdater(AdamW config) {
        this.config = config;
    }

    @Override
    public AdamW getConfig() {
        return config;
    }

    private Set<String> stateKeys() {
        return config.isAmsgrad() ? Set.of(M_STATE, V_STATE, VMAX_STATE) : Set.of(M_STATE, V_STATE);
    }

    @Override
    public void setState(Map<String, INDArray> stateMap, boolean initialize) {
        if (!stateMap.keySet().equals(stateKeys()))
            throw new IllegalStateException("AdamW state must have exactly the keys " + stateKeys() + " but has "
                    + stateMap.keySet());
        m = stateMap.get(M_STATE);
        v = stateMap.get(V_STATE);
        vmax = stateMap.get(VMAX_STATE);
        if (initialize) {
            m.assign(0);
            v.assign(0);
            if (vmax != null) vmax.assign(0);
        }
    }

    @Override
    public Map<String, INDArray> getState() {
        Map<String, INDArray> r = new HashMap<>();
        r.put(M_STATE, m);
        r.put(V_STATE, v);
        if (vmax != null) r.put(VMAX_STATE, vmax);
        return r;
    }

    @Override
    public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
        int parts = config.isAmsgrad() ? 3 : 2;
        if (viewArray.length() % parts != 0)
            throw new IllegalArgumentException("AdamW state view length " + viewArray.length() + " is not a multiple of "
                    + parts);
        if (initialize) viewArray.assign(0);
        INDArray flat = viewArray.reshape(viewArray.length());
        long n = flat.length() / parts;
        m = flat.get(NDArrayIndex.interval(0, n));
        v = flat.get(NDArrayIndex.interval(n, 2 * n));
        vmax = parts == 3 ? flat.get(NDArrayIndex.interval(2 * n, 3 * n)) : null;
    }

    @Override
    public void applyUpdater(INDArray gradient, int iteration, int epoch) {
        if (m == null)
            throw new IllegalStateException("AdamW updater has no state: DL4J did not call setStateViewArray/setState");
        if (gradient.length() != m.length())
            throw new IllegalStateException("gradient length " + gradient.length() + " differs from the state length "
                    + m.length());
        DecayLedger ledger = DecayLedger.forThread();
        DecayLedger.Segments decayed = ledger.take(gradient);
        if (config.hasDecay() && decayed.marked == 0)
            throw missingCompanion(gradient);
        if (ledger.nonFiniteStep(gradient, iteration, epoch, config.getNonFiniteGradients())) {
            gradient.assign(0); // skipped step: θ −= 0, state untouched
            return;
        }
        if (kernel == null) kernel = Kernels.forType(gradient.dataType());
        kernel.step(scalars.compute(config, iteration, epoch), gradient, m, v, vmax, decayed);
    }

    /** The kernel this updater runs (chosen on the first step). */
    public String kernelName() {
        return kernel == null ? "(not chosen yet)" : kernel.name();
    }

    private IllegalStateException missingCompanion(INDArray gradient) {
        return new IllegalStateException("AdamW is configured with decoupled weight decay (" + config
                + ") but no parameter of this updater block (" + gradient.length() + " values) carries the "
                + "DecoupledWeightDecay marker, so no decay would happen. Add "
                + ".regularization(DecoupledWeightDecay.onWeights()) next to .updater(...) in the configuration "
                + "(README: 'Configuration idiom'). If this block only holds parameters DL4J never regularizes "
                + "(BatchNormalization gamma/beta, or biases with their own updater), give it "
                + "adamw.withWeightDecay(0) instead.");
    }
}
