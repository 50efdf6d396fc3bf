package io.github.dl4jadamw;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Exact array comparison for "nothing changed" and "bit-identical" checks. {@code INDArray.equals} is not one: it
 * compares with an absolute/relative tolerance of 1e-5 (Nd4j.EPS_THRESHOLD) and ignores the shape of equal-length
 * vectors, so one decay step lr·λ·θ = 1e-5·θ (AdamW's defaults) passes it as "unchanged".
 */
public final class Exact {
    private Exact() {}

    public static void assertSameValues(INDArray expected, INDArray actual, String what) {
        assertEquals(expected.dataType(), actual.dataType(), what + ": data type");
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what + ": shape");
        // float32 and 16-bit values are exact in double, so this compares every bit of the value (±0 aside)
        assertArrayEquals(values(expected), values(actual), 0.0, what);
    }

    /** Every element, in 'c' (row-major) order whatever the array's own order. */
    private static double[] values(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').reshape(a.length()).toDoubleVector();
    }
}
