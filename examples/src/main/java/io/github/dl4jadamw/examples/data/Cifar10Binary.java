package io.github.dl4jadamw.examples.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reader of the CIFAR-10 "binary version" ({@code cifar-10-binary.tar.gz}: {@code data_batch_1.bin} …
 * {@code data_batch_5.bin}, {@code test_batch.bin}). Each file is a sequence of 3073-byte records:
 * one label byte (0..9) and 3072 pixel bytes — the 1024 red, then 1024 green, then 1024 blue values of a
 * 32×32 image, rows first — which is exactly the C×H×W order of {@link ImageData}.
 */
public final class Cifar10Binary {
    public static final int SIDE = 32, CHANNELS = 3, CLASSES = 10;
    public static final int PIXELS = SIDE * SIDE * CHANNELS;
    public static final int RECORD = 1 + PIXELS;
    public static final int TRAIN_FILES = 5;
    public static final String[] CLASS_NAMES = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck"};

    private Cifar10Binary() {}

    /** The directory holding the .bin files: {@code dir} itself or its {@code cifar-10-batches-bin} subfolder. */
    public static Path batchesDir(Path dir) {
        if (Files.isRegularFile(dir.resolve("test_batch.bin")) || Files.isRegularFile(dir.resolve("data_batch_1.bin")))
            return dir;
        Path sub = dir.resolve("cifar-10-batches-bin");
        return Files.isDirectory(sub) ? sub : dir;
    }

    /** Does {@code dir} (or its cifar-10-batches-bin subfolder) look like CIFAR-10 binary data? */
    public static boolean looksLikeCifar10(Path dir) {
        Path d = batchesDir(dir);
        return Files.isRegularFile(d.resolve("data_batch_1.bin")) || Files.isRegularFile(d.resolve("test_batch.bin"));
    }

    /** The first {@code limit} training images (all 50,000 when limit &lt; 0), from data_batch_1.bin onwards. */
    public static ImageData readTrain(Path dir, int limit) {
        Path d = batchesDir(dir);
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= TRAIN_FILES; i++) files.add(d.resolve("data_batch_" + i + ".bin"));
        return read("CIFAR-10 train", files, limit);
    }

    /** The first {@code limit} test images (all 10,000 when limit &lt; 0) of test_batch.bin. */
    public static ImageData readTest(Path dir, int limit) {
        return read("CIFAR-10 test", List.of(batchesDir(dir).resolve("test_batch.bin")), limit);
    }

    /** Reads records from the files in order until {@code limit} images are read (all when &lt; 0). */
    public static ImageData read(String name, List<Path> files, int limit) {
        List<byte[]> chunks = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            if (limit >= 0 && total >= limit) break;
            int want = limit < 0 ? Integer.MAX_VALUE : (int) (limit - total);
            byte[] recs = readRecords(f, want);
            chunks.add(recs);
            total += recs.length / RECORD;
        }
        if (limit >= 0 && total < limit)
            throw new DataFormatException(name + ": asked for " + limit + " images but " + files + " hold only "
                    + total);
        byte[] pixels = new byte[Math.toIntExact(total * PIXELS)];
        byte[] labels = new byte[(int) total];
        int k = 0;
        for (byte[] c : chunks) {
            for (int r = 0; r < c.length / RECORD; r++, k++) {
                labels[k] = c[r * RECORD];
                System.arraycopy(c, r * RECORD + 1, pixels, k * PIXELS, PIXELS);
            }
        }
        return new ImageData(name, CHANNELS, SIDE, SIDE, CLASSES, pixels, labels);
    }

    /** At most {@code maxRecords} whole records of one file, validated. */
    static byte[] readRecords(Path f, int maxRecords) {
        long size;
        try {
            size = Files.size(f);
        } catch (IOException e) {
            throw new DataFormatException(f + ": CIFAR-10 binary file not found or unreadable (expected "
                    + f.getFileName() + " of N×" + RECORD + " bytes; data_batch_1..5.bin and test_batch.bin"
                    + " come from cifar-10-binary.tar.gz)", e);
        }
        if (size == 0 || size % RECORD != 0) {
            String hint = size % 3074 == 0 && size > 0 ? " (a multiple of 3074: CIFAR-100 binary has 2 label bytes;"
                    + " this reader is for CIFAR-10)" : " (truncated, or not the CIFAR-10 binary version)";
            throw new DataFormatException(f + ": size " + size + " bytes is not a positive multiple of the "
                    + RECORD + "-byte CIFAR-10 record (1 label byte + 3072 pixel bytes: 32×32 red, green, blue)"
                    + hint);
        }
        long n = Math.min(size / RECORD, maxRecords);
        byte[] buf = new byte[Math.toIntExact(n * RECORD)];
        try (InputStream in = Files.newInputStream(f)) {
            int off = 0;
            while (off < buf.length) {
                int r = in.read(buf, off, buf.length - off);
                if (r < 0)
                    throw new DataFormatException(f + ": truncated while reading: expected " + buf.length
                            + " bytes, got " + off);
                off += r;
            }
        } catch (IOException e) {
            throw new DataFormatException(f + ": cannot read (" + e + ")", e);
        }
        for (int r = 0; r < n; r++) {
            int label = buf[r * RECORD] & 0xFF;
            if (label >= CLASSES)
                throw new DataFormatException(f + ": record " + r + " (byte offset " + (long) r * RECORD
                        + ") has label byte " + label + ", expected 0..9: not CIFAR-10 binary data");
        }
        return buf;
    }
}
