package org.segspark.preprocess.coco;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * COCO category ids to label-map classes. Class 0 is background/void; categories a mapping does
 * not list fall into class 0 and do not paint (they neither label nor conflict). 255 is never a
 * class: it marks pixels to ignore.
 */
public final class LabelMapping implements Serializable {
    private static final long serialVersionUID = 1L;
    public static final int IGNORE = 255;
    public static final int MAX_CLASSES = 255;

    private final String name;
    private final List<String> classNames;
    private final Map<Long, Integer> categoryToClass;

    public LabelMapping(String name, List<String> classNames, Map<Long, Integer> categoryToClass) {
        if (classNames.isEmpty() || classNames.size() > MAX_CLASSES) {
            throw new IllegalArgumentException("mapping " + name + " must have 1.." + MAX_CLASSES
                    + " classes, has " + classNames.size());
        }
        for (Map.Entry<Long, Integer> e : categoryToClass.entrySet()) {
            if (e.getValue() < 0 || e.getValue() >= classNames.size()) {
                throw new IllegalArgumentException("mapping " + name + " sends category " + e.getKey()
                        + " to class " + e.getValue() + ", outside 0.." + (classNames.size() - 1));
            }
        }
        this.name = name;
        this.classNames = List.copyOf(classNames);
        this.categoryToClass = Map.copyOf(categoryToClass);
    }

    public String name() {
        return name;
    }

    public List<String> classNames() {
        return classNames;
    }

    public int numClasses() {
        return classNames.size();
    }

    public Map<Long, Integer> categoryToClass() {
        return Collections.unmodifiableMap(categoryToClass);
    }

    public int classOf(long categoryId) {
        return categoryToClass.getOrDefault(categoryId, 0);
    }

    /** The file's categories in ascending id order become classes 1..K; background is 0. */
    public static LabelMapping byCategoryOrder(List<CocoCategory> ascending) {
        List<String> names = new ArrayList<>();
        names.add("background");
        Map<Long, Integer> map = new HashMap<>();
        for (CocoCategory c : ascending) {
            map.put(c.id(), names.size());
            names.add(c.name());
        }
        return new LabelMapping("categories", names, map);
    }

    /** The seed system's four classes: 0 void, 1 person, 2 vehicle (ids 2-9), 3 animal (ids 16-25). */
    public static LabelMapping coco4() {
        Map<Long, Integer> map = new HashMap<>();
        map.put(1L, 1);
        for (long id = 2; id <= 9; id++) {
            map.put(id, 2);
        }
        for (long id = 16; id <= 25; id++) {
            map.put(id, 3);
        }
        return new LabelMapping("coco4", List.of("void", "person", "vehicle", "animal"), map);
    }

    /**
     * A mapping file: {@code {"name": "...", "classes": ["void", "person", ...], "categories": {"1": 1, ...}}}.
     */
    public static LabelMapping fromJson(InputStream in, String source) throws IOException {
        JsonNode root = new ObjectMapper().readTree(in);
        JsonNode classes = root.get("classes");
        JsonNode categories = root.get("categories");
        if (classes == null || !classes.isArray() || categories == null || !categories.isObject()) {
            throw new IllegalArgumentException(source + ": a mapping file needs a \"classes\" array and a "
                    + "\"categories\" object of category id -> class index");
        }
        List<String> names = new ArrayList<>();
        classes.forEach(c -> names.add(c.asText()));
        Map<Long, Integer> map = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = categories.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            long id;
            try {
                id = Long.parseLong(e.getKey());
            } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(source + ": category id \"" + e.getKey() + "\" is not an integer");
            }
            if (!e.getValue().canConvertToInt()) {
                throw new IllegalArgumentException(source + ": class of category " + id + " is not an integer");
            }
            map.put(id, e.getValue().asInt());
        }
        try {
            return new LabelMapping(root.path("name").asText(source), names, map);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }
}
