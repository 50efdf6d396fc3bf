package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.StepScalars;

import io.github.dl4jadamw.internal.kernel.AdamWKernel;
import io.github.dl4jadamw.internal.kernel.DecaySegments;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/** {@link SGDW}'s state — the momentum buffer M — and its step. */
final class SGDWUpdater extends DecoupledGradientUpdater<SGDW> {
    public static final String M_STATE = "M";

    SGDWUpdater(SGDW config) {
        super(config);
    }

    @Override
    protected List<String> stateKeys() {
        return List.of(M_STATE);
    }

    @Override
    protected void step(AdamWKernel kernel, StepScalars s, INDArray gradient, DecaySegments decayed) {
        kernel.sgdw(s, gradient, state(M_STATE), decayed);
    }
}
