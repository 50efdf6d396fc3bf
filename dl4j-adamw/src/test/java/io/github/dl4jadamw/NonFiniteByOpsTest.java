package io.github.dl4jadamw;

import io.github.dl4jadamw.internal.kernel.FirstNonFiniteCases;
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
 * The once-per-step NaN/Inf check as CUDA and 16-bit networks run it, with libnd4j ops only
 * ({@code DecayLedger.firstNonFiniteByOps}: MatchCondition counts; libnd4j's FirstIndex is not trusted). On nd4j-native
 * FLOAT/DOUBLE networks run the Java scan instead ({@code FiniteScanTest}); here every type goes through the ops. The
 * expected index is where the test put the first bad value.
 */
class NonFiniteByOpsTest {
    @Test
    void findsTheFirstNonFiniteElementInEveryType() {
        Random rnd = new Random(11);
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE, DataType.HALF, DataType.BFLOAT16}) {
            for (long n : new long[]{1, 2, 7, 1001, 100_003}) {
                INDArray a = Nd4j.rand(DataType.FLOAT, n).subi(0.5).muli(100).castTo(dt);
                FirstNonFiniteCases.assertFindsTheFirst(a, DecayLedger::firstNonFiniteByOps, dt + " n=" + n, rnd);
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
