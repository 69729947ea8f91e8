package org.segspark.core.text;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/** Numbers as people read them on a console or in a report: a few significant digits, no float noise. */
public final class Figures {
    private Figures() {
    }

    /** {@code x} to {@code digits} significant digits, plain below a million and from 0.0001, else like 1.5e-05. */
    public static String significant(double x, int digits) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return String.valueOf(x);
        }
        if (x == 0) {
            return "0";
        }
        double a = Math.abs(x);
        if (a < 1e-4 || a >= 1e6) {
            return String.format(Locale.ROOT, "%." + (digits - 1) + "e", x).replaceFirst("\\.?0+e", "e");
        }
        return new BigDecimal(x).round(new MathContext(digits)).stripTrailingZeros().toPlainString();
    }

    /** Four significant digits: learning rates, losses. */
    public static String of(double x) {
        return significant(x, 4);
    }

    /** A share or score in [0, 1] to four decimals (mIoU 0.9323). */
    public static String score(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.4f", x);
    }

    /** name score pairs: "background 0.9323, person 0.8811". */
    public static String scores(Map<String, Double> byName) {
        StringJoiner j = new StringJoiner(", ");
        byName.forEach((name, v) -> j.add(name + " " + (v == null ? "n/a" : score(v))));
        return j.toString();
    }

    /** A count with thousands separators: 6,534,211. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Seconds as 42 s, 3 min 05 s or 1 h 02 min. */
    public static String duration(double seconds) {
        if (Double.isNaN(seconds) || seconds < 0) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    /** A size in bytes as 812 B, 3.4 MB or 2.1 GB (decimal units). */
    public static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
