package io.github.dl4jadamw.examples.data;

import java.util.Arrays;

/**
 * A labelled image set held in Java memory: raw pixel bytes (0..255) per image in channel-major order
 * (C×H×W, i.e. NCHW without the N), and one class label per image. Pixels are scaled to [0, 1] (÷255) only
 * when a minibatch is built, so the set costs one byte per pixel.
 */
public final class ImageData {
    public final String name;
    public final int channels, height, width;
    public final int numClasses;
    private final byte[] pixels;
    private final byte[] labels;

    public ImageData(String name, int channels, int height, int width, int numClasses, byte[] pixels, byte[] labels) {
        this.name = name;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.numClasses = numClasses;
        if ((long) labels.length * channels * height * width != pixels.length)
            throw new IllegalArgumentException(name + ": " + pixels.length + " pixel bytes do not make "
                    + labels.length + " images of " + channels + "×" + height + "×" + width);
        for (int i = 0; i < labels.length; i++)
            if ((labels[i] & 0xFF) >= numClasses)
                throw new IllegalArgumentException(name + ": label " + (labels[i] & 0xFF) + " of image " + i
                        + " is not a class in 0.." + (numClasses - 1));
        this.pixels = pixels;
        this.labels = labels;
    }

    public int size() { return labels.length; }

    public int imageSize() { return channels * height * width; }

    public int label(int i) { return labels[i] & 0xFF; }

    /** Pixel value 0..255 of image i at flat position p (channel-major). */
    public int pixel(int i, int p) { return pixels[i * imageSize() + p] & 0xFF; }

    /** Copies image i scaled to [0, 1] into {@code dst} at {@code offset}. */
    public void copyScaled(int i, float[] dst, int offset) {
        int n = imageSize(), base = i * n;
        for (int p = 0; p < n; p++) dst[offset + p] = (pixels[base + p] & 0xFF) / 255f;
    }

    /** The first n images (a view would save memory, but sets here are small; this copies). */
    public ImageData first(int n) {
        if (n < 0 || n > size())
            throw new IllegalArgumentException(name + " has " + size() + " images; cannot take the first " + n);
        if (n == size()) return this;
        return new ImageData(name, channels, height, width, numClasses,
                Arrays.copyOf(pixels, n * imageSize()), Arrays.copyOf(labels, n));
    }

    /**
     * The images zero-padded to {@code side}×{@code side}, centred (Fashion-MNIST's 28×28 → 32×32: 2 pixels on each
     * side), so that a network for CIFAR-sized inputs takes them.
     */
    public ImageData paddedTo(int side) {
        if (side < height || side < width)
            throw new IllegalArgumentException(name + ": cannot pad " + height + "×" + width + " images to " + side
                    + "×" + side);
        if (side == height && side == width) return this;
        int top = (side - height) / 2, left = (side - width) / 2, n = size(), out = channels * side * side;
        byte[] p = new byte[n * out];
        for (int i = 0; i < n; i++)
            for (int c = 0; c < channels; c++)
                for (int y = 0; y < height; y++)
                    System.arraycopy(pixels, i * imageSize() + (c * height + y) * width,
                            p, i * out + (c * side + y + top) * side + left, width);
        return new ImageData(name + ", padded to " + side + "×" + side, channels, side, side, numClasses, p, labels);
    }

    /** Images per class, for sanity output. */
    public int[] classCounts() {
        int[] c = new int[numClasses];
        for (byte l : labels) c[l & 0xFF]++;
        return c;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " images " + channels + "×" + height + "×" + width + ", " + numClasses + " classes)";
    }
}
