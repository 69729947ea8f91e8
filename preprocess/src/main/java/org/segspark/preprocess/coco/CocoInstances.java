package org.segspark.preprocess.coco;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A COCO instances file, read in one streaming pass (train2017's 450 MB file never becomes one
 * tree). Structural damage (malformed JSON, a missing top-level array) is an error naming the
 * file and position; a damaged single annotation is kept with its problem so the image it belongs
 * to can be rejected with a reason; annotations naming an unknown image are kept as orphans.
 */
public final class CocoInstances {
    private final List<CocoImage> images;
    private final List<CocoCategory> categories;
    private final Map<Long, List<CocoAnnotation>> annotationsByImage;
    private final List<CocoAnnotation> orphans;
    private final int annotationCount;

    private CocoInstances(List<CocoImage> images, List<CocoCategory> categories,
                          Map<Long, List<CocoAnnotation>> annotationsByImage, List<CocoAnnotation> orphans,
                          int annotationCount) {
        this.images = images;
        this.categories = categories;
        this.annotationsByImage = annotationsByImage;
        this.orphans = orphans;
        this.annotationCount = annotationCount;
    }

    public List<CocoImage> images() {
        return images;
    }

    /** Categories in ascending id order. */
    public List<CocoCategory> categories() {
        return categories;
    }

    public List<CocoAnnotation> annotationsOf(long imageId) {
        return annotationsByImage.getOrDefault(imageId, List.of());
    }

    /** Annotations whose image_id names no image of the file. */
    public List<CocoAnnotation> orphans() {
        return orphans;
    }

    public int annotationCount() {
        return annotationCount;
    }

    public static CocoInstances read(InputStream in, String sourceName) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        JsonFactory factory = mapper.getFactory();
        List<CocoImage> images = new ArrayList<>();
        List<CocoCategory> categories = new ArrayList<>();
        List<CocoAnnotation> annotations = new ArrayList<>();
        boolean sawImages = false, sawAnnotations = false, sawCategories = false;
        JsonParser p = factory.createParser(in);
        try {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new CocoFormatException(sourceName + ": expected a JSON object at the top level");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "images" -> {
                        sawImages = true;
                        readArray(p, sourceName, field, value, node -> images.add(parseImage(node, images.size())), mapper);
                    }
                    case "categories" -> {
                        sawCategories = true;
                        readArray(p, sourceName, field, value, node -> categories.add(parseCategory(node, sourceName)), mapper);
                    }
                    case "annotations" -> {
                        sawAnnotations = true;
                        int[] index = {0};
                        readArray(p, sourceName, field, value, node -> annotations.add(parseAnnotation(node, index[0]++)), mapper);
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new CocoFormatException(sourceName + ": malformed JSON at line " + p.currentLocation().getLineNr()
                        + ", column " + p.currentLocation().getColumnNr() + ": the top-level object is not closed");
            }
            if (p.nextToken() != null) {
                throw new CocoFormatException(sourceName + ": malformed JSON at line " + p.currentLocation().getLineNr()
                        + ", column " + p.currentLocation().getColumnNr() + ": content after the top-level object");
            }
        } catch (JsonProcessingException e) {
            // StreamConstraintsException (nesting too deep, a number too long) carries no location of its own
            JsonLocation at = e.getLocation() != null ? e.getLocation() : p.currentLocation();
            throw new CocoFormatException(sourceName + ": malformed JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + e.getOriginalMessage(), e);
        } finally {
            p.close();
        }
        if (!sawImages || !sawAnnotations || !sawCategories) {
            throw new CocoFormatException(sourceName + ": not a COCO instances file: it needs \"images\", "
                    + "\"annotations\" and \"categories\" arrays (found images=" + sawImages + ", annotations="
                    + sawAnnotations + ", categories=" + sawCategories + ")");
        }
        return index(images, categories, annotations, sourceName);
    }

    private static CocoInstances index(List<CocoImage> images, List<CocoCategory> categories,
                                       List<CocoAnnotation> annotations, String sourceName) {
        // An id shared by two entries leaves their annotations unattributable: both become rejects.
        Map<Long, Integer> idCount = new HashMap<>();
        for (CocoImage image : images) {
            if (image.problem() == null) {
                idCount.merge(image.id(), 1, Integer::sum);
            }
        }
        Map<Long, CocoImage> byId = new HashMap<>();
        List<CocoImage> checked = new ArrayList<>(images.size());
        for (CocoImage image : images) {
            int n = image.problem() == null ? idCount.get(image.id()) : 0;
            if (n > 1) {
                image = image.withProblem("image id " + image.id() + " is used by " + n
                        + " entries of \"images\"; their annotations cannot be told apart");
            }
            byId.put(image.id(), image);
            checked.add(image);
        }
        Map<Long, CocoCategory> categoryIds = new HashMap<>();
        for (CocoCategory c : categories) {
            if (categoryIds.put(c.id(), c) != null) {
                throw new CocoFormatException(sourceName + ": category id " + c.id() + " appears twice");
            }
        }
        Map<Long, List<CocoAnnotation>> byImage = new LinkedHashMap<>();
        List<CocoAnnotation> orphans = new ArrayList<>();
        for (CocoAnnotation a : annotations) {
            if (a.usable() && !categoryIds.containsKey(a.categoryId())) {
                a = new CocoAnnotation(a.id(), a.imageId(), a.categoryId(), a.crowd(), null,
                        "annotation " + a.id() + " names unknown category id " + a.categoryId());
            }
            if (byId.containsKey(a.imageId())) {
                byImage.computeIfAbsent(a.imageId(), k -> new ArrayList<>()).add(a);
            } else {
                orphans.add(a);
            }
        }
        List<CocoCategory> sorted = new ArrayList<>(categories);
        sorted.sort(Comparator.comparingLong(CocoCategory::id));
        return new CocoInstances(Collections.unmodifiableList(checked), Collections.unmodifiableList(sorted),
                byImage, Collections.unmodifiableList(orphans), annotations.size());
    }

    private interface NodeHandler {
        void accept(JsonNode node);
    }

    private static void readArray(JsonParser p, String source, String field, JsonToken value, NodeHandler handler,
                                  ObjectMapper mapper) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            throw new CocoFormatException(source + ": \"" + field + "\" must be an array, found " + value);
        }
        while (p.nextToken() != JsonToken.END_ARRAY) {
            JsonNode node = mapper.readTree(p);
            handler.accept(node);
        }
    }

    /** Never throws for one bad entry: the problem travels with it and makes the image a reject. */
    static CocoImage parseImage(JsonNode n, int index) {
        JsonNode idNode = n.get("id");
        boolean hasId = idNode != null && idNode.isIntegralNumber() && idNode.canConvertToLong();
        long id = hasId ? idNode.asLong() : Long.MIN_VALUE + index;
        JsonNode nameNode = n.get("file_name");
        String fileName = nameNode != null && nameNode.isTextual() && !nameNode.asText().isEmpty() ? nameNode.asText() : null;
        String what = (hasId ? "image " + id : "images[" + index + "]") + (fileName == null ? "" : " (" + fileName + ")");
        String problem = null;
        if (!hasId) {
            problem = what + " has no integer \"id\": " + abbreviate(n);
        } else if (fileName == null) {
            problem = what + " has no \"file_name\"";
        }
        int[] size = new int[2];
        String[] fields = {"width", "height"};
        for (int i = 0; i < 2 && problem == null; i++) {
            JsonNode v = n.get(fields[i]);
            if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
                problem = what + " has no integer \"" + fields[i] + "\"";
            } else {
                size[i] = v.asInt();
            }
        }
        return new CocoImage(id, fileName != null ? fileName : "images[" + index + "]", size[0], size[1], problem);
    }

    private static CocoCategory parseCategory(JsonNode n, String source) {
        long id = requireLong(n, "id", "category", source);
        return new CocoCategory(id, n.path("name").asText("category_" + id), n.path("supercategory").asText(""));
    }

    private static long requireLong(JsonNode n, String field, String what, String source) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong()) {
            throw new CocoFormatException(source + ": " + what + " has no integer \"" + field + "\": " + abbreviate(n));
        }
        return v.asLong();
    }

    /** Never throws for one bad annotation: the problem travels with it. */
    static CocoAnnotation parseAnnotation(JsonNode n, int index) {
        JsonNode idNode = n.get("id");
        long id = idNode != null && idNode.canConvertToLong() ? idNode.asLong() : -1;
        String name = id >= 0 ? "annotation " + id : "annotation #" + index + " (no id)";
        JsonNode imageNode = n.get("image_id");
        JsonNode categoryNode = n.get("category_id");
        long imageId = imageNode != null && imageNode.canConvertToLong() ? imageNode.asLong() : -1;
        long categoryId = categoryNode != null && categoryNode.canConvertToLong() ? categoryNode.asLong() : -1;
        boolean crowd = n.path("iscrowd").asInt(0) != 0;
        if (imageId < 0) {
            return new CocoAnnotation(id, imageId, categoryId, crowd, null, name + " has no integer image_id");
        }
        if (categoryId < 0) {
            return new CocoAnnotation(id, imageId, categoryId, crowd, null, name + " has no integer category_id");
        }
        try {
            Segmentation seg = parseSegmentation(n.get("segmentation"), name);
            return new CocoAnnotation(id, imageId, categoryId, crowd, seg, null);
        } catch (CocoFormatException e) {
            return new CocoAnnotation(id, imageId, categoryId, crowd, null, e.getMessage());
        }
    }

    static Segmentation parseSegmentation(JsonNode seg, String name) {
        if (seg == null || seg.isNull()) {
            throw new CocoFormatException(name + " has no segmentation");
        }
        if (seg.isArray()) {
            if (seg.isEmpty()) {
                throw new CocoFormatException(name + " has an empty polygon list");
            }
            List<double[]> parts = new ArrayList<>(seg.size());
            for (int i = 0; i < seg.size(); i++) {
                JsonNode part = seg.get(i);
                if (!part.isArray()) {
                    throw new CocoFormatException(name + ": polygon " + i + " is not an array of numbers");
                }
                if (part.size() % 2 != 0) {
                    throw new CocoFormatException(name + ": polygon " + i + " has an odd number of coordinates ("
                            + part.size() + ")");
                }
                if (part.size() == 0) {
                    throw new CocoFormatException(name + ": polygon " + i + " has no coordinates");
                }
                double[] xy = new double[part.size()];
                for (int j = 0; j < xy.length; j++) {
                    JsonNode v = part.get(j);
                    if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                        throw new CocoFormatException(name + ": polygon " + i + " coordinate " + j
                                + " is not a finite number: " + v);
                    }
                    if (Math.abs(v.asDouble()) > MAX_COORDINATE) {
                        throw new CocoFormatException(name + ": polygon " + i + " coordinate " + j + " is " + v
                                + ", beyond +-" + (long) MAX_COORDINATE + " pixels of any image");
                    }
                    xy[j] = v.asDouble();
                }
                parts.add(xy);
            }
            return new Segmentation.Polygons(parts);
        }
        if (seg.isObject()) {
            JsonNode size = seg.get("size");
            JsonNode counts = seg.get("counts");
            if (size == null || !size.isArray() || size.size() != 2 || counts == null) {
                throw new CocoFormatException(name + ": RLE segmentation needs \"size\": [h, w] and \"counts\"");
            }
            int h = size.get(0).asInt(-1), w = size.get(1).asInt(-1);
            if (h <= 0 || w <= 0) {
                throw new CocoFormatException(name + ": RLE size " + size + " is not positive");
            }
            if (counts.isTextual()) {
                return new Segmentation.CompressedRle(counts.asText(), h, w);
            }
            if (counts.isArray()) {
                long[] c = new long[counts.size()];
                long total = 0;
                for (int i = 0; i < c.length; i++) {
                    JsonNode v = counts.get(i);
                    if (!v.canConvertToLong() || v.asLong() < 0) {
                        throw new CocoFormatException(name + ": RLE count " + i + " is not a non-negative integer: " + v);
                    }
                    c[i] = v.asLong();
                    total += c[i];
                }
                if (total != (long) h * w) {
                    throw new CocoFormatException(name + ": RLE counts sum to " + total + ", not " + h + "x" + w
                            + " = " + ((long) h * w));
                }
                return new Segmentation.UncompressedRle(c, h, w);
            }
            throw new CocoFormatException(name + ": RLE counts must be a string or an array");
        }
        throw new CocoFormatException(name + ": segmentation is neither a polygon list nor an RLE object");
    }

    /** Polygon coordinates beyond this are no image's pixels (the largest images are tens of thousands wide). */
    static final double MAX_COORDINATE = 1_000_000;

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
