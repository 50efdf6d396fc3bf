package io.github.dl4jadamw.internal.kernel;

import io.github.dl4jadamw.SGDW;

import io.github.dl4jadamw.AdamW;

import io.github.dl4jadamw.internal.StepScalars;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One AdamW or SGDW step over one updater block. Implementations differ only in how they walk memory; the numbers come
 * from {@link StepScalars}.
 */
public interface AdamWKernel {
    /**
     * @param s        this step's scalars
     * @param gradient the block's gradient, flat and contiguous; overwritten with the update u (θ ← θ − u follows)
     * @param m        first moment, same length
     * @param v        second moment, same length
     * @param vmax     running max of v (AMSGrad) or null
     * @param decayed  the block's parameter segments that receive decay d_t·θ
     */
    void step(StepScalars s, INDArray gradient, INDArray m, INDArray v, INDArray vmax, DecaySegments decayed);

    /**
     * One SGDW step: m ← μ·m + lr_t·g; u = m (Nesterov: μ·m + lr_t·g) + d_t·θ on the decayed segments; the update
     * overwrites {@code gradient}.
     */
    void sgdw(StepScalars s, INDArray gradient, INDArray m, DecaySegments decayed);

    /** Human-readable name, for logs and benchmarks. */
    String name();
}
