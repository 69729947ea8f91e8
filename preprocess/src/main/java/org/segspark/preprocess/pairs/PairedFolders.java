package org.segspark.preprocess.pairs;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;
import org.segspark.preprocess.io.InputTree;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.job.Splits;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Two parallel trees, images and masks, matched by path without extension
 * ({@code images/a/x.jpg} ↔ {@code masks/a/x.png}). A first folder named train, val, validation
 * or test decides the split; other images are split by a seeded hash of their key. Every file is
 * accounted for: an image without a mask, a mask without an image, a second mask for the same
 * key and a file that is not an image each become a reject.
 */
public final class PairedFolders {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp", "wbmp", "tif", "tiff");
    static final Map<String, String> SPLIT_FOLDERS = Map.of("train", Splits.TRAIN, "val", Splits.VAL,
            "validation", Splits.VAL, "test", Splits.VAL);

    /** One pair: paths relative to the image and mask roots, and the split. */
    public record Item(String image, String mask, String split) implements Serializable {
    }

    public record Listing(List<Item> items, List<Reject> rejects) {
    }

    private PairedFolders() {
    }

    /** Pairs files whose relative paths without extension are equal. */
    public static Listing list(String imagesRoot, String masksRoot, double valFraction, long splitSeed, Configuration conf)
            throws IOException {
        return list(imagesRoot, masksRoot, "", "", valFraction, splitSeed, conf);
    }

    /**
     * Pairs files whose relative paths without extension are equal once {@code imageSuffix} is
     * taken off the image names and {@code maskSuffix} off the mask names: data sets name masks
     * {@code x_mask.gif} (Carvana), {@code x_segmentation.png} (ISIC) or
     * {@code x_gtFine_labelIds.png} for {@code x_leftImg8bit.png} (Cityscapes). A file whose name
     * lacks its side's suffix matches nothing and becomes a reject.
     */
    public static Listing list(String imagesRoot, String masksRoot, String imageSuffix, String maskSuffix,
                               double valFraction, long splitSeed, Configuration conf) throws IOException {
        List<Reject> rejects = new ArrayList<>();
        TreeMap<String, String> images = files(imagesRoot, "images/", imageSuffix, conf, rejects);
        TreeMap<String, String> masks = files(masksRoot, "masks/", maskSuffix, conf, rejects);
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, String> e : images.entrySet()) {
            String mask = masks.remove(e.getKey());
            if (mask == null) {
                rejects.add(new Reject("images/" + e.getValue(), "match", "no mask " + e.getKey() + maskSuffix
                        + ".* under " + masksRoot));
                continue;
            }
            String first = e.getKey().contains("/") ? e.getKey().substring(0, e.getKey().indexOf('/')) : "";
            String split = SPLIT_FOLDERS.get(first.toLowerCase(Locale.ROOT));
            items.add(new Item(e.getValue(), mask, split != null ? split : Splits.assign(e.getKey(), valFraction, splitSeed)));
        }
        for (String orphan : masks.values()) {
            rejects.add(new Reject("masks/" + orphan, "match", "no image with this mask's name under " + imagesRoot));
        }
        rejects.sort(Comparator.comparing(Reject::path));
        return new Listing(items, rejects);
    }

    /** key (relative path without extension and suffix) -> relative path, for the image files below root. */
    private static TreeMap<String, String> files(String root, String label, String suffix, Configuration conf,
                                                 List<Reject> rejects) throws IOException {
        Path dir = HadoopFiles.path(root);
        FileSystem fs = HadoopFiles.fs(dir, conf);
        if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
            throw new FileNotFoundException(root + " is not a folder");
        }
        InputTree.Listing walk = InputTree.walk(root, conf, label);
        rejects.addAll(walk.rejects());
        List<String> found = new ArrayList<>();
        for (String rel : walk.files()) {
            if (rel.contains(".") && IMAGE_EXTENSIONS.contains(rel.substring(rel.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT))
                    && rel.lastIndexOf('.') > rel.lastIndexOf('/')) {
                found.add(rel);
            } else {
                rejects.add(new Reject(label + rel, "list", "not an image file extension"));
            }
        }
        TreeMap<String, String> byKey = new TreeMap<>();
        for (String rel : found) {
            String key = rel.substring(0, rel.lastIndexOf('.'));
            if (!suffix.isEmpty()) {
                if (!key.endsWith(suffix)) {
                    rejects.add(new Reject(label + rel, "match", "the name does not end with \"" + suffix + "\""));
                    continue;
                }
                key = key.substring(0, key.length() - suffix.length());
            }
            String before = byKey.putIfAbsent(key, rel);
            if (before != null) {
                rejects.add(new Reject(label + rel, "match", "another file has the same name without extension: " + before));
            }
        }
        return byKey;
    }
}
