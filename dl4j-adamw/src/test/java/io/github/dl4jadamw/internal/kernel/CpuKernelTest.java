package io.github.dl4jadamw.internal.kernel;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.DecoupledWeightDecay;
import io.github.dl4jadamw.internal.StepScalars;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;

import java.lang.reflect.Method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What the parity test does not cover: the CPU kernel allocates nothing per step and rejects what it cannot run. */
class CpuKernelTest {

    @Test
    void stepAllocatesNothing() {
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            for (boolean amsgrad : new boolean[]{false, true}) {
                int n = (int) (3 * ParallelLoop.MIN_PARALLEL + 11);
                INDArray params = Nd4j.rand(dt, 1, n), grads = Nd4j.rand(dt, 1, n).muli(1e-3);
                INDArray state = Nd4j.zeros(dt, 3L * n);
                INDArray m = state.get(NDArrayIndex.interval(0, n)), v = state.get(NDArrayIndex.interval(n, 2 * n));
                INDArray vmax = amsgrad ? state.get(NDArrayIndex.interval(2 * n, 3 * n)) : null;
                KernelParityTest.Segments seg = new KernelParityTest.Segments();
                seg.add(0, 1000, params.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(0, 1000)));
                seg.add(5000, n - 5000, params.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(5000, n)));
                AdamW cfg = AdamW.builder().amsgrad(amsgrad).build();
                StepScalars s = new StepScalars();
                CpuKernel k = new CpuKernel();
                // DL4J's UpdaterBlock passes a new reshape of the same gradient view every step: alternate two
                INDArray[] g = {grads.reshape(n), grads.reshape(n)};
                int[] it = {0};
                long bytes = ParallelLoopTest.Allocation.minBytesPerWindow(
                        () -> k.step(s.compute(cfg, it[0], 0), g[it[0]++ % 2], m, v, vmax, seg), 50, 5);
                assertEquals(0, bytes, dt + (amsgrad ? " amsgrad" : "") + ": bytes allocated per 50 steps");
                for (double u : grads.toDoubleVector()) assertTrue(Double.isFinite(u), "update " + u);
            }
        }
    }

    /**
     * The whole updater step as DL4J drives it: the decay marker on the stored views, then applyUpdater on a new
     * reshape of the gradient view each step (two made once, alternated, so that only our code's allocation counts).
     */
    @Test
    void updaterStepAllocatesNothing() throws Exception {
        assumeTrue(Kernels.configured() != Kernels.Choice.ND4J, "the updater runs the ND4J-op kernel (-Dadamw.kernel=nd4j)");
        for (DataType dt : new DataType[]{DataType.FLOAT, DataType.DOUBLE}) {
            int n = (int) (3 * ParallelLoop.MIN_PARALLEL + 11);
            INDArray params = Nd4j.rand(dt, 1, n), grads = Nd4j.rand(dt, 1, n).muli(1e-3);
            GradientUpdater<?> u = AdamW.builder().build().instantiate(Nd4j.zeros(dt, 1, 2L * n), true);
            Regularization marker = DecoupledWeightDecay.allArrays();
            INDArray[] g = {grads.reshape(n), grads.reshape(n)};
            int[] it = {0};
            long bytes = ParallelLoopTest.Allocation.minBytesPerWindow(() -> {
                int i = it[0]++;
                marker.apply(params, grads, 1e-3, i, 0);   // BEFORE_UPDATER, on the stored views
                u.applyUpdater(g[i % 2], i, 0);
            }, 50, 5);
            assertEquals(0, bytes, dt + ": bytes allocated per 50 updater steps");
            Method kernelName = u.getClass().getMethod("kernelName");   // the updater class is package-private
            kernelName.setAccessible(true);
            assertEquals("cpu", kernelName.invoke(u));
        }
    }

    @Test
    void rejectsWhatItCannotRun() {
        CpuKernel k = new CpuKernel();
        StepScalars s = new StepScalars().compute(AdamW.builder().build(), 0, 0);
        KernelParityTest.Segments none = new KernelParityTest.Segments();
        INDArray h = Nd4j.zeros(DataType.HALF, 4);
        assertThrows(IllegalStateException.class, () -> k.step(s, h, h, h, null, none));
        INDArray f = Nd4j.zeros(DataType.FLOAT, 4), d = Nd4j.zeros(DataType.DOUBLE, 4);
        assertThrows(IllegalStateException.class, () -> k.step(s, f, d, f, null, none));
        INDArray strided = Nd4j.zeros(DataType.FLOAT, 8).get(NDArrayIndex.interval(0, 2, 8));
        assertThrows(IllegalStateException.class, () -> k.step(s, strided, f, f, null, none));
        KernelParityTest.Segments outside = new KernelParityTest.Segments();
        outside.add(2, 4, Nd4j.zeros(DataType.FLOAT, 4));
        StepScalars decaying = new StepScalars().compute(AdamW.builder().weightDecay(0.1).build(), 0, 0);
        assertThrows(IllegalStateException.class, () -> k.step(decaying, f, f.dup(), f.dup(), null, outside));
    }
}
