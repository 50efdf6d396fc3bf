package io.github.dl4jadamw.internal.kernel;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The ND4J-op kernel's cached flat views: same memory as their source, rebuilt only when the source changes. */
class FlatViewsTest {

    @Test
    void viewWritesThroughToAnFOrderedWeightView() {
        INDArray flatParams = Nd4j.linspace(DataType.DOUBLE, 1, 20, 1).reshape(1, 20);
        // a DL4J-style weight view: columns 4..15 of the flat row, reshaped 'f' to [3, 4]
        INDArray w = flatParams.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(4, 16)).reshape('f', 3, 4);
        INDArray v = FlatViews.flat(w);
        assertEquals(1, v.rank());
        assertEquals(12, v.length());
        assertEquals(5.0, v.getDouble(0));                 // element 4 of the flat row, in memory order
        v.putScalar(11, -1.0);
        assertEquals(-1.0, flatParams.getDouble(0, 15));   // same memory
        assertEquals(-1.0, w.getDouble(2, 3));              // 'f' order: last element of the view
    }

    @Test
    void cachedWhileTheSourceStaysTheSameObject() {
        FlatViews cache = new FlatViews();
        INDArray a = Nd4j.zeros(DataType.FLOAT, 1, 8), b = Nd4j.ones(DataType.FLOAT, 1, 8);
        INDArray va = cache.of(a);
        assertSame(va, cache.of(a));
        INDArray vb = cache.of(b);
        assertNotSame(va, vb);
        assertEquals(1.0f, vb.getFloat(7));
        assertEquals(0.0f, cache.of(a).getFloat(7));
    }

    @Test
    void segmentSlicesFollowMovedSegmentsAndNewGradients() {
        INDArray params = Nd4j.linspace(DataType.DOUBLE, 1, 10, 1);
        INDArray g1 = Nd4j.zeros(DataType.DOUBLE, 10), g2 = Nd4j.zeros(DataType.DOUBLE, 10);
        FlatViews.Segments s = new FlatViews.Segments();
        long[] off = {2};
        DecaySegments d = new DecaySegments() {
            @Override public int count() { return 1; }
            @Override public long offset(int i) { return off[0]; }
            @Override public long length(int i) { return 3; }
            @Override public INDArray param(int i) { return params.get(NDArrayIndex.interval(off[0], off[0] + 3)); }
        };
        s.bind(g1, d);
        s.gradient(0).assign(1);
        assertArrayEquals(new double[]{0, 0, 1, 1, 1, 0, 0, 0, 0, 0}, g1.toDoubleVector());
        off[0] = 5;                                        // moved (and a new parameter view object)
        s.bind(g1, d);
        s.gradient(0).assign(2);
        assertArrayEquals(new double[]{0, 0, 1, 1, 1, 2, 2, 2, 0, 0}, g1.toDoubleVector());
        assertEquals(6.0, s.param(0).getDouble(0));
        s.bind(g2, d);                                     // a new gradient array
        s.gradient(0).assign(3);
        assertArrayEquals(new double[]{0, 0, 0, 0, 0, 3, 3, 3, 0, 0}, g2.toDoubleVector());
    }

    @Test
    void stridedViewsAreRefused() {
        INDArray m = Nd4j.zeros(DataType.FLOAT, 4, 4);
        INDArray column = m.getColumn(1);
        assertThrows(IllegalStateException.class, () -> FlatViews.flat(column));
    }
}
