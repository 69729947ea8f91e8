package org.segspark.preprocess.cifar;

import org.segspark.preprocess.SparkTest;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.RgbImage;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The official batch files are 30 MB each and not available to the tests, so the test writes
 * data_batch_1.bin itself in the published layout (label byte, then the red, green and blue planes)
 * from what is known of the real file: its first 47 labels and the first 48 red bytes of record 0,
 * as recorded in data/cifar10_imagefolder_jpg/PROVENANCE.txt, with the remaining pixels taken from
 * the real CIFAR-10 JPEGs of the same images (the k-th image of a class in the batch is
 * train/CLASS/000k.jpg). The reader must give back exactly those labels and bytes, in HWC order.
 */
class Cifar10BinaryTest extends SparkTest {
    static final Path IMAGES = Path.of("src/test/resources/data/cifar10_imagefolder_jpg");
    /** data_batch_1.bin labels 0..46, published with the official download. */
    static final int[] FIRST_LABELS = {6, 9, 9, 4, 1, 1, 2, 7, 8, 3, 4, 7, 7, 2, 9, 9, 9, 3, 2, 6, 4, 3, 6, 6, 2, 6, 3,
            5, 4, 0, 0, 9, 1, 3, 4, 0, 3, 7, 3, 3, 5, 2, 2, 7, 1, 1, 1};
    /** data_batch_1.bin record 0, bytes 1..48: the red plane's row 0 and the first half of row 1. */
    static final int[] RECORD0_RED = {59, 43, 50, 68, 98, 119, 139, 145, 149, 149, 131, 125, 142, 144, 137, 129, 137,
            134, 124, 139, 139, 133, 136, 139, 152, 163, 168, 159, 158, 158, 152, 148, 16, 0, 18, 51, 88, 120, 128, 127,
            126, 116, 106, 101, 105, 113, 109, 112};

    @TempDir
    Path dir;

    /** The batch as the official tarball lays it out, built from the published facts and the real JPEGs. */
    static byte[] dataBatch1() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int[] seen = new int[10];
        for (int i = 0; i < FIRST_LABELS.length; i++) {
            int label = FIRST_LABELS[i];
            RgbImage img = jpeg("train", Cifar10Binary.CLASSES.get(label), seen[label]++);
            byte[] planes = planes(img);
            if (i == 0) {
                for (int p = 0; p < RECORD0_RED.length; p++) {
                    planes[p] = (byte) RECORD0_RED[p];
                }
            }
            out.write(label);
            out.write(planes);
        }
        return out.toByteArray();
    }

    static RgbImage jpeg(String split, String cls, int index) throws Exception {
        return new ImageDecoder().decode(Files.readAllBytes(IMAGES.resolve(split).resolve(cls)
                .resolve(String.format("%04d.jpg", index))));
    }

    /** HWC pixels to the format's three planes. */
    static byte[] planes(RgbImage img) {
        int n = img.width() * img.height();
        byte[] planes = new byte[3 * n];
        for (int p = 0; p < n; p++) {
            for (int c = 0; c < 3; c++) {
                planes[c * n + p] = img.pixels()[p * 3 + c];
            }
        }
        return planes;
    }

    @Test
    void readsThePublishedLabelsAndBytesOfDataBatch1() throws Exception {
        Files.write(dir.resolve("data_batch_1.bin"), dataBatch1());
        List<Cifar10Binary.Chunk> chunks = Cifar10Binary.plan(dir.toString(), jsc().hadoopConfiguration());
        assertEquals(1, chunks.size());
        assertEquals(FIRST_LABELS.length, chunks.get(0).records());
        assertEquals("train", chunks.get(0).split());
        byte[] bytes = Cifar10Binary.read(chunks.get(0), jsc().hadoopConfiguration());
        for (int i = 0; i < FIRST_LABELS.length; i++) {
            assertEquals(FIRST_LABELS[i], Cifar10Binary.label(bytes, i), "label of record " + i);
        }
        RgbImage frog = Cifar10Binary.image(bytes, 0);
        for (int p = 0; p < RECORD0_RED.length; p++) {
            assertEquals(RECORD0_RED[p], frog.pixels()[p * 3] & 0xff, "red byte " + p + " of record 0");
        }
        // green and blue come from the JPEG of the same frog: the planes land in the right channels
        RgbImage jpeg = jpeg("train", "frog", 0);
        for (int p = 0; p < 32 * 32; p++) {
            assertEquals(jpeg.pixels()[p * 3 + 1], frog.pixels()[p * 3 + 1]);
            assertEquals(jpeg.pixels()[p * 3 + 2], frog.pixels()[p * 3 + 2]);
        }
        // and the published red bytes are the JPEG's red channel up to compression error (mean ~7 levels)
        double diff = 0;
        for (int p = 0; p < RECORD0_RED.length; p++) {
            diff += Math.abs(RECORD0_RED[p] - (jpeg.pixels()[p * 3] & 0xff));
        }
        assertTrue(diff / RECORD0_RED.length < 12, "mean red difference " + diff / RECORD0_RED.length);
        assertEquals(Cifar10Binary.CLASSES, Cifar10Binary.classes(dir.toString(), jsc().hadoopConfiguration()));
    }

    @Test
    void shardsEveryRecordAndRejectsTruncatedTailsAndBadLabels() throws Exception {
        Files.write(dir.resolve("data_batch_1.bin"), dataBatch1());
        // a second batch whose record 1 has label 12 and which ends in half a record
        ByteArrayOutputStream b2 = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            b2.write(i == 1 ? 12 : 3);
            b2.write(planes(jpeg("train", "cat", 40 + i)));
        }
        b2.write(new byte[1500]);
        Files.write(dir.resolve("data_batch_2.bin"), b2.toByteArray());
        ByteArrayOutputStream test = new ByteArrayOutputStream();
        for (int i = 0; i < 10; i++) {
            test.write(i);
            test.write(planes(jpeg("test", Cifar10Binary.CLASSES.get(i), 0)));
        }
        Files.write(dir.resolve("test_batch.bin"), test.toByteArray());
        Files.copy(IMAGES.resolve("cifar-10-batches-bin_meta").resolve(Cifar10Binary.META),
                dir.resolve(Cifar10Binary.META));

        Path out = dir.resolve("shards");
        ShardJobOptions options = new ShardJobOptions(out.toString(), 32, 32, 8, 16, CompressionCodecName.ZSTD);
        ShardJob.Result result = Cifar10ShardJob.run(jsc(), dir.toString(), options, null);

        assertEquals(47 + 3 + 1 + 10, result.accounting().inputs());
        assertEquals(47 + 2 + 10, result.accounting().written());
        Map<String, String> reasons = new HashMap<>();
        for (Reject r : result.rejects()) {
            reasons.put(r.path().replaceAll(".*/", ""), r.stage() + ": " + r.reason());
        }
        assertEquals("decode: label 12 outside 0..9", reasons.get("data_batch_2.bin#1"));
        assertTrue(reasons.get("data_batch_2.bin#3").startsWith("read: truncated record: 1500 bytes"), reasons.toString());

        ShardSet set = ShardSet.open(out.toString(), jsc().hadoopConfiguration());
        set.verify(jsc().hadoopConfiguration());
        assertEquals(49, set.manifest().splits().get("train").examples());
        assertEquals(10, set.manifest().splits().get("val").examples());
        assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, set.manifest().splits().get("val").classExamples());
        Map<String, ShardRow> rows = new HashMap<>();
        for (String split : List.of("train", "val")) {
            for (org.apache.hadoop.fs.Path f : set.files(split)) {
                try (ShardFileReader r = new ShardFileReader(f, jsc().hadoopConfiguration())) {
                    for (ShardRow row : r.readAll()) {
                        rows.put(row.key(), row);
                    }
                }
            }
        }
        assertEquals(59, rows.size());
        ShardRow frog = rows.get("data_batch_1.bin#0");
        assertEquals(6, frog.label());
        byte[] expected = Cifar10Binary.image(dataBatch1(), 0).pixels();
        assertArrayEquals(expected, frog.image());
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < 47; i++) {
            labels.add(rows.get("data_batch_1.bin#" + i).label());
        }
        assertEquals(java.util.Arrays.stream(FIRST_LABELS).boxed().toList(), labels);
    }

    @Test
    void aFolderWithoutBatchFilesIsAClearError() {
        Exception e = assertThrows(java.io.FileNotFoundException.class,
                () -> Cifar10Binary.plan(dir.toString(), jsc().hadoopConfiguration()));
        assertTrue(e.getMessage().contains("holds no CIFAR-10 batch files"), e.getMessage());
    }
}
