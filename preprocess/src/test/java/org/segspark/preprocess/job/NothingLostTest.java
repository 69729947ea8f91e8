package org.segspark.preprocess.job;

import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.SparkTest;
import org.segspark.preprocess.cifar.Cifar10ShardJob;
import org.segspark.preprocess.coco.CocoShardConfig;
import org.segspark.preprocess.coco.CocoShardJob;
import org.segspark.preprocess.coco.SyntheticCoco;
import org.segspark.preprocess.folder.ImageFolderShardJob;
import org.segspark.preprocess.image.Resize;
import org.segspark.preprocess.image.TestImages;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.io.RejectsTable;
import org.segspark.preprocess.pairs.MaskMapping;
import org.segspark.preprocess.pairs.PairedShardJob;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardSet;

import java.awt.image.BufferedImage;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Preprocessing never deletes what it did not write, never replaces a good set with an empty or
 * shrunken one by accident, and accounts for every entry of an input tree: hidden names, links
 * that dangle, loop or leave the root, and FIFOs are rejects with a reason, and a FIFO never hangs
 * a run.
 */
public class NothingLostTest extends SparkTest {
    @TempDir
    Path dir;

    private Configuration hconf() {
        return jsc().hadoopConfiguration();
    }

    static void png(Path p, int seed) throws Exception {
        Files.createDirectories(p.getParent());
        BufferedImage img = TestImages.gradient(20 + seed % 5, 16, BufferedImage.TYPE_3BYTE_BGR);
        Files.write(p, TestImages.encode(img, "png"));
    }

    /** ROOT/a and ROOT/b with {@code n} images each. */
    public static Path imageFolder(Path root, int n) throws Exception {
        for (String c : List.of("a", "b")) {
            for (int i = 0; i < n; i++) {
                png(root.resolve(c).resolve(c + i + ".png"), i);
            }
        }
        return root;
    }

    private static ShardJobOptions options(Path out, boolean force, boolean allowShrink) {
        return new ShardJobOptions(out.toString(), 16, 16, 4, 64, CompressionCodecName.ZSTD, true, true, force, allowShrink);
    }

    private ShardJob.Result imagefolder(Path in, Path out, boolean force, boolean allowShrink) throws Exception {
        return ImageFolderShardJob.run(jsc(), in.toString(), options(out, force, allowShrink), Resize.Aspect.STRETCH,
                0.25, 7, 100_000_000L, null);
    }

    static void mkfifo(Path p) throws Exception {
        Process pr = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        assertEquals(0, pr.waitFor(), "mkfifo " + p);
    }

    static List<String> files(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private Map<String, String> rejects(Path out) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (Reject r : RejectsTable.read(new org.apache.hadoop.fs.Path(out.resolve(RejectsTable.FILE).toUri()), hconf())) {
            m.put(r.path(), r.reason());
        }
        return m;
    }

    @Test
    void cocoWithOutOnItsOwnDataSetFolderIsRefusedAndForcedItStillDeletesNoSourceFile() throws Exception {
        // the layout of the report: DS/instances.json and the JPEGs in DS/data, --out DS
        Path ds = dir.resolve("DS");
        new SyntheticCoco(64, 48, 3).write(ds, 24);
        Files.move(ds.resolve(SyntheticCoco.IMAGES), ds.resolve("data"));
        List<String> before = files(ds);
        CocoShardConfig cfg = new CocoShardConfig(ds.resolve(SyntheticCoco.ANNOTATIONS).toString(), ds.resolve("data").toString(),
                "categories", 0.2, 0, Resize.Aspect.STRETCH, 100_000_000L, options(ds, false, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CocoShardJob.run(jsc(), cfg, null));
        assertTrue(e.getMessage().contains("not empty") && e.getMessage().contains("--force"), e.getMessage());
        assertEquals(before, files(ds), "nothing written, nothing deleted");

        CocoShardConfig forced = new CocoShardConfig(cfg.annotations(), cfg.images(), "categories", 0.2, 0,
                Resize.Aspect.STRETCH, 100_000_000L, options(ds, true, false));
        ShardJob.Result r = CocoShardJob.run(jsc(), forced, null);
        assertEquals(24, r.accounting().written());
        List<String> after = files(ds);
        assertTrue(after.containsAll(before), "every source file survives a forced run: " + before.stream()
                .filter(f -> !after.contains(f)).toList());
        ShardSet.open(ds.toString(), hconf()).verify(hconf());
    }

    @Test
    void anUnrelatedFolderIsRefusedUnlessForcedAndNoForeignFileIsEverDeleted() throws Exception {
        Path in = imageFolder(dir.resolve("in"), 4);
        Path out = dir.resolve("unrelated");
        Files.createDirectories(out.resolve("data"));
        Files.writeString(out.resolve("data/important.txt"), "keep me");
        assertThrows(IllegalArgumentException.class, () -> imagefolder(in, out, false, false));
        assertEquals(List.of("data/important.txt"), files(out));

        imagefolder(in, out, true, false);
        // a file named like a shard of a run this set never had, and one of ours that no manifest lists
        Path lookalike = out.resolve("data/train-20200101T000000Z-deadbeef-00000.parquet");
        Files.writeString(lookalike, "not ours");
        Files.writeString(out.resolve("data/notes.txt"), "mine");
        png(in.resolve("a/new.png"), 3);
        ShardJob.Result r = imagefolder(in, out, false, false);   // a shard set now: no --force needed
        assertEquals("incremental", r.increment().mode());
        assertEquals("keep me", Files.readString(out.resolve("data/important.txt")));
        assertEquals("not ours", Files.readString(lookalike));
        assertEquals("mine", Files.readString(out.resolve("data/notes.txt")));
        ShardSet.open(out.toString(), hconf()).verify(hconf());
    }

    @Test
    void anOutThatIsARegularFileIsRefused() throws Exception {
        Path in = imageFolder(dir.resolve("in"), 2);
        Path out = Files.writeString(dir.resolve("file.txt"), "x");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> imagefolder(in, out, true, false));
        assertTrue(e.getMessage().contains("is a file"), e.getMessage());
        assertEquals("x", Files.readString(out));
    }

    @Test
    void anEmptiedOrShrunkenInputKeepsThePreviousSet() throws Exception {
        Path in = imageFolder(dir.resolve("in"), 6);
        Path out = dir.resolve("shards");
        assertEquals(12, imagefolder(in, out, false, false).accounting().written());
        byte[] manifest = Files.readAllBytes(out.resolve(ShardFormat.MANIFEST));
        List<String> setFiles = files(out);

        // most images gone (an unmounted share leaves some cached names, say): refused, the set kept
        for (int i = 1; i < 6; i++) {
            Files.delete(in.resolve("a/a" + i + ".png"));
            Files.delete(in.resolve("b/b" + i + ".png"));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> imagefolder(in, out, false, false));
        assertTrue(e.getMessage().contains("12 examples with 2") && e.getMessage().contains("--allow-shrink"), e.getMessage());
        assertArrayEquals(manifest, Files.readAllBytes(out.resolve(ShardFormat.MANIFEST)));
        assertEquals(setFiles, files(out), "the refused run's files are gone, the set's are all there");
        ShardSet.open(out.toString(), hconf()).verify(hconf());

        // every image gone: refused, even with --allow-shrink
        Files.delete(in.resolve("a/a0.png"));
        Files.delete(in.resolve("b/b0.png"));
        assertThrows(IllegalArgumentException.class, () -> imagefolder(in, out, false, true));
        assertArrayEquals(manifest, Files.readAllBytes(out.resolve(ShardFormat.MANIFEST)));

        // the data really shrank: allowed when asked for
        png(in.resolve("a/a0.png"), 0);
        png(in.resolve("b/b0.png"), 0);
        assertEquals(2, imagefolder(in, out, false, true).accounting().written());
    }

    @Test
    void aMissingOrMistypedInputIsAnErrorNotAnEmptySet() throws Exception {
        Path out = dir.resolve("shards");
        assertThrows(FileNotFoundException.class, () -> imagefolder(dir.resolve("nowhere"), out, false, false));
        assertThrows(FileNotFoundException.class, () -> PairedShardJob.run(jsc(), dir.resolve("nowhere").toString(),
                dir.resolve("nowhere2").toString(), MaskMapping.identity(2), List.of("bg", "fg"), options(out, false, false),
                Resize.Aspect.STRETCH, 0.2, 1, 100_000_000L, null));
        assertThrows(FileNotFoundException.class, () -> Cifar10ShardJob.run(jsc(), dir.resolve("nowhere").toString(),
                options(out, false, false), null));

        Path ds = dir.resolve("coco");
        new SyntheticCoco(64, 48, 3).write(ds, 6);
        Files.createDirectories(dir.resolve("empty"));
        CocoShardConfig typo = new CocoShardConfig(ds.resolve(SyntheticCoco.ANNOTATIONS).toString(),
                dir.resolve("empty").toString(), "categories", 0.2, 0, Resize.Aspect.STRETCH, 100_000_000L,
                options(out, false, false));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CocoShardJob.run(jsc(), typo, null));
        assertTrue(e.getMessage().contains("no input could be used") && e.getMessage().contains("missing file"), e.getMessage());
        assertFalse(Files.exists(out.resolve(ShardFormat.MANIFEST)));
        CocoShardConfig absent = new CocoShardConfig(typo.annotations(), dir.resolve("imgs").toString(), "categories", 0.2, 0,
                Resize.Aspect.STRETCH, 100_000_000L, options(out, false, false));
        assertThrows(FileNotFoundException.class, () -> CocoShardJob.run(jsc(), absent, null));
    }

    @Test
    void everyEntryOfAnImageFolderIsReadOrRejectedAndAFifoNeverHangs() throws Exception {
        Path in = imageFolder(dir.resolve("in"), 3);
        Path outside = dir.resolve("outside.png");
        png(outside, 1);
        png(in.resolve("a/_x.png"), 1);
        png(in.resolve("a/.hidden.png"), 1);
        png(in.resolve("a/.dotdir/y.png"), 1);
        Files.createSymbolicLink(in.resolve("a/dangling.png"), dir.resolve("nowhere.png"));
        Files.createSymbolicLink(in.resolve("a/loop"), in.resolve("a"));
        Files.createSymbolicLink(in.resolve("b/escape.png"), outside);
        Files.createSymbolicLink(in.resolve("b/inside.png"), in.resolve("b/b0.png"));
        mkfifo(in.resolve("b/fifo.png"));
        Path out = dir.resolve("shards");
        ShardJob.Result r = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> imagefolder(in, out, false, false));
        assertEquals(7, r.accounting().written(), "6 images and the link that stays inside the folder");
        Map<String, String> rejects = rejects(out);
        assertEquals(7, rejects.size(), rejects.toString());
        assertEquals(r.accounting().inputs(), r.accounting().written() + rejects.size());
        assertTrue(rejects.get("a/_x.png").contains("hidden"));
        assertTrue(rejects.get("a/.hidden.png").contains("hidden"));
        assertTrue(rejects.get("a/.dotdir").contains("hidden folder"));
        assertTrue(rejects.get("a/dangling.png").contains("missing file"));
        assertTrue(rejects.get("a/loop").contains("loop"), rejects.get("a/loop"));
        assertTrue(rejects.get("b/escape.png").contains("outside"), rejects.get("b/escape.png"));
        assertTrue(rejects.get("b/fifo.png").contains("not a regular file"), rejects.get("b/fifo.png"));
    }

    @Test
    void cocoImagesThatAreFifosOrLinksOutOfTheRootAreRejectsAndTheRunFinishes() throws Exception {
        Path ds = dir.resolve("coco");
        new SyntheticCoco(64, 48, 3).write(ds, 6);
        Path images = ds.resolve(SyntheticCoco.IMAGES);
        List<Path> jpgs;
        try (Stream<Path> s = Files.list(images)) {
            jpgs = s.sorted().toList();
        }
        Path outside = dir.resolve("outside.jpg");
        Files.move(jpgs.get(0), outside);
        Files.createSymbolicLink(jpgs.get(0), outside);
        Files.delete(jpgs.get(1));
        mkfifo(jpgs.get(1));
        Path out = dir.resolve("shards");
        CocoShardConfig cfg = new CocoShardConfig(ds.resolve(SyntheticCoco.ANNOTATIONS).toString(), images.toString(),
                "categories", 0.2, 0, Resize.Aspect.STRETCH, 100_000_000L, options(out, false, false));
        ShardJob.Result r = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> CocoShardJob.run(jsc(), cfg, null));
        assertEquals(4, r.accounting().written());
        Map<String, String> rejects = rejects(out);
        assertTrue(rejects.get(jpgs.get(0).getFileName().toString()).contains("outside the image root"), rejects.toString());
        assertTrue(rejects.get(jpgs.get(1).getFileName().toString()).contains("not a regular file"), rejects.toString());
    }

    @Test
    void pairedFoldersAccountForHiddenLinkedAndSpecialEntriesToo() throws Exception {
        Path images = dir.resolve("pairs/images"), masks = dir.resolve("pairs/masks");
        for (int i = 0; i < 4; i++) {
            png(images.resolve("x" + i + ".png"), i);
            Files.createDirectories(masks);
            BufferedImage m = new BufferedImage(20 + i % 5, 16, BufferedImage.TYPE_BYTE_GRAY);
            Files.write(masks.resolve("x" + i + ".png"), TestImages.encode(m, "png"));
        }
        png(images.resolve("_draft.png"), 1);
        Files.createSymbolicLink(images.resolve("gone.png"), dir.resolve("gone.png"));
        mkfifo(masks.resolve("x9.png"));
        Path out = dir.resolve("shards");
        ShardJob.Result r = assertTimeoutPreemptively(Duration.ofSeconds(120), () -> PairedShardJob.run(jsc(),
                images.toString(), masks.toString(), MaskMapping.identity(2), List.of("bg", "fg"), options(out, false, false),
                Resize.Aspect.STRETCH, 0.25, 1, 100_000_000L, null));
        assertEquals(4, r.accounting().written());
        Map<String, String> rejects = rejects(out);
        assertEquals(3, rejects.size(), rejects.toString());
        assertTrue(rejects.get("images/_draft.png").contains("hidden"));
        assertTrue(rejects.get("images/gone.png").contains("missing file"));
        assertTrue(rejects.get("masks/x9.png").contains("not a regular file"));
    }
}
