package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Σ x² over contiguous arrays, for the global gradient norm: on nd4j-native FLOAT/DOUBLE one Java pass over each
 * array's memory, split across cores by {@link ParallelLoop}, in tiles copied to the heap (as {@link CpuKernel} walks
 * memory: bulk copies, then a plain loop), summed in double; elsewhere (CUDA, 16-bit types) ND4J's norm2 op on a
 * float64 copy. Views are kept per slot (the n-th array of a step), so a step that sums the same arrays again allocates
 * nothing. One instance per thread.
 *
 * <p>A NaN or ±Inf anywhere makes the sum non-finite, so a finite sum also proves the arrays finite (the converse
 * does not hold: squares of finite float64 values above ~1.3e154 overflow; the caller then scans).
 *
 * <p>The order of the additions is fixed by the array's length and the thread count (each of {@link ParallelLoop}'s
 * chunks has its own sum, the chunks' sums are added in order), whichever threads run the chunks, and whether they
 * run in parallel or not: equal inputs give equal bits.
 */
public final class SquareSums implements ParallelLoop.Body {
    private static final ThreadLocal<SquareSums> SUMS = ThreadLocal.withInitial(SquareSums::new);
    private static final ThreadLocal<double[]> TILE_D = ThreadLocal.withInitial(() -> new double[CpuKernel.TILE_F64]);
    private static final ThreadLocal<float[]> TILE_F = ThreadLocal.withInitial(() -> new float[CpuKernel.TILE_F32]);

    private OffHeapView[] views = {};
    private double[] partial = new double[16];
    // the array being summed (fields, not a lambda: nothing is allocated per call); read by ParallelLoop's workers
    private DoubleBuffer doubles;
    private FloatBuffer floats;
    private long chunk;

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
        long n = a.length();
        if (n == 0) return 0;
        DataType t = a.dataType();
        if (byOps || !CpuKernel.supports(t) || !Kernels.nativeCpuBackend() || !OffHeapView.fits(a)
                || (n > 1 && a.elementWiseStride() != 1)) {
            // libnd4j's norm2 accumulates in the array's type: over 1M float32 values that is 1.6e-4 off (measured,
            // RecipeKernelsTest), so 16/32-bit arrays are summed in a float64 copy (made every step, on this path only)
            double norm = (t == DataType.DOUBLE ? a : a.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
            return norm * norm;
        }
        OffHeapView v = view(slot);
        chunk = ParallelLoop.chunkFor(n);
        int chunks = (int) ((n + chunk - 1) / chunk);
        if (partial.length < chunks) partial = new double[Math.max(chunks, 2 * partial.length)];
        if (t == DataType.DOUBLE) doubles = v.doubles(a);
        else floats = v.floats(a);
        try {
            ParallelLoop.shared().run(n, this);
        } finally {
            doubles = null;
            floats = null;
            Reference.reachabilityFence(a);   // the view holds the memory only weakly
        }
        double s = 0;
        for (int c = 0; c < chunks; c++) s += partial[c];
        return s;
    }

    private OffHeapView view(int slot) {
        if (slot >= views.length) {
            int had = views.length;
            views = Arrays.copyOf(views, slot + 1);
            for (int i = had; i <= slot; i++) views[i] = new OffHeapView();
        }
        return views[slot];
    }

    /** [from, to), cut into the loop's chunks, each summed into its own slot. */
    @Override
    public void run(long from, long to) {
        for (long c = from; c < to; c += chunk) {
            int start = (int) c, end = (int) Math.min(c + chunk, to);
            partial[(int) (c / chunk)] = doubles != null ? sum(doubles, start, end) : sum(floats, start, end);
        }
    }

    private static double sum(DoubleBuffer b, int from, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;   // 8 chains: adds overlap
        double[] t = TILE_D.get();
        for (int base = from; base < to; base += t.length) {
            int len = Math.min(t.length, to - base);
            BulkAccess.get(b, base, t, 0, len);
            int i = 0;
            for (; i + 7 < len; i += 8) {
                s0 += t[i] * t[i];
                s1 += t[i + 1] * t[i + 1];
                s2 += t[i + 2] * t[i + 2];
                s3 += t[i + 3] * t[i + 3];
                s4 += t[i + 4] * t[i + 4];
                s5 += t[i + 5] * t[i + 5];
                s6 += t[i + 6] * t[i + 6];
                s7 += t[i + 7] * t[i + 7];
            }
            for (; i < len; i++) s0 += t[i] * t[i];
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    private static double sum(FloatBuffer b, int from, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        float[] t = TILE_F.get();
        for (int base = from; base < to; base += t.length) {
            int len = Math.min(t.length, to - base);
            BulkAccess.get(b, base, t, 0, len);
            int i = 0;
            for (; i + 7 < len; i += 8) {
                double x0 = t[i], x1 = t[i + 1], x2 = t[i + 2], x3 = t[i + 3];
                double x4 = t[i + 4], x5 = t[i + 5], x6 = t[i + 6], x7 = t[i + 7];
                s0 += x0 * x0;
                s1 += x1 * x1;
                s2 += x2 * x2;
                s3 += x3 * x3;
                s4 += x4 * x4;
                s5 += x5 * x5;
                s6 += x6 * x6;
                s7 += x7 * x7;
            }
            for (; i < len; i++) {
                double x = t[i];
                s0 += x * x;
            }
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
