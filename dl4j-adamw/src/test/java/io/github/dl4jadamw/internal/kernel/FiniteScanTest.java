package io.github.dl4jadamw.internal.kernel;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FiniteScanTest {
    @Test
    void findsTheFirstNonFiniteElement() {
        Random rnd = new Random(7);
        long big = 3 * ParallelLoop.MIN_PARALLEL + 5;
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (long n : new long[]{1, 2, 3, 7, 1001, CpuKernel.TILE_F32 + 3, big, big + 1}) {
                // a view at an offset inside a larger buffer, with non-finite values just outside it
                INDArray whole = Nd4j.rand(dt, n + 10).subi(0.5).muli(1e30);
                whole.putScalar(4, Double.NaN);
                whole.putScalar(5 + n, Double.POSITIVE_INFINITY);
                INDArray a = whole.get(NDArrayIndex.interval(5, 5 + n));   // odd offset: float pairs straddle it
                assertTrue(FiniteScan.supports(a));
                FirstNonFiniteCases.assertFindsTheFirst(a, FiniteScan::firstNonFinite, dt + " n=" + n, rnd);
                INDArray even = whole.get(NDArrayIndex.interval(6, 5 + n));   // even offset, one shorter
                if (n > 1) {
                    even.putScalar(n - 2, Double.NEGATIVE_INFINITY);
                    assertEquals(n - 2, FiniteScan.firstNonFinite(even), dt + " n=" + n + " even offset, last");
                    even.putScalar(n - 2, 1.0);
                }
            }
        }
    }

    /** The buffer entry point builds raw views: a range outside the buffer or a wrong type is refused, not read. */
    @Test
    void refusesARangeOutsideTheBuffer() {
        INDArray a = Nd4j.rand(DataType.FLOAT, 100);
        org.nd4j.linalg.api.buffer.DataBuffer root = Buffers.root(a);
        assertEquals(-1, FiniteScan.firstNonFinite(root, 10, 90, DataType.FLOAT));
        for (long[] bad : new long[][]{{-1, 10}, {0, 101}, {95, 6}, {0, -1}})
            assertThrows(IllegalArgumentException.class,
                    () -> FiniteScan.firstNonFinite(root, bad[0], bad[1], DataType.FLOAT), bad[0] + "+" + bad[1]);
        assertThrows(IllegalArgumentException.class, () -> FiniteScan.firstNonFinite(root, 0, 50, DataType.DOUBLE));
    }

    @Test
    void emptyArray() {
        assertEquals(-1, FiniteScan.firstNonFinite(Nd4j.create(DataType.FLOAT, 0)));
    }

    @Test
    void scanAllocatesNothing() {
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray a = Nd4j.rand(dt, 5 * ParallelLoop.MIN_PARALLEL + 3);
            assertEquals(0, ParallelLoopTest.Allocation.minBytesPerWindow(() -> FiniteScan.firstNonFinite(a), 100, 5),
                    dt + ": bytes allocated per 100 scans");
        }
    }
}
