package io.github.dl4jadamw.examples.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Chooses and loads the data: CIFAR-10 binary or Fashion-MNIST IDX from a directory, CIFAR-10 from DL4J's download
 * cache, or the embedded Fashion-MNIST subset.
 */
public final class Datasets {
    private Datasets() {}

    public enum Kind {
        AUTO("auto"), FASHION_MNIST("fashion-mnist"), CIFAR10("cifar10");

        public final String id;

        Kind(String id) { this.id = id; }

        public static Kind parse(String s) {
            for (Kind k : values()) if (k.id.equalsIgnoreCase(s)) return k;
            throw new IllegalArgumentException("unknown dataset '" + s + "': expected auto, fashion-mnist or cifar10");
        }
    }

    /** A train/test pair and where it came from. */
    public static final class Loaded {
        public final Kind kind;
        public final String source;
        public final ImageData train, test;

        public Loaded(Kind kind, String source, ImageData train, ImageData test) {
            this.kind = kind;
            this.source = source;
            this.train = train;
            this.test = test;
        }
    }

    /**
     * Which data a job uses, decided without reading (or downloading) any image, so that options can be checked
     * against it first: the kind, {@link Loaded#source} as loading will report it, and the directory (null for the
     * embedded subset and DL4J's CIFAR-10 cache).
     */
    public record Choice(Kind kind, String source, Path dir) {
        /** The embedded Fashion-MNIST subset (its sizes are known: {@link FashionMnist#EMBEDDED_TRAIN}). */
        public boolean embedded() {
            return dir == null && kind == Kind.FASHION_MNIST;
        }
    }

    /**
     * {@code dir == null}: CIFAR-10 from DL4J's cache for {@code kind} CIFAR10, else the embedded Fashion-MNIST
     * subset. Otherwise {@code kind} (or, for AUTO, what the directory holds).
     */
    public static Choice choose(Path dir, Kind kind) {
        if (dir == null) {
            if (kind == Kind.CIFAR10) // the cache DL4J's Cifar10Fetcher downloads into (Cifar10Download.ensureCached)
                return new Choice(kind, Cifar10Download.SOURCE_PREFIX + Cifar10Download.cacheDir(), null);
            return new Choice(Kind.FASHION_MNIST, "embedded Fashion-MNIST subset (classpath "
                    + FashionMnist.EMBEDDED_DIR + ")", null);
        }
        if (!Files.isDirectory(dir))
            throw new DataFormatException(dir + ": --data directory not found");
        if (kind == Kind.AUTO) {
            if (Cifar10Binary.looksLikeCifar10(dir)) kind = Kind.CIFAR10;
            else if (FashionMnist.looksLikeFashionMnist(dir)) kind = Kind.FASHION_MNIST;
            else
                throw new DataFormatException(dir + ": holds neither CIFAR-10 binary files (data_batch_1..5.bin,"
                        + " test_batch.bin, here or in cifar-10-batches-bin/) nor Fashion-MNIST IDX files"
                        + " (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz],"
                        + " t10k-labels-idx1-ubyte[.gz])");
        }
        return new Choice(kind, kind == Kind.CIFAR10 ? Cifar10Binary.batchesDir(dir).toString() : dir.toString(), dir);
    }

    /** Loads the first {@code trainSize} training and {@code testSize} test images (see {@link #choose}). */
    public static Loaded load(Path dir, Kind kind, int trainSize, int testSize) {
        return load(choose(dir, kind), trainSize, testSize);
    }

    /** Loads the first {@code trainSize} training and {@code testSize} test images of the chosen data. */
    public static Loaded load(Choice c, int trainSize, int testSize) {
        if (c.dir() == null) {
            if (c.kind() == Kind.CIFAR10) {
                // DL4J's Cifar10Fetcher: its cache, downloaded there first if absent
                Path cache = Cifar10Download.ensureCached();
                return checked(new Loaded(c.kind(), c.source(), Cifar10Cache.readTrain(cache, trainSize),
                        Cifar10Cache.readTest(cache, testSize)), trainSize, testSize);
            }
            return new Loaded(c.kind(), c.source(), FashionMnist.embeddedTrain(trainSize),
                    FashionMnist.embeddedTest(testSize));
        }
        if (c.kind() == Kind.CIFAR10)
            return checked(new Loaded(c.kind(), c.source(), Cifar10Binary.readTrain(c.dir(), trainSize),
                    Cifar10Binary.readTest(c.dir(), testSize)), trainSize, testSize);
        return checked(new Loaded(c.kind(), c.source(), FashionMnist.readTrain(c.dir(), trainSize),
                FashionMnist.readTest(c.dir(), testSize)), trainSize, testSize);
    }

    private static Loaded checked(Loaded l, int trainSize, int testSize) {
        if (trainSize >= 0 && l.train.size() < trainSize)
            throw new DataFormatException(l.source + ": " + l.train.name + " has only " + l.train.size()
                    + " images; --train-size " + trainSize + " asked for more");
        if (testSize >= 0 && l.test.size() < testSize)
            throw new DataFormatException(l.source + ": " + l.test.name + " has only " + l.test.size()
                    + " images; --test-size " + testSize + " asked for more");
        return l;
    }
}
