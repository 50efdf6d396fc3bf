package io.github.dl4jadamw.examples.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CIFAR-10 binary reader. CIFAR-10 itself cannot be downloaded on the machines this project is tested on, so
 * the files are written here in the exact CIFAR-10 binary layout (1 label byte, then 1024 red, 1024 green,
 * 1024 blue bytes of a 32×32 image, rows first) from real Fashion-MNIST images: the 28×28 image centred in 32×32,
 * red = the image, green = its inverse, blue = the image transposed, so that channel order, row order and
 * record boundaries are all checked.
 */
class Cifar10BinaryTest {
    @TempDir
    Path tmp;

    static final ImageData FM = FashionMnist.readTrain(IdxFilesTest.sample(), -1);

    /** The expected R, G, B value at (y, x) of record built from Fashion-MNIST image i. */
    static int expected(int i, int ch, int y, int x) {
        int yy = y - 2, xx = x - 2;
        if (yy < 0 || yy >= 28 || xx < 0 || xx >= 28) return ch == 1 ? 255 : 0;
        switch (ch) {
            case 0: return FM.pixel(i, yy * 28 + xx);
            case 1: return 255 - FM.pixel(i, yy * 28 + xx);
            default: return FM.pixel(i, xx * 28 + yy);
        }
    }

    /** A CIFAR-10 binary file of the Fashion-MNIST images from..to-1 (label = their label). */
    static byte[] records(int from, int to) {
        byte[] b = new byte[(to - from) * Cifar10Binary.RECORD];
        for (int i = from; i < to; i++) {
            int o = (i - from) * Cifar10Binary.RECORD;
            b[o] = (byte) FM.label(i);
            for (int ch = 0; ch < 3; ch++)
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++)
                        b[o + 1 + ch * 1024 + y * 32 + x] = (byte) expected(i, ch, y, x);
        }
        return b;
    }

    Path writeSet(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("data_batch_1.bin"), records(0, 10));
        Files.write(dir.resolve("data_batch_2.bin"), records(10, 14));
        Files.write(dir.resolve("test_batch.bin"), records(14, 16));
        return dir;
    }

    @Test
    void readsRecordsAcrossBatchFilesInOrder() throws IOException {
        writeSet(tmp);
        ImageData train = Cifar10Binary.readTrain(tmp, 12);
        assertEquals(12, train.size());
        assertEquals(3, train.channels);
        assertEquals(32, train.height);
        assertEquals(32, train.width);
        for (int i = 0; i < 12; i++) {
            assertEquals(FM.label(i), train.label(i), "label " + i);
            for (int ch = 0; ch < 3; ch++)
                for (int y = 0; y < 32; y += 3)
                    for (int x = 0; x < 32; x++)
                        assertEquals(expected(i, ch, y, x), train.pixel(i, ch * 1024 + y * 32 + x));
        }
        ImageData test = Cifar10Binary.readTest(tmp, -1);
        assertEquals(2, test.size());
        assertEquals(FM.label(15), test.label(1));
        assertEquals(expected(15, 2, 10, 20), test.pixel(1, 2 * 1024 + 10 * 32 + 20));
    }

    @Test
    void autoDetectionIncludingTheTarballSubfolder() throws IOException {
        writeSet(tmp.resolve("cifar-10-batches-bin"));
        Datasets.Loaded l = Datasets.load(tmp, Datasets.Kind.AUTO, 14, 2);
        assertEquals(Datasets.Kind.CIFAR10, l.kind);
        assertEquals(14, l.train.size());
        assertTrue(l.source.endsWith("cifar-10-batches-bin"), l.source);
    }

    @Test
    void sizeNotAMultipleOfTheRecord() throws IOException {
        writeSet(tmp);
        byte[] full = records(0, 10);
        Path f = tmp.resolve("data_batch_1.bin");
        Files.write(f, Arrays.copyOf(full, full.length - 1000));
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Binary.readTrain(tmp, 5));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("3073-byte CIFAR-10 record"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Files.write(f, new byte[3074 * 2]);
        e = assertThrows(DataFormatException.class, () -> Cifar10Binary.readTrain(tmp, 1));
        assertTrue(e.getMessage().contains("CIFAR-100"), e.getMessage());
    }

    @Test
    void badLabelByteMeansWrongFormat() throws IOException {
        writeSet(tmp);
        byte[] b = records(0, 10);
        b[3 * Cifar10Binary.RECORD] = (byte) 200;
        Path f = tmp.resolve("data_batch_1.bin");
        Files.write(f, b);
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Binary.readTrain(tmp, 10));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("record 3") && e.getMessage().contains("label byte 200")
                && e.getMessage().contains("expected 0..9"), e.getMessage());
    }

    @Test
    void missingBatchFileAndTooFewImages() throws IOException {
        writeSet(tmp);
        Files.delete(tmp.resolve("data_batch_2.bin"));
        assertEquals(10, Cifar10Binary.readTrain(tmp, 10).size()); // batch 2 not needed
        DataFormatException e = assertThrows(DataFormatException.class, () -> Cifar10Binary.readTrain(tmp, 11));
        assertTrue(e.getMessage().contains("data_batch_2.bin") && e.getMessage().contains("not found"), e.getMessage());

        writeSet(tmp);
        Files.write(tmp.resolve("data_batch_3.bin"), records(0, 1));
        Files.write(tmp.resolve("data_batch_4.bin"), records(0, 1));
        Files.write(tmp.resolve("data_batch_5.bin"), records(0, 1));
        e = assertThrows(DataFormatException.class, () -> Cifar10Binary.readTrain(tmp, 100));
        assertTrue(e.getMessage().contains("asked for 100 images") && e.getMessage().contains("only 17"), e.getMessage());
    }
}
