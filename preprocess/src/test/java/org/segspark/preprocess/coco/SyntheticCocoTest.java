package org.segspark.preprocess.coco;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticCocoTest {
    @Test
    void sameSeedSameBytesOtherSeedOtherBytes(@TempDir Path dir) throws Exception {
        new SyntheticCoco(64, 48, 7).write(dir.resolve("a"), 6);
        new SyntheticCoco(64, 48, 7).write(dir.resolve("b"), 6);
        new SyntheticCoco(64, 48, 8).write(dir.resolve("c"), 6);
        byte[] a = Files.readAllBytes(dir.resolve("a").resolve(SyntheticCoco.ANNOTATIONS));
        assertArrayEquals(a, Files.readAllBytes(dir.resolve("b").resolve(SyntheticCoco.ANNOTATIONS)));
        assertFalse(java.util.Arrays.equals(a, Files.readAllBytes(dir.resolve("c").resolve(SyntheticCoco.ANNOTATIONS))));
        assertArrayEquals(Files.readAllBytes(dir.resolve("a/images/000000000003.jpg")),
                Files.readAllBytes(dir.resolve("b/images/000000000003.jpg")));
    }

    @Test
    void isARealCocoFileWithPolygonsCrowdsAndOverlaps(@TempDir Path dir) throws Exception {
        new SyntheticCoco(96, 72, 1).write(dir, 40);
        CocoInstances inst;
        try (InputStream in = Files.newInputStream(dir.resolve(SyntheticCoco.ANNOTATIONS))) {
            inst = CocoInstances.read(in, "synthetic");
        }
        assertEquals(40, inst.images().size());
        assertEquals(List.of(1L, 3L, 18L), inst.categories().stream().map(CocoCategory::id).toList());
        int crowds = 0, compressed = 0, multipart = 0, overlapping = 0;
        for (CocoImage img : inst.images()) {
            assertTrue(Files.exists(dir.resolve("images").resolve(img.fileName())));
            List<CocoAnnotation> anns = inst.annotationsOf(img.id());
            assertFalse(anns.isEmpty());
            for (CocoAnnotation a : anns) {
                assertTrue(a.usable(), String.valueOf(a.problem()));
                if (a.crowd()) {
                    crowds++;
                    if (a.segmentation() instanceof Segmentation.CompressedRle) {
                        compressed++;
                    }
                } else if (((Segmentation.Polygons) a.segmentation()).parts().size() > 1) {
                    multipart++;
                }
            }
            byte[] map = LabelMapBuilder.build(img, anns, LabelMapping.byCategoryOrder(inst.categories()));
            for (byte b : map) {
                if ((b & 0xff) == 255) {
                    overlapping++;
                    break;
                }
            }
        }
        assertTrue(crowds > 0 && compressed > 0 && compressed < crowds, "crowds in both RLE forms: " + crowds + "/" + compressed);
        assertTrue(multipart > 0, "people have body and head parts");
        assertTrue(overlapping > 0, "some images have ignore pixels");
    }
}
