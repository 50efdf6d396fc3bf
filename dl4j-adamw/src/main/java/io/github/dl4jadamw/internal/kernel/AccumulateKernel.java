package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Gradient accumulation over k micro-batches, in the gradient's and the ACC state's memory:
 * <pre>
 *   micro-batch j &lt; k − 1:   ACC ← g/k (j = 0) or ACC + g/k;   g ← 0   (the update: nothing moves)
 *   micro-batch k − 1:       g ← ACC + g/k                         (the group's mean, for the step)
 * </pre>
 * the order in which PyTorch's {@code (loss/k).backward()} sums. On nd4j-native FLOAT/DOUBLE one pass in heap tiles
 * split across cores by {@link ParallelLoop}, allocation-free; elsewhere (CUDA, 16-bit types, blocks too large for one
 * view, {@code -Dadamw.kernel=nd4j} when the instance is made) in-place ND4J ops. One instance per updater block.
 */
public final class AccumulateKernel implements ParallelLoop.Body {
    private static final ThreadLocal<double[][]> TILES_D =
            ThreadLocal.withInitial(() -> new double[2][CpuKernel.TILE_F64]);
    private static final ThreadLocal<float[][]> TILES_F =
            ThreadLocal.withInitial(() -> new float[2][CpuKernel.TILE_F32]);

    private final boolean byOps = Kernels.configured() == Kernels.Choice.ND4J;
    private final OffHeapView gView = new OffHeapView(), aView = new OffHeapView();
    // the pass being run; read by ParallelLoop's workers
    private DoubleBuffer g64, a64;
    private FloatBuffer g32, a32;
    private double k;
    private float kF;
    private int mode;   // 0: ACC ← g/k, g ← 0;  1: ACC ← ACC + g/k, g ← 0;  2: g ← ACC + g/k
    private static final int START = 0, ADD = 1, FINISH = 2;

    /** Micro-batch {@code j} (from 0) of a group of {@code k} that does not step. */
    public void add(INDArray gradient, INDArray acc, int j, int k) {
        run(gradient, acc, k, j == 0 ? START : ADD);
    }

    /** The group's last micro-batch: g ← ACC + g/k. */
    public void finish(INDArray gradient, INDArray acc, int k) {
        run(gradient, acc, k, FINISH);
    }

    private void run(INDArray gradient, INDArray acc, int k, int mode) {
        if (gradient.length() != acc.length())
            throw new IllegalStateException("gradient of " + gradient.length() + " values, ACC " + acc.length());
        DataType t = gradient.dataType();
        boolean cpu = !byOps && CpuKernel.supports(t) && Kernels.nativeCpuBackend() && OffHeapView.fits(gradient)
                && contiguous(gradient) && contiguous(acc) && acc.dataType() == t;
        if (!cpu) {
            byOps(gradient, acc, k, mode);
            return;
        }
        this.k = k;
        this.kF = k;
        this.mode = mode;
        if (t == DataType.DOUBLE) {
            g64 = gView.doubles(gradient);
            a64 = aView.doubles(acc);
        } else {
            g32 = gView.floats(gradient);
            a32 = aView.floats(acc);
        }
        try {
            ParallelLoop.shared().run(gradient.length(), this);
        } finally {
            g64 = a64 = null;
            g32 = a32 = null;
            Reference.reachabilityFence(gradient);   // the views hold the memory only weakly
            Reference.reachabilityFence(acc);
        }
    }

    private static boolean contiguous(INDArray a) {
        return a.length() <= 1 || a.elementWiseStride() == 1;
    }

    private static void byOps(INDArray g, INDArray acc, int k, int mode) {
        g.divi(k);
        if (mode == FINISH) {
            g.addi(acc);
            return;
        }
        if (mode == START) acc.assign(g);
        else acc.addi(g);
        g.assign(0);
    }

    @Override
    public void run(long from, long to) {
        if (g64 != null) f64((int) from, (int) to);
        else f32((int) from, (int) to);
    }

    private void f64(int from, int to) {
        double[][] t = TILES_D.get();
        double[] tg = t[0], ta = t[1];
        for (int base = from; base < to; base += tg.length) {
            int len = Math.min(tg.length, to - base);
            BulkAccess.get(g64, base, tg, 0, len);
            if (mode == START) {
                for (int i = 0; i < len; i++) ta[i] = tg[i] / k;
            } else {
                BulkAccess.get(a64, base, ta, 0, len);
                for (int i = 0; i < len; i++) ta[i] = ta[i] + tg[i] / k;
            }
            if (mode == FINISH) {
                BulkAccess.put(g64, base, ta, 0, len);
            } else {
                BulkAccess.put(a64, base, ta, 0, len);
                java.util.Arrays.fill(tg, 0, len, 0.0);
                BulkAccess.put(g64, base, tg, 0, len);
            }
        }
    }

    private void f32(int from, int to) {
        float[][] t = TILES_F.get();
        float[] tg = t[0], ta = t[1];
        for (int base = from; base < to; base += tg.length) {
            int len = Math.min(tg.length, to - base);
            BulkAccess.get(g32, base, tg, 0, len);
            if (mode == START) {
                for (int i = 0; i < len; i++) ta[i] = tg[i] / kF;
            } else {
                BulkAccess.get(a32, base, ta, 0, len);
                for (int i = 0; i < len; i++) ta[i] = ta[i] + tg[i] / kF;
            }
            if (mode == FINISH) {
                BulkAccess.put(g32, base, ta, 0, len);
            } else {
                BulkAccess.put(a32, base, ta, 0, len);
                java.util.Arrays.fill(tg, 0, len, 0f);
                BulkAccess.put(g32, base, tg, 0, len);
            }
        }
    }
}
