package io.github.dl4jadamw.examples.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reader of the IDX format used by MNIST and Fashion-MNIST (plain or gzipped; gzip is recognised by its magic
 * bytes, not by the file name). Layout, all integers big-endian:
 * <pre>
 *   images: magic 0x00000803 (unsigned byte, 3 dimensions), count, rows, columns, then count·rows·columns bytes
 *   labels: magic 0x00000801 (unsigned byte, 1 dimension),  count, then count bytes
 * </pre>
 * Every error names the file and what was expected.
 */
public final class IdxFiles {
    public static final int IMAGES_MAGIC = 0x00000803;
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxFiles() {}

    /** Something to read: a name for messages and a way to open it. */
    public interface Source {
        String name();

        InputStream open() throws IOException;

        static Source of(Path file) {
            return new Source() {
                @Override public String name() { return file.toString(); }

                @Override public InputStream open() throws IOException {
                    try {
                        return Files.newInputStream(file);
                    } catch (NoSuchFileException e) {
                        throw new DataFormatException(file + ": file not found");
                    }
                }
            };
        }

        static Source ofResource(Class<?> anchor, String resource) {
            return new Source() {
                @Override public String name() { return "classpath:" + resource; }

                @Override public InputStream open() {
                    InputStream in = anchor.getResourceAsStream(resource);
                    if (in == null) throw new DataFormatException("classpath:" + resource + ": resource not found");
                    return in;
                }
            };
        }
    }

    /** Raw images of one IDX file: {@code count} images of rows×cols bytes. */
    public static final class Images {
        public final int count, rows, cols;
        public final byte[] pixels;

        Images(int count, int rows, int cols, byte[] pixels) {
            this.count = count;
            this.rows = rows;
            this.cols = cols;
            this.pixels = pixels;
        }
    }

    /** Reads at most {@code limit} images (all when limit &lt; 0) of an IDX image file. */
    public static Images readImages(Source src, int limit) {
        try (DataInputStream in = open(src)) {
            int magic = readHeaderInt(in, src, "magic number");
            if (magic != IMAGES_MAGIC)
                throw new DataFormatException(src.name() + ": not an IDX image file: magic number " + hex(magic)
                        + ", expected " + hex(IMAGES_MAGIC) + " (unsigned bytes, 3 dimensions: count, rows, columns)"
                        + (magic == LABELS_MAGIC ? "; this is an IDX label file" : ""));
            int count = readHeaderInt(in, src, "image count");
            int rows = readHeaderInt(in, src, "row count");
            int cols = readHeaderInt(in, src, "column count");
            if (count < 0 || rows <= 0 || cols <= 0 || (long) rows * cols > 1 << 24)
                throw new DataFormatException(src.name() + ": implausible IDX image header: count " + count + ", "
                        + rows + "×" + cols + " (expected count ≥ 0 and positive image sizes)");
            int n = limit < 0 ? count : Math.min(limit, count);
            long bytes = (long) n * rows * cols;
            if (bytes > Integer.MAX_VALUE - 16)
                throw new DataFormatException(src.name() + ": " + n + " images of " + rows + "×" + cols
                        + " do not fit in one array; read fewer");
            byte[] pixels = new byte[(int) bytes];
            readFully(in, pixels, src, "pixel data of " + n + " images × " + rows + "×" + cols + " (header says "
                    + count + " images)", 16);
            return new Images(n, rows, cols, pixels);
        } catch (IOException e) {
            throw ioError(src, e);
        }
    }

    /** Reads at most {@code limit} labels (all when limit &lt; 0) of an IDX label file. */
    public static byte[] readLabels(Source src, int limit) {
        try (DataInputStream in = open(src)) {
            int magic = readHeaderInt(in, src, "magic number");
            if (magic != LABELS_MAGIC)
                throw new DataFormatException(src.name() + ": not an IDX label file: magic number " + hex(magic)
                        + ", expected " + hex(LABELS_MAGIC) + " (unsigned bytes, 1 dimension: count)"
                        + (magic == IMAGES_MAGIC ? "; this is an IDX image file" : ""));
            int count = readHeaderInt(in, src, "label count");
            if (count < 0)
                throw new DataFormatException(src.name() + ": negative label count " + count);
            int n = limit < 0 ? count : Math.min(limit, count);
            byte[] labels = new byte[n];
            readFully(in, labels, src, n + " labels (header says " + count + ")", 8);
            return labels;
        } catch (IOException e) {
            throw ioError(src, e);
        }
    }

    /**
     * Reads an image file and its label file as one set with {@code numClasses} classes; at most {@code limit}
     * images (all when &lt; 0). The two files must agree on the count.
     */
    public static ImageData read(String name, Source images, Source labels, int limit, int numClasses) {
        Images im = readImages(images, limit);
        byte[] lb = readLabels(labels, limit);
        if (lb.length != im.count)
            throw new DataFormatException(labels.name() + ": has " + lb.length + " labels but " + images.name()
                    + " has " + im.count + " images" + (limit >= 0 ? " (reading at most " + limit + ")" : "")
                    + "; expected one label per image");
        for (int i = 0; i < lb.length; i++)
            if ((lb[i] & 0xFF) >= numClasses)
                throw new DataFormatException(labels.name() + ": label " + (lb[i] & 0xFF) + " at index " + i
                        + " is outside 0.." + (numClasses - 1));
        return new ImageData(name, 1, im.rows, im.cols, numClasses, im.pixels, lb);
    }

    private static DataInputStream open(Source src) throws IOException {
        InputStream raw = new BufferedInputStream(src.open(), 1 << 16);
        raw.mark(2);
        int b0 = raw.read(), b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            try {
                raw = new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
            } catch (ZipException | EOFException e) {
                raw.close();
                throw new DataFormatException(src.name() + ": broken gzip header (" + e.getMessage() + ")", e);
            }
        }
        return new DataInputStream(raw);
    }

    private static int readHeaderInt(DataInputStream in, Source src, String what) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            throw new DataFormatException(src.name() + ": truncated: the file ends inside the IDX header (" + what
                    + " missing)", e);
        }
    }

    private static void readFully(InputStream in, byte[] dst, Source src, String what, int headerBytes)
            throws IOException {
        int off = 0;
        try {
            while (off < dst.length) {
                int r = in.read(dst, off, dst.length - off);
                if (r < 0) break;
                off += r;
            }
        } catch (EOFException e) { // gzip stream cut short
            // fall through with what was read
        }
        if (off < dst.length)
            throw new DataFormatException(src.name() + ": truncated: expected " + dst.length + " bytes of " + what
                    + " after the " + headerBytes + "-byte header, but the data ends after " + off + " bytes");
    }

    private static DataFormatException ioError(Source src, IOException e) {
        if (e instanceof ZipException)
            return new DataFormatException(src.name() + ": corrupt gzip data (" + e.getMessage() + ")", e);
        return new DataFormatException(src.name() + ": cannot read (" + e + ")", e);
    }

    static String hex(int v) {
        return String.format("0x%08X", v);
    }
}
