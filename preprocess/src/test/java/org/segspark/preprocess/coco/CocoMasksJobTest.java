package org.segspark.preprocess.coco;

import org.segspark.preprocess.SparkTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.TestData;
import org.segspark.preprocess.image.LabelPng;
import org.segspark.preprocess.io.Reject;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** coco-masks on the real val2017 subset, of which only seven images are in the test resources. */
class CocoMasksJobTest extends SparkTest {
    @TempDir
    Path out;

    @Test
    void onePngPerImageAtItsOwnSizeAndMissingImagesRejected() throws Exception {
        String json = TestData.path("coco_val2017_tiny/annotations/instances_val2017.json").toString();
        String images = TestData.path("coco_val2017_tiny/val2017").toString();
        CocoMasksJob.Result r = CocoMasksJob.run(jsc(), json, images, out.toString(), "coco4", false);
        assertEquals(80, r.accounting().inputs());
        assertEquals(7, r.accounting().written());
        assertEquals(73, r.accounting().rejected());
        for (Reject rej : r.rejects()) {
            assertEquals("read", rej.stage());
            assertTrue(rej.reason().startsWith("missing file "), rej.reason());
        }
        CocoInstances inst;
        try (InputStream in = TestData.open("coco_val2017_tiny/annotations/instances_val2017.json")) {
            inst = CocoInstances.read(in, json);
        }
        CocoImage crowdImage = inst.images().stream().filter(i -> i.id() == 491008).findFirst().orElseThrow();
        Path png = out.resolve("000000491008.png");
        int[] size = new int[2];
        byte[] labels = LabelPng.decode(Files.readAllBytes(png), size);
        assertEquals(crowdImage.width(), size[0]);
        assertEquals(crowdImage.height(), size[1]);
        assertArrayEquals(LabelMapBuilder.build(crowdImage, inst.annotationsOf(491008), LabelMapping.coco4()), labels);
        assertTrue(Files.exists(out.resolve(CocoMasksJob.CLASSES_FILE)));
        assertTrue(Files.readString(out.resolve("rejects.csv")).startsWith("path,stage,reason\n"));
    }

    @Test
    void maskNameReplacesTheExtension() {
        assertEquals("000000123.png", CocoMasksJob.maskName("000000123.jpg"));
        assertEquals("sub/dir/a.b.png", CocoMasksJob.maskName("sub/dir/a.b.jpeg"));
        assertEquals("noext.png", CocoMasksJob.maskName("noext"));
    }
}
