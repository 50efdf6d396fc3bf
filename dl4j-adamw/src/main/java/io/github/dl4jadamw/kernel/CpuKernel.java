package io.github.dl4jadamw.kernel;

import io.github.dl4jadamw.StepScalars;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * The CPU kernel for nd4j-native, float32 and float64: one fused pass over the block that reads θ (where decayed),
 * g, m, v (, v̂max) and writes u, m, v (, v̂max), split across cores by {@link ParallelLoop}. It reads ND4J's off-heap
 * buffers directly through NIO views that are created once per buffer and cached, so a step allocates nothing.
 *
 * <p>The element formula is {@link StepScalars}' ({@code firstMoment}, {@code secondMoment}, {@code direction}).
 */
public final class CpuKernel implements AdamWKernel, ParallelLoop.Body {
    private final Map<DataBuffer, Object> nio = new IdentityHashMap<>();

    // the step being run (fields, not a lambda, so that run() allocates nothing)
    private StepScalars s;
    private boolean f32;
    private Object g, m, v, vmax;
    private long gOff, mOff, vOff, vmaxOff;
    private int segCount;
    private long[] segStart = new long[4], segEnd = new long[4], segParamOff = new long[4];
    private Object[] segParam = new Object[4];

    static boolean supports(DataType t) {
        return t == DataType.FLOAT || t == DataType.DOUBLE;
    }

    @Override
    public void step(StepScalars s, INDArray gradient, INDArray m, INDArray v, INDArray vmax, DecaySegments decayed) {
        DataType type = gradient.dataType();
        if (!supports(type) || m.dataType() != type)
            throw new IllegalStateException("The CPU kernel supports FLOAT and DOUBLE, not " + type
                    + " (use -Dadamw.kernel=nd4j or auto)");
        this.s = s;
        this.f32 = type == DataType.FLOAT;
        this.g = view(gradient); this.gOff = gradient.offset();
        this.m = view(m); this.mOff = m.offset();
        this.v = view(v); this.vOff = v.offset();
        this.vmax = vmax == null ? null : view(vmax); this.vmaxOff = vmax == null ? 0 : vmax.offset();
        segCount = s.decay == 0 ? 0 : decayed.count();
        if (segCount > segStart.length) grow(segCount);
        for (int i = 0; i < segCount; i++) {
            INDArray p = decayed.param(i);
            if (p.dataType() != type)
                throw new IllegalStateException("parameter type " + p.dataType() + " differs from gradient type " + type);
            segStart[i] = decayed.offset(i);
            segEnd[i] = segStart[i] + decayed.length(i);
            segParam[i] = view(p);
            segParamOff[i] = p.offset() - segStart[i]; // θ index = block index + this
        }
        try {
            ParallelLoop.shared().run(gradient.length(), this);
        } finally {
            this.g = this.m = this.v = this.vmax = null;
            java.util.Arrays.fill(segParam, 0, segCount, null);
        }
    }

    /** Runs [from, to) of the block: decayed segments with the decay term, the rest without. */
    @Override
    public void run(long from, long to) {
        long i = from;
        for (int k = 0; k < segCount && i < to; k++) {
            long a = Math.max(segStart[k], i), b = Math.min(segEnd[k], to);
            if (b <= a) continue;
            if (i < a) range(i, a, null, 0);
            range(a, b, segParam[k], segParamOff[k]);
            i = b;
        }
        if (i < to) range(i, to, null, 0);
    }

    private void range(long from, long to, Object p, long pOff) {
        if (f32) rangeF32((int) from, (int) to, (FloatBuffer) p, (int) pOff);
        else rangeF64((int) from, (int) to, (DoubleBuffer) p, (int) pOff);
    }

    private void rangeF32(int from, int to, FloatBuffer p, int pOff) {
        FloatBuffer g = (FloatBuffer) this.g, m = (FloatBuffer) this.m, v = (FloatBuffer) this.v,
                vmax = (FloatBuffer) this.vmax;
        int go = (int) gOff, mo = (int) mOff, vo = (int) vOff, xo = (int) vmaxOff;
        float b1 = (float) s.beta1, b2 = (float) s.beta2, ob1 = (float) s.oneMinusBeta1, ob2 = (float) s.oneMinusBeta2;
        float step = (float) s.stepSize, sqrtBc2 = (float) s.sqrtBc2, eps = (float) s.epsilon, d = (float) s.decay;
        for (int i = from; i < to; i++) {
            float gi = g.get(go + i);
            float mi = StepScalars.firstMoment(m.get(mo + i), gi, b1, ob1);
            float vi = StepScalars.secondMoment(v.get(vo + i), gi, b2, ob2);
            m.put(mo + i, mi);
            v.put(vo + i, vi);
            if (vmax != null) {
                vi = Math.max(vmax.get(xo + i), vi);
                vmax.put(xo + i, vi);
            }
            float u = StepScalars.direction(mi, vi, step, sqrtBc2, eps);
            if (p != null) u += d * p.get(pOff + i);
            g.put(go + i, u);
        }
    }

    private void rangeF64(int from, int to, DoubleBuffer p, int pOff) {
        DoubleBuffer g = (DoubleBuffer) this.g, m = (DoubleBuffer) this.m, v = (DoubleBuffer) this.v,
                vmax = (DoubleBuffer) this.vmax;
        int go = (int) gOff, mo = (int) mOff, vo = (int) vOff, xo = (int) vmaxOff;
        double b1 = s.beta1, b2 = s.beta2, ob1 = s.oneMinusBeta1, ob2 = s.oneMinusBeta2;
        double step = s.stepSize, sqrtBc2 = s.sqrtBc2, eps = s.epsilon, d = s.decay;
        for (int i = from; i < to; i++) {
            double gi = g.get(go + i);
            double mi = StepScalars.firstMoment(m.get(mo + i), gi, b1, ob1);
            double vi = StepScalars.secondMoment(v.get(vo + i), gi, b2, ob2);
            m.put(mo + i, mi);
            v.put(vo + i, vi);
            if (vmax != null) {
                vi = Math.max(vmax.get(xo + i), vi);
                vmax.put(xo + i, vi);
            }
            double u = StepScalars.direction(mi, vi, step, sqrtBc2, eps);
            if (p != null) u += d * p.get(pOff + i);
            g.put(go + i, u);
        }
    }

    /** A cached NIO view of an array's whole buffer (index = array offset + element index). */
    private Object view(INDArray a) {
        if (a.elementWiseStride() != 1)
            throw new IllegalStateException("The CPU kernel needs contiguous arrays, got " + a.shapeInfoToString());
        DataBuffer b = Buffers.root(a);
        Object o = nio.get(b);
        if (o == null) {
            if (b.length() > Integer.MAX_VALUE)
                throw new IllegalStateException("buffer of " + b.length() + " elements exceeds 2^31-1");
            java.nio.ByteBuffer bb = b.asNio().order(ByteOrder.nativeOrder());
            o = a.dataType() == DataType.FLOAT ? bb.asFloatBuffer() : bb.asDoubleBuffer();
            if (nio.size() > 64) nio.clear(); // buffers of discarded networks: do not hold them forever
            nio.put(b, o);
        }
        return o;
    }

    private void grow(int n) {
        segStart = java.util.Arrays.copyOf(segStart, n);
        segEnd = java.util.Arrays.copyOf(segEnd, n);
        segParamOff = java.util.Arrays.copyOf(segParamOff, n);
        segParam = java.util.Arrays.copyOf(segParam, n);
    }

    @Override
    public String name() {
        return "cpu";
    }
}
