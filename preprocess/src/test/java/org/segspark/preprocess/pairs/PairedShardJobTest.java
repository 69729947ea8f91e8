package org.segspark.preprocess.pairs;

import org.segspark.preprocess.SparkTest;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.job.ShardJob;
import org.segspark.preprocess.job.ShardJobOptions;
import org.segspark.core.shards.ShardManifest;
import org.segspark.core.shards.ShardRow;
import org.segspark.core.shards.ShardSet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PairedShardJobTest extends SparkTest {
    static final int S = 16;

    @TempDir
    Path dir;

    static void image(Path p, String format, int w, int h) throws IOException {
        Files.createDirectories(p.getParent());
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 15) << 16 | (y * 15) << 8 | 0x40);
            }
        }
        assertTrue(ImageIO.write(img, format, p.toFile()));
    }

    /** Left third value a, middle third b, right third c. */
    static void greyMask(Path p, int w, int h, int a, int b, int c) throws IOException {
        Files.createDirectories(p.getParent());
        BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                m.getRaster().setSample(x, y, 0, x < w / 3 ? a : x < 2 * w / 3 ? b : c);
            }
        }
        ImageIO.write(m, "png", p.toFile());
    }

    @Test
    void pairsBecomeRowsWithMappedClassesAndEveryOddFileIsAccountedFor() throws Exception {
        Path images = dir.resolve("images"), masks = dir.resolve("masks");
        image(images.resolve("train/a.jpg"), "jpg", S, S);
        greyMask(masks.resolve("train/a.png"), S, S, 1, 2, 3);
        // a VOC-style palette mask: its indices are the values, whatever the colours
        image(images.resolve("val/b.png"), "png", S, S);
        byte[] r = new byte[256], g = new byte[256], bl = new byte[256];
        r[1] = (byte) 200;
        g[2] = (byte) 200;
        BufferedImage pal = new BufferedImage(S, S, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(8, 256, r, g, bl));
        for (int y = 0; y < S; y++) {
            for (int x = 0; x < S; x++) {
                pal.getRaster().setSample(x, y, 0, y < S / 2 ? 1 : 2);
            }
        }
        Files.createDirectories(masks.resolve("val"));
        ImageIO.write(pal, "png", masks.resolve("val/b.png").toFile());
        image(images.resolve("c.jpg"), "jpg", S, S);
        greyMask(masks.resolve("c.png"), S, S, 2, 2, 1);
        // a GIF named .jpg is still a valid image
        image(images.resolve("sub/d.jpg"), "gif", S, S);
        greyMask(masks.resolve("sub/d.png"), S, S, 1, 1, 1);
        image(images.resolve("e.jpg"), "jpg", S, S);                 // no mask
        greyMask(masks.resolve("orphan.png"), S, S, 1, 1, 1);        // no image
        image(images.resolve("f.jpg"), "jpg", S, S);
        greyMask(masks.resolve("f.png"), S + 1, S, 1, 1, 1);         // wrong size
        image(images.resolve("g.jpg"), "jpg", S, S);
        greyMask(masks.resolve("g.png"), S, S, 1, 7, 2);             // 7 is not in the mapping
        Files.writeString(images.resolve("notes.txt"), "not an image");

        Path out = dir.resolve("shards");
        ShardJob.Result res = PairedShardJob.run(jsc(), images.toString(), masks.toString(), MaskMapping.parse("1=1,2=0,3=255", 2),
                List.of("background", "thing"), new ShardJobOptions(out.toString(), S, S, 4, 64, CompressionCodecName.ZSTD),
                Resize.Aspect.STRETCH, 0.5, 3, 100_000_000L, null);
        assertEquals(9, res.accounting().inputs());
        assertEquals(4, res.accounting().written());
        Map<String, Reject> rejects = res.rejects().stream().collect(Collectors.toMap(Reject::path, x -> x));
        assertEquals(5, rejects.size(), rejects.toString());
        assertTrue(rejects.get("images/e.jpg").reason().contains("no mask e.*"), rejects.toString());
        assertTrue(rejects.get("masks/orphan.png").reason().contains("no image"), rejects.toString());
        assertTrue(rejects.get("images/f.jpg").reason().contains("is 17x16, the image 16x16"), rejects.toString());
        assertTrue(rejects.get("images/g.jpg").reason().contains("value [7] missing from the mapping"), rejects.toString());
        assertTrue(rejects.get("images/notes.txt").reason().contains("not an image"), rejects.toString());

        ShardManifest m = ShardSet.open(out.toString(), jsc().hadoopConfiguration()).manifest();
        assertEquals(List.of("background", "thing"), m.classes());
        Map<String, ShardRow> rows = rowsByKey(out.toString(), jsc().hadoopConfiguration());
        assertEquals("train", rows.get("train/a.jpg").split(), "train/ decides the split");
        assertEquals("val", rows.get("val/b.png").split(), "val/ decides the split");
        byte[] a = rows.get("train/a.jpg").mask();
        assertEquals(1, a[0]);                       // value 1 -> class 1
        assertEquals(0, a[S / 2]);                   // value 2 -> class 0
        assertEquals(255, a[S - 1] & 0xff);          // value 3 -> ignore
        byte[] b = rows.get("val/b.png").mask();
        assertEquals(1, b[0]);                       // palette index 1 -> class 1
        assertEquals(0, b[(S - 1) * S]);             // palette index 2 -> class 0
        assertEquals(1, rows.get("sub/d.jpg").mask()[5], "the GIF named .jpg was decoded");
    }

    @Test
    void mappingsAreValidated() {
        assertEquals(3, MaskMapping.parse("0=0,128=2", 0).classes());
        assertEquals(MaskMapping.UNMAPPED, MaskMapping.parse("0=0,128=2", 0).map(5));
        assertEquals(255, MaskMapping.identity(4).map(255));
        assertEquals(MaskMapping.UNMAPPED, MaskMapping.identity(4).map(4));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MaskMapping.parse("1:1", 2));
        assertTrue(e.getMessage().contains("is not value=class"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskMapping.parse("1=1,1=0", 2));
        assertTrue(e.getMessage().contains("maps value 1 twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> MaskMapping.parse("1=300", 2));
        assertTrue(e.getMessage().contains("0..255"), e.getMessage());
    }

    @Test
    void aMissingRootIsAClearError() {
        java.io.FileNotFoundException e = assertThrows(java.io.FileNotFoundException.class, () -> PairedFolders.list(
                new File(dir.toFile(), "nope").toString(), dir.toString(), 0.2, 0, jsc().hadoopConfiguration()));
        assertTrue(e.getMessage().contains("nope is not a folder"), e.getMessage());
    }

    /** A two-colour palette GIF whose index is 1 on the left half, as Carvana's masks. */
    static void gifMask(Path p, int w, int h) throws IOException {
        Files.createDirectories(p.getParent());
        byte[] r = {0, (byte) 255}, g = {0, (byte) 255}, b = {0, (byte) 255};
        BufferedImage m = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY, new IndexColorModel(1, 2, r, g, b));
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                m.getRaster().setSample(x, y, 0, x < w / 2 ? 1 : 0);
            }
        }
        assertTrue(ImageIO.write(m, "gif", p.toFile()));
    }

    @Test
    void masksNamedWithASuffixPairUpAsInCarvanaAndIsic() throws Exception {
        Path images = dir.resolve("train"), masks = dir.resolve("train_masks");
        image(images.resolve("0cdf5b5d0ce1_01.jpg"), "jpg", S, S);
        gifMask(masks.resolve("0cdf5b5d0ce1_01_mask.gif"), S, S);
        image(images.resolve("0cdf5b5d0ce1_02.tif"), "tif", S, S);              // TIFF images are images too
        gifMask(masks.resolve("0cdf5b5d0ce1_02_mask.gif"), S, S);
        image(images.resolve("lonely.jpg"), "jpg", S, S);                         // no mask
        gifMask(masks.resolve("nosuffix.gif"), S, S);                             // lacks the suffix

        Path out = dir.resolve("shards");
        ShardJob.Result res = PairedShardJob.run(jsc(), images.toString(), masks.toString(), "", "_mask",
                MaskMapping.identity(2), List.of("background", "car"),
                new ShardJobOptions(out.toString(), S, S, 4, 64, CompressionCodecName.ZSTD),
                Resize.Aspect.STRETCH, 0.5, 3, 100_000_000L, null);
        assertEquals(4, res.accounting().inputs());
        assertEquals(2, res.accounting().written());
        Map<String, Reject> rejects = res.rejects().stream().collect(Collectors.toMap(Reject::path, x -> x));
        assertTrue(rejects.get("images/lonely.jpg").reason().contains("no mask lonely_mask.*"), rejects.toString());
        assertTrue(rejects.get("masks/nosuffix.gif").reason().contains("does not end with \"_mask\""), rejects.toString());
        Map<String, ShardRow> rows = rowsByKey(out.toString(), jsc().hadoopConfiguration());
        byte[] m = rows.get("0cdf5b5d0ce1_02.tif").mask();
        assertEquals(1, m[0], "palette index 1 on the left is the car");
        assertEquals(0, m[S - 1]);
        assertEquals(0x40, rows.get("0cdf5b5d0ce1_02.tif").image()[2] & 0xff, "the TIFF's pixels");
    }
}
