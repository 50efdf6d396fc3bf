package io.github.dl4jadamw.internal.kernel;

import io.github.dl4jadamw.SGDW;

import io.github.dl4jadamw.AdamW;

import io.github.dl4jadamw.internal.StepScalars;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.LoggerFactory;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The CPU kernel for nd4j-native, float32 and float64: one fused pass over the block that reads θ (where decayed),
 * g, m, v (, v̂max) and writes u, m, v (, v̂max), split across cores by {@link ParallelLoop}.
 *
 * <h2>How it walks memory</h2>
 * ND4J's arrays live off-heap. Element-wise {@code FloatBuffer.get(i)/put(i)} (or {@code Unsafe.getFloat}) over them
 * is not auto-vectorized by C2 (measured: 3.9–7 ns/parameter at 16M float32, against a memory floor near 1), so the
 * loop goes through tiles: each thread copies {@value #TILE_BYTES} bytes of every operand from the NIO view into a
 * small heap array with one bulk {@code get} (a memcpy), runs the element formula over the heap arrays — plain
 * indexed loops that C2 turns into AVX code — and bulk-{@code put}s the results back. The extra copies stay in L1,
 * so the pass runs at memory speed. The tiles are per thread and created once per thread; the NIO views, one per
 * array ({@link OffHeapView}), are made once and kept while DL4J passes the same arrays; so a step allocates nothing.
 * A block whose arrays exceed one view (2^31−1 bytes: over 536M float32 values in one block) runs on the
 * {@link Nd4jOpKernel} instead.
 *
 * <p>The element formulas are {@link StepScalars}' (AdamW: {@code firstMoment}, {@code secondMoment},
 * {@code direction}; SGDW: {@code momentumBuffer}, {@code sgdDirection}); the
 * decay term is added to the stored direction in a second loop over the tile, which rounds exactly like
 * {@code direction(...) + d·θ} in one expression (Java never fuses or widens floating-point operations).
 */
public final class CpuKernel implements AdamWKernel, ParallelLoop.Body {
    /** Bytes per operand tile: five operands (g, m, v, v̂max, θ) of 4 KiB stay within a 32 KiB L1 data cache. */
    static final int TILE_BYTES = 4096;
    static final int TILE_F32 = TILE_BYTES / Float.BYTES, TILE_F64 = TILE_BYTES / Double.BYTES;

    private static final ThreadLocal<Tiles> TILES = ThreadLocal.withInitial(Tiles::new);

    private final OffHeapView gView = new OffHeapView(), mView = new OffHeapView(), vView = new OffHeapView(),
            vmaxView = new OffHeapView();
    private OffHeapView[] paramViews = {new OffHeapView(), new OffHeapView(), new OffHeapView(), new OffHeapView()};
    /** For blocks too large for one view; made when first needed. */
    private Nd4jOpKernel tooLarge;

    // the step being run (fields, not a lambda, so that run() allocates nothing); read by ParallelLoop's workers,
    // which see them through the volatile hand-over in ParallelLoop.run
    private boolean f32, sgd, nesterov;
    private Object g, m, v, vmax;
    private float b1f, b2f, ob1f, ob2f, stepf, sqrtBc2f, epsf, decayf;
    private double b1, b2, ob1, ob2, step, sqrtBc2, eps, decay;
    private float momf, lrf;
    private double mom, lr;
    private int segCount;
    private long[] segStart = new long[4], segEnd = new long[4];
    private int[] segParamOff = new int[4];   // θ index = block index + this (−segment start)
    private Object[] segParam = new Object[4];

    static boolean supports(DataType t) {
        return t == DataType.FLOAT || t == DataType.DOUBLE;
    }

    @Override
    public void step(StepScalars s, INDArray gradient, INDArray m, INDArray v, INDArray vmax, DecaySegments decayed) {
        DataType type = checkType(gradient);
        long n = gradient.length();
        checkState("m", m, type, n);
        checkState("v", v, type, n);
        if (s.amsgrad && vmax == null)
            throw new IllegalStateException("AMSGrad step without a v̂max state array");
        if (vmax != null) checkState("vmax", vmax, type, n);
        if (!OffHeapView.fits(gradient)) {
            largeBlock(n).step(s, gradient, m, v, vmax, decayed);
            return;
        }
        this.sgd = false;
        this.g = view(gView, gradient);
        this.m = view(mView, m);
        this.v = view(vView, v);
        this.vmax = s.amsgrad ? view(vmaxView, vmax) : null;
        b1 = s.beta1; b2 = s.beta2; ob1 = s.oneMinusBeta1; ob2 = s.oneMinusBeta2;
        step = s.stepSize; sqrtBc2 = s.sqrtBc2; eps = s.epsilon;
        b1f = (float) b1; b2f = (float) b2; ob1f = (float) ob1; ob2f = (float) ob2;
        stepf = (float) step; sqrtBc2f = (float) sqrtBc2; epsf = (float) eps;
        run(s, gradient, decayed);
        Reference.reachabilityFence(m);   // the views hold the arrays' memory only weakly (run fences the rest)
        Reference.reachabilityFence(v);
        Reference.reachabilityFence(vmax);
    }

    /** SGDW: the same walk over g, m (and θ where decayed); {@link #sgd} is the element loop. */
    @Override
    public void sgdw(StepScalars s, INDArray gradient, INDArray m, DecaySegments decayed) {
        DataType type = checkType(gradient);
        checkState("m", m, type, gradient.length());
        if (!OffHeapView.fits(gradient)) {
            largeBlock(gradient.length()).sgdw(s, gradient, m, decayed);
            return;
        }
        this.sgd = true;
        this.g = view(gView, gradient);
        this.m = view(mView, m);
        this.v = this.vmax = null;
        mom = s.momentum; lr = s.lr; nesterov = s.nesterov;
        momf = (float) mom; lrf = (float) lr;
        run(s, gradient, decayed);
        Reference.reachabilityFence(m);
    }

    private DataType checkType(INDArray gradient) {
        DataType type = gradient.dataType();
        if (!supports(type))
            throw new IllegalStateException("The CPU kernel supports FLOAT and DOUBLE, not " + type
                    + " (use -Dadamw.kernel=nd4j or auto)");
        this.f32 = type == DataType.FLOAT;
        return type;
    }

    /** Prepares the decayed segments and runs the pass over the block across cores. */
    private void run(StepScalars s, INDArray gradient, DecaySegments decayed) {
        DataType type = gradient.dataType();
        long n = gradient.length();
        decay = s.decay;
        decayf = (float) decay;
        segCount = s.decay == 0 ? 0 : decayed.count();
        if (segCount > segStart.length) grow(segCount);
        long prevEnd = 0;
        for (int i = 0; i < segCount; i++) {
            INDArray p = decayed.param(i);
            long off = decayed.offset(i), len = decayed.length(i);
            if (p.dataType() != type)
                throw new IllegalStateException("parameter type " + p.dataType() + " differs from gradient type " + type);
            if (off < prevEnd || off + len > n || p.length() != len)
                throw new IllegalStateException("decay segment " + i + " [" + off + ", " + (off + len) + ") of a "
                        + p.length() + "-element parameter is out of order or outside the " + n + "-element block");
            segStart[i] = off;
            segEnd[i] = prevEnd = off + len;
            segParam[i] = view(paramViews[i], p);
            segParamOff[i] = (int) -off;
        }
        try {
            ParallelLoop.shared().run(n, this);
        } finally {
            this.g = this.m = this.v = this.vmax = null;
            Arrays.fill(segParam, 0, segCount, null);
            Reference.reachabilityFence(gradient);
            Reference.reachabilityFence(decayed);
        }
    }

    private static void checkState(String name, INDArray a, DataType type, long n) {
        if (a.dataType() != type || a.length() != n)
            throw new IllegalStateException("state " + name + " is " + a.dataType() + "[" + a.length()
                    + "], the gradient " + type + "[" + n + "]");
    }

    /** Runs [from, to) of the block: decayed segments with the decay term, the rest without. */
    @Override
    public void run(long from, long to) {
        Tiles t = TILES.get();
        long i = from;
        for (int k = 0; k < segCount && i < to; k++) {
            long a = Math.max(segStart[k], i), b = Math.min(segEnd[k], to);
            if (b <= a) continue;
            if (i < a) range(t, (int) i, (int) a, null, 0);
            range(t, (int) a, (int) b, segParam[k], segParamOff[k]);
            i = b;
        }
        if (i < to) range(t, (int) i, (int) to, null, 0);
    }

    private void range(Tiles t, int from, int to, Object p, int pOff) {
        if (f32) rangeF32(t.f32(), from, to, (FloatBuffer) p, pOff);
        else rangeF64(t.f64(), from, to, (DoubleBuffer) p, pOff);
    }

    private void rangeF32(float[][] t, int from, int to, FloatBuffer p, int pOff) {
        FloatBuffer g = (FloatBuffer) this.g, m = (FloatBuffer) this.m, v = (FloatBuffer) this.v,
                x = (FloatBuffer) this.vmax;
        float[] tg = t[0], tm = t[1], tv = t[2], tx = t[3], tp = t[4];
        for (int base = from; base < to; base += TILE_F32) {
            int len = Math.min(TILE_F32, to - base);
            BulkAccess.get(g, base, tg, 0, len);
            BulkAccess.get(m, base, tm, 0, len);
            if (sgd) {
                sgd(tg, tm, len, momf, lrf, nesterov);
            } else if (x == null) {
                BulkAccess.get(v, base, tv, 0, len);
                adam(tg, tm, tv, len, b1f, ob1f, b2f, ob2f, stepf, sqrtBc2f, epsf);
                BulkAccess.put(v, base, tv, 0, len);
            } else {
                BulkAccess.get(v, base, tv, 0, len);
                BulkAccess.get(x, base, tx, 0, len);
                amsgrad(tg, tm, tv, tx, len, b1f, ob1f, b2f, ob2f, stepf, sqrtBc2f, epsf);
                BulkAccess.put(x, base, tx, 0, len);
                BulkAccess.put(v, base, tv, 0, len);
            }
            if (p != null) {
                BulkAccess.get(p, pOff + base, tp, 0, len);
                decay(tg, tp, len, decayf);
            }
            BulkAccess.put(m, base, tm, 0, len);
            BulkAccess.put(g, base, tg, 0, len);
        }
    }

    private void rangeF64(double[][] t, int from, int to, DoubleBuffer p, int pOff) {
        DoubleBuffer g = (DoubleBuffer) this.g, m = (DoubleBuffer) this.m, v = (DoubleBuffer) this.v,
                x = (DoubleBuffer) this.vmax;
        double[] tg = t[0], tm = t[1], tv = t[2], tx = t[3], tp = t[4];
        for (int base = from; base < to; base += TILE_F64) {
            int len = Math.min(TILE_F64, to - base);
            BulkAccess.get(g, base, tg, 0, len);
            BulkAccess.get(m, base, tm, 0, len);
            if (sgd) {
                sgd(tg, tm, len, mom, lr, nesterov);
            } else if (x == null) {
                BulkAccess.get(v, base, tv, 0, len);
                adam(tg, tm, tv, len, b1, ob1, b2, ob2, step, sqrtBc2, eps);
                BulkAccess.put(v, base, tv, 0, len);
            } else {
                BulkAccess.get(v, base, tv, 0, len);
                BulkAccess.get(x, base, tx, 0, len);
                amsgrad(tg, tm, tv, tx, len, b1, ob1, b2, ob2, step, sqrtBc2, eps);
                BulkAccess.put(x, base, tx, 0, len);
                BulkAccess.put(v, base, tv, 0, len);
            }
            if (p != null) {
                BulkAccess.get(p, pOff + base, tp, 0, len);
                decay(tg, tp, len, decay);
            }
            BulkAccess.put(m, base, tm, 0, len);
            BulkAccess.put(g, base, tg, 0, len);
        }
    }

    // ---- the element loops over one tile: StepScalars' formula, written so that C2 vectorizes it ----

    /** m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  g ← direction(m, v) */
    static void adam(float[] g, float[] m, float[] v, int len, float b1, float ob1, float b2, float ob2,
                     float step, float sqrtBc2, float eps) {
        for (int k = 0; k < len; k++) {
            float gk = g[k];
            float mk = StepScalars.firstMoment(m[k], gk, b1, ob1);
            float vk = StepScalars.secondMoment(v[k], gk, b2, ob2);
            m[k] = mk;
            v[k] = vk;
            g[k] = StepScalars.direction(mk, vk, step, sqrtBc2, eps);
        }
    }

    /** As {@link #adam(float[], float[], float[], int, float, float, float, float, float, float, float)}, with
     *  v̂max ← max(v̂max, v) and the direction taken with v̂max. */
    static void amsgrad(float[] g, float[] m, float[] v, float[] x, int len, float b1, float ob1, float b2, float ob2,
                        float step, float sqrtBc2, float eps) {
        for (int k = 0; k < len; k++) {
            float gk = g[k];
            float mk = StepScalars.firstMoment(m[k], gk, b1, ob1);
            float vk = StepScalars.secondMoment(v[k], gk, b2, ob2);
            float xk = Math.max(x[k], vk);
            m[k] = mk;
            v[k] = vk;
            x[k] = xk;
            g[k] = StepScalars.direction(mk, xk, step, sqrtBc2, eps);
        }
    }

    /** SGDW: m ← μ·m + lr_t·g;  g ← m (Nesterov: μ·m + lr_t·g) */
    static void sgd(float[] g, float[] m, int len, float mom, float lr, boolean nesterov) {
        for (int k = 0; k < len; k++) {
            float gk = g[k];
            float mk = StepScalars.momentumBuffer(m[k], gk, mom, lr);
            m[k] = mk;
            g[k] = StepScalars.sgdDirection(mk, gk, mom, lr, nesterov);
        }
    }

    static void sgd(double[] g, double[] m, int len, double mom, double lr, boolean nesterov) {
        for (int k = 0; k < len; k++) {
            double gk = g[k];
            double mk = StepScalars.momentumBuffer(m[k], gk, mom, lr);
            m[k] = mk;
            g[k] = StepScalars.sgdDirection(mk, gk, mom, lr, nesterov);
        }
    }

    /** u ← u + d_t·θ */
    static void decay(float[] u, float[] p, int len, float d) {
        for (int k = 0; k < len; k++) u[k] += d * p[k];
    }

    static void adam(double[] g, double[] m, double[] v, int len, double b1, double ob1, double b2, double ob2,
                     double step, double sqrtBc2, double eps) {
        for (int k = 0; k < len; k++) {
            double gk = g[k];
            double mk = StepScalars.firstMoment(m[k], gk, b1, ob1);
            double vk = StepScalars.secondMoment(v[k], gk, b2, ob2);
            m[k] = mk;
            v[k] = vk;
            g[k] = StepScalars.direction(mk, vk, step, sqrtBc2, eps);
        }
    }

    static void amsgrad(double[] g, double[] m, double[] v, double[] x, int len, double b1, double ob1, double b2,
                        double ob2, double step, double sqrtBc2, double eps) {
        for (int k = 0; k < len; k++) {
            double gk = g[k];
            double mk = StepScalars.firstMoment(m[k], gk, b1, ob1);
            double vk = StepScalars.secondMoment(v[k], gk, b2, ob2);
            double xk = Math.max(x[k], vk);
            m[k] = mk;
            v[k] = vk;
            x[k] = xk;
            g[k] = StepScalars.direction(mk, xk, step, sqrtBc2, eps);
        }
    }

    static void decay(double[] u, double[] p, int len, double d) {
        for (int k = 0; k < len; k++) u[k] += d * p[k];
    }

    /** One thread's tiles: g, m, v, v̂max, θ. */
    private static final class Tiles {
        private float[][] f32;
        private double[][] f64;

        float[][] f32() {
            if (f32 == null) f32 = new float[5][TILE_F32];
            return f32;
        }

        double[][] f64() {
            if (f64 == null) f64 = new double[5][TILE_F64];
            return f64;
        }
    }

    /**
     * The float or double view of exactly {@code a}'s elements (index = element index), kept by {@code slot}; a
     * non-contiguous array is refused there.
     */
    private Object view(OffHeapView slot, INDArray a) {
        return f32 ? slot.floats(a) : slot.doubles(a);
    }

    /** The ND4J-op kernel, for a block whose arrays exceed one NIO view. */
    private Nd4jOpKernel largeBlock(long n) {
        if (tooLarge == null) {
            tooLarge = new Nd4jOpKernel();
            LoggerFactory.getLogger(CpuKernel.class).info("AdamW: an updater block of {} values exceeds the CPU "
                    + "kernel's 2^31−1-byte views; it runs on the ND4J-op kernel", n);
        }
        return tooLarge;
    }

    private void grow(int n) {
        segStart = Arrays.copyOf(segStart, n);
        segEnd = Arrays.copyOf(segEnd, n);
        segParamOff = Arrays.copyOf(segParamOff, n);
        segParam = Arrays.copyOf(segParam, n);
        int had = paramViews.length;
        paramViews = Arrays.copyOf(paramViews, n);
        for (int i = had; i < n; i++) paramViews[i] = new OffHeapView();
    }

    @Override
    public String name() {
        return "cpu";
    }
}
