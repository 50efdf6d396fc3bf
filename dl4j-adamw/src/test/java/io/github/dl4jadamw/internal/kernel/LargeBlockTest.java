package io.github.dl4jadamw.internal.kernel;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.internal.StepScalars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A float32 updater block beyond one NIO view (2^31 − 1 bytes, 536,870,911 values): the CPU kernel hands it to the
 * ND4J-op kernel, and the NaN/Inf scan reads it in 1 GiB pieces. Four arrays of 600M values take 9.6 GB of off-heap
 * memory, so this runs only on request (README, "Faults, precision, limits"):
 * <pre>
 * mvn -B -ntp -pl dl4j-adamw test -Dtest=LargeBlockTest -Dadamw.largeTests=true \
 *     -Dtest.memory="-Xmx2g -Dorg.bytedeco.javacpp.maxbytes=14G -Dorg.bytedeco.javacpp.maxphysicalbytes=20G"
 * </pre>
 * The expected values are the closed form of AdamW's first step: m̂ = g, v̂ = g², u = lr·g/(|g| + ε) + lr·λ·θ.
 */
@EnabledIfSystemProperty(named = "adamw.largeTests", matches = "true")
@Timeout(600)
class LargeBlockTest {
    static final long N = 600_000_000L;

    @Test
    void aBlockBeyondOneViewStepsAndIsScannedInPieces() {
        assertTrue(N * 4 > OffHeapView.MAX_BYTES);
        INDArray g = Nd4j.valueArrayOf(new long[]{N}, 0.5f, DataType.FLOAT);
        INDArray m = Nd4j.zeros(DataType.FLOAT, N), v = Nd4j.zeros(DataType.FLOAT, N);
        INDArray theta = Nd4j.valueArrayOf(new long[]{N}, 1.0f, DataType.FLOAT);
        g.putScalar(N - 1, 2.0);

        assertEquals(-1, FiniteScan.firstNonFinite(g));
        for (long at : new long[]{N - 7, (1L << 28) + 3, 600}) {   // in the third, second and first 1 GiB piece
            g.putScalar(at, at == 600 ? Float.POSITIVE_INFINITY : Float.NaN);
            assertEquals(at, FiniteScan.firstNonFinite(g));
            g.putScalar(at, 0.5);
        }

        double lr = 1e-3, lambda = 0.1;
        StepScalars s = new StepScalars().compute(AdamW.builder().learningRate(lr).weightDecay(lambda).build(), 0, 0);
        KernelParityTest.Segments all = new KernelParityTest.Segments();
        all.add(0, N, theta);
        new CpuKernel().step(s, g, m, v, null, all);

        long[] edges = {0, 1, 600, (1L << 29) - 1, 1L << 29, (1L << 29) + 1, N / 2, N - 8, N - 2, N - 1};
        Random rnd = new Random(1);
        for (int i = 0; i < 2000; i++) {
            long j = i < edges.length ? edges[i] : (long) (rnd.nextDouble() * N);
            double gj = j == N - 1 ? 2.0 : 0.5;
            double u = lr * gj / (Math.abs(gj) + 1e-8) + lr * lambda;
            // the ND4J-op kernel stores float32 m as k·m, k − 1 = 6.4e-6 (Nd4jOpKernel's state note)
            assertEquals(u, g.getDouble(j), 1e-6 * u, "u at " + j);
            assertEquals(0.1 * gj, m.getDouble(j), 1e-5 * 0.1 * gj, "m at " + j);
            assertEquals(0.001 * gj * gj, v.getDouble(j), 1e-6 * 0.001 * gj * gj, "v at " + j);
        }
    }
}
