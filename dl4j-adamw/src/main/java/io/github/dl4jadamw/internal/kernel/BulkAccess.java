package io.github.dl4jadamw.internal.kernel;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Absolute bulk copies between an off-heap buffer and a tile array, on every Java the library supports.
 *
 * <p>{@code FloatBuffer.get(int index, float[] dst, int off, int len)} and its siblings (Java 13+) copy a tile with
 * one memcpy and leave the buffer's position alone, so several threads can share one buffer. The library is compiled
 * for Java 11, which lacks them: they are looked up once, held in static final method handles (which the JIT inlines
 * like a direct call, without allocating), and on Java 11/12 an element loop does the same copy.
 */
final class BulkAccess {
    private static final MethodHandle GET_F32 = find(FloatBuffer.class, "get", float[].class);
    private static final MethodHandle PUT_F32 = find(FloatBuffer.class, "put", float[].class);
    private static final MethodHandle GET_F64 = find(DoubleBuffer.class, "get", double[].class);
    private static final MethodHandle PUT_F64 = find(DoubleBuffer.class, "put", double[].class);

    private BulkAccess() {}

    /** {@code Buffer.get/put(int index, T[] array, int offset, int length)}, or null before Java 13. */
    private static MethodHandle find(Class<?> buffer, String name, Class<?> array) {
        try {
            return MethodHandles.publicLookup().findVirtual(buffer, name,
                    MethodType.methodType(buffer, int.class, array, int.class, int.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /** dst[off .. off+len) ← b[index .. index+len). */
    static void get(FloatBuffer b, int index, float[] dst, int off, int len) {
        if (GET_F32 != null) {
            try {
                FloatBuffer ignored = (FloatBuffer) GET_F32.invokeExact(b, index, dst, off, len);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        } else {
            getLoop(b, index, dst, off, len);
        }
    }

    /** b[index .. index+len) ← src[off .. off+len). */
    static void put(FloatBuffer b, int index, float[] src, int off, int len) {
        if (PUT_F32 != null) {
            try {
                FloatBuffer ignored = (FloatBuffer) PUT_F32.invokeExact(b, index, src, off, len);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        } else {
            putLoop(b, index, src, off, len);
        }
    }

    static void get(DoubleBuffer b, int index, double[] dst, int off, int len) {
        if (GET_F64 != null) {
            try {
                DoubleBuffer ignored = (DoubleBuffer) GET_F64.invokeExact(b, index, dst, off, len);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        } else {
            getLoop(b, index, dst, off, len);
        }
    }

    static void put(DoubleBuffer b, int index, double[] src, int off, int len) {
        if (PUT_F64 != null) {
            try {
                DoubleBuffer ignored = (DoubleBuffer) PUT_F64.invokeExact(b, index, src, off, len);
            } catch (Throwable t) {
                throw rethrow(t);
            }
        } else {
            putLoop(b, index, src, off, len);
        }
    }

    /** True where the JVM has the bulk methods (Java 13+); false runs the loops below. */
    static boolean bulk() {
        return GET_F32 != null && PUT_F32 != null && GET_F64 != null && PUT_F64 != null;
    }

    // The Java 11/12 path: element by element, absolute indices, so the position stays untouched here too.
    static void getLoop(FloatBuffer b, int index, float[] dst, int off, int len) {
        for (int i = 0; i < len; i++) dst[off + i] = b.get(index + i);
    }

    static void putLoop(FloatBuffer b, int index, float[] src, int off, int len) {
        for (int i = 0; i < len; i++) b.put(index + i, src[off + i]);
    }

    static void getLoop(DoubleBuffer b, int index, double[] dst, int off, int len) {
        for (int i = 0; i < len; i++) dst[off + i] = b.get(index + i);
    }

    static void putLoop(DoubleBuffer b, int index, double[] src, int off, int len) {
        for (int i = 0; i < len; i++) b.put(index + i, src[off + i]);
    }

    /** What the copy itself can throw (index out of bounds, read-only buffer) passes through unchanged. */
    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException) return (RuntimeException) t;
        if (t instanceof Error) throw (Error) t;
        return new IllegalStateException(t);
    }
}
