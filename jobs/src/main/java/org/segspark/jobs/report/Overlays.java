package org.segspark.jobs.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/** Label maps drawn over their images with one colour per class; ignore (255) is white hatching. */
public final class Overlays {
    private Overlays() {
    }

    /** Class colours: background transparent, then a fixed qualitative palette. */
    public static Color classColor(int c) {
        if (c == 0) {
            return null;
        }
        float hue = (c * 0.61803398875f) % 1f;
        return Color.getHSBColor(hue, 0.85f, 0.95f);
    }

    public static BufferedImage rgb(byte[] hwc, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0, i = 0; y < height; y++) {
            for (int x = 0; x < width; x++, i += 3) {
                img.setRGB(x, y, ((hwc[i] & 0xff) << 16) | ((hwc[i + 1] & 0xff) << 8) | (hwc[i + 2] & 0xff));
            }
        }
        return img;
    }

    /** The image with the label map blended in (alpha 0.7: the class colours stay close to the legend's). */
    public static BufferedImage overlay(byte[] hwc, byte[] labels, int width, int height) {
        BufferedImage img = rgb(hwc, width, height);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int c = labels[y * width + x] & 0xff;
                int base = img.getRGB(x, y);
                int r = (base >> 16) & 0xff, g = (base >> 8) & 0xff, b = base & 0xff;
                if (c == 255) {
                    int v = ((x + y) % 4 < 2) ? 255 : 200;
                    r = g = b = v;
                } else {
                    Color col = classColor(c);
                    if (col != null) {
                        r = (int) (0.3 * r + 0.7 * col.getRed());
                        g = (int) (0.3 * g + 0.7 * col.getGreen());
                        b = (int) (0.3 * b + 0.7 * col.getBlue());
                    }
                }
                img.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        return img;
    }

    /**
     * The overlay with a legend strip under it: a swatch and the name of every class the label map
     * shows (in index order, background and ignore included when present), wrapped to the width.
     */
    public static BufferedImage withLegend(BufferedImage overlay, byte[] labels, List<String> classes) {
        boolean[] present = new boolean[256];
        for (byte b : labels) {
            present[b & 0xff] = true;
        }
        List<Integer> shown = new ArrayList<>();
        for (int c = 0; c < 256; c++) {
            if (present[c]) {
                shown.add(c);
            }
        }
        int width = Math.max(overlay.getWidth(), 160), line = 18;
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        // lay the entries out first: the strip is as tall as its rows
        BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        Graphics2D p = probe.createGraphics();
        p.setFont(font);
        int rows = 1, x = 6;
        List<int[]> at = new ArrayList<>();
        for (int c : shown) {
            int w = 18 + p.getFontMetrics().stringWidth(name(classes, c)) + 12;
            if (x + w > width && x > 6) {
                rows++;
                x = 6;
            }
            at.add(new int[] {x, rows - 1});
            x += w;
        }
        p.dispose();
        BufferedImage out = new BufferedImage(width, overlay.getHeight() + rows * line + 6, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.drawImage(overlay, 0, 0, null);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setFont(font);
            for (int i = 0; i < shown.size(); i++) {
                int c = shown.get(i), lx = at.get(i)[0], ly = overlay.getHeight() + 4 + at.get(i)[1] * line;
                Color col = c == 255 ? new Color(0xdddddd) : classColor(c);
                g.setColor(col == null ? Color.WHITE : col);
                g.fillRect(lx, ly + 2, 12, 12);
                g.setColor(Color.GRAY);
                g.drawRect(lx, ly + 2, 12, 12);
                g.setColor(Color.BLACK);
                g.drawString(name(classes, c), lx + 18, ly + 13);
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    private static String name(List<String> classes, int c) {
        return c == 255 ? "ignored" : c < classes.size() ? classes.get(c) : "class " + c;
    }

    /** One sample per row: image | ground truth | prediction, each scaled to {@code cell} pixels high. */
    public static BufferedImage grid(List<Row> rows, int cell) {
        int header = 22;
        int cols = 3;
        int cw = rows.isEmpty() ? cell : Math.max(1, cell * rows.get(0).width() / rows.get(0).height());
        BufferedImage out = new BufferedImage(cols * (cw + 6) + 6, header + rows.size() * (cell + 6) + 6,
                BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, out.getWidth(), out.getHeight());
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            String[] titles = {"image", "ground truth", "prediction"};
            for (int c = 0; c < cols; c++) {
                g.drawString(titles[c], 6 + c * (cw + 6), 16);
            }
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                BufferedImage[] tiles = {rgb(row.image(), row.width(), row.height()),
                        overlay(row.image(), row.truth(), row.width(), row.height()),
                        overlay(row.image(), row.predicted(), row.width(), row.height())};
                for (int c = 0; c < cols; c++) {
                    g.drawImage(tiles[c], 6 + c * (cw + 6), header + 6 + r * (cell + 6), cw, cell, null);
                }
            }
        } finally {
            g.dispose();
        }
        return out;
    }

    /** A segmentation sample to draw. */
    public record Row(byte[] image, byte[] truth, byte[] predicted, int width, int height) {
    }
}
