package io.github.dl4jadamw.examples.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Adler32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A tiny CIFAR-10 in the layout DL4J's Cifar10Fetcher unpacks from cifar10_dl4j.v1.zip: labels.txt,
 * train/0..9/ and test/0..9/ holding {@code <n>_<class>.png}, n = the image's place in CIFAR-10's order. CIFAR-10
 * itself cannot be downloaded where this project is tested, so the images are real Fashion-MNIST images (the first
 * 30 training and 20 test images of the embedded subset: every class occurs in both) made into 32×32 RGB as in
 * {@link Cifar10BinaryTest}: the 28×28 image centred, red = the image, green = its inverse, blue = the image
 * transposed — distinct channels, so that a reader swapping channels or rows fails.
 */
final class Cifar10CacheFixture {
    static final ImageData TRAIN = FashionMnist.embeddedTrain(30);
    static final ImageData TEST = FashionMnist.embeddedTest(20);

    private Cifar10CacheFixture() {}

    /** Red (ch 0), green (1) or blue (2) value at (y, x) of the CIFAR-style image made from {@code src} image i. */
    static int value(ImageData src, int i, int ch, int y, int x) {
        int yy = y - 2, xx = x - 2;
        if (yy < 0 || yy >= 28 || xx < 0 || xx >= 28) return ch == 1 ? 255 : 0;
        switch (ch) {
            case 0: return src.pixel(i, yy * 28 + xx);
            case 1: return 255 - src.pixel(i, yy * 28 + xx);
            default: return src.pixel(i, xx * 28 + yy);
        }
    }

    static BufferedImage image(ImageData src, int i) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++)
                img.setRGB(x, y, value(src, i, 0, y, x) << 16 | value(src, i, 1, y, x) << 8 | value(src, i, 2, y, x));
        return img;
    }

    static byte[] png(BufferedImage img) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(img, "png", b)) throw new IllegalStateException("no PNG writer");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return b.toByteArray();
    }

    /** The file of image i of a split, relative to the cache directory, e.g. {@code train/9/0_truck.png}. */
    static String file(ImageData src, String split, int i) {
        int label = src.label(i);
        return split + "/" + label + "/" + i + "_" + Cifar10Binary.CLASS_NAMES[label] + ".png";
    }

    static String labelsTxt() {
        return String.join("\n", Cifar10Binary.CLASS_NAMES) + "\n";
    }

    /** Writes the tree into {@code cacheDir} (created); returns it. */
    static Path write(Path cacheDir) throws IOException {
        Files.createDirectories(cacheDir);
        Files.writeString(cacheDir.resolve(Cifar10Cache.LABELS_FILE), labelsTxt(), StandardCharsets.UTF_8);
        for (String split : new String[]{"train", "test"}) {
            ImageData src = split.equals("train") ? TRAIN : TEST;
            for (int i = src.size() - 1; i >= 0; i--) { // any order: the reader must sort by number
                Path f = cacheDir.resolve(file(src, split, i));
                Files.createDirectories(f.getParent());
                Files.write(f, png(image(src, i)));
            }
        }
        return cacheDir;
    }

    /** The same images as CIFAR-10 binary records (label byte, 1024 R, 1024 G, 1024 B), for Cifar10Binary. */
    static byte[] binary(ImageData src) {
        byte[] b = new byte[src.size() * Cifar10Binary.RECORD];
        for (int i = 0; i < src.size(); i++) {
            int o = i * Cifar10Binary.RECORD;
            b[o] = (byte) src.label(i);
            for (int ch = 0; ch < 3; ch++)
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++)
                        b[o + 1 + ch * 1024 + y * 32 + x] = (byte) value(src, i, ch, y, x);
        }
        return b;
    }

    /**
     * The tree as a zip, entries at its root as in cifar10_dl4j.v1.zip, padded after the zip's end (which
     * ZipInputStream never reads) so that its Adler-32 is the checksum Cifar10Fetcher expects: DL4J's fetcher
     * accepts it as the real download and unpacks it.
     */
    static byte[] zipWithFetcherChecksum(long expectedAdler32) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(b)) {
            z.putNextEntry(new ZipEntry(Cifar10Cache.LABELS_FILE));
            z.write(labelsTxt().getBytes(StandardCharsets.UTF_8));
            for (String split : new String[]{"train", "test"}) {
                ImageData src = split.equals("train") ? TRAIN : TEST;
                // directory entries first, as zip tools write them: DL4J's unzip creates no parent directories
                z.putNextEntry(new ZipEntry(split + "/"));
                for (int k = 0; k < 10; k++) z.putNextEntry(new ZipEntry(split + "/" + k + "/"));
                for (int i = 0; i < src.size(); i++) {
                    z.putNextEntry(new ZipEntry(file(src, split, i)));
                    z.write(png(image(src, i)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return adler32Padded(b.toByteArray(), expectedAdler32);
    }

    /**
     * {@code data} followed by n = 1024 bytes chosen so that Adler-32 of the whole is {@code target}. After the
     * padding a = a0 + S and b = b0 + n·a0 + W (mod 65521), S the sum of the padding bytes and W their sum
     * weighted n, n−1, …, 1 from the first: S is set by raising bytes, then W by moving units between bytes,
     * which keeps S.
     */
    static byte[] adler32Padded(byte[] data, long target) {
        final int mod = 65521, n = 1024;
        Adler32 ad = new Adler32();
        ad.update(data);
        long a0 = ad.getValue() & 0xFFFF, b0 = ad.getValue() >>> 16;
        long ta = target & 0xFFFF, tb = target >>> 16;
        int[] c = new int[n + 1]; // c[w]: the padding byte of weight w (w = 1 is the last byte)
        long e = Math.floorMod(ta - a0 - 96L * n, mod);
        for (int w = 1; w <= n; w++) c[w] = 96 + (int) (e / n) + (w <= e % n ? 1 : 0);
        long weighted = 0;
        for (int w = 1; w <= n; w++) weighted += (long) w * c[w];
        long delta = Math.floorMod(tb - b0 - n * a0 - weighted, mod);
        long q = delta / (n - 1), r = delta % (n - 1);
        c[1] -= (int) q; // q units from weight 1 to weight n: W += q·(n−1)
        c[n] += (int) q;
        if (r > 0) { // one unit from weight 2 to weight 2 + r: W += r
            c[2]--;
            c[2 + (int) r]++;
        }
        byte[] out = java.util.Arrays.copyOf(data, data.length + n);
        for (int w = 1; w <= n; w++) {
            if (c[w] < 0 || c[w] > 255) throw new IllegalStateException("padding byte out of range: " + c[w]);
            out[data.length + n - w] = (byte) c[w];
        }
        Adler32 check = new Adler32();
        check.update(out);
        if (check.getValue() != target)
            throw new IllegalStateException("Adler-32 " + check.getValue() + ", wanted " + target);
        return out;
    }
}
