package org.segspark.jobs.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A small line chart rendered to an image: x = epoch, one or more named series, NaN gaps skipped. */
public final class LineChart {
    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};

    private final String title;
    private final String xLabel;
    private final List<String> names = new ArrayList<>();
    private final List<double[]> xs = new ArrayList<>();
    private final List<double[]> ys = new ArrayList<>();
    private final List<Boolean> joined = new ArrayList<>();

    public LineChart(String title, String xLabel) {
        this.title = title;
        this.xLabel = xLabel;
    }

    public LineChart series(String name, double[] x, double[] y) {
        names.add(name);
        xs.add(x);
        ys.add(y);
        joined.add(true);
        return this;
    }

    /** Points not joined by a line (a scatter of trials). */
    public LineChart points(String name, double[] x, double[] y) {
        series(name, x, y);
        joined.set(joined.size() - 1, false);
        return this;
    }

    public BufferedImage render(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            FontMetrics fm = g.getFontMetrics();
            // more series than fit beside the title: the legend takes a row of its own under it
            boolean legendRow = 150 * ys.size() > width / 2;
            int left = 60, right = 20, top = legendRow ? 56 : 36, bottom = 44;
            int pw = width - left - right, ph = height - top - bottom;
            double xmin = Double.MAX_VALUE, xmax = -Double.MAX_VALUE, ymin = Double.MAX_VALUE, ymax = -Double.MAX_VALUE;
            for (int s = 0; s < ys.size(); s++) {
                for (int i = 0; i < ys.get(s).length; i++) {
                    double x = xs.get(s)[i], y = ys.get(s)[i];
                    if (Double.isFinite(y)) {
                        xmin = Math.min(xmin, x);
                        xmax = Math.max(xmax, x);
                        ymin = Math.min(ymin, y);
                        ymax = Math.max(ymax, y);
                    }
                }
            }
            if (xmin > xmax) {
                xmin = 0;
                xmax = 1;
                ymin = 0;
                ymax = 1;
            }
            if (xmax == xmin) {
                xmax = xmin + 1;
            }
            if (ymax - ymin < 1e-9) {
                ymax = ymin + 1;
            }
            double pad = (ymax - ymin) * 0.05;
            ymin -= pad;
            ymax += pad;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(title, left, 22);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(new Color(0xdddddd));
            for (int t = 0; t <= 5; t++) {
                int y = top + ph - t * ph / 5;
                g.drawLine(left, y, left + pw, y);
            }
            g.setColor(Color.DARK_GRAY);
            g.drawRect(left, top, pw, ph);
            for (int t = 0; t <= 5; t++) {
                double v = ymin + t * (ymax - ymin) / 5;
                // enough decimals that neighbouring ticks differ (a sweep's metrics may be 0.001 apart)
                int decimals = Math.abs(ymax) >= 100 ? 0
                        : Math.max(3, (int) Math.ceil(-Math.log10((ymax - ymin) / 5)) + 1);
                String label = String.format(Locale.ROOT, "%." + decimals + "f", v);
                int y = top + ph - t * ph / 5;
                g.drawString(label, left - 6 - fm.stringWidth(label), y + 4);
            }
            double step = Math.max(1, Math.ceil((xmax - xmin) / 10));
            for (double v = Math.ceil(xmin); v <= xmax + 1e-9; v += step) {
                int x = left + (int) Math.round((v - xmin) / (xmax - xmin) * pw);
                String label = String.format(Locale.ROOT, "%.0f", v);
                g.drawString(label, x - fm.stringWidth(label) / 2, top + ph + 16);
            }
            g.drawString(xLabel, left + pw / 2 - fm.stringWidth(xLabel) / 2, height - 8);
            for (int s = 0; s < ys.size(); s++) {
                g.setColor(COLORS[s % COLORS.length]);
                g.setStroke(new BasicStroke(2f));
                Path2D.Double path = new Path2D.Double();
                boolean open = false;
                for (int i = 0; i < ys.get(s).length; i++) {
                    double y = ys.get(s)[i];
                    if (!Double.isFinite(y)) {
                        open = false;
                        continue;
                    }
                    double px = left + (xs.get(s)[i] - xmin) / (xmax - xmin) * pw;
                    double py = top + ph - (y - ymin) / (ymax - ymin) * ph;
                    if (open) {
                        path.lineTo(px, py);
                    } else {
                        path.moveTo(px, py);
                        open = true;
                    }
                    g.fillOval((int) px - 3, (int) py - 3, 6, 6);
                }
                if (joined.get(s)) {
                    g.draw(path);
                }
                // legend beside the title, right-aligned, or in its own row: clear of the data
                int lx = legendRow ? left + 120 * s : width - right - 150 * (ys.size() - s), ly = legendRow ? 42 : 22;
                g.fillRect(lx, ly - 6, 14, 4);
                g.setColor(Color.BLACK);
                g.drawString(names.get(s), lx + 20, ly);
            }
        } finally {
            g.dispose();
        }
        return img;
    }
}
