package org.segspark.jobs.report;

import org.segspark.core.text.Figures;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An axis: its bounds widened to round numbers, ticks at 1, 2 or 5 times a power of ten (at the
 * powers of ten on a log axis), and labels with as many decimals as the step needs and no more.
 */
record Ticks(double min, double max, List<Double> values, boolean log, int decimals) {

    /** A linear axis over [lo, hi] with about {@code n} ticks; {@code integers}: steps of at least 1 (epochs). */
    static Ticks linear(double lo, double hi, int n, boolean integers) {
        if (!(hi > lo)) {
            // one value (every trial the same size): a band around it rather than a collapsed axis
            double half = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= half;
            hi += half;
        }
        double step = nice((hi - lo) / n);
        if (integers) {
            step = Math.max(1, Math.round(step));
        }
        double min = Math.floor(lo / step + 1e-9) * step, max = Math.ceil(hi / step - 1e-9) * step;
        List<Double> values = new ArrayList<>();
        for (double v = min; v <= max + step * 1e-6; v += step) {
            values.add(Math.abs(v) < step * 1e-9 ? 0 : v);
        }
        int decimals = integers ? 0 : Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return new Ticks(min, max, values, false, decimals);
    }

    /** A log axis over [lo, hi] (both positive), ticks at powers of ten (and 2 and 5 times them over few decades). */
    static Ticks logarithmic(double lo, double hi) {
        double a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
        if (b == a) {
            b = a + 1;
        }
        List<Double> values = new ArrayList<>();
        for (double e = a; e <= b; e++) {
            double p = Math.pow(10, e);
            values.add(p);
            if (b - a <= 2 && e < b) {
                values.add(2 * p);
                values.add(5 * p);
            }
        }
        return new Ticks(Math.pow(10, a), Math.pow(10, b), values, true, 0);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
    static double nice(double rough) {
        double mag = Math.pow(10, Math.floor(Math.log10(rough)));
        double r = rough / mag;
        return (r <= 1 ? 1 : r <= 2 ? 2 : r <= 5 ? 5 : 10) * mag;
    }

    /** Where {@code v} falls, from 0 (min) to 1 (max). */
    double position(double v) {
        return log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (v - min) / (max - min);
    }

    String label(double v) {
        if (log) {
            return Figures.significant(v, 2);
        }
        double span = Math.max(Math.abs(min), Math.abs(max));
        if (span >= 1e6) {
            return trim(String.format(Locale.ROOT, "%.2f", v / 1e6)) + "M";
        }
        if (span >= 1e4) {
            return trim(String.format(Locale.ROOT, "%.1f", v / 1e3)) + "k";
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String trim(String s) {
        return s.contains(".") ? s.replaceFirst("0+$", "").replaceFirst("\\.$", "") : s;
    }
}
