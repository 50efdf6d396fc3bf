package io.github.dl4jadamw.internal.kernel;

import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * Direct NIO views over exactly one contiguous nd4j-native array's elements (element 0 at index 0), kept while the
 * caller passes the same elements: the same root buffer, offset, length and type. One instance per role (gradient, m,
 * v, …). Not keyed on the array object: DL4J's UpdaterBlock hands the updater a new reshape of the same gradient view
 * every step, so identity would miss every step. A caller whose arrays really are new each step (SameDiff) replaces the
 * one held, so nothing accumulates.
 *
 * <p>The viewed memory is held only weakly, so a view kept by a per-thread object ({@link FiniteScan}) does not keep a
 * discarded network's memory reachable. The caller keeps the array reachable while it uses the view (callers end with
 * {@code Reference.reachabilityFence}); once the root buffer is collected its view is never handed out again, because
 * a later array cannot have that buffer as its root.
 *
 * <p>Why not {@code DataBuffer.asNio()} on the array's root buffer: one view per root is simpler, but a
 * {@code ByteBuffer} holds at most 2^31−1 bytes, and DL4J keeps a whole network's optimizer state in one root (2n
 * values for Adam: a float32 network of 268M parameters already exceeds it). A view per array limits only the array.
 */
final class OffHeapView {
    /** The most bytes one view can hold. */
    static final long MAX_BYTES = Integer.MAX_VALUE;

    // the elements last viewed: root buffer (weakly), offset, length, type
    private WeakReference<DataBuffer> root = new WeakReference<>(null);
    private long offset, length;
    private DataType type;
    private ByteBuffer bytes;
    // typed views of the same bytes, made when first asked for
    private FloatBuffer floats;
    private DoubleBuffer doubles;
    private LongBuffer longs;
    private IntBuffer ints;

    FloatBuffer floats(INDArray a) {
        bind(a);
        return floats != null ? floats : (floats = bytes.asFloatBuffer());
    }

    DoubleBuffer doubles(INDArray a) {
        bind(a);
        return doubles != null ? doubles : (doubles = bytes.asDoubleBuffer());
    }

    /** The raw bits, 8 bytes at a time (two float32 values per long, the lower index in the low half). */
    LongBuffer longs(INDArray a) {
        bind(a);
        return longs != null ? longs : (longs = bytes.asLongBuffer());
    }

    /** The same for {@code length} values of {@code type} at {@code offset} (in values) of a root buffer. */
    LongBuffer longs(DataBuffer root, long offset, long length, DataType type) {
        bind(root, offset, length, type);
        return longs != null ? longs : (longs = bytes.asLongBuffer());
    }

    IntBuffer ints(INDArray a) {
        bind(a);
        return ints != null ? ints : (ints = bytes.asIntBuffer());
    }

    IntBuffer ints(DataBuffer root, long offset, long length, DataType type) {
        bind(root, offset, length, type);
        return ints != null ? ints : (ints = bytes.asIntBuffer());
    }

    private void bind(INDArray a) {
        if (a.length() > 1 && a.elementWiseStride() != 1)
            throw new IllegalStateException("array view " + a.shapeInfoToString() + " is not contiguous");
        bind(Buffers.root(a), a.offset(), a.length(), a.dataType());
    }

    private void bind(DataBuffer r, long offset, long length, DataType type) {
        if (r == root.get() && offset == this.offset && length == this.length && type == this.type) return;
        bytes = create(r, offset, length, type);
        floats = null;
        doubles = null;
        longs = null;
        ints = null;
        root = new WeakReference<>(r);
        this.offset = offset;
        this.length = length;
        this.type = type;
    }

    /**
     * Whether {@code a} is {@code b}, or a contiguous array over exactly the memory of {@code b} (a cached source,
     * itself contiguous): same root buffer, offset, length and type. The kernels walk contiguous arrays in memory
     * order, so their views are interchangeable.
     */
    static boolean sameElements(INDArray a, INDArray b) {
        return a == b || (b != null && Buffers.root(a) == Buffers.root(b) && a.offset() == b.offset()
                && a.length() == b.length() && a.dataType() == b.dataType()
                && (a.length() <= 1 || a.elementWiseStride() == 1));
    }

    /** Whether {@code a} fits in one view. */
    static boolean fits(INDArray a) {
        return a.length() * a.dataType().width() <= MAX_BYTES;
    }

    private static ByteBuffer create(DataBuffer root, long offset, long length, DataType type) {
        if (length == 0) return ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder());   // may have no address
        int width = type.width();
        long bytes = length * width;
        if (bytes > MAX_BYTES)
            throw new IllegalStateException("array of " + length + " " + type + " values (" + bytes
                    + " bytes) exceeds one NIO view's 2^31−1 bytes");
        ByteBuffer b = new At(root.address() + offset * width, bytes).asByteBuffer().order(ByteOrder.nativeOrder());
        if (b.order() != ByteOrder.LITTLE_ENDIAN)   // FiniteScan reads float32 pairs out of longs
            throw new IllegalStateException("the CPU kernel assumes a little-endian platform");
        return b;
    }

    /**
     * A JavaCPP pointer to {@code bytes} bytes at an address, owning nothing: the caller keeps the array it points into
     * reachable while the view is used. A subclass, to set JavaCPP's protected address directly rather than derive the
     * pointer from ND4J's pointer object.
     */
    private static final class At extends BytePointer {
        At(long address, long bytes) {
            this.address = address;
            this.limit = bytes;
            this.capacity = bytes;
        }
    }
}
