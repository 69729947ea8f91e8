package org.segspark.jobs.shards;

import org.apache.hadoop.conf.Configuration;
import org.segspark.jobs.report.Html;
import org.segspark.jobs.report.Overlays;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;

import org.segspark.core.io.OutputFolder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code segspark shards preview}: the first examples of a split as PNG files a person (or a
 * notebook without a Parquet reader) can open: the image, and for segmentation its label map
 * painted over it; index.csv names them with their key, source and classes.
 */
public final class ShardPreview {
    private ShardPreview() {
    }

    /** A preview's folder (older ones are known by their index.csv). */
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("preview", "index.csv");

    public static int write(String shards, String split, int count, String out, Configuration hconf) throws IOException {
        return write(shards, split, count, out, hconf, false);
    }

    public static int write(String shards, String split, int count, String out, Configuration hconf, boolean force)
            throws IOException {
        ShardSet set = ShardSet.open(shards, hconf);
        ShardManifest m = set.manifest();
        RunDirectory dir = RunDirectory.claim(out, hconf, KIND, force, "--out");
        StringBuilder csv = new StringBuilder("key,source,split,label,classes_present,image,overlay\n");
        int written = 0;
        for (String ref : set.rowGroupRefs(split)) {
            for (ShardRow r : ShardSet.readRowGroup(ref, hconf)) {
                if (written >= count) {
                    break;
                }
                String base = String.format(Locale.ROOT, "%s-%03d", split, written);
                dir.writeBytes(base + "-image.png", Html.png(Overlays.rgb(r.rgb(), r.width(), r.height())));
                String overlay = "";
                List<String> present = new ArrayList<>();
                if (r.mask() != null) {
                    overlay = base + "-overlay.png";
                    dir.writeBytes(overlay, Html.png(Overlays.overlay(r.rgb(), r.mask(), r.width(), r.height())));
                    boolean[] seen = new boolean[256];
                    for (byte b : r.mask()) {
                        seen[b & 0xff] = true;
                    }
                    for (int c = 0; c < 256; c++) {
                        if (seen[c]) {
                            present.add(c == 255 ? "ignore" : c < m.classes().size() ? m.classes().get(c) : "class " + c);
                        }
                    }
                }
                csv.append(csvField(r.key())).append(',').append(csvField(r.source())).append(',').append(split).append(',')
                        .append(r.label() == ShardRow.NO_LABEL ? "" : csvField(m.classes().get(r.label()))).append(',')
                        .append(csvField(String.join(";", present))).append(',').append(base).append("-image.png,")
                        .append(overlay).append('\n');
                written++;
            }
            if (written >= count) {
                break;
            }
        }
        dir.writeText("index.csv", csv.toString());
        return written;
    }

    private static String csvField(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
