package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Σ x² over contiguous arrays, for the global gradient norm: on nd4j-native FLOAT/DOUBLE one Java pass over each
 * array's memory, split across cores by {@link ParallelLoop}, read in place and summed in double; elsewhere (CUDA,
 * 16-bit types) ND4J's norm2 op on a float64 copy. Views are kept per slot (the n-th array of a step), so a step that sums the same arrays again allocates
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

    /*
     * Straight from the off-heap buffer with absolute gets (Java 1.4 API, so also on Java 11), not through a heap tile
     * as the kernel reads: a pass that only reads gains nothing from the copy, and skipping it took the float32 sum
     * from 0.52 to 0.38 ns/value on one core of this project's machine. Eight chains so the adds overlap; their order
     * is fixed by the index alone.
     */
    private static double sum(DoubleBuffer b, int from, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from;
        for (; i + 7 < to; i += 8) {
            double x0 = b.get(i), x1 = b.get(i + 1), x2 = b.get(i + 2), x3 = b.get(i + 3);
            double x4 = b.get(i + 4), x5 = b.get(i + 5), x6 = b.get(i + 6), x7 = b.get(i + 7);
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
            s4 += x4 * x4;
            s5 += x5 * x5;
            s6 += x6 * x6;
            s7 += x7 * x7;
        }
        for (; i < to; i++) {
            double x = b.get(i);
            s0 += x * x;
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    private static double sum(FloatBuffer b, int from, int to) {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from;
        for (; i + 7 < to; i += 8) {
            double x0 = b.get(i), x1 = b.get(i + 1), x2 = b.get(i + 2), x3 = b.get(i + 3);
            double x4 = b.get(i + 4), x5 = b.get(i + 5), x6 = b.get(i + 6), x7 = b.get(i + 7);
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
            s4 += x4 * x4;
            s5 += x5 * x5;
            s6 += x6 * x6;
            s7 += x7 * x7;
        }
        for (; i < to; i++) {
            double x = b.get(i);
            s0 += x * x;
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }
}
