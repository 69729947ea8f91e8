package org.segspark.preprocess.coco;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.segspark.preprocess.TestData;
import org.segspark.preprocess.image.ImageDecoder;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every annotation of two real COCO subsets rasterised and encoded by segspark must give exactly
 * the RLE that pycocotools' annToRLE gives (expected values computed with cocoapi's maskApi.c).
 */
class PycocotoolsFidelityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "coco_val2017_tiny/annotations/instances_val2017.json, coco_val2017_tiny/expected_pycocotools/annToRLE_val2017.json, 815",
            "coco_eval_val2014_100/annotations/instances_val2014_100.json, coco_eval_val2014_100/expected_pycocotools/annToRLE_val2014_100.json, 839"
    })
    void everyAnnotationMatchesPycocotools(String annotations, String expected, int count) throws Exception {
        CocoInstances inst;
        try (InputStream in = TestData.open(annotations)) {
            inst = CocoInstances.read(in, annotations);
        }
        Map<Long, CocoImage> images = new HashMap<>();
        inst.images().forEach(i -> images.put(i.id(), i));
        Map<Long, CocoAnnotation> anns = new HashMap<>();
        for (CocoImage img : inst.images()) {
            inst.annotationsOf(img.id()).forEach(a -> anns.put(a.id(), a));
        }
        JsonNode exp = JSON.readTree(TestData.bytes(expected)).get("annotations");
        assertEquals(count, exp.size());
        assertEquals(count, anns.size(), "every annotation belongs to an image");
        List<String> mismatches = new ArrayList<>();
        int polygons = 0, rles = 0;
        for (JsonNode e : exp) {
            long id = e.get("id").asLong();
            CocoAnnotation a = anns.get(id);
            assertTrue(a.usable(), "annotation " + id + ": " + a.problem());
            CocoImage img = images.get(a.imageId());
            Rle rle = a.segmentation().toRle(img.height(), img.width());
            if (a.segmentation() instanceof Segmentation.Polygons) {
                polygons++;
            } else {
                rles++;
            }
            String counts = e.get("rle").get("counts").asText();
            if (!counts.equals(rle.toCompressedString())) {
                mismatches.add(id + " counts");
            }
            if (rle.area() != e.get("mask_area").asLong()) {
                mismatches.add(id + " area " + rle.area() + " vs " + e.get("mask_area").asLong());
            }
            double[] bbox = rle.bbox();
            for (int k = 0; k < 4; k++) {
                if (bbox[k] != e.get("mask_bbox").get(k).asDouble()) {
                    mismatches.add(id + " bbox");
                    break;
                }
            }
            assertEquals(e.get("rle").get("size").get(0).asInt(), rle.height());
            assertEquals(e.get("rle").get("size").get(1).asInt(), rle.width());
        }
        assertTrue(polygons > 0 && rles > 0, "both polygon and RLE annotations were covered");
        long differing = mismatches.stream().map(m -> m.split(" ")[0]).distinct().count();
        assertEquals(List.of(), mismatches.subList(0, Math.min(10, mismatches.size())),
                differing + " of " + count + " annotations differ from pycocotools");
    }

    @ParameterizedTest(name = "annotation {0}")
    @CsvSource({"508910", "1342996", "126207", "128370", "900100184324", "906200491008", "1872220", "1533108"})
    void decodedMasksEqualAnnToMask(long annotationId) throws Exception {
        String annotations = "coco_val2017_tiny/annotations/instances_val2017.json";
        CocoInstances inst;
        try (InputStream in = TestData.open(annotations)) {
            inst = CocoInstances.read(in, annotations);
        }
        for (CocoImage img : inst.images()) {
            for (CocoAnnotation a : inst.annotationsOf(img.id())) {
                if (a.id() != annotationId) {
                    continue;
                }
                byte[] ours = a.segmentation().toRle(img.height(), img.width()).toRowMajorMask();
                BufferedImage png = new ImageDecoder().decodeImage(
                        TestData.bytes("coco_val2017_tiny/expected_pycocotools/masks/" + annotationId + ".png"));
                byte[] expected = ((DataBufferByte) png.getRaster().getDataBuffer()).getData();
                assertEquals(img.width(), png.getWidth());
                assertEquals(img.height(), png.getHeight());
                byte[] expected01 = new byte[expected.length];
                for (int i = 0; i < expected.length; i++) {
                    expected01[i] = (byte) (expected[i] != 0 ? 1 : 0);
                }
                assertArrayEquals(expected01, ours);
                return;
            }
        }
        throw new AssertionError("annotation " + annotationId + " not found");
    }

    /** cocoapi's own fake segmentation results: 734 compressed RLE strings decode and re-encode unchanged. */
    @Test
    void compressedStringsRoundTrip() throws Exception {
        JsonNode results = JSON.readTree(TestData.bytes("coco_eval_val2014_100/results/instances_val2014_fakesegm100_results.json"));
        assertEquals(734, results.size());
        for (JsonNode r : results) {
            JsonNode seg = r.get("segmentation");
            int h = seg.get("size").get(0).asInt(), w = seg.get("size").get(1).asInt();
            String s = seg.get("counts").asText();
            Rle rle = Rle.fromString(s, h, w);
            assertEquals(s, rle.toCompressedString());
            assertEquals((long) h * w, rle.pixelCount(), "runs cover the image");
            // through uncompressed counts and back, as a COCO file could store it
            assertEquals(s, Rle.fromCounts(rle.counts(), h, w).toCompressedString());
        }
    }
}
