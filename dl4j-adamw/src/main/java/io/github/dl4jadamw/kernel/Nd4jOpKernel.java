package io.github.dl4jadamw.kernel;

import io.github.dl4jadamw.StepScalars;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.api.ops.impl.updaters.AmsGradUpdater;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The backend-agnostic kernel: only libnd4j ops that nd4j-native and nd4j-cuda both implement, so this is the path
 * CUDA (and HALF/BFLOAT16) runs. Per block: one {@code adam_updater} (or {@code ams_grad_updater}) op, one fused
 * pass that updates m, v (and v̂max) and writes the Adam direction into the gradient, fed ε' = ε·√(1−β2^t) so its
 * ε lands after bias correction ({@link StepScalars#epsilonForOp}); then one {@code axpy} per run of adjacent decayed
 * parameters, u += d_t·θ. A typical block (W, b of consecutive layers) is thus 1 + (number of weight arrays) ops.
 */
public final class Nd4jOpKernel implements AdamWKernel {
    /** Flat views of parameters and gradient slices, cached so a step creates no new views after the first. */
    private final Map<INDArray, INDArray> flatParams = new IdentityHashMap<>();
    private INDArray lastGradient;
    private final Map<Long, INDArray> gradSlices = new java.util.HashMap<>(); // by offset in the block

    @Override
    public void step(StepScalars s, INDArray gradient, INDArray m, INDArray v, INDArray vmax, DecaySegments decayed) {
        INDArray g = gradient.reshape(gradient.length());
        int iteration = s.t - 1; // the ops count from 0 and use t = iteration + 1, as DL4J does
        if (s.amsgrad) {
            Nd4j.exec(new AmsGradUpdater(g, v, m, vmax, s.lr, s.beta1, s.beta2, s.epsilonForOp, iteration));
        } else {
            Nd4j.exec(new AdamUpdater(g, v, m, s.lr, s.beta1, s.beta2, s.epsilonForOp, iteration));
        }
        if (s.decay == 0 || decayed.count() == 0) return;
        if (g != lastGradient) { gradSlices.clear(); lastGradient = g; }
        for (int i = 0; i < decayed.count(); i++) {
            long off = decayed.offset(i), len = decayed.length(i);
            INDArray p = flatParams.computeIfAbsent(decayed.param(i), Nd4jOpKernel::flat);
            INDArray gs = gradSlices.computeIfAbsent(off,
                    k -> g.get(NDArrayIndex.interval(off, off + len)));
            // u = u + d_t·θ
            Nd4j.exec(new Axpy(p, gs, gs, s.decay));
        }
    }

    /** The parameter as a flat vector in memory order (DL4J weight views are 'f'-ordered reshapes of a flat view). */
    static INDArray flat(INDArray p) {
        if (p.elementWiseStride() != 1)
            throw new IllegalStateException("parameter view " + p.shapeInfoToString() + " is not contiguous");
        if (p.rank() == 1) return p;
        return Nd4j.create(p.data(), new long[]{p.length()}, new long[]{1}, p.offset(), 'c', p.dataType());
    }

    @Override
    public String name() {
        return "nd4j-ops";
    }
}
