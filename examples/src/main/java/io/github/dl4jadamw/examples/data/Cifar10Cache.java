package io.github.dl4jadamw.examples.data;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.github.dl4jadamw.examples.data.Cifar10Binary.CHANNELS;
import static io.github.dl4jadamw.examples.data.Cifar10Binary.CLASSES;
import static io.github.dl4jadamw.examples.data.Cifar10Binary.CLASS_NAMES;
import static io.github.dl4jadamw.examples.data.Cifar10Binary.PIXELS;
import static io.github.dl4jadamw.examples.data.Cifar10Binary.SIDE;

/**
 * Reader of the CIFAR-10 PNG tree that DL4J's {@code Cifar10Fetcher} unpacks from {@code cifar10_dl4j.v1.zip}
 * (see {@link Cifar10Download}):
 * <pre>
 *   DIR/labels.txt           the class names in label order, one a line (optional here)
 *   DIR/train/0 … train/9/   the 50,000 training images, one folder per label
 *   DIR/test/0 … test/9/     the 10,000 test images
 * </pre>
 * DL4J labels an image by its folder's name ({@code ParentPathLabelGenerator}) and numbers the labels in sorted
 * name order, so folder {@code k} is label {@code k}; labels.txt, when present, must list CIFAR-10's classes
 * (airplane, automobile, …, truck) in that order. DL4J's Javadoc of earlier versions of the fetcher names the source
 * of the PNGs: the pjreddie.com CIFAR-10 mirror, whose files are named {@code <n>_<class>.png} with n the image's
 * index in CIFAR-10's own order (that of data_batch_1..5.bin and test_batch.bin). DL4J's iterator shuffles the files;
 * here they are sorted by n, so that the first N images are meant to be the ones {@link Cifar10Binary} reads for
 * the same N, and the protocol's subsets the same whichever way CIFAR-10 was obtained. Because a missing file would
 * silently shift that order, the numbers must run without gaps, and a class name in a file name must be its folder's
 * class (which also checks the folder-to-label mapping on the real data). That naming could not be checked against
 * the real zip here: if no file of a split carries a number, the images are read in a fixed pseudo-random order
 * instead (sorted by folder and name, then shuffled with {@link #FALLBACK_ORDER_SEED}: every class mixed in, the same
 * subset on every run and machine, but not the binary files' first N), the data's name says so and a warning is
 * logged. A tree where only some files are numbered is refused as damaged.
 * <p>
 * The PNGs are decoded with {@code javax.imageio}, not DL4J's NativeImageLoader (OpenCV natives, BGR channel
 * order): the raster's bands are red, green, blue, stored channel-major like {@link ImageData} wants.
 */
public final class Cifar10Cache {
    public static final String LABELS_FILE = "labels.txt";
    /** Seed of the fixed order used when the file names carry no CIFAR-10 index. */
    public static final long FALLBACK_ORDER_SEED = 20190506L;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Cifar10Cache.class);
    /** {@code <n>.png} or {@code <n>_<class>.png}. */
    private static final Pattern FILE_NAME = Pattern.compile("(\\d{1,9})(?:_([A-Za-z]+))?\\.png",
            Pattern.CASE_INSENSITIVE);

    private Cifar10Cache() {}

    /** The first {@code limit} training images (all when &lt; 0) in CIFAR-10's order. */
    public static ImageData readTrain(Path dir, int limit) {
        return read(dir, "train", "CIFAR-10 train", limit);
    }

    /** The first {@code limit} test images (all when &lt; 0) in CIFAR-10's order. */
    public static ImageData readTest(Path dir, int limit) {
        return read(dir, "test", "CIFAR-10 test", limit);
    }

    /** One image file of the tree: its number in CIFAR-10's order and its label (its folder). */
    record Entry(int number, int label, Path file) {}

    static ImageData read(Path dir, String split, String name, int limit) {
        checkLabelsFile(dir);
        List<Entry> entries = list(dir, split);
        if (entries.get(0).number() < 0) {
            name += " (fixed pseudo-random order, seed " + FALLBACK_ORDER_SEED + ": its file names carry no CIFAR-10"
                    + " index)";
            LOG.warn("{}: the PNG names carry no image number (expected <n>_<class>.png), so CIFAR-10's own order is"
                    + " unknown; reading the images in a fixed pseudo-random order (seed {}). The first N are a"
                    + " class-mixed subset, the same on every run, but not the first N of the binary files (--data)",
                    dir.resolve(split), FALLBACK_ORDER_SEED);
        }
        int n = limit < 0 ? entries.size() : limit;
        if (n > entries.size())
            throw new DataFormatException(name + ": asked for " + n + " images but " + dir.resolve(split)
                    + " holds only " + entries.size());
        byte[] pixels = new byte[Math.multiplyExact(n, PIXELS)];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            Entry e = entries.get(i);
            labels[i] = (byte) e.label();
            decode(e.file(), pixels, i * PIXELS, dir);
        }
        return new ImageData(name, CHANNELS, SIDE, SIDE, CLASSES, pixels, labels);
    }

    /** All images of {@code dir/split}, sorted by their number; checks folders, names and numbering. */
    static List<Entry> list(Path dir, String split) {
        Path root = dir.resolve(split);
        List<Entry> entries = new ArrayList<>(), unnumbered = new ArrayList<>();
        Map<Integer, Path> byNumber = new HashMap<>();
        for (int label = 0; label < CLASSES; label++) {
            Path folder = root.resolve(Integer.toString(label));
            if (!Files.isDirectory(folder))
                throw new DataFormatException(folder + ": missing. DL4J's CIFAR-10 cache has one folder per label,"
                        + " 0..9, in train/ and in test/. " + incomplete(dir));
            List<Path> files;
            try (Stream<Path> s = Files.list(folder)) {
                files = s.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")).toList();
            } catch (IOException e) {
                throw new DataFormatException(folder + ": cannot list (" + e + ")", e);
            }
            if (files.isEmpty())
                throw new DataFormatException(folder + ": holds no PNG images. " + incomplete(dir));
            for (Path f : files) {
                Matcher m = FILE_NAME.matcher(f.getFileName().toString());
                if (!m.matches()) {
                    unnumbered.add(new Entry(-1, label, f));
                    continue;
                }
                if (m.group(2) != null && !m.group(2).equalsIgnoreCase(CLASS_NAMES[label]))
                    throw new DataFormatException(f + ": named for class '" + m.group(2) + "' but lies in folder "
                            + label + ", which is CIFAR-10's label " + label + " (" + CLASS_NAMES[label] + ")");
                int number = Integer.parseInt(m.group(1));
                Path other = byNumber.put(number, f);
                if (other != null)
                    throw new DataFormatException(f + " and " + other + ": two images numbered " + number);
                entries.add(new Entry(number, label, f));
            }
        }
        if (entries.isEmpty()) return fixedOrder(unnumbered);
        if (!unnumbered.isEmpty()) {
            Path f = unnumbered.get(0).file();
            throw new DataFormatException(f + ": name is not <n>_<class>.png like the other images of " + root
                    + " (n = the image's place in CIFAR-10), so its place in CIFAR-10's order is unknown. "
                    + incomplete(dir));
        }
        entries.sort(Comparator.comparingInt(Entry::number));
        // numbered from 0 (or 1) without gaps: a missing image would shift every later one
        int first = entries.get(0).number();
        if (first > 1)
            throw new DataFormatException(root + ": the first image is numbered " + first + " (" + entries.get(0).file()
                    + "); images 0.." + (first - 1) + " are missing. " + incomplete(dir));
        for (int i = 1; i < entries.size(); i++)
            if (entries.get(i).number() != first + i)
                throw new DataFormatException(root + ": no image numbered " + (first + i) + " (the numbers jump from "
                        + entries.get(i - 1).number() + " to " + entries.get(i).number() + "). " + incomplete(dir));
        return entries;
    }

    /** Unnumbered files: sorted by folder and name, then shuffled with a fixed seed; numbered −1 (no CIFAR index). */
    private static List<Entry> fixedOrder(List<Entry> files) {
        List<Entry> sorted = new ArrayList<>(files);
        sorted.sort(Comparator.comparingInt(Entry::label).thenComparing(e -> e.file().getFileName().toString()));
        java.util.Collections.shuffle(sorted, new java.util.Random(FALLBACK_ORDER_SEED));
        return sorted;
    }

    /**
     * labels.txt, when there: one class name a line in label order (or {@code folder<TAB>name} lines, the form
     * {@code Cifar10DataSetIterator.getLabels(false)} parses). Anything but CIFAR-10's classes in CIFAR-10's order
     * would mean the folder numbers are not CIFAR-10's labels.
     */
    static void checkLabelsFile(Path dir) {
        Path f = dir.resolve(LABELS_FILE);
        if (!Files.isRegularFile(f)) return;
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(s -> !s.isEmpty()).toList();
        } catch (IOException e) {
            throw new DataFormatException(f + ": cannot read (" + e + ")", e);
        }
        boolean ok = lines.size() == CLASSES;
        for (int i = 0; ok && i < CLASSES; i++) {
            String[] parts = lines.get(i).split("\t");
            ok = parts.length == 1 ? parts[0].equalsIgnoreCase(CLASS_NAMES[i])
                    : parts.length == 2 && parts[0].strip().equals(Integer.toString(i))
                    && parts[1].strip().equalsIgnoreCase(CLASS_NAMES[i]);
        }
        if (!ok)
            throw new DataFormatException(f + ": lists " + lines + ", not CIFAR-10's classes in label order "
                    + List.of(CLASS_NAMES) + "; the folders 0..9 would not be CIFAR-10's labels");
    }

    /** Decodes one 32×32 PNG into {@code dst} at {@code offset}: 1024 red, 1024 green, 1024 blue bytes. */
    static void decode(Path f, byte[] dst, int offset, Path dir) {
        BufferedImage img;
        try {
            img = ImageIO.read(f.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(f + ": corrupt or truncated PNG (" + e.getMessage() + "). "
                    + incomplete(dir), e);
        }
        if (img == null)
            throw new DataFormatException(f + ": not a PNG image (no image reader accepts it). " + incomplete(dir));
        if (img.getWidth() != SIDE || img.getHeight() != SIDE)
            throw new DataFormatException(f + ": " + img.getWidth() + "×" + img.getHeight() + " pixels; CIFAR-10"
                    + " images are " + SIDE + "×" + SIDE);
        int plane = SIDE * SIDE;
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        if (cm instanceof IndexColorModel) {
            // palette PNG: the palette entries are the RGB values
            for (int y = 0; y < SIDE; y++)
                for (int x = 0; x < SIDE; x++) {
                    int rgb = img.getRGB(x, y), p = offset + y * SIDE + x;
                    dst[p] = (byte) (rgb >> 16);
                    dst[p + plane] = (byte) (rgb >> 8);
                    dst[p + 2 * plane] = (byte) rgb;
                }
            return;
        }
        // direct colour: the sample values themselves (getRGB would convert a grey image's colour space)
        int colours = cm.getNumColorComponents();
        for (int b = 0; b < r.getNumBands(); b++)
            if (r.getSampleModel().getSampleSize(b) != 8 || (colours != 3 && colours != 1))
                throw new DataFormatException(f + ": unsupported PNG pixel format (" + colours + " colour channels, "
                        + r.getSampleModel().getSampleSize(b) + " bits per sample); CIFAR-10 images are 8-bit RGB");
        for (int ch = 0; ch < CHANNELS; ch++) {
            int band = colours == 3 ? ch : 0; // grey: the same value in red, green and blue
            for (int y = 0; y < SIDE; y++)
                for (int x = 0; x < SIDE; x++)
                    dst[offset + ch * plane + y * SIDE + x] = (byte) r.getSample(x, y, band);
        }
    }

    private static String incomplete(Path dir) {
        return "The cache looks incomplete or damaged (an interrupted download or unzip?): delete " + dir
                + " so that DL4J downloads it again, or give --data DIR with the CIFAR-10 binary files";
    }
}
