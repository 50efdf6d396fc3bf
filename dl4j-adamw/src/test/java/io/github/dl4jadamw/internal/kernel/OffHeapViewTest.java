package io.github.dl4jadamw.internal.kernel;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.internal.StepScalars;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kernels' NIO views are per array: arrays that callers drop are not kept reachable (a SameDiff variable gets a new
 * gradient array every step; hyper-parameter searches build network after network), and a network's state root beyond
 * 2^31−1 bytes works. Also: lr_t = 0 moves nothing on either kernel.
 */
class OffHeapViewTest {

    /** How many of the arrays that {@code use} saw, then dropped, are still reachable after GC (at most 1 may be: the view kept last). */
    private static long stillReachable(Consumer<INDArray> use) throws InterruptedException {
        assumeTrue(!ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+DisableExplicitGC"),
                "System.gc() is disabled in this JVM");
        List<WeakReference<Object>> refs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            INDArray a = Nd4j.rand(DataType.FLOAT, 1000);
            use.accept(a);
            refs.add(new WeakReference<>(a.data()));
        }
        long alive = refs.size();
        for (int r = 0; r < 20 && alive > 1; r++) {
            System.gc();
            Thread.sleep(50);
            alive = refs.stream().filter(w -> w.get() != null).count();
        }
        return alive;
    }

    @Test
    void droppedArraysAreNotKeptReachable() throws Exception {
        assertTrue(stillReachable(a -> assertEquals(-1, FiniteScan.firstNonFinite(a))) <= 1, "FiniteScan");
        CpuKernel k = new CpuKernel();
        INDArray m = Nd4j.zeros(DataType.FLOAT, 1000), v = Nd4j.zeros(DataType.FLOAT, 1000);
        StepScalars s = new StepScalars().compute(AdamW.builder().weightDecay(0).build(), 0, 0);
        assertTrue(stillReachable(g -> k.step(s, g, m, v, null, new KernelParityTest.Segments())) <= 1, "CpuKernel");
    }

    /**
     * A float32 state root over 2 GiB (2^29 + 64 values; a 268M-parameter network's Adam state is one such root) with a
     * block's m and v at its end; gradients over 2 GiB in float32 and float64, with a NaN at the last value. Runs where
     * the machine has room (2 GiB off-heap at a time).
     */
    @Test
    void rootsBeyondTwoGibibytes() {
        long physical = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize();
        assumeTrue(physical >= 12L << 30, "needs 12 GiB of memory, this machine has " + (physical >> 20) + " MiB");
        long len = (1L << 29) + 64;
        INDArray state = Nd4j.createUninitialized(DataType.FLOAT, len);
        INDArray m = state.get(NDArrayIndex.interval(len - 80, len - 40)).assign(0);
        INDArray v = state.get(NDArrayIndex.interval(len - 40, len)).assign(0);
        INDArray g = Nd4j.linspace(DataType.FLOAT, -1.95, 0.1, 40);   // |g| ≥ 0.05: u is ±lr, well conditioned
        double[] g0 = g.toDoubleVector();
        new CpuKernel().step(new StepScalars().compute(AdamW.builder().learningRate(0.1).weightDecay(0).build(), 0, 0),
                g, m, v, null, new KernelParityTest.Segments());
        for (int i = 0; i < 40; i++) {   // first step from zero state: u = lr·g/(|g| + ε) (ε after bias correction)
            double gi = g0[i];
            assertEquals(0.1 * gi / (Math.abs(gi) + 1e-8), g.getDouble(i), 1e-6, "u[" + i + "]");
            assertEquals(0.1 * gi, m.getDouble(i), 1e-6, "m[" + i + "]");
        }
        state.close();
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {   // over 2 GiB: scanned in pieces
            long n = (1L << 31) / dt.width() + 40;
            INDArray grad = Nd4j.createUninitialized(dt, n);
            grad.get(NDArrayIndex.interval(0, n - 1)).assign(1);
            grad.putScalar(n - 1, Double.NaN);
            assertTrue(FiniteScan.supports(grad));
            assertEquals(n - 1, FiniteScan.firstNonFinite(grad), dt + ": the NaN at the last value");
            grad.putScalar(n - 1, 1.0);
            assertEquals(-1, FiniteScan.firstNonFinite(grad), dt + ": all finite");
            grad.close();
        }
    }

    @Test
    void emptyArrays() {
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            INDArray g = Nd4j.create(dt, 0), m = Nd4j.create(dt, 0), v = Nd4j.create(dt, 0);
            new CpuKernel().step(new StepScalars().compute(AdamW.builder().build(), 0, 0), g, m, v, null,
                    new KernelParityTest.Segments());
            assertEquals(-1, FiniteScan.firstNonFinite(g));
        }
    }

    /** lr_t = 0 (lr = 0, or a warm-up's first step from η_min = 0): u = 0 on both kernels, while m and v still update. */
    @Test
    void zeroLearningRateMovesNothing() {
        for (DataType dt : new DataType[]{DataType.DOUBLE, DataType.FLOAT}) {
            for (boolean ams : new boolean[]{false, true}) {
                for (AdamWKernel k : new AdamWKernel[]{new CpuKernel(), new Nd4jOpKernel()}) {
                    INDArray g = Nd4j.createFromArray(0.5, -2.0, 3e-3, 7.0).castTo(dt);
                    INDArray m = Nd4j.zeros(dt, 4), v = Nd4j.zeros(dt, 4), x = ams ? Nd4j.zeros(dt, 4) : null;
                    AdamW cfg = AdamW.builder().learningRate(0.0).weightDecay(0).amsgrad(ams).build();
                    k.step(new StepScalars().compute(cfg, 0, 0), g, m, v, x, new KernelParityTest.Segments());
                    String what = k.name() + " " + dt + (ams ? " amsgrad" : "");
                    for (int i = 0; i < 4; i++) assertEquals(0.0, g.getDouble(i), 0.0, what + ": u[" + i + "]");
                    // relative 1e-5: in float32 the ND4J-op kernel stores m as k·m, k − 1 = 6.4e-6 (see Nd4jOpKernel)
                    assertEquals(0.1 * 7.0, m.getDouble(3), 0.7e-5, what + ": m");
                    assertEquals(0.001 * 49.0, v.getDouble(3), 0.049e-5, what + ": v");
                }
            }
        }
    }
}
