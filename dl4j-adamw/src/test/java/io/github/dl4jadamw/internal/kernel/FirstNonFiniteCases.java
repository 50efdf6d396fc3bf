package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Random;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The cases both NaN/Inf searches (the Java scan and the libnd4j-op path) must get right on an all-finite array. */
public final class FirstNonFiniteCases {
    public static final double[] BAD = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

    private FirstNonFiniteCases() {}

    /**
     * Puts two bad values at a time into {@code a} (first element, last element, random pairs), the earlier one must
     * be found; restores {@code a} after each; {@code a} must be all finite before and after.
     */
    public static void assertFindsTheFirst(INDArray a, ToLongFunction<INDArray> find, String what, Random rnd) {
        long n = a.length();
        assertEquals(-1, find.applyAsLong(a), what + " all finite");
        for (int rep = 0; rep < 4; rep++) {
            long i = rep == 0 ? 0 : rep == 1 ? n - 1 : (long) (rnd.nextDouble() * n);
            long j = Math.min(n - 1, i + 1 + (long) (rnd.nextDouble() * n / 2));
            a.putScalar(j, BAD[rep % 3]);          // a later one too: the first must win
            a.putScalar(i, BAD[(rep + 1) % 3]);
            assertEquals(i, find.applyAsLong(a), what + " bad at " + i + " and " + j);
            a.putScalar(i, 1.0);
            a.putScalar(j, 1.0);
        }
        assertEquals(-1, find.applyAsLong(a), what + " finite again");
    }
}
