package org.segspark.preprocess.pairs;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Mask pixel value -> class index or 255 (ignore). Written {@code "1=1,2=0,3=255"}: values not
 * listed are unmapped, and a mask holding one is rejected (never guessed). Without a written
 * mapping every value below the class count is its own class and 255 is ignore.
 */
public final class MaskMapping implements Serializable {
    private static final long serialVersionUID = 1L;
    static final int UNMAPPED = -1;
    private final int[] table;
    private final int classes;
    private final String text;

    private MaskMapping(int[] table, int classes, String text) {
        this.table = table;
        this.classes = classes;
        this.text = text;
    }

    /** Identity over {@code classes} values (255 = ignore). */
    public static MaskMapping identity(int classes) {
        if (classes < 1 || classes > 255) {
            throw new IllegalArgumentException("classes must be 1..255, got " + classes);
        }
        int[] t = new int[256];
        Arrays.fill(t, UNMAPPED);
        for (int v = 0; v < classes; v++) {
            t[v] = v;
        }
        t[255] = 255;
        return new MaskMapping(t, classes, "identity 0.." + (classes - 1) + ", 255=ignore");
    }

    /** Parses "value=class,..."; the class count is the largest class named + 1 (or {@code classes} if larger). */
    public static MaskMapping parse(String spec, int classes) {
        int[] t = new int[256];
        Arrays.fill(t, UNMAPPED);
        int max = -1;
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String[] kv = p.split("=");
            int v, c;
            try {
                if (kv.length != 2) {
                    throw new NumberFormatException();
                }
                v = Integer.parseInt(kv[0].trim());
                c = Integer.parseInt(kv[1].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("mask-map entry \"" + p + "\" is not value=class (e.g. 1=1,2=0,3=255)");
            }
            if (v < 0 || v > 255 || c < 0 || c > 255) {
                throw new IllegalArgumentException("mask-map entry \"" + p + "\": values and classes are 0..255 (255 = ignore)");
            }
            if (t[v] != UNMAPPED) {
                throw new IllegalArgumentException("mask-map maps value " + v + " twice");
            }
            t[v] = c;
            if (c != 255) {
                max = Math.max(max, c);
            }
        }
        if (max < 0) {
            throw new IllegalArgumentException("mask-map \"" + spec + "\" names no class");
        }
        return new MaskMapping(t, Math.max(max + 1, classes), spec);
    }

    public int classes() {
        return classes;
    }

    /** The class of a mask value, or {@link #UNMAPPED}. */
    public int map(int value) {
        return table[value & 0xff];
    }

    @Override
    public String toString() {
        return text;
    }
}
