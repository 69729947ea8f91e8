package org.segspark.preprocess.cub;

import org.segspark.preprocess.SparkTest;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CUB-200-2011: the real metadata files (copied with their provenance), and a small data set in
 * the official layout generated here for real ids (their classes, split and bounding boxes):
 * images with a bird-coloured ellipse in the box, soft masks whose core is 255 and whose rim is
 * 102 (two annotators of five), plus the mess a real copy has.
 */
class CubShardJobTest extends SparkTest {
    static final Path META = Path.of("src/test/resources/data/cub_200_2011_metadata/CUB_200_2011");

    @TempDir
    Path dir;

    @Test
    void theRealMetadataHasTheOfficialCounts() throws IOException {
        CubDataset.Listing l = CubDataset.read(META.toString(), new org.apache.hadoop.conf.Configuration());
        assertEquals(11_788, l.items().size());
        assertTrue(l.rejects().isEmpty(), l.rejects().toString());
        assertEquals(200, l.classes().size());
        assertEquals("Black_footed_Albatross", l.classes().get(0));
        assertEquals(5_994, l.items().stream().filter(i -> i.split().equals("train")).count());
        assertEquals(5_794, l.items().stream().filter(i -> i.split().equals("val")).count());
        CubDataset.Item first = l.items().get(0);
        assertEquals(1, first.id());
        assertEquals("001.Black_footed_Albatross/Black_Footed_Albatross_0046_18.jpg", first.relative());
        assertEquals(0, first.label());
        assertEquals("val", first.split(), "image 1 is an official test image");
        assertArrayEquals(new float[] {60, 27, 325, 304}, first.box());
    }

    /** Real metadata lines for the first {@code perClass} images of classes 1..classes. */
    static Map<Integer, String[]> pick(int classes, int perClass) throws IOException {
        Map<Integer, String[]> images = CubDataset.lines(new org.apache.hadoop.fs.Path(META.toAbsolutePath().toString()),
                CubDataset.IMAGES, 2, new org.apache.hadoop.conf.Configuration(), true);
        Map<Integer, String[]> labels = CubDataset.lines(new org.apache.hadoop.fs.Path(META.toAbsolutePath().toString()),
                CubDataset.LABELS, 2, new org.apache.hadoop.conf.Configuration(), true);
        Map<Integer, Integer> taken = new HashMap<>();
        Map<Integer, String[]> out = new LinkedHashMap<>();
        for (Map.Entry<Integer, String[]> e : images.entrySet()) {
            int c = Integer.parseInt(labels.get(e.getKey())[1]);
            if (c <= classes && taken.merge(c, 1, Integer::sum) <= perClass) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    /** Writes CUB_200_2011/ (subset metadata, images/) and segmentations/ side by side. */
    static Path makeDataSet(Path root, Map<Integer, String[]> ids) throws IOException {
        Path cub = root.resolve("CUB_200_2011");
        Files.createDirectories(cub);
        for (String f : List.of(CubDataset.IMAGES, CubDataset.LABELS, CubDataset.SPLIT, CubDataset.BOXES)) {
            String kept = Files.readAllLines(META.resolve(f)).stream()
                    .filter(l -> ids.containsKey(Integer.parseInt(l.split(" ")[0]))).collect(Collectors.joining("\n"));
            Files.writeString(cub.resolve(f), kept + "\n");
        }
        Files.copy(META.resolve(CubDataset.CLASSES), cub.resolve(CubDataset.CLASSES));
        Map<Integer, String[]> boxes = CubDataset.lines(new org.apache.hadoop.fs.Path(cub.toString()), CubDataset.BOXES, 5,
                new org.apache.hadoop.conf.Configuration(), true);
        for (Map.Entry<Integer, String[]> e : ids.entrySet()) {
            String[] b = boxes.get(e.getKey());
            int bx = (int) Float.parseFloat(b[1]), by = (int) Float.parseFloat(b[2]);
            int bw = (int) Float.parseFloat(b[3]), bh = (int) Float.parseFloat(b[4]);
            int w = bx + bw + 7, h = by + bh + 5;
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            BufferedImage mask = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double dx = (x - (bx + bw / 2.0)) / (bw / 2.0), dy = (y - (by + bh / 2.0)) / (bh / 2.0);
                    double r = dx * dx + dy * dy;
                    img.setRGB(x, y, r < 1 ? 0xC08040 : 0x3060A0);
                    mask.getRaster().setSample(x, y, 0, r < 0.64 ? 255 : r < 1 ? 102 : 0);
                }
            }
            Path ip = cub.resolve("images").resolve(e.getValue()[1]);
            Files.createDirectories(ip.getParent());
            ImageIO.write(img, "jpg", ip.toFile());
            Path mp = root.resolve("segmentations").resolve(CubExampleMaker.maskPath(e.getValue()[1]));
            Files.createDirectories(mp.getParent());
            ImageIO.write(mask, "png", mp.toFile());
        }
        return cub;
    }

    static CubShardConfig config(Path cub, Path out, String task, boolean crop) {
        return new CubShardConfig(cub.toString(), null, task, 128, crop, Resize.Aspect.STRETCH, 100_000_000L,
                new ShardJobOptions(out.toString(), 48, 48, 4, 64, CompressionCodecName.ZSTD));
    }

    static Map<String, ShardRow> rows(String out) throws IOException {
        ShardSet set = ShardSet.open(out, new org.apache.hadoop.conf.Configuration());
        Map<String, ShardRow> rows = new HashMap<>();
        for (String split : List.of("train", "val")) {
            for (org.apache.hadoop.fs.Path f : set.files(split)) {
                try (ShardFileReader r = new ShardFileReader(f, new org.apache.hadoop.conf.Configuration())) {
                    r.readAll().forEach(row -> rows.put(row.key(), row));
                }
            }
        }
        return rows;
    }

    @Test
    void segmentationShardsWithThresholdedMasksTheOfficialSplitAndRejects() throws Exception {
        Map<Integer, String[]> ids = pick(3, 6);
        Path cub = makeDataSet(dir, ids);
        List<Integer> idList = new ArrayList<>(ids.keySet());
        // the mess: a missing image, a missing mask, a mask of the wrong size, a colour mask, an id without a split line
        String missingImage = ids.get(idList.get(1))[1], missingMask = ids.get(idList.get(2))[1];
        String smallMask = ids.get(idList.get(3))[1], colourMask = ids.get(idList.get(4))[1];
        String noSplit = ids.get(idList.get(5))[1];
        Files.delete(cub.resolve("images").resolve(missingImage));
        Files.delete(dir.resolve("segmentations").resolve(CubExampleMaker.maskPath(missingMask)));
        ImageIO.write(new BufferedImage(10, 10, BufferedImage.TYPE_BYTE_GRAY), "png",
                dir.resolve("segmentations").resolve(CubExampleMaker.maskPath(smallMask)).toFile());
        Path cm = dir.resolve("segmentations").resolve(CubExampleMaker.maskPath(colourMask));
        BufferedImage colour = ImageIO.read(cm.toFile());
        BufferedImage rgb = new BufferedImage(colour.getWidth(), colour.getHeight(), BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(3, 3, 0xFF0000);
        ImageIO.write(rgb, "png", cm.toFile());
        int escaping = idList.get(6);
        String imagesText = Files.readString(cub.resolve(CubDataset.IMAGES));
        Files.writeString(cub.resolve(CubDataset.IMAGES), imagesText.lines()
                .map(l -> Integer.parseInt(l.split(" ")[0]) == escaping ? escaping + " ../../outside.jpg" : l)
                .collect(Collectors.joining("\n")) + "\n");
        String splitText = Files.readString(cub.resolve(CubDataset.SPLIT));
        Files.writeString(cub.resolve(CubDataset.SPLIT), splitText.lines()
                .filter(l -> Integer.parseInt(l.split(" ")[0]) != idList.get(5)).collect(Collectors.joining("\n")) + "\n");

        Path out = dir.resolve("seg");
        ShardJob.Result r = CubShardJob.run(jsc(), config(cub, out, "segmentation", false), null);
        assertEquals(18, r.accounting().inputs());
        assertEquals(12, r.accounting().written());
        assertEquals(6, r.accounting().rejected());
        Map<String, Reject> rejects = r.rejects().stream().collect(Collectors.toMap(Reject::path, x -> x));
        assertTrue(rejects.get("images/" + missingImage).reason().contains("missing file"), rejects.toString());
        assertTrue(rejects.get("images/" + missingMask).reason().contains("missing mask"), rejects.toString());
        assertTrue(rejects.get("images/" + smallMask).reason().contains("is 10x10, the image"), rejects.toString());
        assertTrue(rejects.get("images/" + colourMask).reason().contains("colour mask"), rejects.toString());
        assertTrue(rejects.get("images/" + noSplit).reason().contains("no line in train_test_split.txt"), rejects.toString());
        assertTrue(rejects.get("images/../../outside.jpg").reason().contains("escapes the image root"), rejects.toString());

        ShardManifest m = ShardSet.open(out.toString(), jsc().hadoopConfiguration()).manifest();
        assertEquals(List.of("background", "bird"), m.classes());
        Map<String, ShardRow> rows = rows(out.toString());
        assertEquals(12, rows.size());
        CubDataset.Listing all = CubDataset.read(cub.toString(), jsc().hadoopConfiguration());
        for (CubDataset.Item it : all.items()) {
            ShardRow row = rows.get(it.relative());
            if (row == null) {
                continue;
            }
            assertEquals(it.split(), row.split(), "the official split");
            // the box's centre is bird, the image's corner background
            float[] b = it.box();
            double w = (int) b[0] + (int) b[2] + 7.0, h = (int) b[1] + (int) b[3] + 5.0;
            int cx = (int) (((int) b[0] + (int) b[2] / 2.0) * 48 / w), cy = (int) (((int) b[1] + (int) b[3] / 2.0) * 48 / h);
            assertEquals(1, row.mask()[cy * 48 + cx] & 0xff, it.relative());
            assertEquals(0, row.mask()[0] & 0xff, it.relative());
            long bird = 0;
            for (byte v : row.mask()) {
                bird += v;
            }
            // the 255 core (r^2 < 0.64) is kept, the 102 rim (2 of 5 annotators) is not
            double share = bird / (48.0 * 48);
            double box = boxShare(it);
            assertTrue(share > 0.64 * Math.PI / 4 * box * 0.8 && share < 0.64 * Math.PI / 4 * box * 1.25,
                    it.relative() + " bird share " + share + " vs box share " + box);
        }
    }

    private static double boxShare(CubDataset.Item it) {
        float[] b = it.box();
        return (double) ((int) b[2]) * ((int) b[3]) / (((int) b[0] + (int) b[2] + 7.0) * ((int) b[1] + (int) b[3] + 5.0));
    }

    @Test
    void classificationCroppedToTheBoxesKeepsTheSpeciesLabels() throws Exception {
        Map<Integer, String[]> ids = pick(4, 2);
        Path cub = makeDataSet(dir, ids);
        Path out = dir.resolve("cls");
        ShardJob.Result r = CubShardJob.run(jsc(), config(cub, out, "classification", true), null);
        assertEquals(8, r.accounting().written(), r.rejects().toString());
        ShardManifest m = ShardSet.open(out.toString(), jsc().hadoopConfiguration()).manifest();
        assertEquals(200, m.classes().size());
        Map<String, ShardRow> rows = rows(out.toString());
        for (ShardRow row : rows.values()) {
            int classDir = Integer.parseInt(row.key().substring(0, 3));
            assertEquals(classDir - 1, row.label(), row.key());
            // cropped to the box: the ellipse touches the box's edges, so the centre and the middle of
            // each edge are bird-coloured (R > B), and the corners are background (B > R)
            int centre = (24 * 48 + 24) * 3, corner = 0;
            assertTrue((row.image()[centre] & 0xff) > (row.image()[centre + 2] & 0xff), row.key());
            assertTrue((row.image()[corner + 2] & 0xff) > (row.image()[corner] & 0xff), row.key());
        }
    }

    @Test
    void brokenMetadataIsAClearError() throws Exception {
        Path cub = makeDataSet(dir, pick(1, 2));
        Files.writeString(cub.resolve(CubDataset.LABELS), "1 1\n2\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CubDataset.read(cub.toString(), jsc().hadoopConfiguration()));
        assertTrue(e.getMessage().contains("image_class_labels.txt line 2"), e.getMessage());
        Files.delete(cub.resolve(CubDataset.IMAGES));
        java.io.FileNotFoundException f = assertThrows(java.io.FileNotFoundException.class,
                () -> CubDataset.read(cub.toString(), jsc().hadoopConfiguration()));
        assertTrue(f.getMessage().contains("images.txt not found"), f.getMessage());
    }
}
