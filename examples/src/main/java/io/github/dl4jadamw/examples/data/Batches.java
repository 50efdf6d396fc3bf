package io.github.dl4jadamw.examples.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

/**
 * Minibatches of an {@link ImageData}: pixels ÷ 255, one-hot labels, the last partial batch kept. The order of an
 * epoch is a permutation drawn from (seed, epoch) alone, so every optimizer sees the same batches in the same
 * order. Optional augmentation (CIFAR protocol): random crop with zero padding and horizontal flip, also drawn
 * from (seed, epoch).
 */
public final class Batches {
    private final ImageData data;
    private final int batchSize;
    private final boolean flatFeatures;
    private final int cropPadding;
    private final boolean flip;

    /**
     * @param flatFeatures features as [batch, C·H·W] (true) or [batch, C, H, W] (false)
     * @param cropPadding  random-crop padding in pixels (0 = no crop)
     * @param flip         random horizontal flips
     */
    public Batches(ImageData data, int batchSize, boolean flatFeatures, int cropPadding, boolean flip) {
        if (batchSize <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + batchSize);
        this.data = data;
        this.batchSize = batchSize;
        this.flatFeatures = flatFeatures;
        this.cropPadding = cropPadding;
        this.flip = flip;
    }

    /** Batches per epoch (the last partial batch counts). */
    public int batchesPerEpoch() {
        return perEpoch(data.size(), batchSize);
    }

    /** Batches of {@code batchSize} over {@code size} examples, the last partial one counted. */
    public static int perEpoch(int size, int batchSize) {
        return (int) ((size + (long) batchSize - 1) / batchSize);   // long: no overflow for a huge batch
    }

    public ImageData data() { return data; }

    public int batchSizeValue() { return batchSize; }

    /** The example order of an epoch: a Fisher–Yates permutation seeded by (seed, epoch). */
    public int[] order(long seed, int epoch, boolean shuffle) {
        int n = data.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        if (!shuffle) return idx;
        Random r = new Random(mix(seed, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return idx;
    }

    /** Batch {@code b} of the given order; {@code aug} (may be null) draws the augmentation. */
    public DataSet batch(int[] order, int b, Random aug) {
        int from = b * batchSize, to = Math.min(order.length, from + batchSize), m = to - from;
        int size = data.imageSize();
        float[] f = new float[m * size];
        float[] l = new float[m * data.numClasses];
        boolean augment = aug != null && (cropPadding > 0 || flip);
        for (int k = 0; k < m; k++) {
            int i = order[from + k];
            if (augment) augmentInto(i, f, k * size, aug);
            else data.copyScaled(i, f, k * size);
            l[k * data.numClasses + data.label(i)] = 1f;
        }
        INDArray features = flatFeatures
                ? Nd4j.create(f, new long[]{m, size}, DataType.FLOAT)
                : Nd4j.create(f, new long[]{m, data.channels, data.height, data.width}, DataType.FLOAT);
        INDArray labels = Nd4j.create(l, new long[]{m, data.numClasses}, DataType.FLOAT);
        return new DataSet(features, labels);
    }

    /** A random generator for one epoch's augmentation, or null when this set is not augmented. */
    public Random augmentation(long seed, int epoch) {
        return cropPadding > 0 || flip ? new Random(mix(seed ^ 0x5DEECE66DL, epoch)) : null;
    }

    private void augmentInto(int i, float[] dst, int offset, Random r) {
        int dy = cropPadding > 0 ? r.nextInt(2 * cropPadding + 1) - cropPadding : 0;
        int dx = cropPadding > 0 ? r.nextInt(2 * cropPadding + 1) - cropPadding : 0;
        boolean mirror = flip && r.nextBoolean();
        cropFlip(data, i, dy, dx, mirror, dst, offset);
    }

    /**
     * Image i cropped from its zero-padded copy at offset (dy, dx), then mirrored left–right if {@code mirror}: output
     * pixel (y, x) is the image's pixel (y + dy, x' + dx) with x' = x, or w − 1 − x when mirrored, 0 outside the
     * image; scaled to [0, 1].
     */
    public static void cropFlip(ImageData data, int i, int dy, int dx, boolean mirror, float[] dst, int offset) {
        int c = data.channels, h = data.height, w = data.width;
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < h; y++) {
                int sy = y + dy;
                for (int x = 0; x < w; x++) {
                    int sx0 = mirror ? w - 1 - x : x;
                    int sx = sx0 + dx;
                    dst[offset + (ch * h + y) * w + x] = sy < 0 || sy >= h || sx < 0 || sx >= w ? 0f
                            : data.pixel(i, (ch * h + sy) * w + sx) / 255f;
                }
            }
    }

    static long mix(long seed, int epoch) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
