package io.github.dl4jadamw.examples.data;

import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.iterator.DataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Fashion-MNIST (Zalando Research, MIT licence) in IDX format: from a directory holding
 * {@code train-images-idx3-ubyte(.gz)}, {@code train-labels-idx1-ubyte(.gz)}, {@code t10k-images-idx3-ubyte(.gz)},
 * {@code t10k-labels-idx1-ubyte(.gz)} (Debian's dataset-fashion-mnist installs them under
 * /usr/share/datasets/fashion-mnist), or the subset embedded in this module (first 10,000 training images, all
 * 10,000 test images; see NOTICE.md beside it).
 */
public final class FashionMnist {
    public static final int CLASSES = 10;
    public static final String[] CLASS_NAMES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
            "Shirt", "Sneaker", "Bag", "Ankle boot"};
    public static final String EMBEDDED_DIR = "/io/github/dl4jadamw/examples/fashion-mnist/";
    /** Images in the embedded training subset. */
    public static final int EMBEDDED_TRAIN = 10_000;
    public static final int EMBEDDED_TEST = 10_000;

    private FashionMnist() {}

    /** The file for {@code prefix} ("train"/"t10k") and {@code kind} ("images"/"labels") in dir, if present. */
    public static Optional<Path> find(Path dir, String prefix, String kind) {
        String idx = kind.equals("images") ? "idx3-ubyte" : "idx1-ubyte";
        for (String n : List.of(prefix + "-" + kind + "-" + idx, prefix + "-" + kind + "-" + idx + ".gz",
                prefix + "-" + kind + "." + idx, prefix + "-" + kind + "." + idx + ".gz")) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    public static boolean looksLikeFashionMnist(Path dir) {
        return find(dir, "train", "images").isPresent() || find(dir, "t10k", "images").isPresent();
    }

    public static ImageData readTrain(Path dir, int limit) {
        return read(dir, "train", "Fashion-MNIST train", limit);
    }

    public static ImageData readTest(Path dir, int limit) {
        return read(dir, "t10k", "Fashion-MNIST test", limit);
    }

    private static ImageData read(Path dir, String prefix, String name, int limit) {
        Path images = find(dir, prefix, "images").orElseThrow(() -> missing(dir, prefix, "images"));
        Path labels = find(dir, prefix, "labels").orElseThrow(() -> missing(dir, prefix, "labels"));
        return IdxFiles.read(name, IdxFiles.Source.of(images), IdxFiles.Source.of(labels), limit, CLASSES);
    }

    /** The embedded training subset (at most 10,000 images). */
    public static ImageData embeddedTrain(int limit) {
        return embedded("train", "Fashion-MNIST train (embedded subset)", limit, EMBEDDED_TRAIN);
    }

    /** The embedded test set (10,000 images). */
    public static ImageData embeddedTest(int limit) {
        return embedded("t10k", "Fashion-MNIST test (embedded)", limit, EMBEDDED_TEST);
    }

    private static ImageData embedded(String prefix, String name, int limit, int available) {
        if (limit > available)
            throw new IllegalArgumentException("the embedded Fashion-MNIST " + prefix + " set has " + available
                    + " images; " + limit + " asked for. Give --data DIR with the full files (Debian: apt-get install"
                    + " dataset-fashion-mnist, then --data /usr/share/datasets/fashion-mnist)");
        return IdxFiles.read(name,
                IdxFiles.Source.ofResource(FashionMnist.class, EMBEDDED_DIR + prefix + "-images-idx3-ubyte.gz"),
                IdxFiles.Source.ofResource(FashionMnist.class, EMBEDDED_DIR + prefix + "-labels-idx1-ubyte.gz"),
                limit, CLASSES);
    }

    /**
     * A DL4J iterator over the images: features [n, 784] scaled to [0, 1], one-hot labels, minibatches of
     * {@code batchSize} (the last partial one kept), in an order shuffled once with {@code seed} (0: file order).
     */
    public static DataSetIterator iterator(ImageData images, int batchSize, long seed) {
        float[] f = new float[images.size() * images.imageSize()];
        float[] l = new float[images.size() * images.numClasses];
        for (int i = 0; i < images.size(); i++) {
            images.copyScaled(i, f, i * images.imageSize());
            l[i * images.numClasses + images.label(i)] = 1f;
        }
        DataSet all = new DataSet(Nd4j.create(f, new long[]{images.size(), images.imageSize()}, DataType.FLOAT),
                Nd4j.create(l, new long[]{images.size(), images.numClasses}, DataType.FLOAT));
        if (seed != 0) all.shuffle(seed);
        return new ListDataSetIterator<>(all.batchBy(batchSize), 1);
    }

    private static DataFormatException missing(Path dir, String prefix, String kind) {
        String idx = kind.equals("images") ? "idx3-ubyte" : "idx1-ubyte";
        String present;
        try (Stream<Path> s = Files.list(dir)) {
            present = s.map(p -> p.getFileName().toString()).sorted().limit(20).collect(Collectors.joining(", "));
        } catch (IOException e) {
            present = "(cannot list: " + e.getMessage() + ")";
        }
        return new DataFormatException(dir.resolve(prefix + "-" + kind + "-" + idx + "[.gz]")
                + ": Fashion-MNIST file not found (expected " + prefix + "-" + kind + "-" + idx + " or "
                + prefix + "-" + kind + "-" + idx + ".gz in " + dir + "; it holds: "
                + (present.isEmpty() ? "nothing" : present) + ")");
    }
}
