package io.github.dl4jadamw.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The parameter sets the benchmark steps over: {@code 1M} and {@code 16M} (2^20 and 2^24 values in one updater block),
 * {@code 16.7M} (16,700,000 values in one block: libnd4j's Adam op runs about 2× slower at 2^24 than at this
 * size, measured; see benchmarks/README.md) and {@code resnet}, the 110 parameter tensors of a ResNet-34
 * layout at base width 46 (11.37M values, 46 to 1.2M per tensor), each its own updater block, as an optimizer sees
 * a per-tensor parameter list. Convolution and dense weights are decayed; BatchNormalization γ/β and the output bias
 * are not.
 */
final class Shapes {
    private Shapes() {}

    /** One updater block: its length and whether its parameters are decayed. */
    static final class Block {
        final long length;
        final boolean decayed;

        Block(long length, boolean decayed) {
            this.length = length;
            this.decayed = decayed;
        }
    }

    static List<Block> of(String shape) {
        switch (shape) {
            case "1M": return List.of(new Block(1L << 20, true));
            case "16M": return List.of(new Block(1L << 24, true));
            case "16.7M": return List.of(new Block(16_700_000L, true));
            case "resnet": return resNet34(46, 1000);
            default: throw new IllegalArgumentException("shape " + shape + " is unknown: use 1M, 16M, 16.7M or resnet");
        }
    }

    static long total(String shape) {
        long n = 0;
        for (Block b : of(shape)) n += b.length;
        return n;
    }

    /** ResNet-34 (basic blocks 3-4-6-3, channels w, 2w, 4w, 8w; 1×1 projection where the width changes). */
    static List<Block> resNet34(int w, int classes) {
        List<Block> t = new ArrayList<>();
        conv(t, (long) w * 3 * 7 * 7, w);
        int in = w;
        int[] depth = {3, 4, 6, 3};
        for (int stage = 0; stage < depth.length; stage++) {
            int c = w << stage;
            for (int b = 0; b < depth[stage]; b++) {
                conv(t, (long) c * in * 9, c);
                conv(t, (long) c * c * 9, c);
                if (in != c) conv(t, (long) c * in, c);
                in = c;
            }
        }
        t.add(new Block((long) in * classes, true));   // dense weights
        t.add(new Block(classes, false));               // output bias
        return t;
    }

    /** A convolution's weights (decayed), then its BatchNormalization γ and β (not decayed). */
    private static void conv(List<Block> t, long weights, int channels) {
        t.add(new Block(weights, true));
        t.add(new Block(channels, false));
        t.add(new Block(channels, false));
    }
}
