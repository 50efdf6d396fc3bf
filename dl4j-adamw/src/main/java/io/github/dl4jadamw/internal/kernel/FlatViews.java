package io.github.dl4jadamw.internal.kernel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rank-1, 'c'-flagged views over contiguous arrays, for the ND4J-op kernel. Made once and reused while the source covers
 * the same memory ({@link OffHeapView#sameElements}: DL4J passes the same state and parameter views every step, and a
 * new reshape of the same gradient view), so a step creates no views. One cache per role (gradient, m, v, ...): a new
 * source replaces the old one, so nothing accumulates when a caller passes fresh arrays every step.
 */
final class FlatViews {
    private INDArray source, view;

    INDArray of(INDArray a) {
        if (!OffHeapView.sameElements(a, source)) view = flat(a);
        source = a;
        return view;
    }

    /** The array as a rank-1 'c' vector in memory order (DL4J weight views are 'f' reshapes of a flat buffer). */
    static INDArray flat(INDArray a) {
        if (a.length() > 1 && a.elementWiseStride() != 1)
            throw new IllegalStateException("array view " + a.shapeInfoToString() + " is not contiguous");
        if (a.rank() == 1 && a.ordering() == 'c' && a.stride(0) == 1) return a;
        return Nd4j.create(a.data(), new long[]{a.length()}, new long[]{1}, a.offset(), 'c', a.dataType());
    }

    /** The decayed segments of one block: each segment's gradient slice and flat parameter, cached like the views. */
    static final class Segments {
        private INDArray gradient;
        private INDArray[] sources = new INDArray[0], params = new INDArray[0], slices = new INDArray[0];
        private long[] offsets = new long[0], lengths = new long[0];

        /** Refreshes what changed since the last step: a new gradient, a new parameter view, a moved segment. */
        void bind(INDArray flatGradient, DecaySegments d) {
            int n = d.count();
            if (sources.length < n) grow(n);
            boolean newGradient = flatGradient != gradient;
            gradient = flatGradient;
            for (int i = 0; i < n; i++) {
                INDArray p = d.param(i);
                if (!OffHeapView.sameElements(p, sources[i])) params[i] = flat(p);
                sources[i] = p;
                long off = d.offset(i), len = d.length(i);
                if (newGradient || slices[i] == null || off != offsets[i] || len != lengths[i]) {
                    offsets[i] = off;
                    lengths[i] = len;
                    slices[i] = flatGradient.get(NDArrayIndex.interval(off, off + len));
                }
            }
        }

        INDArray gradient(int i) { return slices[i]; }

        INDArray param(int i) { return params[i]; }

        private void grow(int n) {
            sources = java.util.Arrays.copyOf(sources, n);
            params = java.util.Arrays.copyOf(params, n);
            slices = java.util.Arrays.copyOf(slices, n);
            offsets = java.util.Arrays.copyOf(offsets, n);
            lengths = java.util.Arrays.copyOf(lengths, n);
        }
    }
}
