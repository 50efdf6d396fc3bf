package io.github.dl4jadamw.examples.train;

import java.math.BigDecimal;
import java.util.Locale;

/** Number formatting shared by tables, file names and reports. */
public final class Fmt {
    private Fmt() {}

    /** Compact, exact-looking: 0.001 → "1e-3", 0.003 → "3e-3", 5.0E-4 → "5e-4", 0.05 → "0.05", 3.2 → "3.2", 0 → "0". */
    public static String num(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        if (a >= 0.01 && a < 1e5) {
            // 12 significant digits: a derived value such as λ/α = 3e-5/1e-3 prints 0.03, not 0.029999999999999995
            return BigDecimal.valueOf(v).round(new java.math.MathContext(12)).stripTrailingZeros().toPlainString();
        }
        int exp = (int) Math.floor(Math.log10(a));
        double mant = v / Math.pow(10, exp);
        String m = BigDecimal.valueOf(Math.round(mant * 1e6) / 1e6).stripTrailingZeros().toPlainString();
        return m + "e" + exp;
    }

    public static String pct(double acc) {
        return String.format(Locale.ROOT, "%.2f", 100 * acc);
    }

    public static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }

    /** h:mm:ss or m:ss. */
    public static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        long h = s / 3600, m = (s / 60) % 60, sec = s % 60;
        return h > 0 ? f("%d:%02d:%02d", h, m, sec) : f("%d:%02d", m, sec);
    }
}
