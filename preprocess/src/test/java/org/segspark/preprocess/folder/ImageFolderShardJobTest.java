package org.segspark.preprocess.folder;

import org.segspark.preprocess.SparkTest;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.image.ImageDecoder;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardFileReader;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageFolderShardJobTest extends SparkTest {
    static final Path CIFAR = Path.of("src/test/resources/data/cifar10_imagefolder_jpg");

    @TempDir
    Path dir;

    private ShardJob.Result run(Path input, Path out, int side) throws Exception {
        return ImageFolderShardJob.run(jsc(), input.toString(),
                new ShardJobOptions(out.toString(), side, side, 32, 128, CompressionCodecName.ZSTD),
                Resize.Aspect.STRETCH, 0.25, 7, 100_000_000L, null);
    }

    @Test
    void theRealCifarTreeBecomesTrainAndValShardsWithFolderLabels() throws Exception {
        Path out = dir.resolve("shards");
        ShardJob.Result result = run(CIFAR, out, 32);
        assertEquals(1000, result.accounting().inputs());
        assertEquals(1000, result.accounting().written());
        ShardSet set = ShardSet.open(out.toString(), jsc().hadoopConfiguration());
        set.verify(jsc().hadoopConfiguration());
        ShardManifest m = set.manifest();
        assertEquals(ShardManifest.CLASSIFICATION, m.task());
        assertEquals(List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"),
                m.classes());
        assertEquals(500, m.split("train").examples());
        assertEquals(500, m.split("val").examples());
        long[] fifty = new long[10];
        java.util.Arrays.fill(fifty, 50);
        assertArrayEquals(fifty, m.split("train").classExamples());
        assertArrayEquals(fifty, m.split("val").classExamples());

        Map<String, ShardRow> rows = new HashMap<>();
        for (String split : List.of("train", "val")) {
            for (org.apache.hadoop.fs.Path f : set.files(split)) {
                try (ShardFileReader r = new ShardFileReader(f, jsc().hadoopConfiguration())) {
                    r.readAll().forEach(row -> rows.put(row.key(), row));
                }
            }
        }
        ShardRow frog = rows.get("train/frog/0000.jpg");
        assertEquals(6, frog.label());
        assertEquals("train", frog.split());
        assertArrayEquals(new ImageDecoder().decode(Files.readAllBytes(CIFAR.resolve("train/frog/0000.jpg"))).pixels(),
                frog.image());
        assertEquals("val", rows.get("test/truck/0049.jpg").split());
        assertEquals(9, rows.get("test/truck/0049.jpg").label());
    }

    @Test
    void aFlatTreeIsSplitByHashAndOddFilesAreRejectedNotLost() throws Exception {
        Path in = dir.resolve("flat");
        for (String cls : List.of("cat", "dog")) {
            Files.createDirectories(in.resolve(cls).resolve("more"));
            for (int i = 0; i < 6; i++) {
                Files.copy(CIFAR.resolve("train/" + cls + String.format("/%04d.jpg", i)),
                        in.resolve(cls).resolve(i < 4 ? "" : "more").resolve(i + ".jpg"));
            }
        }
        Files.writeString(in.resolve("README.txt"), "about this set");
        Files.writeString(in.resolve("cat/notes.txt"), "not an image");
        Files.write(in.resolve("cat/.DS_Store"), new byte[] {1, 2, 3});
        Files.write(in.resolve("dog/empty.jpg"), new byte[0]);
        // a PNG with an alpha channel under a .jpg name is still a valid image: decoded, not rejected
        BufferedImage rgba = new BufferedImage(40, 20, BufferedImage.TYPE_INT_ARGB);
        rgba.setRGB(3, 4, 0x80ff0000);
        ImageIO.write(rgba, "png", in.resolve("dog/actually-png.jpg").toFile());

        Path out = dir.resolve("shards");
        ShardJob.Result result = run(in, out, 16);
        // the hidden .DS_Store is counted too: a reject saying it was not read
        assertEquals(12 + 1 + 4, result.accounting().inputs());
        assertEquals(13, result.accounting().written());
        Map<String, String> reasons = new HashMap<>();
        for (Reject r : result.rejects()) {
            reasons.put(r.path(), r.stage() + ": " + r.reason());
        }
        assertEquals(4, reasons.size(), reasons.toString());
        assertTrue(reasons.get("cat/.DS_Store").startsWith("list: hidden file"));
        assertEquals("list: file outside any class folder", reasons.get("README.txt"));
        assertTrue(reasons.get("cat/notes.txt").startsWith("list: not an image file extension"));
        assertEquals("decode: zero-byte file", reasons.get("dog/empty.jpg"));

        ShardManifest m = ShardSet.open(out.toString(), jsc().hadoopConfiguration()).manifest();
        assertEquals(List.of("cat", "dog"), m.classes());
        assertEquals(13, m.split("train").examples() + m.split("val").examples());
        assertTrue(m.split("val").examples() > 0 && m.split("train").examples() > m.split("val").examples());

        // the hash split is stable: a second run over the same tree puts every image where it was
        Path again = dir.resolve("again");
        run(in, again, 16);
        assertEquals(m.split("val").examples(),
                ShardSet.open(again.toString(), jsc().hadoopConfiguration()).manifest().split("val").examples());
    }

    @Test
    void aTreeWithoutClassFoldersIsAClearError() throws Exception {
        Files.writeString(dir.resolve("a.jpg"), "x");
        Exception e = assertThrows(IllegalArgumentException.class, () -> run(dir, dir.resolve("out"), 16));
        assertTrue(e.getMessage().contains("holds no class folders"), e.getMessage());
    }
}
