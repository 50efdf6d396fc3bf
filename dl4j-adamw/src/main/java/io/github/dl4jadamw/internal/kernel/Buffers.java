package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Where an array's elements live: ND4J gives each view its own DataBuffer wrapper, so identity needs the root. */
public final class Buffers {
    private Buffers() {}

    /**
     * The root buffer an array views: the same object for every view of one allocation, and the buffer that
     * {@link INDArray#offset()} counts from.
     */
    public static DataBuffer root(INDArray a) {
        DataBuffer d = a.data();
        DataBuffer o = d.originalDataBuffer();
        return o != null ? o : d;
    }
}
