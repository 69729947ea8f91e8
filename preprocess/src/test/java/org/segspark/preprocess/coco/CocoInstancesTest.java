package org.segspark.preprocess.coco;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CocoInstancesTest {
    private static CocoInstances parse(String json) throws Exception {
        return CocoInstances.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json");
    }

    private static final String CATS = "\"categories\":[{\"id\":3,\"name\":\"car\"},{\"id\":1,\"name\":\"person\"}]";

    @Test
    void malformedJsonNamesFileLineAndColumn() {
        CocoFormatException e = assertThrows(CocoFormatException.class,
                () -> parse("{\"images\":[{\"id\":1,\n \"file_name\": \"a.jpg\",, }]}"));
        assertTrue(e.getMessage().startsWith("test.json: malformed JSON at line 2"), e.getMessage());
    }

    @Test
    void missingArraysAreNamed() {
        CocoFormatException e = assertThrows(CocoFormatException.class, () -> parse("{\"images\":[]}"));
        assertTrue(e.getMessage().contains("needs \"images\", \"annotations\" and \"categories\""), e.getMessage());
    }

    @Test
    void oddPolygonMakesTheAnnotationUnusableWithAReason() throws Exception {
        CocoInstances c = parse("{\"images\":[{\"id\":7,\"file_name\":\"a.jpg\",\"width\":4,\"height\":4}],"
                + "\"annotations\":[{\"id\":70,\"image_id\":7,\"category_id\":1,\"iscrowd\":0,"
                + "\"segmentation\":[[0,0,3,0,3]]}]," + CATS + "}");
        CocoAnnotation a = c.annotationsOf(7).get(0);
        assertFalse(a.usable());
        assertEquals("annotation 70: polygon 0 has an odd number of coordinates (5)", a.problem());
        CocoImageRecord r = CocoImageRecord.of(c).get(0);
        assertEquals(a.problem(), r.problem());
    }

    @Test
    void annotationOfUnknownImageIsAnOrphan() throws Exception {
        CocoInstances c = parse("{\"images\":[{\"id\":7,\"file_name\":\"a.jpg\",\"width\":4,\"height\":4}],"
                + "\"annotations\":[{\"id\":71,\"image_id\":8,\"category_id\":1,\"iscrowd\":0,"
                + "\"segmentation\":[[0,0,3,0,3,3]]}]," + CATS + "}");
        assertEquals(1, c.orphans().size());
        assertEquals(8, c.orphans().get(0).imageId());
        assertTrue(c.annotationsOf(7).isEmpty());
    }

    @Test
    void unknownCategoryAndBadRleAreProblems() throws Exception {
        CocoInstances c = parse("{\"images\":[{\"id\":7,\"file_name\":\"a.jpg\",\"width\":4,\"height\":4}],"
                + "\"annotations\":[{\"id\":72,\"image_id\":7,\"category_id\":5,\"segmentation\":[[0,0,3,0,3,3]]},"
                + "{\"id\":73,\"image_id\":7,\"category_id\":1,\"iscrowd\":1,\"segmentation\":{\"size\":[4,4],\"counts\":[3,2]}}],"
                + CATS + "}");
        assertEquals("annotation 72 names unknown category id 5", c.annotationsOf(7).get(0).problem());
        assertEquals("annotation 73: RLE counts sum to 5, not 4x4 = 16", c.annotationsOf(7).get(1).problem());
    }

    @Test
    void categoriesAreSortedByIdAndDefaultMappingFollowsThem() throws Exception {
        CocoInstances c = parse("{\"images\":[],\"annotations\":[]," + CATS + "}");
        assertEquals(1, c.categories().get(0).id());
        LabelMapping m = LabelMapping.byCategoryOrder(c.categories());
        assertEquals(1, m.classOf(1));
        assertEquals(2, m.classOf(3));
        assertEquals(0, m.classOf(99));
        assertEquals(java.util.List.of("background", "person", "car"), m.classNames());
    }

    @Test
    void compressedRleSegmentationIsParsed() throws Exception {
        Rle r = Rle.fromPolygon(new double[] {0, 0, 3, 0, 3, 3, 0, 3}, 4, 4);
        CocoInstances c = parse("{\"images\":[{\"id\":7,\"file_name\":\"a.jpg\",\"width\":4,\"height\":4}],"
                + "\"annotations\":[{\"id\":74,\"image_id\":7,\"category_id\":1,\"iscrowd\":1,"
                + "\"segmentation\":{\"size\":[4,4],\"counts\":\"" + r.toCompressedString() + "\"}}]," + CATS + "}");
        CocoAnnotation a = c.annotationsOf(7).get(0);
        assertNull(a.problem());
        assertEquals(r.area(), a.segmentation().toRle(4, 4).area());
    }

    @Test
    void coco4MappingMatchesTheSeed() {
        LabelMapping m = LabelMapping.coco4();
        assertEquals(1, m.classOf(1));
        for (long id = 2; id <= 9; id++) {
            assertEquals(2, m.classOf(id));
        }
        for (long id = 16; id <= 25; id++) {
            assertEquals(3, m.classOf(id));
        }
        assertEquals(0, m.classOf(10));
        assertEquals(0, m.classOf(15));
        assertEquals(0, m.classOf(26));
    }
}
