package io.github.dl4jadamw.examples.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The IDX reader on real Fashion-MNIST files: the fixtures in src/test/resources/fmnist-sample are the first 16
 * training images/labels (plain IDX) and the first 8 test images/labels (gzipped), sliced from the published files.
 */
class IdxFilesTest {
    static final Path REAL = Path.of("/usr/share/datasets/fashion-mnist");
    /** First labels of the real files (train-labels-idx1-ubyte, t10k-labels-idx1-ubyte). */
    static final int[] TRAIN_LABELS = {9, 0, 0, 3, 0, 2, 7, 2, 5, 5, 0, 9, 5, 5, 7, 9};
    static final int[] TEST_LABELS = {9, 2, 1, 1, 6, 1, 4, 6};
    /** Row 14 of training image 0 (an ankle boot). */
    static final int[] IMAGE0_ROW14 = {0, 0, 1, 4, 6, 7, 2, 0, 0, 0, 0, 0, 237, 226, 217, 223, 222, 219, 222, 221, 216,
            223, 229, 215, 218, 255, 77, 0};

    @TempDir
    Path tmp;

    static Path sample() {
        try {
            return Path.of(IdxFilesTest.class.getResource("/fmnist-sample").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static int[] labels(ImageData d) {
        int[] l = new int[d.size()];
        for (int i = 0; i < l.length; i++) l[i] = d.label(i);
        return l;
    }

    @Test
    void readsPlainTrainingSample() {
        ImageData d = FashionMnist.readTrain(sample(), -1);
        assertEquals(16, d.size());
        assertEquals(1, d.channels);
        assertEquals(28, d.height);
        assertEquals(28, d.width);
        assertArrayEquals(TRAIN_LABELS, labels(d));
        int[] row = new int[28];
        for (int x = 0; x < 28; x++) row[x] = d.pixel(0, 14 * 28 + x);
        assertArrayEquals(IMAGE0_ROW14, row);
        int sum = 0;
        for (int p = 0; p < 784; p++) sum += d.pixel(0, p);
        assertEquals(76247, sum);
        float[] scaled = new float[784];
        d.copyScaled(0, scaled, 0);
        assertEquals(237 / 255f, scaled[14 * 28 + 12], 0f);
    }

    @Test
    void readsGzippedTestSampleAndLimits() {
        ImageData d = FashionMnist.readTest(sample(), -1);
        assertArrayEquals(TEST_LABELS, labels(d));
        ImageData first3 = FashionMnist.readTest(sample(), 3);
        assertEquals(3, first3.size());
        assertArrayEquals(Arrays.copyOf(TEST_LABELS, 3), labels(first3));
        for (int p = 0; p < 784; p++) assertEquals(d.pixel(2, p), first3.pixel(2, p));
    }

    @Test
    void embeddedSubsetIsTheRealFirstTenThousand() {
        ImageData train = FashionMnist.embeddedTrain(-1), test = FashionMnist.embeddedTest(-1);
        assertEquals(10_000, train.size());
        assertEquals(10_000, test.size());
        ImageData sample = FashionMnist.readTrain(sample(), -1);
        for (int i = 0; i < sample.size(); i++) {
            assertEquals(sample.label(i), train.label(i));
            for (int p = 0; p < 784; p++) assertEquals(sample.pixel(i, p), train.pixel(i, p));
        }
        assertArrayEquals(TEST_LABELS, Arrays.copyOf(labels(test), 8));
        // the first 10,000 training labels of Fashion-MNIST, per class
        assertArrayEquals(new int[]{942, 1027, 1016, 1019, 974, 989, 1021, 1022, 990, 1000}, train.classCounts());
        assertArrayEquals(new int[]{1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, test.classCounts());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FashionMnist.embeddedTrain(10_001));
        assertTrue(e.getMessage().contains("10000"), e.getMessage());
    }

    static boolean realFilesInstalled() {
        return Files.isRegularFile(REAL.resolve("train-images-idx3-ubyte.gz"));
    }

    /** Runs where Debian's dataset-fashion-mnist is installed (apt-get install dataset-fashion-mnist). */
    @Test
    @EnabledIf("realFilesInstalled")
    void embeddedSubsetEqualsTheInstalledFiles() {
        Datasets.Loaded real = Datasets.load(REAL, Datasets.Kind.AUTO, 10_000, 10_000);
        assertEquals(Datasets.Kind.FASHION_MNIST, real.kind);
        ImageData emb = FashionMnist.embeddedTrain(-1);
        for (int i = 0; i < 10_000; i += 97) {
            assertEquals(real.train.label(i), emb.label(i));
            for (int p = 0; p < 784; p += 7) assertEquals(real.train.pixel(i, p), emb.pixel(i, p));
        }
    }

    // ---------- error cases: every message names the file and what was expected ----------

    Path copyOfSample(String name) throws IOException {
        Path dst = tmp.resolve(name);
        Files.copy(sample().resolve(name), dst);
        return dst;
    }

    @Test
    void wrongMagicNumber() throws IOException {
        Path labels = copyOfSample("train-labels-idx1-ubyte");
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> IdxFiles.readImages(IdxFiles.Source.of(labels), -1));
        assertTrue(e.getMessage().contains(labels.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000801"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 0x00000803"), e.getMessage());
        assertTrue(e.getMessage().contains("label file"), e.getMessage());

        Path text = tmp.resolve("train-images-idx3-ubyte");
        Files.writeString(text, "<html>404 not found</html>");
        e = assertThrows(DataFormatException.class, () -> FashionMnist.readTrain(tmp, -1));
        assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("not an IDX image file"), e.getMessage());
    }

    @Test
    void truncatedPixelData() throws IOException {
        byte[] all = Files.readAllBytes(sample().resolve("train-images-idx3-ubyte"));
        Path cut = tmp.resolve("train-images-idx3-ubyte");
        Files.write(cut, Arrays.copyOf(all, 16 + 784 * 3 + 100));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxFiles.readImages(IdxFiles.Source.of(cut), -1));
        assertTrue(e.getMessage().startsWith(cut + ": truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("expected 12544 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("16 images × 28×28"), e.getMessage());
        assertTrue(e.getMessage().contains("ends after 2452 bytes"), e.getMessage());
        // reading only what is there works
        assertEquals(3, IdxFiles.readImages(IdxFiles.Source.of(cut), 3).count);
    }

    @Test
    void truncatedHeader() throws IOException {
        Path cut = tmp.resolve("t.idx");
        Files.write(cut, new byte[]{0, 0, 8, 3, 0, 0});
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxFiles.readImages(IdxFiles.Source.of(cut), -1));
        assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void truncatedGzip() throws IOException {
        byte[] gz = Files.readAllBytes(sample().resolve("t10k-images-idx3-ubyte.gz"));
        Path cut = tmp.resolve("t10k-images-idx3-ubyte.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxFiles.readImages(IdxFiles.Source.of(cut), -1));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("corrupt"), e.getMessage());
    }

    @Test
    void missingFileNamesWhatWasExpected() throws IOException {
        copyOfSample("train-images-idx3-ubyte");
        DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.readTrain(tmp, -1));
        assertTrue(e.getMessage().contains("train-labels-idx1-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage()); // lists what is there

        Path none = tmp.resolve("nope.idx");
        e = assertThrows(DataFormatException.class, () -> IdxFiles.readLabels(IdxFiles.Source.of(none), -1));
        assertTrue(e.getMessage().contains(none.toString()) && e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void countMismatchAndBadLabel() throws IOException {
        copyOfSample("train-images-idx3-ubyte");
        byte[] labels = Files.readAllBytes(sample().resolve("train-labels-idx1-ubyte"));
        Path lf = tmp.resolve("train-labels-idx1-ubyte");
        byte[] fewer = Arrays.copyOf(labels, 8 + 10);
        fewer[7] = 10; // header count 10
        Files.write(lf, fewer);
        DataFormatException e = assertThrows(DataFormatException.class, () -> FashionMnist.readTrain(tmp, -1));
        assertTrue(e.getMessage().contains(lf.toString()) && e.getMessage().contains("10 labels")
                && e.getMessage().contains("16 images"), e.getMessage());

        byte[] bad = labels.clone();
        bad[8 + 5] = 12;
        Files.write(lf, bad);
        e = assertThrows(DataFormatException.class, () -> FashionMnist.readTrain(tmp, -1));
        assertTrue(e.getMessage().contains("label 12 at index 5"), e.getMessage());
    }

    @Test
    void gzipIsRecognisedByContentNotName() throws IOException {
        byte[] plain = Files.readAllBytes(sample().resolve("train-labels-idx1-ubyte"));
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) { g.write(plain); }
        Path f = tmp.resolve("labels-without-gz-suffix");
        Files.write(f, bo.toByteArray());
        byte[] l = IdxFiles.readLabels(IdxFiles.Source.of(f), -1);
        assertEquals(16, l.length);
        assertEquals(9, l[0]);
    }

    @Test
    void datasetsAutoDetectionAndErrors() throws IOException {
        for (String n : new String[]{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte.gz",
                "t10k-labels-idx1-ubyte.gz"}) copyOfSample(n);
        Datasets.Loaded l = Datasets.load(tmp, Datasets.Kind.AUTO, 10, 5);
        assertEquals(Datasets.Kind.FASHION_MNIST, l.kind);
        assertEquals(10, l.train.size());
        assertEquals(5, l.test.size());
        DataFormatException e = assertThrows(DataFormatException.class, () -> Datasets.load(tmp, Datasets.Kind.AUTO, 100, 5));
        assertTrue(e.getMessage().contains("only 16 images") && e.getMessage().contains("--train-size 100"), e.getMessage());

        Path empty = Files.createDirectory(tmp.resolve("empty"));
        e = assertThrows(DataFormatException.class, () -> Datasets.load(empty, Datasets.Kind.AUTO, 10, 10));
        assertTrue(e.getMessage().startsWith(empty.toString()) && e.getMessage().contains("data_batch_1")
                && e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
        e = assertThrows(DataFormatException.class, () -> Datasets.load(tmp.resolve("absent"), Datasets.Kind.AUTO, 1, 1));
        assertTrue(e.getMessage().contains("absent") && e.getMessage().contains("not found"), e.getMessage());
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (in) { return in.readAllBytes(); }
    }
}
