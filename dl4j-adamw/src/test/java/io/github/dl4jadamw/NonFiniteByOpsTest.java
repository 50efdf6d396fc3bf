package io.github.dl4jadamw;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The once-per-step NaN/Inf check as CUDA and 16-bit networks run it (libnd4j's MatchCondition, then
 * BooleanIndexing.firstIndex), which CI cannot reach through a network on nd4j-native FLOAT/DOUBLE, where the Java
 * scan runs instead ({@code FiniteScanTest}). The expected index is where the test put the first bad value.
 */
class NonFiniteByOpsTest {
    static final double[] BAD = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};

    @Test
    void findsTheFirstNonFiniteElementInEveryType() {
        Random rnd = new Random(11);
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE, DataType.HALF, DataType.BFLOAT16}) {
            for (long n : new long[]{1, 2, 7, 1001, 100_003}) {
                INDArray a = Nd4j.rand(DataType.FLOAT, n).subi(0.5).muli(100).castTo(dt);
                assertEquals(-1, DecayLedger.firstNonFiniteByOps(a), dt + " n=" + n + " all finite");
                for (int rep = 0; rep < 4; rep++) {
                    long i = rep == 0 ? 0 : rep == 1 ? n - 1 : (long) (rnd.nextDouble() * n);
                    long j = Math.min(n - 1, i + 1 + (long) (rnd.nextDouble() * n / 2));
                    a.putScalar(j, BAD[rep % 3]);          // a later one too: the first must win
                    a.putScalar(i, BAD[(rep + 1) % 3]);
                    assertEquals(i, DecayLedger.firstNonFiniteByOps(a), dt + " n=" + n + " bad at " + i + " and " + j);
                    a.putScalar(i, 1.0);
                    a.putScalar(j, 1.0);
                }
                assertEquals(-1, DecayLedger.firstNonFiniteByOps(a), dt + " n=" + n + " finite again");
            }
        }
    }

    /**
     * Through the updater, as DL4J drives it, on a 20,000-value HALF block with one NaN near its start (a NaN made by
     * a cast from float32, which MatchCondition does see): libnd4j's FirstIndex reports it "not found", which once let
     * the step write NaN into the update and the state. FAIL must refuse it with nothing changed.
     */
    @Test
    void theUpdaterRefusesANaNEarlyInALargeHalfGradient() {
        int n = 20_000;
        AdamW config = AdamW.builder().learningRate(1e-2).weightDecay(0.1).build();
        INDArray state = Nd4j.zeros(DataType.HALF, 1, config.stateSize(n));
        GradientUpdater<?> u = config.instantiate(state, true);
        INDArray params = Nd4j.rand(DataType.FLOAT, 1, n).castTo(DataType.HALF);
        float[] g = new float[n];
        Arrays.fill(g, 0.25f);
        g[5] = Float.NaN;
        INDArray grads = Nd4j.createFromArray(g).reshape(1, n).castTo(DataType.HALF);
        INDArray gradsBefore = grads.dup(), stateBefore = state.dup();
        new DecoupledWeightDecay(true).apply(params, grads, 1e-2, 0, 0);
        NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class,
                () -> u.applyUpdater(grads.reshape(n), 0, 0));
        assertEquals(5, e.getIndex());
        Exact.assertSameValues(stateBefore, state, "state");
        Exact.assertSameValues(gradsBefore, grads, "gradient (the update is written over it)");
    }
}
