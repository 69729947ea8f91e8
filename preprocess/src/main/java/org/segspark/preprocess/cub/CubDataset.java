package org.segspark.preprocess.cub;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.segspark.core.io.HadoopFiles;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.job.Splits;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * CUB-200-2011's metadata in its official layout: {@code images.txt} ("id class_dir/file.jpg"),
 * {@code image_class_labels.txt} ("id class_id"), {@code train_test_split.txt} ("id 1|0", 1 =
 * train), {@code classes.txt} ("class_id NNN.Name") and {@code bounding_boxes.txt} ("id x y w h",
 * floats). The official test images become the val split. A malformed line stops the run with the
 * file and line; an image that another file does not mention becomes a reject.
 */
public final class CubDataset {
    static final String IMAGES = "images.txt";
    static final String LABELS = "image_class_labels.txt";
    static final String SPLIT = "train_test_split.txt";
    static final String CLASSES = "classes.txt";
    static final String BOXES = "bounding_boxes.txt";

    /** One image: official id, path below images/, class index (0-based), split, bounding box (null if none). */
    public record Item(int id, String relative, int label, String split, float[] box) implements Serializable {
    }

    /** Class names (without the "NNN." prefix) in class-id order, the items and the rejects. */
    public record Listing(List<String> classes, List<Item> items, List<Reject> rejects) {
    }

    private CubDataset() {
    }

    public static Listing read(String root, Configuration conf) throws IOException {
        Path dir = HadoopFiles.path(root);
        Map<Integer, String[]> classLines = lines(dir, CLASSES, 2, conf, true);
        TreeMap<Integer, String> byId = new TreeMap<>();
        classLines.forEach((id, f) -> byId.put(id, f[1]));
        List<String> classes = new ArrayList<>();
        Map<Integer, Integer> classIndex = new LinkedHashMap<>();
        for (Map.Entry<Integer, String> e : byId.entrySet()) {
            classIndex.put(e.getKey(), classes.size());
            String name = e.getValue();
            int dot = name.indexOf('.');
            classes.add(dot > 0 && name.substring(0, dot).chars().allMatch(Character::isDigit) ? name.substring(dot + 1) : name);
        }
        Map<Integer, String[]> images = lines(dir, IMAGES, 2, conf, true);
        Map<Integer, String[]> labels = lines(dir, LABELS, 2, conf, true);
        Map<Integer, String[]> split = lines(dir, SPLIT, 2, conf, true);
        Map<Integer, String[]> boxes = lines(dir, BOXES, 5, conf, false);

        List<Item> items = new ArrayList<>();
        List<Reject> rejects = new ArrayList<>();
        for (Map.Entry<Integer, String[]> e : images.entrySet()) {
            int id = e.getKey();
            String rel = e.getValue()[1];
            String[] l = labels.get(id), s = split.get(id);
            if (l == null) {
                rejects.add(new Reject("images/" + rel, "metadata", "image id " + id + " has no line in " + LABELS));
                continue;
            }
            if (s == null) {
                rejects.add(new Reject("images/" + rel, "metadata", "image id " + id + " has no line in " + SPLIT));
                continue;
            }
            Integer cls = classIndex.get(parseInt(l[1], LABELS, id));
            if (cls == null) {
                rejects.add(new Reject("images/" + rel, "metadata", "image id " + id + " has class " + l[1] + ", not in " + CLASSES));
                continue;
            }
            String sp = switch (s[1]) {
                case "1" -> Splits.TRAIN;
                case "0" -> Splits.VAL;
                default -> null;
            };
            if (sp == null) {
                rejects.add(new Reject("images/" + rel, "metadata", "image id " + id + " has is_training_image " + s[1]
                        + " in " + SPLIT + " (expected 1 or 0)"));
                continue;
            }
            float[] box = null;
            String[] b = boxes.get(id);
            if (b != null) {
                box = new float[4];
                for (int i = 0; i < 4; i++) {
                    try {
                        box[i] = Float.parseFloat(b[i + 1]);
                    } catch (NumberFormatException ex) {
                        throw new IllegalArgumentException(new Path(dir, BOXES) + ": image id " + id + ": \"" + b[i + 1]
                                + "\" is not a number");
                    }
                }
            }
            items.add(new Item(id, rel, cls, sp, box));
        }
        return new Listing(classes, items, rejects);
    }

    /** "id rest..." lines by id; {@code fields} = how many whitespace-separated fields a line has. */
    static Map<Integer, String[]> lines(Path dir, String name, int fields, Configuration conf, boolean required)
            throws IOException {
        Path p = new Path(dir, name);
        if (!HadoopFiles.fs(p, conf).exists(p)) {
            if (required) {
                throw new FileNotFoundException(p + " not found: is " + dir + " a CUB-200-2011 folder (images.txt, "
                        + "image_class_labels.txt, train_test_split.txt, classes.txt, images/)?");
            }
            return Map.of();
        }
        String text = new String(HadoopFiles.readAll(p, conf), StandardCharsets.UTF_8);
        Map<Integer, String[]> out = new LinkedHashMap<>();
        int lineNo = 0;
        for (String line : text.split("\r?\n")) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.trim().split("\\s+", fields);
            if (f.length != fields) {
                throw new IllegalArgumentException(p + " line " + lineNo + ": expected " + fields + " fields, got \"" + line + "\"");
            }
            int id;
            try {
                id = Integer.parseInt(f[0]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(p + " line " + lineNo + ": \"" + f[0] + "\" is not an id");
            }
            if (out.put(id, f) != null) {
                throw new IllegalArgumentException(p + " line " + lineNo + ": id " + id + " appears twice");
            }
        }
        return out;
    }

    private static int parseInt(String s, String file, int id) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": image id " + id + ": \"" + s + "\" is not a class id");
        }
    }
}
