package org.segspark.preprocess.coco;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.SparkTest;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardRow;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A COCO file's per-image faults are rejects, not the end of the run; its structural faults are
 * one-line errors with the file and position; one image spelled several ways is one input.
 */
class CocoFaultsTest extends SparkTest {
    @TempDir
    Path dir;

    private static CocoInstances parse(String json) throws Exception {
        return CocoInstances.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    private static final String TAIL = ",\"annotations\":[],\"categories\":[{\"id\":1,\"name\":\"p\"}]}";

    @Test
    void contentAfterTheTopLevelObjectIsAnError() {
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> parse("{\"images\":[]" + TAIL + "garbage"));
        assertTrue(e.getMessage().startsWith("test.json: malformed JSON at line 1"), e.getMessage());
        e = assertThrows(CocoFormatException.class, () -> parse("{\"images\":[]" + TAIL + "{}"));
        assertTrue(e.getMessage().contains("content after the top-level object"), e.getMessage());
    }

    @Test
    void deepNestingAndHugeNumbersNameTheFileLineAndColumn() {
        String deep = "{\"images\":[" + "[".repeat(1100) + "]".repeat(1100) + "]" + TAIL;
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> parse(deep));
        assertTrue(e.getMessage().matches("test\\.json: malformed JSON at line 1, column \\d+: .*"), e.getMessage());
        String huge = "{\"images\":[{\"id\":" + "9".repeat(2000) + "}]" + TAIL;
        e = assertThrows(CocoFormatException.class, () -> parse(huge));
        assertTrue(e.getMessage().matches("test\\.json: malformed JSON at line 1, column \\d+: .*"), e.getMessage());
    }

    @Test
    void badImageEntriesAreProblemsOfTheirOwnImageOnly() throws Exception {
        CocoInstances c = parse("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":4,\"height\":4},"
                + "{\"id\":1,\"file_name\":\"b.jpg\",\"width\":4,\"height\":4},"
                + "{\"id\":2,\"file_name\":\"c.jpg\",\"height\":4},"
                + "{\"id\":\"3\",\"file_name\":\"d.jpg\",\"width\":4,\"height\":4},"
                + "{\"id\":4,\"width\":4,\"height\":4},"
                + "{\"id\":5,\"file_name\":\"e.jpg\",\"width\":4,\"height\":4}]"
                + ",\"annotations\":[{\"id\":9,\"category_id\":1,\"segmentation\":[[0,0,3,0,3,3]]}],"
                + "\"categories\":[{\"id\":1,\"name\":\"p\"}]}");
        Map<String, String> problems = new HashMap<>();
        for (CocoImageRecord r : CocoImageRecord.of(c)) {
            problems.put(r.image().fileName(), r.problem());
        }
        assertTrue(problems.get("a.jpg").contains("image id 1 is used by 2 entries"), problems.toString());
        assertTrue(problems.get("b.jpg").contains("image id 1 is used by 2 entries"));
        assertTrue(problems.get("c.jpg").contains("no integer \"width\""));
        assertTrue(problems.get("d.jpg").contains("no integer \"id\""));
        assertTrue(problems.get("images[4]").contains("no \"file_name\""));
        assertEquals(null, problems.get("e.jpg"));
        assertEquals(1, c.orphans().size());
        assertTrue(c.orphans().get(0).problem().contains("has no integer image_id"));
    }

    @Test
    void absurdCoordinatesAreRefusedWithAReadableReason() throws Exception {
        CocoInstances c = parse("{\"images\":[{\"id\":1,\"file_name\":\"a.jpg\",\"width\":4,\"height\":4}],"
                + "\"annotations\":[{\"id\":9,\"image_id\":1,\"category_id\":1,\"segmentation\":[[0,0,1e30,0,-1e30,3]]}],"
                + "\"categories\":[{\"id\":1,\"name\":\"p\"}]}");
        String p = CocoImageRecord.of(c).get(0).problem();
        assertTrue(p.contains("coordinate 2 is 1.0E30, beyond +-1000000 pixels"), p);
    }

    @Test
    void perImageFaultsAreRejectsAndOneImageSpelledThreeWaysIsOneInput() throws Exception {
        Path ds = dir.resolve("coco");
        new SyntheticCoco(64, 48, 3).write(ds, 8);
        Path json = ds.resolve(SyntheticCoco.ANNOTATIONS);
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = (ObjectNode) m.readTree(json.toFile());
        ArrayNode images = (ArrayNode) root.get("images");
        String first = images.get(0).get("file_name").asText();
        images.addObject().put("id", 501).put("file_name", "./" + first).put("width", 64).put("height", 48);
        images.addObject().put("id", 502).put("file_name", "sub/../" + first).put("width", 64).put("height", 48);
        images.addObject().put("id", 503).put("file_name", first + "/").put("width", 64).put("height", 48);
        images.addObject().put("id", 504).put("file_name", "x.jpg").put("height", 48);
        images.addObject().put("id", "505").put("file_name", "y.jpg").put("width", 64).put("height", 48);
        images.addObject().put("id", 506).put("width", 64).put("height", 48);
        images.addObject().put("id", images.get(1).get("id").asLong()).put("file_name", "dup.jpg").put("width", 64).put("height", 48);
        m.writeValue(json.toFile(), root);

        CocoShardConfig cfg = new CocoShardConfig(json.toString(), ds.resolve(SyntheticCoco.IMAGES).toString(), "categories",
                0.5, 0, Resize.Aspect.STRETCH, 100_000_000L,
                new ShardJobOptions(dir.resolve("shards").toString(), 16, 16, 4, 64, CompressionCodecName.ZSTD));
        ShardJob.Result r = CocoShardJob.run(jsc(), cfg, null);
        assertEquals(15, r.accounting().inputs());
        assertEquals(7, r.accounting().written(), "8 images less the one sharing its id with dup.jpg; no image twice");
        assertEquals(8, r.rejects().size(), r.rejects().toString());
        Map<String, String> reasons = new HashMap<>();
        for (Reject x : r.rejects()) {
            reasons.merge(x.path(), x.reason(), (a, b) -> a + " | " + b);
        }
        assertTrue(reasons.get(images.get(1).get("file_name").asText()).contains("used by 2 entries"));
        // ./x.jpg and sub/../x.jpg are x.jpg: two more inputs of the same key, refused
        assertEquals(2, reasons.get(first).split("same key").length - 1, reasons.toString());
        assertTrue(reasons.get(first + "/").contains("names a folder"), reasons.toString());
        assertTrue(reasons.get("x.jpg").contains("width"));
        assertTrue(reasons.get("y.jpg").contains("id"));
        assertTrue(reasons.get("images[13]").contains("file_name"), reasons.toString());
        assertTrue(reasons.get("dup.jpg").contains("used by 2 entries"));
        List<String> keys = rowsByKey(dir.resolve("shards").toString(), jsc().hadoopConfiguration()).values().stream()
                .map(ShardRow::key).toList();
        assertEquals(1, keys.stream().filter(k -> k.equals(first)).count());
        assertTrue(Files.exists(dir.resolve("shards/rejects.csv")));
    }
}
