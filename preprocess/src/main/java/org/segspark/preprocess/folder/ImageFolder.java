package org.segspark.preprocess.folder;

import java.util.Comparator;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
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
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * A classification data set laid out as one folder per class, either directly under the root
 * ({@code ROOT/<class>/<file>}, split by a seeded hash of the path) or under split folders
 * ({@code ROOT/train/<class>/...} and {@code ROOT/val/...}; {@code test} or {@code validation}
 * count as val). Class indices follow the sorted folder names, as torchvision's ImageFolder does.
 * Hidden files and folders (a leading dot or underscore), links that dangle, loop or leave the
 * root, and files whose extension is not an image's are rejects: nothing in the tree is dropped
 * silently.
 */
public final class ImageFolder {
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "gif", "bmp", "wbmp", "tif", "tiff");
    static final List<String> VAL_NAMES = List.of("val", "validation", "test");

    /** One image file: its path relative to the root, class index and split (null: decided by hash later). */
    public record Item(String relative, int label, String split) implements Serializable {
    }

    /** What listing the tree found. */
    public record Listing(List<String> classes, List<Item> items, List<Reject> rejects, boolean splitFolders) {
    }

    private ImageFolder() {
    }

    public static Listing list(String root, double valFraction, long splitSeed, Configuration conf) throws IOException {
        Path dir = HadoopFiles.path(root);
        FileSystem fs = HadoopFiles.fs(dir, conf);
        if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
            throw new FileNotFoundException(root + " is not a folder");
        }
        Path train = new Path(dir, Splits.TRAIN);
        Path val = null;
        for (String name : VAL_NAMES) {
            Path p = new Path(dir, name);
            if (fs.exists(p) && fs.getFileStatus(p).isDirectory()) {
                val = p;
                break;
            }
        }
        boolean splitFolders = fs.exists(train) && fs.getFileStatus(train).isDirectory();
        List<Path> splitDirs = new ArrayList<>();
        List<String> splitNames = new ArrayList<>();
        if (splitFolders) {
            splitDirs.add(train);
            splitNames.add(Splits.TRAIN);
            if (val != null) {
                splitDirs.add(val);
                splitNames.add(Splits.VAL);
            }
        } else {
            splitDirs.add(dir);
            splitNames.add(null);
        }
        TreeSet<String> classSet = new TreeSet<>();
        for (Path d : splitDirs) {
            for (FileStatus s : fs.listStatus(d)) {
                if (s.isDirectory() && !hidden(s.getPath().getName())) {
                    classSet.add(s.getPath().getName());
                }
            }
        }
        if (classSet.isEmpty()) {
            throw new IllegalArgumentException(root + " holds no class folders: expected ROOT/<class>/<image> or "
                    + "ROOT/train/<class>/<image>");
        }
        List<String> classes = new ArrayList<>(classSet);
        List<Item> items = new ArrayList<>();
        List<Reject> rejects = new ArrayList<>();
        for (int s = 0; s < splitDirs.size(); s++) {
            Path base = splitDirs.get(s);
            String prefix = splitNames.get(s) == null ? "" : base.getName() + "/";
            InputTree.Listing walk = InputTree.walk(base.toString(), conf, prefix);
            rejects.addAll(walk.rejects());
            for (String rel : walk.files()) {
                int slash = rel.indexOf('/');
                if (slash < 0) {
                    rejects.add(new Reject(prefix + rel, "list", "file outside any class folder"));
                } else if (!IMAGE_EXTENSIONS.contains(extension(rel))) {
                    rejects.add(new Reject(prefix + rel, "list", "not an image file extension ("
                            + String.join(", ", new TreeSet<>(IMAGE_EXTENSIONS)) + ")"));
                } else {
                    int label = classes.indexOf(rel.substring(0, slash));
                    if (label < 0) {
                        rejects.add(new Reject(prefix + rel, "list", "its class folder is not one of the classes " + classes));
                    } else {
                        items.add(new Item(prefix + rel, label, splitNames.get(s)));
                    }
                }
            }
        }
        items.sort(Comparator.comparing(Item::relative));
        rejects.sort(Comparator.comparing(Reject::path));
        List<Item> assigned = new ArrayList<>(items.size());
        for (Item it : items) {
            assigned.add(it.split() != null ? it
                    : new Item(it.relative(), it.label(), Splits.assign(it.relative(), valFraction, splitSeed)));
        }
        return new Listing(classes, assigned, rejects, splitFolders);
    }

    static boolean hidden(String name) {
        return InputTree.hidden(name);
    }

    static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
