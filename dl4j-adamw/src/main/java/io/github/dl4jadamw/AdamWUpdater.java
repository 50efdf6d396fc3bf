package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.StepScalars;

import io.github.dl4jadamw.internal.kernel.AdamWKernel;
import io.github.dl4jadamw.internal.kernel.DecaySegments;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/** {@link AdamW}'s state — M, V and, with AMSGrad, VMAX — and its step. */
final class AdamWUpdater extends DecoupledGradientUpdater<AdamW> {
    public static final String M_STATE = "M";
    public static final String V_STATE = "V";
    public static final String VMAX_STATE = "VMAX";

    AdamWUpdater(AdamW config) {
        super(config);
    }

    @Override
    protected List<String> stateKeys() {
        return getConfig().isAmsgrad() ? List.of(M_STATE, V_STATE, VMAX_STATE) : List.of(M_STATE, V_STATE);
    }

    @Override
    protected void step(AdamWKernel kernel, StepScalars s, INDArray gradient, DecaySegments decayed) {
        kernel.step(s, gradient, state(M_STATE), state(V_STATE), state(VMAX_STATE), decayed);
    }
}
