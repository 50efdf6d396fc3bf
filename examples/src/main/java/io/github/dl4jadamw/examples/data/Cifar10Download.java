package io.github.dl4jadamw.examples.data;

import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.common.resources.ResourceType;
import org.deeplearning4j.datasets.fetchers.Cifar10Fetcher;
import org.deeplearning4j.datasets.fetchers.DataSetType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * CIFAR-10 through Deeplearning4j's own dataset machinery, for {@code --dataset cifar10} without {@code --data}.
 * DL4J's {@link Cifar10Fetcher} (what {@code Cifar10DataSetIterator} uses) downloads {@code cifar10_dl4j.v1.zip}
 * from DL4J's resource host into {@code java.io.tmpdir}, checks its Adler-32 checksum and unzips it into its
 * resource cache, {@code BASE/data/cifar10} (BASE: {@code ~/.deeplearning4j}, or the system property
 * {@code org.deeplearning4j.resources.directory}, or {@link DL4JResources#setBaseDirectory}). The host is
 * {@code https://dl4jdata.blob.core.windows.net/} unless {@code org.deeplearning4j.resources.baseurl} or
 * {@link DL4JResources#setBaseDownloadURL} names another. A later run finds the directory non-empty and uses it
 * without any network access. Only the fetcher's download and cache are used: {@link Cifar10Cache} reads the PNGs,
 * because DL4J's own reader needs OpenCV natives and would hand over BGR images in a shuffled order.
 */
public final class Cifar10Download {
    /** {@link Datasets.Loaded#source} of this path: this prefix, then the cache directory. */
    public static final String SOURCE_PREFIX = "DL4J's CIFAR-10 download cache ";

    private Cifar10Download() {}

    /** Where DL4J keeps (or would keep) CIFAR-10: {@code BASE/data/cifar10}. Not created here. */
    public static Path cacheDir() {
        return DL4JResources.getBaseDirectory().toPath().resolve(ResourceType.DATASET.resourceName())
                .resolve(Cifar10Fetcher.LOCAL_CACHE_NAME);
    }

    /** The URL DL4J downloads CIFAR-10 from, with the current base URL. */
    public static String url() {
        return new Cifar10Fetcher().remoteDataUrl(DataSetType.TRAIN);
    }

    /** Is the cache there? DL4J treats any non-empty cache directory as complete ({@link Cifar10Cache} checks). */
    public static boolean isCached() {
        Path dir = cacheDir();
        if (!Files.isDirectory(dir)) return false;
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The cache directory, after DL4J's fetcher has downloaded and unpacked CIFAR-10 into it if it was absent or
     * empty.
     *
     * @throws DataDownloadException when the download, its checksum or the unzip fails
     */
    public static Path ensureCached() {
        Path dir = cacheDir();
        try {
            new Cifar10Fetcher().downloadAndExtract();
        } catch (IOException | RuntimeException e) {
            // the fetcher creates the directory before downloading; left empty it would look like a cache to a
            // user who goes looking (DL4J itself deletes an empty one and downloads again)
            deleteIfEmpty(dir);
            throw new DataDownloadException("could not download CIFAR-10 with DL4J's Cifar10Fetcher from " + url()
                    + " (" + e + ") into its cache " + dir + ". Without network access to that host: download"
                    + " cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html on another machine,"
                    + " unpack it and give --data DIR (the directory with data_batch_1..5.bin and test_batch.bin);"
                    + " or unzip cifar10_dl4j.v1.zip into " + dir + "; or name a mirror with"
                    + " -Dorg.deeplearning4j.resources.baseurl=URL", e);
        }
        return dir;
    }

    private static void deleteIfEmpty(Path dir) {
        try {
            if (Files.isDirectory(dir) && !isCached()) Files.delete(dir);
        } catch (IOException ignored) {
            // only tidying up; the error about the download is what matters
        }
    }
}
