package org.segspark.preprocess.coco;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A synthetic COCO data set with the real-world mess added: a missing file, a zero-byte file, a
 * truncated JPEG, a file name escaping the image root, an odd-length polygon and an annotation for
 * an unknown image. Each is one input that must end up as exactly one reject.
 */
public final class BadCocoData {
    public static final int GOOD = 24;
    public static final int BAD = 6;

    private BadCocoData() {
    }

    public static Path write(Path dir) throws Exception {
        new SyntheticCoco(80, 60, 3).write(dir, GOOD);
        Path json = dir.resolve(SyntheticCoco.ANNOTATIONS);
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(json.toFile());
        ArrayNode images = (ArrayNode) root.get("images");
        ArrayNode anns = (ArrayNode) root.get("annotations");
        byte[] good = Files.readAllBytes(dir.resolve("images/000000000001.jpg"));
        Files.write(dir.resolve("images/zero.jpg"), new byte[0]);
        Files.write(dir.resolve("images/truncated.jpg"), Arrays.copyOf(good, good.length / 3));
        Files.write(dir.resolve("images/oddpoly.jpg"), good);
        Files.write(dir.resolve("outside.jpg"), good);
        addImage(images, 1001, "missing.jpg");
        addImage(images, 1002, "zero.jpg");
        addImage(images, 1003, "truncated.jpg");
        addImage(images, 1004, "../outside.jpg");
        addImage(images, 1005, "oddpoly.jpg");
        ObjectNode odd = anns.addObject().put("id", 9001).put("image_id", 1005).put("category_id", 1).put("iscrowd", 0);
        odd.putArray("segmentation").addArray().add(1).add(1).add(20).add(1).add(20);
        ObjectNode orphan = anns.addObject().put("id", 9002).put("image_id", 4242).put("category_id", 1).put("iscrowd", 0);
        orphan.putArray("segmentation").addArray().add(1).add(1).add(20).add(1).add(20).add(20);
        m.writeValue(json.toFile(), root);
        return json;
    }

    private static void addImage(ArrayNode images, long id, String name) {
        images.addObject().put("id", id).put("file_name", name).put("width", 80).put("height", 60);
    }
}
