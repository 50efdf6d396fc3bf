package io.github.dl4jadamw.examples.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.github.dl4jadamw.examples.data.Cifar10CacheFixture.TEST;
import static io.github.dl4jadamw.examples.data.Cifar10CacheFixture.TRAIN;
import static io.github.dl4jadamw.examples.data.Cifar10CacheFixture.file;
import static io.github.dl4jadamw.examples.data.Cifar10CacheFixture.value;
import static org.junit.jupiter.api.Assertions.*;

/** Reading DL4J's CIFAR-10 PNG cache tree (a tiny one, see {@link Cifar10CacheFixture}). */
class Cifar10CacheTest {
    @TempDir
    Path tmp;

    static void assertSameImages(ImageData expected, ImageData actual) {
        assertEquals(expected.size(), actual.size(), "images");
        assertEquals(expected.channels, actual.channels);
        assertEquals(expected.height, actual.height);
        assertEquals(expected.width, actual.width);
        assertEquals(expected.numClasses, actual.numClasses);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.label(i), actual.label(i), "label of image " + i);
            for (int p = 0; p < expected.imageSize(); p++)
                if (expected.pixel(i, p) != actual.pixel(i, p))
                    fail("image " + i + ", channel " + p / 1024 + ", row " + p % 1024 / 32 + ", column " + p % 32
                            + ": " + actual.pixel(i, p) + ", expected " + expected.pixel(i, p));
        }
    }

    @Test
    void readsTheFirstImagesInCifarOrderWithRgbPixelsAndFolderLabels() throws IOException {
        Path cache = Cifar10CacheFixture.write(tmp.resolve("cifar10"));
        ImageData train = Cifar10Cache.readTrain(cache, 25);
        assertEquals(25, train.size());
        assertEquals("CIFAR-10 train", train.name);
        for (int i = 0; i < 25; i++) {
            assertEquals(TRAIN.label(i), train.label(i), "label " + i);
            for (int ch = 0; ch < 3; ch++)
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++)
                        assertEquals(value(TRAIN, i, ch, y, x), train.pixel(i, ch * 1024 + y * 32 + x),
                                "image " + i + " channel " + ch + " (" + y + ", " + x + ")");
        }
        ImageData test = Cifar10Cache.readTest(cache, -1);
        assertEquals(20, test.size());
        for (int i = 0; i < 20; i++) assertEquals(TEST.label(i), test.label(i));
        assertEquals(value(TEST, 19, 2, 10, 20), test.pixel(19, 2 * 1024 + 10 * 32 + 20));
        assertArrayEquals(TEST.classCounts(), test.classCounts());
    }

    @Test
    void sameImagesAsTheBinaryVersionOfTheSameData() throws IOException {
        Path cache = Cifar10CacheFixture.write(tmp.resolve("cifar10"));
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Files.write(bin.resolve("data_batch_1.bin"), Cifar10CacheFixture.binary(TRAIN));
        Files.write(bin.resolve("test_batch.bin"), Cifar10CacheFixture.binary(TEST));
        assertSameImages(Cifar10Binary.readTrain(bin, 30), Cifar10Cache.readTrain(cache, 30));
        assertSameImages(Cifar10Binary.readTest(bin, 7), Cifar10Cache.readTest(cache, 7));
    }

    @Test
    void paletteGreyAndAlphaPngsDecodeExactly() throws IOException {
        int img = 3;
        // palette: 256 entries (v, 255 − v, v / 2), one per grey level of the Fashion-MNIST image
        byte[] r = new byte[256], g = new byte[256], b = new byte[256];
        for (int v = 0; v < 256; v++) {
            r[v] = (byte) v;
            g[v] = (byte) (255 - v);
            b[v] = (byte) (v / 2);
        }
        BufferedImage pal = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, 256, r, g, b));
        BufferedImage grey = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage argb = new BufferedImage(32, 32, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 32; y++)
            for (int x = 0; x < 32; x++) {
                int v = value(TRAIN, img, 0, y, x);
                pal.getRaster().setSample(x, y, 0, v);
                grey.getRaster().setSample(x, y, 0, v);
                argb.setRGB(x, y, 0x80 << 24 | value(TRAIN, img, 0, y, x) << 16 | value(TRAIN, img, 1, y, x) << 8
                        | value(TRAIN, img, 2, y, x));
            }
        for (BufferedImage im : new BufferedImage[]{pal, grey, argb}) {
            Path f = tmp.resolve("image.png");
            assertTrue(ImageIO.write(im, "png", f.toFile()));
            byte[] dst = new byte[3072];
            Cifar10Cache.decode(f, dst, 0, tmp);
            for (int ch = 0; ch < 3; ch++)
                for (int p = 0; p < 1024; p++) {
                    int v = value(TRAIN, img, 0, p / 32, p % 32);
                    int want = im == pal ? new int[]{v, 255 - v, v / 2}[ch]
                            : im == grey ? v : value(TRAIN, img, ch, p / 32, p % 32);
                    assertEquals(want, dst[ch * 1024 + p] & 0xFF, "image type " + im.getType() + " channel " + ch);
                }
        }
    }

    @Test
    void truncatedOrForeignPngNamesTheFile() throws IOException {
        Path cache = Cifar10CacheFixture.write(tmp.resolve("cifar10"));
        Path f = cache.resolve(file(TRAIN, "train", 4));
        byte[] png = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(png, png.length / 2));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTrain(cache, 10));
        assertTrue(e.getMessage().startsWith(f + ": corrupt or truncated PNG"), e.getMessage());
        assertTrue(e.getMessage().contains("delete " + cache) && e.getMessage().contains("--data DIR"), e.getMessage());
        assertEquals(4, Cifar10Cache.readTrain(cache, 4).size(), "the images before it are not affected");

        Files.writeString(f, "not an image");
        e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTrain(cache, 10));
        assertTrue(e.getMessage().startsWith(f + ": not a PNG image"), e.getMessage());

        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB), "png", f.toFile());
        e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTrain(cache, 10));
        assertTrue(e.getMessage().startsWith(f + ": 28×28 pixels"), e.getMessage());
    }

    @Test
    void incompleteTreeIsRefusedRatherThanShifted() throws IOException {
        Path cache = Cifar10CacheFixture.write(tmp.resolve("cifar10"));
        // one image missing: every later image would move up one place
        Files.delete(cache.resolve(file(TRAIN, "train", 17)));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTrain(cache, 5));
        assertTrue(e.getMessage().contains("no image numbered 17") && e.getMessage().contains("from 16 to 18"),
                e.getMessage());
        assertTrue(e.getMessage().contains("delete " + cache), e.getMessage());

        // a whole label folder missing (an interrupted unzip)
        Path folder = cache.resolve("test").resolve("4");
        try (var s = Files.list(folder)) {
            for (Path p : s.toList()) Files.delete(p);
        }
        Files.delete(folder);
        e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTest(cache, 5));
        assertTrue(e.getMessage().startsWith(folder + ": missing"), e.getMessage());

        e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTrain(tmp.resolve("empty"), 5));
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void labelsMustBeCifarsInCifarsOrder() throws IOException {
        Path cache = Cifar10CacheFixture.write(tmp.resolve("cifar10"));
        // an image named for another class than its folder's: the folders would not be CIFAR-10's labels
        Path f = cache.resolve(file(TRAIN, "train", 0)); // train/9/0_truck.png
        assertEquals(9, TRAIN.label(0));
        Files.move(f, cache.resolve("train/8/0_truck.png"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTrain(cache, 1));
        assertTrue(e.getMessage().contains("named for class 'truck' but lies in folder 8") && e.getMessage()
                .contains("(ship)"), e.getMessage());
        // a plain number is fine: the folder gives the label
        Files.move(cache.resolve("train/8/0_truck.png"), cache.resolve("train/9/0.png"));
        assertEquals(9, Cifar10Cache.readTrain(cache, 1).label(0));

        Path labels = cache.resolve(Cifar10Cache.LABELS_FILE);
        StringBuilder tabbed = new StringBuilder();
        for (int k = 0; k < 10; k++) tabbed.append(k).append('\t').append(Cifar10Binary.CLASS_NAMES[k]).append('\n');
        Files.writeString(labels, tabbed);
        assertEquals(30, Cifar10Cache.readTrain(cache, -1).size(), "folder<TAB>name lines");

        Files.writeString(labels, "airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\ntruck\nship\n");
        e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTrain(cache, 1));
        assertTrue(e.getMessage().startsWith(labels + ": lists [airplane"), e.getMessage());
    }

    @Test
    void namesWithoutNumbersOrDuplicateNumbersAndTooFewImages() throws IOException {
        Path cache = Cifar10CacheFixture.write(tmp.resolve("cifar10"));
        Path dup = cache.resolve("test/" + TEST.label(3) + "/5.png"); // image 5 is test/1/5_automobile.png
        Files.copy(cache.resolve(file(TEST, "test", 3)), dup);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTest(cache, 1));
        assertTrue(e.getMessage().contains("two images numbered 5"), e.getMessage());
        Files.delete(dup);

        e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTest(cache, 21));
        assertTrue(e.getMessage().contains("asked for 21 images") && e.getMessage().contains("only 20"),
                e.getMessage());

        Path odd = cache.resolve("test/0/airplane.png");
        Files.copy(cache.resolve(file(TEST, "test", 3)), odd);
        e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTest(cache, 1));
        assertTrue(e.getMessage().startsWith(odd + ": name is not <n>_<class>.png"), e.getMessage());
    }

    @Test
    void unnumberedNamesAreReadInAFixedClassMixedOrder() throws IOException {
        Path cache = Cifar10CacheFixture.write(tmp.resolve("cifar10"));
        // the same tree with names that carry no CIFAR index, e.g. the zip used other names
        for (int i = 0; i < TRAIN.size(); i++) {
            Path f = cache.resolve(file(TRAIN, "train", i));
            Files.move(f, f.resolveSibling("img-" + (char) ('a' + i % 26) + (i / 26) + ".png"));
        }
        ImageData all = Cifar10Cache.readTrain(cache, -1);
        assertEquals(TRAIN.size(), all.size());
        assertTrue(all.name.contains("fixed pseudo-random order"), all.name);
        // a permutation of the originals, each with its own label
        boolean[] seen = new boolean[TRAIN.size()];
        boolean inSourceOrder = true;
        for (int i = 0; i < all.size(); i++) {
            int match = -1;
            for (int j = 0; j < TRAIN.size() && match < 0; j++)
                if (!seen[j] && isFixtureImage(all, i, j)) match = j;
            assertTrue(match >= 0, "image " + i + " is none of the originals");
            seen[match] = true;
            assertEquals(TRAIN.label(match), all.label(i), "label of image " + i);
            inSourceOrder &= match == i;
        }
        assertFalse(inSourceOrder);
        // the same order on every read, with more than one class among the first images
        assertSameImages(all.first(10), Cifar10Cache.readTrain(cache, 10));
        assertTrue(Arrays.stream(all.first(10).classCounts()).filter(c -> c > 0).count() > 1);
        boolean byClass = true; // folder by folder would put the labels in order
        for (int i = 1; i < all.size(); i++) byClass &= all.label(i - 1) <= all.label(i);
        assertFalse(byClass, "read folder by folder, not shuffled");
    }

    @Test
    void aTreeWithSomeUnnumberedNamesIsRefused() throws IOException {
        Path cache = Cifar10CacheFixture.write(tmp.resolve("cifar10"));
        Path f = cache.resolve(file(TRAIN, "train", 4));
        Path renamed = f.resolveSibling("four.png");
        Files.move(f, renamed);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Cache.readTrain(cache, 1));
        assertTrue(e.getMessage().startsWith(renamed + ": name is not <n>_<class>.png like the other images"),
                e.getMessage());
    }

    /** Whether image i of {@code a} holds the pixels the fixture wrote for training image j. */
    private static boolean isFixtureImage(ImageData a, int i, int j) {
        for (int ch = 0; ch < 3; ch++)
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++)
                    if (a.pixel(i, ch * 1024 + y * 32 + x) != value(TRAIN, j, ch, y, x)) return false;
        return true;
    }
}
