package org.segspark.jobs.report;

import org.segspark.core.text.Figures;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Charts as SVG, embedded in the reports as vector graphics: lines and points against a linear or
 * log x axis, horizontal bars, and a heatmap. Axes end on round numbers with ticks at 1, 2 or 5
 * times a power of ten; the legend has rows of its own under the title, wrapped to the width, so
 * it never covers the data.
 */
public final class SvgChart {
    static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
            "#7f7f7f", "#bcbd22", "#17becf"};
    private static final int WIDTH = 760;
    /** Mean advance of a 12 px sans-serif character, to lay text out without a font. */
    private static final double CHAR = 6.8;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private boolean logX;
    private boolean integerX;

    private record Series(String name, double[] x, double[] y, boolean joined) {
    }

    private SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    /** A chart of lines and points. */
    public static SvgChart lines(String title, String xLabel, String yLabel) {
        return new SvgChart(title, xLabel, yLabel);
    }

    public SvgChart line(String name, double[] x, double[] y) {
        series.add(new Series(name, x, y, true));
        return this;
    }

    /** Points not joined (trials of a sweep). */
    public SvgChart points(String name, double[] x, double[] y) {
        series.add(new Series(name, x, y, false));
        return this;
    }

    /** A log x axis (a learning rate drawn over decades). */
    public SvgChart logX() {
        logX = true;
        return this;
    }

    /** Whole-number x ticks (epochs). */
    public SvgChart integerX() {
        integerX = true;
        return this;
    }

    public String render(int height) {
        StringBuilder s = open(WIDTH, height);
        int top = heading(s, title);
        top = legend(s, top, names(), WIDTH);
        int left = 64, right = 16, bottom = 46;
        int pw = WIDTH - left - right, ph = height - top - bottom;
        double xlo = Double.MAX_VALUE, xhi = -Double.MAX_VALUE, ylo = Double.MAX_VALUE, yhi = -Double.MAX_VALUE;
        for (Series se : series) {
            for (int i = 0; i < se.y.length; i++) {
                if (Double.isFinite(se.y[i]) && Double.isFinite(se.x[i]) && (!logX || se.x[i] > 0)) {
                    xlo = Math.min(xlo, se.x[i]);
                    xhi = Math.max(xhi, se.x[i]);
                    ylo = Math.min(ylo, se.y[i]);
                    yhi = Math.max(yhi, se.y[i]);
                }
            }
        }
        if (xlo > xhi) {
            xlo = logX ? 1 : 0;
            xhi = logX ? 10 : 1;
            ylo = 0;
            yhi = 1;
        }
        Ticks xs = logX ? Ticks.logarithmic(xlo, xhi) : Ticks.linear(xlo, xhi, 8, integerX);
        Ticks ys = Ticks.linear(ylo, yhi, 5, false);
        axes(s, left, top, pw, ph, xs, ys);
        for (int k = 0; k < series.size(); k++) {
            Series se = series.get(k);
            String color = COLORS[k % COLORS.length];
            StringBuilder pts = new StringBuilder();
            for (int i = 0; i < se.y.length; i++) {
                if (!Double.isFinite(se.y[i]) || logX && se.x[i] <= 0) {
                    continue;
                }
                double px = left + xs.position(se.x[i]) * pw, py = top + ph - ys.position(se.y[i]) * ph;
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
                s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"><title>%s: %s, %s</title>"
                        + "</circle>", px, py, se.joined ? 3 : 5, color, Html.esc(se.name), Figures.of(se.x[i]), Figures.of(se.y[i])));
            }
            if (se.joined && pts.length() > 0) {
                s.append("<polyline fill=\"none\" stroke=\"").append(color).append("\" stroke-width=\"2\" points=\"")
                        .append(pts.toString().trim()).append("\"/>");
            }
        }
        return s.append("</svg>").toString();
    }

    private List<String> names() {
        return series.stream().map(Series::name).toList();
    }

    private void axes(StringBuilder s, int left, int top, int pw, int ph, Ticks xs, Ticks ys) {
        for (double v : ys.values()) {
            double y = top + ph - ys.position(v) * ph;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>", left,
                    left + pw, y, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left - 6, y + 4,
                    ys.label(v)));
        }
        for (double v : xs.values()) {
            double x = left + xs.position(v) * pw;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#eee\"/>", x, x, top,
                    top + ph));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, top + ph + 16,
                    xs.label(v)));
        }
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#555\"/>",
                left, top, pw, ph));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", left + pw / 2,
                top + ph + 36, Html.esc(xLabel)));
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(14,%d) rotate(-90)\" text-anchor=\"middle\">%s</text>",
                top + ph / 2, Html.esc(yLabel)));
    }

    /** Horizontal bars, one per name, on a 0..1 axis (IoU per class); NaN: "n/a". */
    public static String bars(String title, List<String> names, double[] values, String valueLabel) {
        int labelWidth = (int) (names.stream().mapToInt(String::length).max().orElse(4) * CHAR) + 12;
        int row = 24, left = Math.max(80, labelWidth), right = 60;
        int pw = WIDTH - left - right;
        int height = 40 + row * names.size() + 40;
        StringBuilder s = open(WIDTH, height);
        int top = heading(s, title);
        Ticks xs = Ticks.linear(0, 1, 5, false);
        for (double v : xs.values()) {
            double x = left + v * pw;
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, x, top, top + row * names.size(), x,
                    top + row * names.size() + 16, xs.label(v)));
        }
        for (int i = 0; i < names.size(); i++) {
            int y = top + i * row;
            double v = values[i];
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left - 8, y + 16,
                    Html.esc(names.get(i))));
            if (Double.isFinite(v)) {
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>"
                        + "<text x=\"%.1f\" y=\"%d\">%s</text>", left, y + 4, Math.max(0, Math.min(1, v)) * pw, row - 8,
                        COLORS[0], left + Math.max(0, Math.min(1, v)) * pw + 6, y + 16, Figures.score(v)));
            } else {
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#777\">n/a (no pixels)</text>", left + 6,
                        y + 16));
            }
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>", left + pw / 2,
                height - 6, Html.esc(valueLabel)));
        return s.append("</svg>").toString();
    }

    /**
     * A heatmap of {@code shares} (rows: true class, columns: predicted class, each row summing to
     * 1), with the share in each cell and the count in its tooltip.
     */
    public static String heatmap(String title, List<String> names, double[][] shares, long[][] counts) {
        int n = names.size();
        int labelWidth = (int) (names.stream().mapToInt(String::length).max().orElse(4) * CHAR) + 12;
        int cell = Math.max(28, Math.min(64, 520 / Math.max(1, n)));
        int left = Math.max(90, labelWidth) + 24, top0 = 40, colLabels = Math.min(140, labelWidth) + 10;
        int width = Math.max(WIDTH, left + n * cell + 120), height = top0 + colLabels + n * cell + 40;
        StringBuilder s = open(width, height);
        heading(s, title);
        int top = top0 + colLabels;
        for (int c = 0; c < n; c++) {
            double x = left + c * cell + cell / 2.0;
            s.append(String.format(Locale.ROOT, "<text transform=\"translate(%.1f,%d) rotate(-45)\">%s</text>", x, top - 6,
                    Html.esc(names.get(c))));
        }
        for (int r = 0; r < n; r++) {
            int y = top + r * cell;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>", left - 8,
                    y + cell / 2 + 4, Html.esc(names.get(r))));
            for (int c = 0; c < n; c++) {
                double v = shares[r][c];
                int x = left + c * cell;
                s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#fff\">"
                                + "<title>true %s, predicted %s: %s (%s)</title></rect>", x, y, cell, cell, blue(v),
                        Html.esc(names.get(r)), Html.esc(names.get(c)), Figures.count(counts[r][c]), percent(v)));
                if (cell >= 32) {
                    s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">%s</text>",
                            x + cell / 2, y + cell / 2 + 4, v > 0.55 ? "#fff" : "#222", percent(v)));
                }
            }
        }
        s.append(String.format(Locale.ROOT, "<text transform=\"translate(14,%d) rotate(-90)\" text-anchor=\"middle\">true class"
                + "</text><text x=\"%d\" y=\"%d\" text-anchor=\"middle\">predicted class</text>", top + n * cell / 2,
                left + n * cell / 2, height - 10));
        // the colour scale
        int sx = left + n * cell + 30;
        for (int i = 0; i <= 10; i++) {
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"%d\" fill=\"%s\"/>", sx,
                    top + (10 - i) * 12, 12, blue(i / 10.0)));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">100%%</text><text x=\"%d\" y=\"%d\">0%%</text>", sx + 22,
                top + 10, sx + 22, top + 130));
        return s.append("</svg>").toString();
    }

    private static String percent(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.0f%%", 100 * v) : "-";
    }

    private static String blue(double v) {
        double t = Double.isFinite(v) ? Math.max(0, Math.min(1, v)) : 0;
        int r = (int) Math.round(247 - t * (247 - 8)), g = (int) Math.round(251 - t * (251 - 48)),
                b = (int) Math.round(255 - t * (255 - 107));
        return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }

    private static StringBuilder open(int width, int height) {
        return new StringBuilder(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\"><rect width=\"100%%\" height=\"100%%\" "
                + "fill=\"#fff\"/>", width, height, width, height));
    }

    /** The title; returns where what follows it starts. */
    private static int heading(StringBuilder s, String title) {
        s.append("<text x=\"12\" y=\"22\" font-size=\"15\" font-weight=\"bold\">").append(Html.esc(title)).append("</text>");
        return 36;
    }

    /** The legend's rows from {@code top}; returns where the plot may start. */
    private static int legend(StringBuilder s, int top, List<String> names, int width) {
        if (names.isEmpty()) {
            return top + 8;
        }
        int x = 64, y = top + 4;
        for (int i = 0; i < names.size(); i++) {
            int w = 22 + (int) (names.get(i).length() * CHAR) + 18;
            if (x + w > width - 16 && x > 64) {
                x = 64;
                y += 18;
            }
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"4\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", x, y + 4, COLORS[i % COLORS.length], x + 22, y + 9,
                    Html.esc(names.get(i))));
            x += w;
        }
        return y + 24;
    }
}
