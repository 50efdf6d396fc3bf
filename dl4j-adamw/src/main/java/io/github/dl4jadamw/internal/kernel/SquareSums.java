package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Σ x² over contiguous arrays, for the global gradient norm: on nd4j-native FLOAT/DOUBLE one Java pass over each
 * array's memory in tiles copied to the heap (as {@link CpuKernel} walks memory: bulk copies, then a plain loop that C2
 * vectorizes), summed in double; elsewhere (CUDA, 16-bit types) ND4J's norm2 op. Views are kept per slot (the n-th
 * array of a step), so a step that sums the same arrays again allocates nothing. One instance per thread.
 *
 * <p>A NaN or ±Inf anywhere makes the sum non-finite, so a finite sum also proves the arrays finite (the converse
 * does not hold: squares of finite float64 values above ~1.3e154 overflow; the caller then scans).
 *
 * <p>The order of the additions is fixed (tile by tile, four running sums), so equal inputs give equal bits.
 */
public final class SquareSums {
    private static final ThreadLocal<SquareSums> SUMS = ThreadLocal.withInitial(SquareSums::new);
    private static final int TILE = CpuKernel.TILE_F64;

    private OffHeapView[] views = {};
    private final double[] tileD = new double[TILE];
    private final float[] tileF = new float[TILE];

    private SquareSums() {}

    /** The calling thread's instance. */
    public static SquareSums forThread() {
        return SUMS.get();
    }

    /**
     * Σ x² over a contiguous array; {@code slot} names which of the step's arrays it is (0, 1, ...); {@code byOps}
     * asks for ND4J's op even where the Java pass could run (the ND4J-op kernel's path, as CUDA runs it).
     */
    public double of(INDArray a, int slot, boolean byOps) {
        if (a.length() == 0) return 0;
        DataType t = a.dataType();
        if (byOps || !CpuKernel.supports(t) || !Kernels.nativeCpuBackend() || !OffHeapView.fits(a)
                || (a.length() > 1 && a.elementWiseStride() != 1)) {
            double n = a.norm2Number().doubleValue();
            return n * n;
        }
        OffHeapView v = view(slot);
        try {
            return t == DataType.DOUBLE ? sum(v.doubles(a), (int) a.length()) : sum(v.floats(a), (int) a.length());
        } finally {
            Reference.reachabilityFence(a);   // the view holds the memory only weakly
        }
    }

    private OffHeapView view(int slot) {
        if (slot >= views.length) {
            int had = views.length;
            views = Arrays.copyOf(views, slot + 1);
            for (int i = had; i <= slot; i++) views[i] = new OffHeapView();
        }
        return views[slot];
    }

    private double sum(DoubleBuffer b, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        double[] t = tileD;
        for (int base = 0; base < n; base += TILE) {
            int len = Math.min(TILE, n - base);
            BulkAccess.get(b, base, t, 0, len);
            int i = 0;
            for (; i + 3 < len; i += 4) {
                s0 += t[i] * t[i];
                s1 += t[i + 1] * t[i + 1];
                s2 += t[i + 2] * t[i + 2];
                s3 += t[i + 3] * t[i + 3];
            }
            for (; i < len; i++) s0 += t[i] * t[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    private double sum(FloatBuffer b, int n) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        float[] t = tileF;
        for (int base = 0; base < n; base += TILE) {
            int len = Math.min(TILE, n - base);
            BulkAccess.get(b, base, t, 0, len);
            int i = 0;
            for (; i + 3 < len; i += 4) {
                double x0 = t[i], x1 = t[i + 1], x2 = t[i + 2], x3 = t[i + 3];
                s0 += x0 * x0;
                s1 += x1 * x1;
                s2 += x2 * x2;
                s3 += x3 * x3;
            }
            for (; i < len; i++) {
                double x = t[i];
                s0 += x * x;
            }
        }
        return (s0 + s1) + (s2 + s3);
    }
}
