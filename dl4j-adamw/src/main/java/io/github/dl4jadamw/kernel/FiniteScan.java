package io.github.dl4jadamw.kernel;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.IdentityHashMap;
import java.util.Map;
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
 */
public final class FiniteScan implements ParallelLoop.Body {
    private static final int TILE_F64 = CpuKernel.TILE_F64;   // longs per tile: the unit of the early exit
    private static final ThreadLocal<FiniteScan> SCANS = ThreadLocal.withInitial(FiniteScan::new);
    /** Two float32 exponent fields per long, and their lowest bits; the carry of the low one stops at bit 31. */
    private static final long EXP_F32X2 = 0x7F8000007F800000L, EXP_LSB_F32X2 = 0x0080000000800000L;
    private static final long SIGNS_F32X2 = 0x8000000080000000L;
    private static final int EXP_F32 = 0x7F800000;
    private static final long EXP_F64 = 0x7FF0000000000000L, EXP_LSB_F64 = 0x0010000000000000L;

    private final Map<DataBuffer, Object[]> nio = new IdentityHashMap<>();
    private final AtomicLong first = new AtomicLong();
    private LongBuffer buffer;
    private IntBuffer ints;   // float32 only: the odd value at either end of a chunk
    private int offset;
    private boolean f32;

    private FiniteScan() {}

    /** Whether {@link #firstNonFinite} can scan {@code a}: FLOAT or DOUBLE, contiguous, on nd4j-native. */
    public static boolean supports(INDArray a) {
        return CpuKernel.supports(a.dataType()) && a.elementWiseStride() == 1
                && Buffers.root(a).length() <= Integer.MAX_VALUE && Kernels.nativeCpuBackend();
    }

    /** The index (in element order of {@code a}) of its first NaN or ±Inf, or −1 if every element is finite. */
    public static long firstNonFinite(INDArray a) {
        return SCANS.get().scan(a);
    }

    private long scan(INDArray a) {
        if (a.length() == 0) return -1;
        if (!CpuKernel.supports(a.dataType()) || a.elementWiseStride() != 1)
            throw new IllegalArgumentException("FiniteScan needs a contiguous FLOAT or DOUBLE array, got "
                    + a.shapeInfoToString());
        f32 = a.dataType() == DataType.FLOAT;
        Object[] v = view(a);
        buffer = (LongBuffer) v[0];
        ints = (IntBuffer) v[1];
        offset = (int) a.offset();
        first.set(Long.MAX_VALUE);
        try {
            ParallelLoop.shared().run(a.length(), this);
        } finally {
            buffer = null;
            ints = null;
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

    /** Values [from, to) of the array: buffer floats [offset + from, offset + to), whole longs in the middle. */
    private void scanF32(int from, int to) {
        int s = offset + from, e = offset + to;        // float indexes in the buffer
        if ((s & 1) != 0) {
            if ((ints.get(s) & EXP_F32) == EXP_F32) { found(s - offset); return; }
            s++;
        }
        LongBuffer b = buffer;
        for (int base = s >> 1, end = e >> 1; base < end && 2L * base - offset < first.get(); base += TILE_F64) {
            int stop = Math.min(base + TILE_F64, end);
            long flags = 0;
            for (int i = base; i < stop; i++) flags |= (b.get(i) & EXP_F32X2) + EXP_LSB_F32X2;
            if ((flags & SIGNS_F32X2) != 0) {
                int i = base;
                while (((b.get(i) & EXP_F32X2) + EXP_LSB_F32X2 & SIGNS_F32X2) == 0) i++;
                boolean low = ((int) b.get(i) & EXP_F32) == EXP_F32;   // little-endian: the lower address is the low half
                found(2L * i + (low ? 0 : 1) - offset);
                return;
            }
        }
        if (s < e && (e & 1) != 0 && (ints.get(e - 1) & EXP_F32) == EXP_F32) found(e - 1 - offset);
    }

    private void scanF64(int from, int to) {
        LongBuffer b = buffer;
        for (int base = from; base < to && base < first.get(); base += TILE_F64) {
            int stop = Math.min(base + TILE_F64, to);
            long flags = 0;
            for (int i = offset + base; i < offset + stop; i++) flags |= (b.get(i) & EXP_F64) + EXP_LSB_F64;
            if (flags < 0) {
                int i = base;
                while ((b.get(offset + i) & EXP_F64) != EXP_F64) i++;
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

    /** Cached raw-bit views of an array's whole buffer: {LongBuffer, IntBuffer (float32) or null}. */
    private Object[] view(INDArray a) {
        DataBuffer b = Buffers.root(a);
        Object[] o = nio.get(b);
        if (o == null) {
            if (b.length() > Integer.MAX_VALUE)
                throw new IllegalArgumentException("buffer of " + b.length() + " elements exceeds 2^31-1");
            java.nio.ByteBuffer bb = b.asNio().order(ByteOrder.nativeOrder());
            if (bb.order() != ByteOrder.LITTLE_ENDIAN)
                throw new IllegalStateException("FiniteScan assumes a little-endian platform");
            o = new Object[]{bb.asLongBuffer(), a.dataType() == DataType.FLOAT ? bb.asIntBuffer() : null};
            if (nio.size() > 64) nio.clear();
            nio.put(b, o);
        }
        return o;
    }
}
