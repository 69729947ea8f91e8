package org.segspark.jobs.cli;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.jobs.CliRun;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The faults a user meets, through the command line: damaged shard sets, run files and manifests
 * are one-line errors naming the file (exit 2); misspelled settings are refused with the nearest
 * one before Spark starts; no command writes into, or deletes from, a folder that holds something
 * other than its own output.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsCliTest {
    private static final String MASTER = "local[2]";

    @TempDir
    static Path dir;

    static String p(String name) {
        return dir.resolve(name).toString();
    }

    /** The last line of standard error: the one a user reads. */
    static String lastErrLine(CliRun r) {
        String[] lines = r.err().strip().split("\n");
        return lines[lines.length - 1];
    }

    /** A failed command's own message: one line, no stack trace from segspark's code. */
    static String oneLineError(CliRun r) {
        assertEquals(2, r.code(), r.err());
        String last = lastErrLine(r);
        assertTrue(last.startsWith("segspark "), r.err());
        assertFalse(r.err().contains("at org.segspark.jobs.Main"), r.err());
        return last;
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path f : s.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }

    static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path f : s.sorted().toList()) {
                m.put(root.relativize(f).toString(), Files.isRegularFile(f) ? Files.readString(f) : "<dir>");
            }
        }
        return m;
    }

    static byte[] png(int w, int h, int grey) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < w * h; i++) {
            img.getRaster().setSample(i % w, i / w, 0, (grey + i) % 2);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    @Order(1)
    void fixtures() throws Exception {
        assertEquals(0, CliRun.of("synth-coco", "--out", p("coco"), "--image-count", "24", "--size", "32x48", "--seed", "3").code());
        CliRun pre = CliRun.of("preprocess", "coco", "--master", MASTER, "--annotations", p("coco/annotations/instances.json"),
                "--images", p("coco/images"), "--out", p("shards"), "--size", "32x32",
                "--set", "preprocess.coco.row-group-rows=4");
        assertEquals(0, pre.code(), pre.err());
        CliRun train = CliRun.of("train", "--master", MASTER, "--data", p("shards"), "--out", p("run"), "--epochs", "1",
                "--batch", "4", "--set", "train.eval.train-examples=0", "--set", "train.eval.bn-recompute-examples=0");
        assertEquals(0, train.code(), train.err());

        // small inputs for every other source
        for (String c : List.of("a", "b")) {
            Files.createDirectories(dir.resolve("tree").resolve(c));
            Files.write(dir.resolve("tree").resolve(c).resolve("1.png"), png(8, 8, 1));
        }
        Files.createDirectories(dir.resolve("pairs/images"));
        Files.createDirectories(dir.resolve("pairs/masks"));
        Files.write(dir.resolve("pairs/images/x.png"), png(8, 8, 0));
        Files.write(dir.resolve("pairs/masks/x.png"), png(8, 8, 0));
        Files.createDirectories(dir.resolve("cifar"));
        Files.write(dir.resolve("cifar/data_batch_1.bin"), new byte[3073 * 2]);
        Path cub = dir.resolve("cub");
        Files.createDirectories(cub.resolve("images/001.Bird"));
        Files.write(cub.resolve("images/001.Bird/b.jpg"), png(8, 8, 0));
        Files.writeString(cub.resolve("images.txt"), "1 001.Bird/b.jpg\n");
        Files.writeString(cub.resolve("image_class_labels.txt"), "1 1\n");
        Files.writeString(cub.resolve("train_test_split.txt"), "1 1\n");
        Files.writeString(cub.resolve("classes.txt"), "1 001.Bird\n");
    }

    @Test
    @Order(2)
    void misspelledSettingsAreRefusedWithTheNearestOneBeforeSparkStarts() throws Exception {
        long t = System.nanoTime();
        CliRun r = CliRun.of("train", "--master", MASTER, "--data", p("shards"), "--out", p("run-typo"), "--set", "train.epohcs=3");
        double seconds = (System.nanoTime() - t) / 1e9;
        String line = oneLineError(r);
        assertTrue(line.contains("unknown setting train.epohcs in --set; did you mean train.epochs?"), line);
        assertTrue(seconds < 2, "refused in " + seconds + " s");
        assertFalse(Files.exists(dir.resolve("run-typo")));

        Path conf = Files.writeString(dir.resolve("typo.conf"), "train {\n  optimizer { lrr = 0.1 }\n}\n");
        line = oneLineError(CliRun.of("train", "--master", MASTER, "--config", conf.toString(), "--data", p("shards"),
                "--out", p("run-typo")));
        assertTrue(line.contains("unknown setting train.optimizer.lrr in " + conf + "; did you mean train.optimizer.lr?"), line);

        // a shared config may carry other jobs' sections; those are checked against their own settings
        Path shared = Files.writeString(dir.resolve("shared.conf"), "preprocess.coco { height = 32 }\ntrain.epochs = 1\n");
        assertTrue(CliRun.of("train", "--config", shared.toString(), "--help").code() == 0);

        line = oneLineError(CliRun.of("nas", "sweep", "--master", MASTER, "--out", p("sweep-typo"),
                "--set", "sweep.grid={optimiser.lr = [0.1]}", "--set", "train.data=" + p("shards")));
        assertTrue(line.contains("unknown setting train.optimiser.lr") && line.contains("did you mean train.optimizer.lr?"), line);
        assertFalse(Files.exists(dir.resolve("sweep-typo")));
    }

    @Test
    @Order(3)
    void aDamagedShardIsRefusedByTrainEvaluateAndVerifyNamingTheFile() throws Exception {
        assertEquals(0, CliRun.of("shards", "verify", "--data", p("shards")).code());
        copyTree(dir.resolve("shards"), dir.resolve("shards-bad"));
        Path shard;
        try (Stream<Path> s = Files.list(dir.resolve("shards-bad/data"))) {
            shard = s.filter(f -> f.getFileName().toString().startsWith("train-")).sorted().findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(shard);
        for (int i = b.length / 3; i < b.length / 3 + 64; i++) {
            b[i] = (byte) ~b[i];
        }
        Files.write(shard, b);
        try (Stream<Path> s = Files.walk(dir.resolve("shards-bad"))) {
            for (Path crc : s.filter(f -> f.toString().endsWith(".crc")).toList()) {
                Files.delete(crc);
            }
        }
        String name = shard.getFileName().toString();
        String line = oneLineError(CliRun.of("shards", "verify", "--data", p("shards-bad")));
        assertTrue(line.contains("1 of"), line);
        line = oneLineError(CliRun.of("train", "--master", MASTER, "--data", p("shards-bad"), "--out", p("run-bad"),
                "--epochs", "1", "--batch", "4", "--set", "train.eval.train-examples=0"));
        assertTrue(line.contains(name) && line.contains("SHA-256"), line);
        line = oneLineError(CliRun.of("evaluate", "--master", MASTER, "--run", p("run"), "--data", p("shards-bad"),
                "--split", "train"));
        assertTrue(line.contains(name) && line.contains("SHA-256"), line);
    }

    @Test
    @Order(4)
    void truncatedRunFilesAndManifestsAreOneLineErrorsNamingTheFile() throws Exception {
        copyTree(dir.resolve("run"), dir.resolve("run-trunc"));
        Path model = dir.resolve("run-trunc/model.zip");
        byte[] zip = Files.readAllBytes(model);
        Files.write(model, java.util.Arrays.copyOf(zip, zip.length / 2));
        Files.deleteIfExists(dir.resolve("run-trunc/.model.zip.crc"));
        String line = oneLineError(CliRun.of("evaluate", "--master", MASTER, "--run", p("run-trunc"), "--data", p("shards")));
        assertTrue(line.contains("model.zip") && line.contains("truncated or damaged"), line);

        Path checkpoint;
        try (Stream<Path> s = Files.list(dir.resolve("run-trunc/checkpoints"))) {
            checkpoint = s.filter(f -> f.getFileName().toString().matches("epoch-\\d+\\.zip")).findFirst().orElseThrow();
        }
        byte[] ck = Files.readAllBytes(checkpoint);
        Files.write(checkpoint, java.util.Arrays.copyOf(ck, ck.length / 2));
        Files.deleteIfExists(checkpoint.resolveSibling("." + checkpoint.getFileName() + ".crc"));
        byte[] config = Files.readAllBytes(dir.resolve("run-trunc/config.conf"));
        line = oneLineError(CliRun.of("train", "--master", MASTER, "--resume", p("run-trunc"), "--epochs", "2"));
        assertTrue(line.contains(checkpoint.getFileName().toString()), line);
        assertArrayEquals(config, Files.readAllBytes(dir.resolve("run-trunc/config.conf")), "a refused run keeps its settings");

        copyTree(dir.resolve("shards"), dir.resolve("shards-trunc"));
        Path manifest = dir.resolve("shards-trunc/manifest.json");
        Files.writeString(manifest, Files.readString(manifest).substring(0, 300));
        Files.deleteIfExists(dir.resolve("shards-trunc/.manifest.json.crc"));
        line = oneLineError(CliRun.of("train", "--master", MASTER, "--data", p("shards-trunc"), "--out", p("run-x")));
        assertTrue(line.contains("manifest.json is not valid JSON at line"), line);

        Path file = Files.writeString(dir.resolve("a-file"), "x");
        line = oneLineError(CliRun.of("train", "--master", MASTER, "--data", p("shards"), "--out", file.toString()));
        assertTrue(line.contains("is a file, not a folder"), line);
    }

    @Test
    @Order(5)
    void trainingIntoAForeignFolderIsRefusedAndARefusedRunKeepsItsSettings() throws Exception {
        Path mine = dir.resolve("mine");
        Files.createDirectories(mine);
        Files.writeString(mine.resolve("report.html"), "my report");
        Files.writeString(mine.resolve("metrics.json"), "{\"mine\": true}");
        Map<String, String> before = snapshot(mine);
        String line = oneLineError(CliRun.of("train", "--master", MASTER, "--data", p("shards"), "--out", mine.toString(),
                "--epochs", "1"));
        assertTrue(line.contains("not empty") && line.contains("--force"), line);
        assertEquals(before, snapshot(mine));

        byte[] config = Files.readAllBytes(dir.resolve("run/config.conf"));
        oneLineError(CliRun.of("train", "--master", MASTER, "--data", p("shards"), "--out", p("run"), "--model", "resnet-9000"));
        assertArrayEquals(config, Files.readAllBytes(dir.resolve("run/config.conf")));
    }

    @Test
    @Order(6)
    void predictRefusesAnOutInsideItsImagesEvenThroughASymbolicLink() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolve("images-link"), dir.resolve("coco/images"));
        String line = oneLineError(CliRun.of("predict", "--master", MASTER, "--run", p("run"), "--images", link.toString(),
                "--out", p("coco/images/predictions")));
        assertTrue(line.contains("is inside --images") && line.contains("symbolic link"), line);
        assertFalse(Files.exists(dir.resolve("coco/images/predictions")));

        // every entry of --images is read or a reject: a hidden file, a dangling link and a FIFO (which never blocks)
        Path imgs = Files.createDirectories(dir.resolve("imgs"));
        try (Stream<Path> s = Files.list(dir.resolve("coco/images"))) {
            for (Path f : s.sorted().limit(2).toList()) {
                Files.copy(f, imgs.resolve(f.getFileName()));
            }
        }
        Files.copy(imgs.resolve("000000000001.jpg"), imgs.resolve(".hidden.jpg"));
        Files.createSymbolicLink(imgs.resolve("gone.jpg"), dir.resolve("gone.jpg"));
        assertEquals(0, new ProcessBuilder("mkfifo", imgs.resolve("fifo.jpg").toString()).start().waitFor());
        CliRun listed = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(180),
                () -> CliRun.of("predict", "--master", MASTER, "--run", p("run"), "--images", imgs.toString(),
                        "--out", p("preds"), "--no-overlays"));
        assertEquals(0, listed.code(), listed.err());
        assertTrue(listed.out().contains("inputs 5 = written 2 + rejected 3"), listed.out());
        String table = Files.readString(dir.resolve("preds/rejects.csv"));
        assertTrue(table.contains("hidden") && table.contains("missing file") && table.contains("not a regular file"), table);

        // forced into a folder with other files, predict writes its own and deletes nothing
        Path shared = Files.createDirectories(dir.resolve("shared-out"));
        Files.writeString(shared.resolve("keep.txt"), "keep");
        CliRun r = CliRun.of("predict", "--master", MASTER, "--run", p("run"), "--images", p("coco/images"),
                "--out", shared.toString(), "--force", "--no-overlays");
        assertEquals(0, r.code(), r.err());
        assertEquals("keep", Files.readString(shared.resolve("keep.txt")));
        assertTrue(Files.exists(shared.resolve("predictions.csv")));
    }

    @Test
    @Order(7)
    void noCommandWritesIntoOrDeletesFromAFolderThatHoldsSomethingElse() throws Exception {
        Path foreign = dir.resolve("foreign");
        Files.createDirectories(foreign.resolve("data"));
        Files.writeString(foreign.resolve("data/important.txt"), "important");
        Files.writeString(foreign.resolve("report.html"), "someone's report");
        Map<String, String> before = snapshot(foreign);
        String f = foreign.toString();
        Map<String, String[]> commands = new LinkedHashMap<>();
        commands.put("synth-coco", new String[] {"synth-coco", "--out", f, "--image-count", "2"});
        commands.put("coco-masks", new String[] {"coco-masks", "--master", MASTER, "--annotations",
                p("coco/annotations/instances.json"), "--images", p("coco/images"), "--out", f});
        commands.put("preprocess coco", new String[] {"preprocess", "coco", "--master", MASTER, "--annotations",
                p("coco/annotations/instances.json"), "--images", p("coco/images"), "--out", f, "--size", "16x16"});
        commands.put("preprocess cifar10", new String[] {"preprocess", "cifar10", "--master", MASTER, "--input", p("cifar"), "--out", f});
        commands.put("preprocess imagefolder", new String[] {"preprocess", "imagefolder", "--master", MASTER, "--images",
                p("tree"), "--out", f, "--size", "16x16"});
        commands.put("preprocess folders", new String[] {"preprocess", "folders", "--master", MASTER, "--images",
                p("pairs/images"), "--masks", p("pairs/masks"), "--out", f, "--classes", "2", "--size", "16x16"});
        commands.put("preprocess cub", new String[] {"preprocess", "cub", "--master", MASTER, "--input", p("cub"), "--out", f,
                "--size", "16x16", "--task", "classification"});
        commands.put("train", new String[] {"train", "--master", MASTER, "--data", p("shards"), "--out", f, "--epochs", "1"});
        commands.put("predict", new String[] {"predict", "--master", MASTER, "--run", p("run"), "--images", p("coco/images"),
                "--out", f});
        commands.put("shards preview", new String[] {"shards", "preview", "--data", p("shards"), "--out", f});
        commands.put("nas prune", new String[] {"nas", "prune", "--run", p("run"), "--out", f});
        commands.put("nas run", new String[] {"nas", "run", "--master", MASTER, "--out", f, "--set", "train.data=" + p("shards")});
        commands.put("nas sweep", new String[] {"nas", "sweep", "--master", MASTER, "--out", f, "--set", "train.data=" + p("shards")});
        commands.put("demo", new String[] {"demo", "--master", MASTER, "--out", f});
        commands.put("nas demo", new String[] {"nas", "demo", "--master", MASTER, "--out", f});
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String[]> c : commands.entrySet()) {
            CliRun r = CliRun.of(c.getValue());
            String last = lastErrLine(r);
            if (r.code() != 2 || !last.contains("holds no segspark") || !before.equals(snapshot(foreign))) {
                failures.add(c.getKey() + ": exit " + r.code() + ", " + last + ", folder now " + snapshot(foreign).keySet());
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
