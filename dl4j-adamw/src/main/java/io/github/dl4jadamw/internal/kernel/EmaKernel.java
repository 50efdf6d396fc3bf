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
 * On nd4j-native FLOAT/DOUBLE one pass in heap tiles (as {@link CpuKernel}), allocation-free; elsewhere in-place
 * ND4J ops (CUDA, 16-bit types, blocks too large for one view, or {@code -Dadamw.kernel=nd4j} when the instance is
 * made), which round the same formula in another order. One instance per updater block.
 */
public final class EmaKernel {
    private final boolean byOps = Kernels.configured() == Kernels.Choice.ND4J;
    private static final int TILE_F32 = CpuKernel.TILE_F32, TILE_F64 = CpuKernel.TILE_F64;

    private final OffHeapView eView = new OffHeapView(), pView = new OffHeapView(), uView = new OffHeapView();
    private double[] e64, p64, u64;
    private float[] e32, p32, u32;

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
        int n = (int) ema.length();
        try {
            if (t == DataType.DOUBLE) f64(eView.doubles(ema), pView.doubles(params), uView.doubles(update), n, decay, first);
            else f32(eView.floats(ema), pView.floats(params), uView.floats(update), n, (float) decay, first);
        } finally {
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

    private void f64(DoubleBuffer e, DoubleBuffer p, DoubleBuffer u, int n, double d, boolean first) {
        if (e64 == null) { e64 = new double[TILE_F64]; p64 = new double[TILE_F64]; u64 = new double[TILE_F64]; }
        double[] te = e64, tp = p64, tu = u64;
        for (int base = 0; base < n; base += TILE_F64) {
            int len = Math.min(TILE_F64, n - base);
            BulkAccess.get(p, base, tp, 0, len);
            BulkAccess.get(u, base, tu, 0, len);
            if (first) {
                for (int i = 0; i < len; i++) te[i] = tp[i] - tu[i];
            } else {
                BulkAccess.get(e, base, te, 0, len);
                for (int i = 0; i < len; i++) {
                    double now = tp[i] - tu[i];
                    te[i] = d * (te[i] - now) + now;
                }
            }
            BulkAccess.put(e, base, te, 0, len);
        }
    }

    private void f32(FloatBuffer e, FloatBuffer p, FloatBuffer u, int n, float d, boolean first) {
        if (e32 == null) { e32 = new float[TILE_F32]; p32 = new float[TILE_F32]; u32 = new float[TILE_F32]; }
        float[] te = e32, tp = p32, tu = u32;
        for (int base = 0; base < n; base += TILE_F32) {
            int len = Math.min(TILE_F32, n - base);
            BulkAccess.get(p, base, tp, 0, len);
            BulkAccess.get(u, base, tu, 0, len);
            if (first) {
                for (int i = 0; i < len; i++) te[i] = tp[i] - tu[i];
            } else {
                BulkAccess.get(e, base, te, 0, len);
                for (int i = 0; i < len; i++) {
                    float now = tp[i] - tu[i];
                    te[i] = d * (te[i] - now) + now;
                }
            }
            BulkAccess.put(e, base, te, 0, len);
        }
    }
}
