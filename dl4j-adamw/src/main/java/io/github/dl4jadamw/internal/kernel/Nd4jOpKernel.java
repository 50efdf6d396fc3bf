package io.github.dl4jadamw.internal.kernel;

import io.github.dl4jadamw.SGDW;

import io.github.dl4jadamw.internal.StepScalars;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.updaters.AdamUpdater;
import org.nd4j.linalg.api.ops.impl.updaters.AmsGradUpdater;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backend-agnostic kernel: only libnd4j ops that nd4j-native and nd4j-cuda both implement, so this is the path
 * CUDA (and HALF/BFLOAT16) runs. Per block: one {@code adam_updater} (or {@code ams_grad_updater}) op, one fused
 * pass that updates m, v (and v̂max) and writes the Adam direction into the gradient, fed ε' = ε·√(1−β2^t) so its
 * ε lands after bias correction ({@link StepScalars#epsilonForOp}); then one {@code axpy} per decayed parameter
 * array, u += d_t·θ. Below float64 one scalar multiply of g comes first (see {@link #step}).
 *
 * <p>Every array reaches the ops as a rank-1 view made once per array ({@link FlatViews}), not re-sliced each step:
 * DL4J passes the same gradient, state and parameter views every step, so the kernel's own allocation is the op
 * objects alone.
 *
 * <p>State note: below float64 the op's first moment M is stored as k·m with k = √((1−β2)/(1−fl(β2))), a
 * constant (k − 1 = 6.4e-6 for β2 = 0.999 in float32); V and the parameters are PyTorch's.
 */
public final class Nd4jOpKernel implements AdamWKernel {
    private final FlatViews gradientView = new FlatViews(), mView = new FlatViews(), vView = new FlatViews(),
            vmaxView = new FlatViews();
    private final FlatViews.Segments decayViews = new FlatViews.Segments();
    /** The float32 scaling g ← k·g, made once per gradient view and k (see {@link #scale}). */
    private ScalarMultiplication scaleOp;
    private INDArray scaled;
    private double scaledBy;

    @Override
    public void step(StepScalars s, INDArray gradient, INDArray m, INDArray v, INDArray vmax, DecaySegments decayed) {
        DataType type = gradient.dataType();
        if (type == DataType.HALF || type == DataType.BFLOAT16) {
            stepInFloat(s, FlatViews.flat(gradient), m, v, vmax, decayed);   // a view: reshape may copy
            return;
        }
        INDArray g = gradientView.of(gradient);
        m = mView.of(m);
        v = vView.of(v);
        if (vmax != null) vmax = vmaxView.of(vmax);
        // libnd4j casts β1, β2 to the array type and forms 1−β2 and 1−β^t there. In float32, 1 − (float)0.999 is off by
        // 1.3e-5 relative (worse as β2 → 1), which would put v outside PyTorch's tolerance. So: scale g by
        // k = √((1−β2)/(1−b2)) (b2 = β2 as the op sees it), which makes the op's v exactly PyTorch's v (and its m k·m),
        // and give the op the learning rate and ε that turn its formula into ours. For DOUBLE k = 1 and lrOp = lr_t.
        double b1 = asOpSees(s.beta1, type), b2 = asOpSees(s.beta2, type);
        double k = Math.sqrt(s.oneMinusBeta2 / (1 - b2));
        double bc1Op = 1 - Math.pow(b1, s.t), bc2Op = 1 - Math.pow(b2, s.t);
        // op: u = lrOp·√bc2Op/bc1Op · mOp/(√v + εOp);   ours: u = stepSize·√bc2·m/(√v + ε√bc2),  mOp = k·m
        double lrOp = s.stepSize * s.sqrtBc2 * bc1Op / (Math.sqrt(bc2Op) * k);
        if (k != 1) scale(g, k);
        int iteration = (int) (s.t - 1); // the ops count from 0 and use t = iteration + 1, as DL4J does
        if (s.amsgrad) {
            Nd4j.exec(new AmsGradUpdater(g, v, m, vmax, lrOp, s.beta1, s.beta2, s.epsilonForOp, iteration));
        } else {
            Nd4j.exec(new AdamUpdater(g, v, m, lrOp, s.beta1, s.beta2, s.epsilonForOp, iteration));
        }
        // libnd4j swaps a step size lr·√bc2/bc1 of zero (in the array type) for ε, which would move θ by about ε' per
        // element at lr_t = 0 (lr = 0, or a warm-up's first step from η_min = 0); the state update above is right.
        if (asOpSees(lrOp * Math.sqrt(bc2Op) / bc1Op, type) == 0) g.assign(0);
        addDecay(s, g, decayed);
    }

    /**
     * SGDW from plain ops: m ← μ·m + lr_t·g (scale, axpy), u = m or, with Nesterov, μ·m + lr_t·g (scale, axpy), then
     * the decay axpys. Its scalars (μ, lr_t) need no compensation in float32.
     */
    @Override
    public void sgdw(StepScalars s, INDArray gradient, INDArray m, DecaySegments decayed) {
        DataType type = gradient.dataType();
        if (type == DataType.HALF || type == DataType.BFLOAT16) {
            INDArray g = FlatViews.flat(gradient);   // a view in memory order (reshape of an 'f' array copies)
            INDArray gf = g.castTo(DataType.FLOAT), mf = m.castTo(DataType.FLOAT);
            new Nd4jOpKernel().sgdw(s, gf, mf, asFloat(decayed));
            g.assign(gf);
            m.assign(mf);
            return;
        }
        INDArray g = gradientView.of(gradient);
        m = mView.of(m);
        m.muli(s.momentum);                              // m = μ·m
        Nd4j.exec(new Axpy(g, m, m, s.lr));              //   + lr_t·g
        if (s.nesterov) {
            g.muli(s.lr);                                // u = lr_t·g
            Nd4j.exec(new Axpy(m, g, g, s.momentum));    //   + μ·m
        } else {
            g.assign(m);                                 // u = m
        }
        addDecay(s, g, decayed);
    }

    /**
     * g ← k·g with one op object kept between steps: k is fixed per configuration and type, and g is the same cached
     * view every step. Measured: a new scalar op (INDArray.muli included) costs about 7 µs of setup, mostly for its
     * scalar array, a reused one 0.8 µs; on small blocks (biases, norm gains) that setup is most of the multiply.
     */
    private void scale(INDArray g, double k) {
        if (scaleOp == null || scaled != g || scaledBy != k) {
            scaleOp = new ScalarMultiplication(g, k);
            scaled = g;
            scaledBy = k;
        }
        Nd4j.exec(scaleOp);
    }

    /** u += d_t·θ on each decayed parameter array. */
    private void addDecay(StepScalars s, INDArray g, DecaySegments decayed) {
        if (s.decay == 0 || decayed.count() == 0) return;
        decayViews.bind(g, decayed);
        for (int i = 0; i < decayed.count(); i++) {
            INDArray gs = decayViews.gradient(i);
            Nd4j.exec(new Axpy(decayViews.param(i), gs, gs, s.decay));     // u = u + d_t·θ
        }
    }

    /**
     * 16-bit networks: the step is computed in float32 on float copies and stored back. In 16 bits ε' = ε·√(1−β2^t)
     * (≈ 3e-10) and (1−β2)·g² underflow, so the element math must not run in the array type; the state itself stays in
     * the network's type (DL4J allocates it so). One scratch copy per array and step: this is not a fast path.
     */
    private void stepInFloat(StepScalars s, INDArray g, INDArray m, INDArray v, INDArray vmax, DecaySegments decayed) {
        INDArray gf = g.castTo(DataType.FLOAT), mf = m.castTo(DataType.FLOAT), vf = v.castTo(DataType.FLOAT);
        INDArray xf = vmax == null ? null : vmax.castTo(DataType.FLOAT);
        new Nd4jOpKernel().step(s, gf, mf, vf, xf, asFloat(decayed));
        g.assign(gf);
        m.assign(mf);
        v.assign(vf);
        if (vmax != null) vmax.assign(xf);
    }

    /** The decayed segments with float32 copies of their parameters (16-bit networks). */
    private static DecaySegments asFloat(DecaySegments decayed) {
        return new DecaySegments() {
            @Override public int count() { return decayed.count(); }
            @Override public long offset(int i) { return decayed.offset(i); }
            @Override public long length(int i) { return decayed.length(i); }
            @Override public INDArray param(int i) { return FlatViews.flat(decayed.param(i)).castTo(DataType.FLOAT); }
        };
    }

    /** A scalar as libnd4j sees it inside an op on arrays of {@code type}. */
    static double asOpSees(double x, DataType type) {
        switch (type) {
            case DOUBLE: return x;
            case FLOAT: return (float) x;
            default: return Nd4j.scalar(x).castTo(type).getDouble(0);
        }
    }

    @Override
    public String name() {
        return "nd4j-ops";
    }
}
