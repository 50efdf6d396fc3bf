package io.github.dl4jadamw.internal.kernel;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Both paths of the tile copy (Java 13+'s bulk methods, Java 11's loop) against a plain element-by-element copy. */
class BulkAccessTest {

    @Test
    void bulkMethodsAreFoundWhereTheJvmHasThem() {
        assertEquals(Runtime.version().feature() >= 13, BulkAccess.bulk());
    }

    @Test
    void floatCopiesMatchAPlainLoopAndLeaveThePosition() {
        Random r = new Random(7);
        FloatBuffer b = ByteBuffer.allocateDirect(4 * 100).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < 100; i++) b.put(i, r.nextFloat());
        b.position(3);
        float[] viaBulk = new float[20], viaLoop = new float[20], plain = new float[20];
        for (int i = 0; i < 17; i++) plain[2 + i] = b.get(41 + i);
        BulkAccess.get(b, 41, viaBulk, 2, 17);
        BulkAccess.getLoop(b, 41, viaLoop, 2, 17);
        assertArrayEquals(plain, viaBulk);
        assertArrayEquals(plain, viaLoop);

        float[] src = new float[20];
        for (int i = 0; i < 20; i++) src[i] = -i;
        FloatBuffer c = ByteBuffer.allocateDirect(4 * 100).order(ByteOrder.nativeOrder()).asFloatBuffer();
        BulkAccess.put(b, 10, src, 1, 5);
        BulkAccess.putLoop(c, 10, src, 1, 5);
        for (int i = 0; i < 5; i++) {
            assertEquals(src[1 + i], b.get(10 + i));
            assertEquals(src[1 + i], c.get(10 + i));
        }
        assertEquals(3, b.position());
        assertThrows(IndexOutOfBoundsException.class, () -> BulkAccess.get(b, 95, new float[10], 0, 10));
    }

    @Test
    void doubleCopiesMatchAPlainLoop() {
        DoubleBuffer b = ByteBuffer.allocateDirect(8 * 64).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        for (int i = 0; i < 64; i++) b.put(i, Math.sqrt(i));
        double[] viaBulk = new double[8], viaLoop = new double[8];
        BulkAccess.get(b, 50, viaBulk, 0, 8);
        BulkAccess.getLoop(b, 50, viaLoop, 0, 8);
        double[] plain = new double[8];
        for (int i = 0; i < 8; i++) plain[i] = Math.sqrt(50 + i);
        assertArrayEquals(plain, viaBulk);
        assertArrayEquals(plain, viaLoop);
        double[] src = {1, 2, 3};
        BulkAccess.put(b, 0, src, 0, 3);
        BulkAccess.putLoop(b, 3, src, 0, 3);
        assertArrayEquals(new double[]{1, 2, 3, 1, 2, 3}, new double[]{b.get(0), b.get(1), b.get(2), b.get(3), b.get(4), b.get(5)});
        assertEquals(0, Arrays.compare(plain, viaLoop));
    }
}
