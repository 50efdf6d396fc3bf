package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.Reference;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds NaN or ±Inf in a contiguous FLOAT or DOUBLE array on nd4j-native with one tiled Java pass over its buffer,
 * split across cores by {@link ParallelLoop}: the CPU counterpart of {@code MatchCondition(a, notFinite())} without an
 * ND4J op, and allocation-free per call (the op allocates its result array, op objects and views every call).
 *
 * <p>It reads the values as raw bits straight from a {@code LongBuffer} view of the buffer (two float32 values per long)
 * and ORs together {@code (bits & EXPONENTS) + EXPONENT_LSBS} per tile: each add carries into the sign bit of its value
 * exactly when that exponent is all ones (NaN or ±Inf), so a set sign bit flags the tile, which alone is then searched
 * value by value. An integer OR-reduction over longs is what C2 runs fastest here (measured on copied tiles in L1, per
 * float32 and thread: 0.13 ns for longs, 0.26 for ints, 0.32 for a float sum of {@code x·0}). The longs are read with
 * absolute gets, not bulk-copied into a {@code long[]} tile first: measured over whole arrays on one thread, 0.20
 * against 0.33 ns per float32 at 0.26M–1M values (in cache) and 0.31 against 0.52 at 16.7M (from memory).
 *
 * <p>The views are of the scanned values only ({@link OffHeapView}: per thread, kept while the same values come back
 * each step); values beyond one view's 2^31−1 bytes are scanned in 1 GiB pieces, one view per piece, also kept.
 */
public final class FiniteScan implements ParallelLoop.Body {
    private static final int TILE_F64 = CpuKernel.TILE_F64;   // longs per tile: the unit of the early exit
    private static final ThreadLocal<FiniteScan> SCANS = ThreadLocal.withInitial(FiniteScan::new);
    /** Two float32 exponent fields per long, and their lowest bits; the carry of the low one stops at bit 31. */
    private static final long EXP_F32X2 = 0x7F8000007F800000L, EXP_LSB_F32X2 = 0x0080000000800000L;
    private static final long SIGNS_F32X2 = 0x8000000080000000L;
    private static final int EXP_F32 = 0x7F800000;
    private static final long EXP_F64 = 0x7FF0000000000000L, EXP_LSB_F64 = 0x0010000000000000L;

    /** Bytes per piece of an array too large for one view: 1 GiB, within {@link OffHeapView#MAX_BYTES}. */
    private static final long PIECE_BYTES = 1L << 30;

    private OffHeapView[] views = {new OffHeapView()};   // one per piece
    private final AtomicLong first = new AtomicLong();
    private LongBuffer buffer;
    private IntBuffer ints;   // float32 only: the odd value at the end of a chunk
    private boolean f32;

    private FiniteScan() {}

    /** Whether {@link #firstNonFinite} can scan {@code a}: FLOAT or DOUBLE, contiguous, on nd4j-native. */
    public static boolean supports(INDArray a) {
        return supports(a.dataType()) && (a.length() <= 1 || a.elementWiseStride() == 1);
    }

    /** Whether values of this type can be scanned here: FLOAT or DOUBLE on nd4j-native. */
    public static boolean supports(DataType type) {
        return CpuKernel.supports(type) && Kernels.nativeCpuBackend();
    }

    /**
     * The index (in memory order: element order for 'c' arrays and vectors) of the first NaN or ±Inf of a contiguous
     * array, or −1 if every element is finite.
     */
    public static long firstNonFinite(INDArray a) {
        if (!supports(a.dataType()) || (a.length() > 1 && a.elementWiseStride() != 1))
            throw new IllegalArgumentException("FiniteScan needs a contiguous FLOAT or DOUBLE array on nd4j-native, got "
                    + a.shapeInfoToString());
        return firstNonFinite(Buffers.root(a), a.offset(), a.length(), a.dataType());
    }

    /**
     * The index (from {@code offset}) of the first NaN or ±Inf among {@code length} values of {@code type} in a root
     * buffer, or −1: no array is needed (the once-per-step check scans a network's whole gradient buffer this way).
     */
    public static long firstNonFinite(DataBuffer root, long offset, long length, DataType type) {
        if (!supports(type))
            throw new IllegalArgumentException("FiniteScan scans FLOAT or DOUBLE on nd4j-native, not " + type);
        if (root.dataType() != type)
            throw new IllegalArgumentException("buffer type " + root.dataType() + " differs from the type to scan, " + type);
        if (offset < 0 || length < 0 || offset + length > root.length())
            throw new IllegalArgumentException("values [" + offset + ", " + (offset + length) + ") are outside the "
                    + root.length() + "-value buffer");   // the views are raw pointers: never read past the buffer
        return SCANS.get().scan(root, offset, length, type);
    }

    private long scan(DataBuffer root, long offset, long n, DataType type) {
        if (n == 0) return -1;
        // one view; beyond one view's bytes, pieces of an even number of values, a view each (all kept between calls)
        long piece = n * type.width() <= OffHeapView.MAX_BYTES ? n : PIECE_BYTES / type.width();
        for (int p = 0; (long) p * piece < n; p++) {
            long start = p * piece;
            long f = scanView(viewOf(p), root, offset + start, Math.min(piece, n - start), type);
            if (f >= 0) return start + f;
        }
        return -1;
    }

    private OffHeapView viewOf(int piece) {
        if (piece >= views.length) {
            int had = views.length;
            views = Arrays.copyOf(views, piece + 1);
            for (int i = had; i <= piece; i++) views[i] = new OffHeapView();
        }
        return views[piece];
    }

    private long scanView(OffHeapView view, DataBuffer root, long offset, long n, DataType type) {
        f32 = type == DataType.FLOAT;
        buffer = view.longs(root, offset, n, type);
        ints = f32 ? view.ints(root, offset, n, type) : null;
        first.set(Long.MAX_VALUE);
        try {
            ParallelLoop.shared().run(n, this);
        } finally {
            buffer = null;
            ints = null;
            Reference.reachabilityFence(root);   // the view holds the buffer only weakly
        }
        long f = first.get();
        return f == Long.MAX_VALUE ? -1 : f;
    }

    @Override
    public void run(long from, long to) {
        if (from >= to) return;
        if (f32) scanF32((int) from, (int) to);
        else scanF64((int) from, (int) to);
    }

    /** Values [from, to) of the array: whole longs, then the odd value at the end (chunks start at even values). */
    private void scanF32(int from, int to) {
        int s = from, e = to;
        if ((s & 1) != 0) {   // ParallelLoop's chunks are multiples of 16, so only a caller's odd start gets here
            if ((ints.get(s) & EXP_F32) == EXP_F32) { found(s); return; }
            s++;
        }
        LongBuffer b = buffer;
        for (int base = s >> 1, end = e >> 1; base < end && 2L * base < first.get(); base += TILE_F64) {
            int stop = Math.min(base + TILE_F64, end);
            long flags = 0;
            for (int i = base; i < stop; i++) flags |= (b.get(i) & EXP_F32X2) + EXP_LSB_F32X2;
            if ((flags & SIGNS_F32X2) != 0) {
                int i = base;
                while (((b.get(i) & EXP_F32X2) + EXP_LSB_F32X2 & SIGNS_F32X2) == 0) i++;
                boolean low = ((int) b.get(i) & EXP_F32) == EXP_F32;   // little-endian: the lower address is the low half
                found(2L * i + (low ? 0 : 1));
                return;
            }
        }
        if (s < e && (e & 1) != 0 && (ints.get(e - 1) & EXP_F32) == EXP_F32) found(e - 1);
    }

    private void scanF64(int from, int to) {
        LongBuffer b = buffer;
        for (int base = from; base < to && base < first.get(); base += TILE_F64) {
            int stop = Math.min(base + TILE_F64, to);
            long flags = 0;
            for (int i = base; i < stop; i++) flags |= (b.get(i) & EXP_F64) + EXP_LSB_F64;
            if (flags < 0) {
                int i = base;
                while ((b.get(i) & EXP_F64) != EXP_F64) i++;
                found(i);
                return;
            }
        }
    }

    /** Keeps the smallest index any chunk found. */
    private void found(long index) {
        long f;
        while (index < (f = first.get()) && !first.compareAndSet(f, index)) { }
    }
}
