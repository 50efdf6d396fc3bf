package io.github.dl4jadamw.examples.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress on stderr. BAR: one line per epoch redrawn in place (carriage return) with a bar, throughput, the
 * epoch's ETA and the running loss, then the epoch's results. LINES: only the per-epoch result lines (for logs).
 * OFF: nothing.
 */
public final class Progress {
    public enum Mode { AUTO, BAR, LINES, OFF }

    private final PrintStream out;
    private final Mode mode;
    private final int width = 28;
    private long epochStartNanos, lastDraw;
    private String prefix = "";
    private int lastLen;

    public Progress(PrintStream out, Mode mode) {
        this.out = out;
        this.mode = mode == Mode.AUTO ? (out == System.err && stderrIsTerminal() ? Mode.BAR : Mode.LINES) : mode;
    }

    /** Is this process's stderr a terminal? (Linux: /proc/self/fd/2 → /dev/pts/N; elsewhere: System.console().) */
    static boolean stderrIsTerminal() {
        try {
            java.nio.file.Path fd2 = java.nio.file.Path.of("/proc/self/fd/2");
            if (java.nio.file.Files.isSymbolicLink(fd2)) {
                String t = java.nio.file.Files.readSymbolicLink(fd2).toString();
                return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty");
            }
        } catch (Exception e) {
            // fall through
        }
        return System.console() != null;
    }

    public Mode mode() { return mode; }

    /** A free-form line (run headers, notes). */
    public void line(String s) {
        if (mode == Mode.OFF) return;
        clear();
        out.println(s);
        out.flush();
    }

    public void startEpoch(String prefix) {
        this.prefix = prefix;
        epochStartNanos = System.nanoTime();
        lastDraw = 0;
    }

    /** After batch {@code done} of {@code total}; {@code images} seen this epoch; running mean loss. */
    public void step(int done, int total, long images, double loss) {
        if (mode != Mode.BAR) return;
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) return; // ≤ 10 redraws per second
        lastDraw = now;
        double el = (now - epochStartNanos) / 1e9;
        double eta = done == 0 ? Double.NaN : el / done * (total - done);
        int filled = (int) Math.round(width * (double) done / total);
        StringBuilder s = new StringBuilder("\r").append(prefix).append(" [");
        for (int i = 0; i < width; i++) s.append(i < filled ? '#' : '.');
        s.append(String.format(Locale.ROOT, "] %3d%% %d/%d  %,.0f img/s  ETA %s  loss %.4f", 100 * done / total, done,
                total, images / Math.max(el, 1e-9), Double.isNaN(eta) ? "?" : Fmt.duration(eta), loss));
        int len = s.length();
        for (int i = len; i < lastLen; i++) s.append(' ');
        lastLen = len;
        out.print(s);
        out.flush();
    }

    /** The epoch's result line (replaces the bar). */
    public void endEpoch(String result) {
        if (mode == Mode.OFF) return;
        clear();
        out.println(prefix + " " + result);
        out.flush();
    }

    private void clear() {
        if (mode == Mode.BAR && lastLen > 0) {
            out.print("\r" + " ".repeat(lastLen) + "\r");
            lastLen = 0;
        }
    }
}
