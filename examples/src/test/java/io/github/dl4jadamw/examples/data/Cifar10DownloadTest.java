package io.github.dl4jadamw.examples.data;

import com.sun.net.httpserver.HttpServer;
import io.github.dl4jadamw.examples.CompareOptimizers;
import io.github.dl4jadamw.examples.report.ResultsStore;
import io.github.dl4jadamw.examples.train.RunResult;
import org.deeplearning4j.common.resources.DL4JResources;
import org.deeplearning4j.datasets.fetchers.Cifar10Fetcher;
import org.deeplearning4j.datasets.fetchers.DataSetType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code --dataset cifar10} without {@code --data}: CIFAR-10 through DL4J's Cifar10Fetcher and its cache. No test
 * reaches the internet: DL4J's resource directory is a temporary one, and its download URL a local address.
 */
class Cifar10DownloadTest {
    /** Nothing listens on the discard port: a download from here fails at once. */
    static final String UNREACHABLE = "http://127.0.0.1:9/";

    @TempDir
    Path tmp;

    private File savedBase;
    private String savedUrl, savedTmpdir;

    @BeforeEach
    void isolateDl4jResources() throws IOException {
        savedBase = DL4JResources.getBaseDirectory();
        savedUrl = DL4JResources.getBaseDownloadURL();
        savedTmpdir = System.getProperty("java.io.tmpdir");
        DL4JResources.setBaseDirectory(Files.createDirectories(tmp.resolve("dl4j")).toFile());
        DL4JResources.setBaseDownloadURL(UNREACHABLE);
        // the fetcher downloads into java.io.tmpdir (and first deletes a file of the zip's name there)
        System.setProperty("java.io.tmpdir", Files.createDirectories(tmp.resolve("tmpdir")).toString());
    }

    @AfterEach
    void restore() {
        DL4JResources.setBaseDirectory(savedBase);
        DL4JResources.setBaseDownloadURL(savedUrl);
        System.setProperty("java.io.tmpdir", savedTmpdir);
    }

    Path cacheDir() {
        return tmp.resolve("dl4j").resolve("data").resolve("cifar10");
    }

    @Test
    void cacheDirectoryIsTheFetchersAndTheUrlDl4js() {
        assertEquals(cacheDir(), Cifar10Download.cacheDir());
        assertEquals(UNREACHABLE + "datasets/cifar10_dl4j.v1.zip", Cifar10Download.url());
        assertEquals(new Cifar10Fetcher().remoteDataUrl(DataSetType.TEST), Cifar10Download.url());
    }

    @Test
    void aFilledCacheIsReadWithoutNetworkAccess() throws IOException {
        Cifar10CacheFixture.write(cacheDir());
        assertTrue(Cifar10Download.isCached());
        // the download URL is unreachable: this only works if nothing is downloaded
        Datasets.Loaded l = Datasets.load(null, Datasets.Kind.CIFAR10, 30, 20);
        assertEquals(Datasets.Kind.CIFAR10, l.kind);
        assertEquals(Cifar10Download.SOURCE_PREFIX + cacheDir(), l.source);
        assertEquals(30, l.train.size());
        assertEquals(20, l.test.size());
        // every label and pixel as the fixture drew them (channel-major: R, G, B planes of 32×32)
        for (int i = 0; i < 30; i++) {
            assertEquals(Cifar10CacheFixture.TRAIN.label(i), l.train.label(i), "label of image " + i);
            for (int ch = 0; ch < 3; ch++)
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++)
                        assertEquals(Cifar10CacheFixture.value(Cifar10CacheFixture.TRAIN, i, ch, y, x),
                                l.train.pixel(i, ch * 1024 + y * 32 + x), "image " + i);
        }

        DataFormatException e = assertThrows(DataFormatException.class,
                () -> Datasets.load(null, Datasets.Kind.CIFAR10, 31, 20));
        assertTrue(e.getMessage().contains("asked for 31 images"), e.getMessage());
    }

    @Test
    void offlineDownloadFailsClearly() {
        assertFalse(Cifar10Download.isCached());
        DataDownloadException e = assertThrows(DataDownloadException.class,
                () -> Datasets.load(null, Datasets.Kind.CIFAR10, 10, 10));
        String m = e.getMessage();
        assertTrue(m.contains("from " + UNREACHABLE + "datasets/cifar10_dl4j.v1.zip"), m);
        assertTrue(m.contains("into its cache " + cacheDir()), m);
        assertTrue(m.contains("--data DIR") && m.contains("data_batch_1..5.bin"), m);
        assertTrue(m.contains("ConnectException"), "the cause is named: " + m);
        assertFalse(Files.exists(cacheDir()), "no empty cache directory left behind");
    }

    /**
     * The whole download path with DL4J's own code, from a local HTTP server: Cifar10Fetcher downloads the zip,
     * checks its checksum (the fixture's zip is padded to the real one's Adler-32), unpacks it into the cache, and
     * the images come out as written; the next load uses the cache without a request.
     */
    @Test
    void downloadsOnceThroughDl4jsFetcherThenUsesTheCache() throws IOException {
        long checksum = new Cifar10Fetcher().expectedChecksum(DataSetType.TRAIN);
        byte[] zip = Cifar10CacheFixture.zipWithFetcherChecksum(checksum);
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/datasets/cifar10_dl4j.v1.zip", ex -> {
            requests.incrementAndGet();
            ex.sendResponseHeaders(200, zip.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(zip);
            }
        });
        server.start();
        try {
            DL4JResources.setBaseDownloadURL("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            Datasets.Loaded l = Datasets.load(null, Datasets.Kind.CIFAR10, 30, 20);
            assertEquals(1, requests.get());
            assertTrue(Files.isDirectory(cacheDir().resolve("train").resolve("9")), "unpacked into the cache");
            Path bin = Files.createDirectories(tmp.resolve("bin"));
            Files.write(bin.resolve("data_batch_1.bin"), Cifar10CacheFixture.binary(Cifar10CacheFixture.TRAIN));
            Files.write(bin.resolve("test_batch.bin"), Cifar10CacheFixture.binary(Cifar10CacheFixture.TEST));
            Cifar10CacheTest.assertSameImages(Cifar10Binary.readTrain(bin, 30), l.train);
            Cifar10CacheTest.assertSameImages(Cifar10Binary.readTest(bin, 20), l.test);

            Datasets.load(null, Datasets.Kind.CIFAR10, 5, 5);
            assertEquals(1, requests.get(), "second load from the cache");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aDownloadFailingTheChecksumIsNotCached() throws IOException {
        byte[] notTheZip = "something else".getBytes();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/datasets/cifar10_dl4j.v1.zip", ex -> {
            ex.sendResponseHeaders(200, notTheZip.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(notTheZip);
            }
        });
        server.start();
        try {
            DL4JResources.setBaseDownloadURL("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            DataDownloadException e = assertThrows(DataDownloadException.class,
                    () -> Datasets.load(null, Datasets.Kind.CIFAR10, 5, 5));
            assertTrue(e.getMessage().contains("failed checksum"), e.getMessage());
            assertFalse(Cifar10Download.isCached());
        } finally {
            server.stop(0);
        }
    }

    /** Runs the program; returns {exit code, stdout, stderr}. */
    static String[] cli(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = CompareOptimizers.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new String[]{Integer.toString(code), o.toString(StandardCharsets.UTF_8),
                e.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void commandLineTrainsTheCifar10NetworkFromTheCacheAndTheReportSaysWhere() throws IOException {
        Cifar10CacheFixture.write(cacheDir());
        Path out = tmp.resolve("out");
        String[] r = cli("--dataset", "cifar10", "-O", "adamw", "--train-size", "30", "--test-size", "20",
                "--epochs", "1", "--no-charts", "--progress", "lines", "--out", out.toString());
        assertEquals("0", r[0], r[2] + r[1]);
        assertTrue(r[2].contains("data: " + Cifar10Download.SOURCE_PREFIX + cacheDir()
                + " — CIFAR-10 train (30 images 3×32×32, 10 classes) + CIFAR-10 test (20 images"), r[2]);
        assertFalse(r[2].contains("downloads it"), "no download announced for a filled cache:\n" + r[2]);
        String dataLine = "- Data: CIFAR-10 from DL4J's download cache `" + cacheDir() + "` (Cifar10Fetcher's PNG"
                + " folders, images ordered by the number in their file names)";
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains(dataLine) && md.contains("random crop (4-pixel zero padding)"), md);
        RunResult run = ResultsStore.load(out).completeRuns().get(0);
        assertEquals("cifar10", run.model);
        assertEquals("cifar10", run.dataset);
        assertEquals(Cifar10Download.SOURCE_PREFIX + cacheDir(), run.dataSource);

        // --report-only describes the data the same way from results.json
        Files.delete(out.resolve("report.md"));
        r = cli("--report-only", "--no-charts", "--out", out.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(Files.readString(out.resolve("report.md")).contains(dataLine));

        // file names without CIFAR-10's image numbers: read in a fixed pseudo-random order, and the report says so
        for (int i = 0; i < Cifar10CacheFixture.TRAIN.size(); i++) {
            Path f = cacheDir().resolve(Cifar10CacheFixture.file(Cifar10CacheFixture.TRAIN, "train", i));
            Files.move(f, f.resolveSibling("img-" + i + ".png"));
        }
        Path shuffled = tmp.resolve("shuffled");
        r = cli("--dataset", "cifar10", "-O", "adamw", "--train-size", "30", "--test-size", "20", "--epochs", "1",
                "--no-charts", "--progress", "lines", "--out", shuffled.toString());
        assertEquals("0", r[0], r[2] + r[1]);
        String fallback = "images in a fixed pseudo-random order: their file names carry no CIFAR-10 image number";
        assertTrue(Files.readString(shuffled.resolve("report.md")).contains(fallback), r[2]);
        r = cli("--report-only", "--no-charts", "--out", shuffled.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(Files.readString(shuffled.resolve("report.md")).contains(fallback));
    }

    @Test
    void commandLineOfflineSaysWhatItTriedAndWhatToDoInstead() {
        String[] r = cli("--dataset", "cifar10", "--train-size", "10", "--test-size", "10", "--progress", "lines",
                "--out", tmp.resolve("out").toString());
        assertEquals("1", r[0], r[2]);
        assertTrue(r[2].contains("CIFAR-10 is not in DL4J's cache " + cacheDir()), r[2]);
        assertTrue(r[2].contains("error: could not download CIFAR-10 with DL4J's Cifar10Fetcher from " + UNREACHABLE
                + "datasets/cifar10_dl4j.v1.zip"), r[2]);
        assertTrue(r[2].contains("--data DIR"), r[2]);
    }
}
