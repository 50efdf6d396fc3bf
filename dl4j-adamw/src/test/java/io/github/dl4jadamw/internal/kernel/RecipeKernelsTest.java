package io.github.dl4jadamw.internal.kernel;

import io.github.dl4jadamw.KernelChoice;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The passes the recipe options add: the sum of squares (against a plain loop), the EMA and the accumulation (their
 * Java passes against their ND4J-op paths and against the formulas written out here), on lengths from 1 to past
 * ParallelLoop's parallel threshold.
 */
class RecipeKernelsTest {
    static final int[] LENGTHS = {1, 17, 4099, 100_003, 1_000_003};

    private static INDArray random(DataType t, int n, long seed) {
        Random r = new Random(seed);
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = r.nextGaussian();
        return Nd4j.createFromArray(d).castTo(t);
    }

    private static double[] values(INDArray a) {
        return a.castTo(DataType.DOUBLE).toDoubleVector();
    }

    @Test
    void squareSumsMatchAPlainLoopAndRepeatBitForBit() {
        for (DataType t : new DataType[]{DataType.DOUBLE, DataType.FLOAT})
            for (int n : LENGTHS) {
                INDArray a = random(t, n, n);
                double plain = 0;
                for (double x : values(a)) plain += x * x;
                SquareSums s = SquareSums.forThread();
                double got = s.of(a, 0, false);
                assertEquals(plain, got, 1e-12 * plain, t + " n=" + n);
                assertEquals(Double.doubleToLongBits(got), Double.doubleToLongBits(s.of(a, 1, false)), "repeat");
                assertEquals(plain, s.of(a, 0, true), 1e-12 * plain, "by ops");
            }
        INDArray a = random(DataType.FLOAT, 100_003, 1);
        a.putScalar(77_777, Float.NaN);
        assertTrue(Double.isNaN(SquareSums.forThread().of(a, 0, false)));
        a.putScalar(77_777, Float.POSITIVE_INFINITY);
        assertEquals(Double.POSITIVE_INFINITY, SquareSums.forThread().of(a, 0, false));
    }

    @Test
    void emaPassesFollowTheFormula() {
        double d = 0.9;
        for (int n : LENGTHS) {
            INDArray ema0 = random(DataType.DOUBLE, n, 1), p = random(DataType.DOUBLE, n, 2), u = random(DataType.DOUBLE, n, 3);
            double[] e = values(ema0), pv = values(p), uv = values(u), expected = new double[n], first = new double[n];
            for (int i = 0; i < n; i++) {
                first[i] = pv[i] - uv[i];
                expected[i] = d * e[i] + (1 - d) * (pv[i] - uv[i]);
            }
            for (String kernel : new String[]{"cpu", "nd4j"}) {
                INDArray ema = ema0.dup();
                KernelChoice.with(kernel, () -> new EmaKernel().update(ema, p, u, d, false));
                assertClose(expected, values(ema), kernel + " n=" + n);
                INDArray copy = ema0.dup();
                KernelChoice.with(kernel, () -> new EmaKernel().update(copy, p, u, d, true));
                assertArrayEquals(first, values(copy), 0.0, kernel + " first update, n=" + n);
            }
        }
    }

    @Test
    void accumulationPassesFollowTheFormula() {
        int k = 3;
        for (int n : LENGTHS) {
            INDArray g0 = random(DataType.DOUBLE, n, 4), g1 = random(DataType.DOUBLE, n, 5), g2 = random(DataType.DOUBLE, n, 6);
            double[] a = values(g0), b = values(g1), c = values(g2), mean = new double[n];
            for (int i = 0; i < n; i++) mean[i] = (a[i] / k + b[i] / k) + c[i] / k;
            for (String kernel : new String[]{"cpu", "nd4j"}) {
                INDArray acc = Nd4j.valueArrayOf(new long[]{n}, 7.0, DataType.DOUBLE);   // stale values: j = 0 overwrites
                INDArray x0 = g0.dup(), x1 = g1.dup(), x2 = g2.dup();
                KernelChoice.with(kernel, () -> {
                    AccumulateKernel ak = new AccumulateKernel();
                    ak.add(x0, acc, 0, k);
                    ak.add(x1, acc, 1, k);
                    ak.finish(x2, acc, k);
                });
                assertArrayEquals(new double[n], values(x0), 0.0, "the update of a micro-batch that only accumulates");
                assertArrayEquals(new double[n], values(x1), 0.0);
                assertArrayEquals(mean, values(x2), 0.0, kernel + " n=" + n);
            }
        }
    }

    private static void assertClose(double[] expected, double[] actual, String what) {
        double num = 0, den = 0;
        for (int i = 0; i < actual.length; i++) {
            num = Math.max(num, Math.abs(expected[i] - actual[i]));
            den = Math.max(den, Math.abs(expected[i]));
        }
        assertTrue(num <= 1e-15 * den, what + ": relative error " + num / den);
    }
}
