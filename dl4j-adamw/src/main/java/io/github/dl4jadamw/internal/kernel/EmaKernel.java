package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The EMA of the weights after an optimizer step, from the parameters θ before DL4J's step and the update u it
 * subtracts (θ_new = θ − u, the same subtraction DL4J makes):
 * <pre>
 *   first update:  ema ← θ_new
 *   later:         ema ← d·(ema − θ_new) + θ_new       (= d·ema + (1 − d)·θ_new)
 * </pre>
 * On nd4j-native FLOAT/DOUBLE one pass in heap tiles (as {@link CpuKernel}), split across cores by
 * {@link ParallelLoop}, allocation-free; elsewhere in-place
 * ND4J ops (CUDA, 16-bit types, blocks too large for one view, or {@code -Dadamw.kernel=nd4j} when the instance is
 * made), which round the same formula in another order. One instance per updater block.
 */
public final class EmaKernel implements ParallelLoop.Body {
    private static final ThreadLocal<double[][]> TILES_D =
            ThreadLocal.withInitial(() -> new double[3][CpuKernel.TILE_F64]);
    private static final ThreadLocal<float[][]> TILES_F =
            ThreadLocal.withInitial(() -> new float[3][CpuKernel.TILE_F32]);

    private final boolean byOps = Kernels.configured() == Kernels.Choice.ND4J;
    private final OffHeapView eView = new OffHeapView(), pView = new OffHeapView(), uView = new OffHeapView();
    // the update being run (fields: nothing is allocated per call); read by ParallelLoop's workers
    private DoubleBuffer e64, p64, u64;
    private FloatBuffer e32, p32, u32;
    private double decay;
    private float decayF;
    private boolean first;

    /** Updates {@code ema} from θ ({@code params}) and u ({@code update}), all contiguous and of one type and length. */
    public void update(INDArray ema, INDArray params, INDArray update, double decay, boolean first) {
        if (ema.length() != params.length() || ema.length() != update.length())
            throw new IllegalStateException("EMA of " + ema.length() + " values, parameters " + params.length()
                    + ", update " + update.length());
        DataType t = ema.dataType();
        boolean cpu = !byOps && CpuKernel.supports(t) && Kernels.nativeCpuBackend() && OffHeapView.fits(ema)
                && contiguous(ema) && contiguous(params) && contiguous(update)
                && params.dataType() == t && update.dataType() == t;
        if (!cpu) {
            byOps(ema, params, update, decay, first);
            return;
        }
        this.decay = decay;
        this.decayF = (float) decay;
        this.first = first;
        if (t == DataType.DOUBLE) {
            e64 = eView.doubles(ema);
            p64 = pView.doubles(params);
            u64 = uView.doubles(update);
        } else {
            e32 = eView.floats(ema);
            p32 = pView.floats(params);
            u32 = uView.floats(update);
        }
        try {
            ParallelLoop.shared().run(ema.length(), this);
        } finally {
            e64 = p64 = u64 = null;
            e32 = p32 = u32 = null;
            Reference.reachabilityFence(ema);   // the views hold the memory only weakly
            Reference.reachabilityFence(params);
            Reference.reachabilityFence(update);
        }
    }

    private static boolean contiguous(INDArray a) {
        return a.length() <= 1 || a.elementWiseStride() == 1;
    }

    private static void byOps(INDArray ema, INDArray params, INDArray update, double decay, boolean first) {
        if (first) {
            ema.assign(params).subi(update);                                  // θ − u
        } else {
            ema.subi(params).addi(update).muli(decay).addi(params).subi(update);   // d·(ema − θ_new) + θ_new
        }
    }

    @Override
    public void run(long from, long to) {
        if (e64 != null) f64((int) from, (int) to);
        else f32((int) from, (int) to);
    }

    private void f64(int from, int to) {
        double[][] t = TILES_D.get();
        double[] te = t[0], tp = t[1], tu = t[2];
        double d = decay;
        for (int base = from; base < to; base += te.length) {
            int len = Math.min(te.length, to - base);
            BulkAccess.get(p64, base, tp, 0, len);
            BulkAccess.get(u64, base, tu, 0, len);
            if (first) {
                for (int i = 0; i < len; i++) te[i] = tp[i] - tu[i];
            } else {
                BulkAccess.get(e64, base, te, 0, len);
                for (int i = 0; i < len; i++) {
                    double now = tp[i] - tu[i];
                    te[i] = d * (te[i] - now) + now;
                }
            }
            BulkAccess.put(e64, base, te, 0, len);
        }
    }

    private void f32(int from, int to) {
        float[][] t = TILES_F.get();
        float[] te = t[0], tp = t[1], tu = t[2];
        float d = decayF;
        for (int base = from; base < to; base += te.length) {
            int len = Math.min(te.length, to - base);
            BulkAccess.get(p32, base, tp, 0, len);
            BulkAccess.get(u32, base, tu, 0, len);
            if (first) {
                for (int i = 0; i < len; i++) te[i] = tp[i] - tu[i];
            } else {
                BulkAccess.get(e32, base, te, 0, len);
                for (int i = 0; i < len; i++) {
                    float now = tp[i] - tu[i];
                    te[i] = d * (te[i] - now) + now;
                }
            }
            BulkAccess.put(e32, base, te, 0, len);
        }
    }
}
