package io.github.dl4jadamw.examples.data;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class BatchesTest {
    static final ImageData FM = FashionMnist.readTrain(IdxFilesTest.sample(), -1); // 16 real images

    @Test
    void orderIsASeededPermutationPerEpoch() {
        Batches b = new Batches(FM, 5, true, 0, false);
        int[] o1 = b.order(1, 0, true), o1again = b.order(1, 0, true), o2 = b.order(1, 1, true), s2 = b.order(2, 0, true);
        assertArrayEquals(o1, o1again);
        assertFalse(Arrays.equals(o1, o2), "reshuffled every epoch");
        assertFalse(Arrays.equals(o1, s2), "depends on the seed");
        int[] sorted = o1.clone();
        Arrays.sort(sorted);
        int[] id = new int[16];
        for (int i = 0; i < 16; i++) id[i] = i;
        assertArrayEquals(id, sorted);
        assertArrayEquals(id, b.order(1, 0, false));
    }

    /** A batch larger than the set is one batch of the whole set; n + batch − 1 once overflowed int for a huge one. */
    @Test
    void aBatchLargerThanTheSetIsOneBatch() {
        assertEquals(1, new Batches(FM, Integer.MAX_VALUE - 1, true, 0, false).batchesPerEpoch());
        assertEquals(1, new Batches(FM, 5000, true, 0, false).batchesPerEpoch());
    }

    @Test
    void lastPartialBatchIsKeptAndPixelsAreScaled() {
        Batches b = new Batches(FM, 5, true, 0, false);
        assertEquals(4, b.batchesPerEpoch());
        int[] order = b.order(7, 3, true);
        int seen = 0;
        for (int k = 0; k < 4; k++) {
            DataSet ds = b.batch(order, k, null);
            int m = k < 3 ? 5 : 1;
            assertArrayEquals(new long[]{m, 784}, ds.getFeatures().shape());
            assertArrayEquals(new long[]{m, 10}, ds.getLabels().shape());
            for (int i = 0; i < m; i++) {
                int img = order[k * 5 + i];
                assertEquals(1.0, ds.getLabels().getDouble(i, FM.label(img)), 0);
                assertEquals(1.0, ds.getLabels().getRow(i).sumNumber().doubleValue(), 0);
                assertEquals(FM.pixel(img, 14 * 28 + 12) / 255f, ds.getFeatures().getFloat(i, 14 * 28 + 12), 0f);
            }
            seen += m;
        }
        assertEquals(16, seen);
        DataSet nchw = new Batches(FM, 4, false, 0, false).batch(order, 0, null);
        assertArrayEquals(new long[]{4, 1, 28, 28}, nchw.getFeatures().shape());
    }

    @Test
    void augmentationFlipsAndCropsDeterministically() {
        Batches flip = new Batches(FM, 16, false, 0, true);
        int[] order = flip.order(0, 0, false);
        DataSet a = flip.batch(order, 0, flip.augmentation(3, 0));
        DataSet again = flip.batch(order, 0, flip.augmentation(3, 0));
        assertEquals(a.getFeatures(), again.getFeatures());
        // every image is either itself or its mirror image
        int mirrored = 0;
        for (int i = 0; i < 16; i++) {
            boolean same = true, mirror = true;
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) {
                    float v = a.getFeatures().getFloat(i, 0, y, x);
                    same &= v == FM.pixel(i, y * 28 + x) / 255f;
                    mirror &= v == FM.pixel(i, y * 28 + 27 - x) / 255f;
                }
            assertTrue(same || mirror, "image " + i);
            if (mirror && !same) mirrored++;
        }
        assertTrue(mirrored > 0 && mirrored < 16, "about half mirrored: " + mirrored);

        Batches crop = new Batches(FM, 16, false, 4, false);
        DataSet c = crop.batch(order, 0, new Random(1));
        assertArrayEquals(new long[]{16, 1, 28, 28}, c.getFeatures().shape());
        // a crop is a shift by (dy, dx) in [-4, 4]² with zero fill: every image is one, and not all unshifted
        int unshifted = 0;
        for (int i = 0; i < 16; i++) {
            assertTrue(shiftedBy(c, i, order, -4, 4), "image " + i + " is a shifted copy");
            if (shiftedBy(c, i, order, 0, 0)) unshifted++;
        }
        assertTrue(unshifted < 16, "the crop moved no image");
        // the same random source gives the same crops
        assertArrayEquals(c.getFeatures().dup().data().asFloat(),
                crop.batch(order, 0, new Random(1)).getFeatures().dup().data().asFloat());
    }

    /** Whether image i of the batch is its source image shifted by some (dy, dx) in [lo, hi]², zero-filled. */
    private static boolean shiftedBy(DataSet c, int i, int[] order, int lo, int hi) {
        int src = order[i];
        for (int dy = lo; dy <= hi; dy++)
            for (int dx = lo; dx <= hi; dx++) {
                boolean ok = true;
                for (int y = 0; y < 28 && ok; y++)
                    for (int x = 0; x < 28 && ok; x++) {
                        int sy = y + dy, sx = x + dx;
                        float want = sy < 0 || sy >= 28 || sx < 0 || sx >= 28 ? 0f : FM.pixel(src, sy * 28 + sx) / 255f;
                        ok = c.getFeatures().getFloat(i, 0, y, x) == want;
                    }
                if (ok) return true;
            }
        return false;
    }

    /** A 1×4×4 fixture with pixels 1..16 (row-major): crops and flips against arrays written out by hand. */
    @Test
    void cropAndFlipOnAFixture() {
        byte[] px = new byte[16];
        for (int k = 0; k < 16; k++) px[k] = (byte) (k + 1);
        ImageData img = new ImageData("fixture", 1, 4, 4, 2, px, new byte[]{1});
        // the image:     shifted by (dy, dx) = (1, -1):   mirrored:        both (crop, then mirror):
        //  1  2  3  4     0  5  6  7                       4  3  2  1       7  6  5  0
        //  5  6  7  8     0  9 10 11                       8  7  6  5      11 10  9  0
        //  9 10 11 12     0 13 14 15                      12 11 10  9      15 14 13  0
        // 13 14 15 16     0  0  0  0                      16 15 14 13       0  0  0  0
        assertArrayEquals(scaled(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), crop(img, 0, 0, false));
        assertArrayEquals(scaled(0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15, 0, 0, 0, 0), crop(img, 1, -1, false));
        assertArrayEquals(scaled(4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9, 16, 15, 14, 13), crop(img, 0, 0, true));
        assertArrayEquals(scaled(7, 6, 5, 0, 11, 10, 9, 0, 15, 14, 13, 0, 0, 0, 0, 0), crop(img, 1, -1, true));
        // a shift as large as the padding, up and to the right: (dy, dx) = (-4, 4) leaves nothing of a 4×4 image
        assertArrayEquals(new float[16], crop(img, -4, 4, false));
        assertArrayEquals(scaled(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), crop(img, -3, -3, false));
    }

    @Test
    void paddingCentresFashionMnistIn32By32() {
        ImageData p = FM.paddedTo(32);
        assertEquals(32, p.height);
        assertEquals(32, p.width);
        assertEquals(FM.size(), p.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(FM.label(i), p.label(i));
            for (int y = 0; y < 32; y++)
                for (int x = 0; x < 32; x++) {
                    boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                    assertEquals(inside ? FM.pixel(i, (y - 2) * 28 + x - 2) : 0, p.pixel(i, y * 32 + x), y + "," + x);
                }
        }
        assertTrue(p.name.endsWith("padded to 32×32"), p.name);
        assertThrows(IllegalArgumentException.class, () -> FM.paddedTo(27));
    }

    private static float[] crop(ImageData img, int dy, int dx, boolean mirror) {
        float[] out = new float[16];
        Batches.cropFlip(img, 0, dy, dx, mirror, out, 0);
        return out;
    }

    private static float[] scaled(int... v) {
        float[] f = new float[v.length];
        for (int k = 0; k < v.length; k++) f[k] = v[k] / 255f;
        return f;
    }
}
