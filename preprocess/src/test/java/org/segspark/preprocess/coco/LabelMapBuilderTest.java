package org.segspark.preprocess.coco;

import org.junit.jupiter.api.Test;
import org.segspark.preprocess.TestData;

import java.io.InputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LabelMapBuilderTest {
    private static final CocoImage IMAGE = new CocoImage(1, "a.jpg", 10, 8);
    private static final LabelMapping MAPPING = new LabelMapping("t", List.of("bg", "person", "car"),
            java.util.Map.of(1L, 1, 3L, 2));

    private static CocoAnnotation box(long id, long category, boolean crowd, double x, double y, double w, double h) {
        double[] poly = {x, y, x + w, y, x + w, y + h, x, y + h};
        Segmentation seg = crowd
                ? new Segmentation.UncompressedRle(Rle.fromPolygon(poly, IMAGE.height(), IMAGE.width()).counts(),
                IMAGE.height(), IMAGE.width())
                : new Segmentation.Polygons(List.of(poly));
        return new CocoAnnotation(id, 1, category, crowd, seg, null);
    }

    private static int at(byte[] map, int x, int y) {
        return map[y * IMAGE.width() + x] & 0xff;
    }

    @Test
    void backgroundIsZeroAndAnInstanceIsItsClass() {
        byte[] map = LabelMapBuilder.build(IMAGE, List.of(box(1, 1, false, 1, 1, 3, 3)), MAPPING);
        assertEquals(0, at(map, 8, 6));
        assertEquals(1, at(map, 2, 2));
    }

    @Test
    void overlapOfTwoClassesIsIgnoredButSameClassIsNot() {
        byte[] map = LabelMapBuilder.build(IMAGE, List.of(
                box(1, 1, false, 0, 0, 5, 5), box(2, 3, false, 3, 3, 5, 4), box(3, 1, false, 1, 1, 2, 2)), MAPPING);
        assertEquals(1, at(map, 1, 1), "two person instances: still person");
        assertEquals(255, at(map, 4, 4), "person and car overlap: ignore");
        assertEquals(2, at(map, 6, 5), "car alone");
        assertEquals(1, at(map, 0, 0));
    }

    @Test
    void crowdRegionsAreIgnoredWhateverCoversThem() {
        byte[] map = LabelMapBuilder.build(IMAGE, List.of(
                box(1, 3, false, 0, 0, 6, 6), box(2, 1, true, 2, 2, 6, 5)), MAPPING);
        assertEquals(255, at(map, 3, 3));
        assertEquals(255, at(map, 7, 6), "crowd over background");
        assertEquals(2, at(map, 1, 1));
    }

    @Test
    void unmappedCategoriesNeitherPaintNorConflict() {
        byte[] map = LabelMapBuilder.build(IMAGE, List.of(
                box(1, 1, false, 0, 0, 5, 5), box(2, 99, false, 2, 2, 6, 6)), MAPPING);
        assertEquals(1, at(map, 3, 3));
        assertEquals(0, at(map, 7, 7));
    }

    @Test
    void realCrowdImageHasIgnoredPixelsAndClasses() throws Exception {
        String file = "coco_val2017_tiny/annotations/instances_val2017.json";
        CocoInstances inst;
        try (InputStream in = TestData.open(file)) {
            inst = CocoInstances.read(in, file);
        }
        CocoImage image = inst.images().stream().filter(i -> i.id() == 491008).findFirst().orElseThrow();
        List<CocoAnnotation> anns = inst.annotationsOf(image.id());
        byte[] map = LabelMapBuilder.build(image, anns, LabelMapping.coco4());
        CocoAnnotation crowd = anns.stream().filter(CocoAnnotation::crowd).findFirst().orElseThrow();
        byte[] crowdMask = crowd.segmentation().toRle(image.height(), image.width()).toRowMajorMask();
        int[] hist = new int[256];
        for (int i = 0; i < map.length; i++) {
            hist[map[i] & 0xff]++;
            if (crowdMask[i] == 1) {
                assertEquals(255, map[i] & 0xff, "crowd pixel " + i);
            }
        }
        assertTrue(hist[0] > 0 && hist[255] > 0);
        for (int v = 4; v < 255; v++) {
            assertEquals(0, hist[v], "coco4 has classes 0..3 and 255 only");
        }
    }
}
