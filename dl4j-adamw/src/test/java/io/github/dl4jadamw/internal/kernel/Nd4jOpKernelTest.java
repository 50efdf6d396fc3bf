package io.github.dl4jadamw.internal.kernel;

import io.github.dl4jadamw.AdamW;
import io.github.dl4jadamw.SGDW;
import io.github.dl4jadamw.internal.StepScalars;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ND4J-op kernel's 16-bit path, which computes on float32 copies and must write the update back into g. */
class Nd4jOpKernelTest {

    /** An 'f'-ordered 2-D HALF gradient: a reshape to 1-D copies it, so the update has to go through a view. */
    @Test
    void halfUpdateReachesAnFOrderedGradient() {
        INDArray g = Nd4j.linspace(DataType.FLOAT, -1.1, 0.2, 12).reshape('c', 3, 4).dup('f').castTo(DataType.HALF);
        assertEquals('f', g.ordering());
        double[] g0 = g.dup('c').reshape(12).toDoubleVector();
        INDArray m = Nd4j.zeros(DataType.HALF, 12), v = Nd4j.zeros(DataType.HALF, 12);
        new Nd4jOpKernel().step(new StepScalars().compute(AdamW.builder().learningRate(0.1).weightDecay(0).build(), 0, 0),
                g, m, v, null, new KernelParityTest.Segments());
        double[] u = g.dup('c').reshape(12).toDoubleVector();
        for (int i = 0; i < 12; i++)   // first Adam step from zero state: u = lr·sign(g) (|g| ≥ 0.1 ≫ ε)
            assertEquals(0.1 * Math.signum(g0[i]), u[i], 1e-3, "u[" + i + "]");

        INDArray h = Nd4j.linspace(DataType.FLOAT, -1.1, 0.2, 12).reshape('c', 3, 4).dup('f').castTo(DataType.HALF);
        double[] h0 = h.dup('c').reshape(12).toDoubleVector();
        INDArray mom = Nd4j.zeros(DataType.HALF, 12);
        new Nd4jOpKernel().sgdw(new StepScalars().compute(SGDW.builder().learningRate(0.5).momentum(0.9).weightDecay(0)
                .build(), 0, 0), h, mom, new KernelParityTest.Segments());
        double[] uh = h.dup('c').reshape(12).toDoubleVector();
        for (int i = 0; i < 12; i++)   // first SGD step from zero momentum: u = lr·g
            assertEquals(0.5 * h0[i], uh[i], 2e-3, "SGDW u[" + i + "]");
    }
}
