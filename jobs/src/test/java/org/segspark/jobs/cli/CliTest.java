package org.segspark.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.preprocess.image.LabelPng;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every CLI command run as a user runs it (in this JVM, Spark on local[2]): synthetic data ->
 * label maps -> shards -> training in both modes -> reports, and the demo and bench commands.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MASTER = "local[2]";

    @TempDir
    static Path dir;

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        org.segspark.jobs.CliRun r = org.segspark.jobs.CliRun.of(args);
        return new Run(r.code(), r.out(), r.err());
    }

    /** Whether a DL4J model zip holds the updater's state. */
    static boolean hasUpdater(Path zip) throws IOException {
        try (ZipFile z = new ZipFile(zip.toFile())) {
            return z.getEntry("updaterState.bin") != null;
        }
    }

    static String p(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    @Order(1)
    void synthCocoIsDeterministic() throws Exception {
        assertEquals(0, run("synth-coco", "--out", p("coco"), "--image-count", "48", "--size", "48x64", "--seed", "5").code());
        assertEquals(0, run("synth-coco", "--out", p("coco2"), "--image-count", "48", "--size", "48x64", "--seed", "5").code());
        assertArrayEquals(Files.readAllBytes(dir.resolve("coco/annotations/instances.json")),
                Files.readAllBytes(dir.resolve("coco2/annotations/instances.json")));
        assertEquals(48, dir.resolve("coco/images").toFile().list().length);
    }

    @Test
    @Order(2)
    void cocoMasksWritesALabelMapPerImage() throws Exception {
        Run r = run("coco-masks", "--master", MASTER, "--annotations", p("coco/annotations/instances.json"),
                "--images", p("coco/images"), "--out", p("masks"), "--mapping", "coco4");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("inputs 48 = written 48 + rejected 0"), r.out());
        int[] size = new int[2];
        byte[] labels = LabelPng.decode(Files.readAllBytes(dir.resolve("masks/000000000001.png")), size);
        assertEquals(64, size[0]);
        assertEquals(48, size[1]);
        for (byte b : labels) {
            int v = b & 0xff;
            assertTrue(v <= 3 || v == 255, "coco4 classes only, got " + v);
        }
    }

    @Test
    @Order(3)
    void preprocessWritesShardsAndChecksTheBooks() throws Exception {
        Run r = run("preprocess", "coco", "--master", MASTER, "--annotations", p("coco/annotations/instances.json"),
                "--images", p("coco/images"), "--out", p("shards"), "--size", "32x32", "--val-fraction", "0.25",
                "--set", "preprocess.coco.row-group-rows=8");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("inputs 48 = written 48 + rejected 0"), r.out());
        JsonNode m = JSON.readTree(dir.resolve("shards/manifest.json").toFile());
        assertEquals(48, m.at("/splits/train/examples").asInt() + m.at("/splits/val/examples").asInt());
        assertEquals(32, m.at("/tensor/height").asInt());
        assertEquals(8, m.at("/config/row-group-rows").asInt(), "the effective config is recorded");
    }

    @Test
    @Order(4)
    void trainingOnSparkLowersTheLossAndWritesTheRun() throws Exception {
        Run r = run("train", "--master", MASTER, "--data", p("shards"), "--out", p("run"), "--epochs", "3",
                "--batch", "4", "--set", "train.averaging-frequency=2", "--lr", "0.003");
        assertEquals(0, r.code(), r.err());
        JsonNode metrics = JSON.readTree(dir.resolve("run/metrics.json").toFile());
        JsonNode h = metrics.get("history");
        assertEquals(3, h.size());
        assertTrue(h.get(2).get("train_loss").asDouble() < h.get(0).get("train_loss").asDouble(),
                "training loss falls: " + h);
        assertTrue(metrics.get("miou").isNumber());
        assertEquals(4, metrics.get("per_class_iou").size());
        for (String f : new String[] {"model.zip", "model.json", "report.html", "config.conf", "report/loss.svg", "report/per-class.svg", "report/confusion.svg", "spark.properties",
                "checkpoints/latest.json"}) {
            assertTrue(Files.exists(dir.resolve("run").resolve(f)), f);
        }
        // retention: the newest epoch checkpoint (with the updater's state, for --resume) and the best epoch's
        // network; the final and best networks without the updater's state
        try (Stream<Path> kept = Files.list(dir.resolve("run/checkpoints"))) {
            assertEquals(List.of("best.zip", "epoch-0003.zip", "latest.json"),
                    kept.map(f -> f.getFileName().toString()).filter(f -> !f.startsWith(".")).sorted().toList());
        }
        assertTrue(hasUpdater(dir.resolve("run/checkpoints/epoch-0003.zip")));
        assertFalse(hasUpdater(dir.resolve("run/model.zip")));
        assertFalse(hasUpdater(dir.resolve("run/checkpoints/best.zip")));
        assertTrue(Files.size(dir.resolve("run/model.zip")) * 2 < Files.size(dir.resolve("run/checkpoints/epoch-0003.zip")),
                "Adam's two moments make a checkpoint about three times the network");
        JsonNode info = JSON.readTree(dir.resolve("run/model.json").toFile());
        assertEquals("unet-mobilenetv2", info.get("model").asText());
        assertTrue(info.at("/data/manifest_sha256").asText().matches("[0-9a-f]{64}"));
        assertTrue(info.at("/code/version").isTextual());
        ComputationGraph net = ModelSerializer.restoreComputationGraph(dir.resolve("run/model.zip").toFile(), true);
        assertEquals(info.get("params_total").asLong(), net.numParams());
        String html = Files.readString(dir.resolve("run/report.html"));
        assertTrue(html.contains("data:image/png;base64,") && html.contains("Confusion matrix"));
        assertTrue(html.contains("Where training time went") && html.contains("worker: fit"), html);
        List<String> stats = Files.readAllLines(dir.resolve("run/training-stats.jsonl"));
        assertEquals(3, stats.size());
        for (String line : stats) {
            JsonNode t = JSON.readTree(line);
            assertEquals(2, t.get("workers").asInt());
            double compute = t.get("compute_share").asDouble(), update = t.get("update_share").asDouble();
            // measured, not fast: a first epoch of 8 minibatches is mostly Spark's and DL4J's set-up
            assertTrue(t.get("compute_seconds").asDouble() > 0 && compute > 0 && compute + update <= 1.0
                    && t.get("timed_steps").asLong() > 0, line);
            assertEquals(1.0, compute + update + t.get("other_share").asDouble(), 1e-9, line);
            assertTrue(t.at("/dl4j/ParameterAveragingWorkerFitTimesMs/events").asLong() > 0, line);
        }
    }

    @Test
    @Order(5)
    void aResumedRunEndsWhereTheUninterruptedOneEnds() throws Exception {
        Run first = run("train", "--master", MASTER, "--data", p("shards"), "--out", p("run-resumed"), "--epochs", "2",
                "--batch", "4", "--set", "train.averaging-frequency=2", "--lr", "0.003");
        assertEquals(0, first.code(), first.err());
        Run again = run("train", "--master", MASTER, "--resume", p("run-resumed"), "--epochs", "3");
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("resuming after epoch 2 of 3"), again.out());
        JsonNode resumed = JSON.readTree(dir.resolve("run-resumed/metrics.json").toFile());
        JsonNode straight = JSON.readTree(dir.resolve("run/metrics.json").toFile());
        assertEquals(3, resumed.get("history").size());
        assertEquals(3, Files.readAllLines(dir.resolve("run-resumed/training-stats.jsonl")).size(),
                "the resumed run keeps the first run's epoch timings");
        for (String k : new String[] {"val_loss", "miou", "train_loss"}) {
            double a = resumed.get(k).asDouble(), b = straight.get(k).asDouble();
            System.out.printf("resume vs uninterrupted, %s: %.6f vs %.6f%n", k, a, b);
            assertEquals(b, a, 1e-5, k + " after the resumed third epoch");
        }
        Run done = run("train", "--master", MASTER, "--resume", p("run-resumed"), "--epochs", "3");
        assertEquals(2, done.code());
        assertTrue(done.err().contains("already finished 3 epochs"), done.err());

        // the driver died after the last epoch's checkpoint, before the outputs: --resume writes them
        for (String f : new String[] {"model.zip", "model.json", "metrics.json", "report.html"}) {
            Files.delete(dir.resolve("run-resumed").resolve(f));
        }
        Run finished = run("train", "--master", MASTER, "--resume", p("run-resumed"), "--epochs", "3");
        assertEquals(0, finished.code(), finished.err());
        assertTrue(finished.out().contains("has all 3 epochs but no model.zip"), finished.out());
        JsonNode rewritten = JSON.readTree(dir.resolve("run-resumed/metrics.json").toFile());
        assertEquals(3, rewritten.get("history").size());
        assertEquals(resumed.get("miou").asDouble(), rewritten.get("miou").asDouble(), 1e-6,
                "the last epoch's network evaluated again");
        assertTrue(Files.exists(dir.resolve("run-resumed/model.zip")) && Files.exists(dir.resolve("run-resumed/report.html")));
    }

    @Test
    @Order(5)
    void evaluatingTheSavedModelGivesTheRunsFinalFigures() throws Exception {
        Run r = run("evaluate", "--master", MASTER, "--run", p("run"), "--data", p("shards"), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode e = JSON.readTree(r.out().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        JsonNode metrics = JSON.readTree(dir.resolve("run/metrics.json").toFile());
        assertEquals(metrics.get("miou").asDouble(), e.get("miou").asDouble(), 1e-6);
        assertEquals(metrics.get("pixel_accuracy").asDouble(), e.get("pixel_accuracy").asDouble(), 1e-6);
        assertEquals(4, e.get("per_class_iou").size());
        Run wrong = run("evaluate", "--master", MASTER, "--run", p("run"), "--data", p("nothing-here"));
        assertTrue(wrong.code() != 0);
    }

    @Test
    @Order(5)
    void predictWritesALabelMapAndOverlayPerImageAtItsOwnSize() throws Exception {
        Path in = dir.resolve("predict-in");
        Files.createDirectories(in.resolve("sub"));
        for (String name : new String[] {"000000000001.jpg", "000000000002.jpg", "000000000003.jpg"}) {
            Files.copy(dir.resolve("coco/images").resolve(name), in.resolve("sub").resolve(name));
        }
        Files.copy(dir.resolve("coco/images/000000000004.jpg"), in.resolve("top.jpg"));
        byte[] jpeg = Files.readAllBytes(dir.resolve("coco/images/000000000005.jpg"));
        Files.write(in.resolve("cut.jpg"), Arrays.copyOf(jpeg, 40));
        Files.writeString(in.resolve("README.txt"), "not an image");
        Run r = run("predict", "--master", MASTER, "--run", p("run"), "--images", in.toString(), "--out", p("predicted"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("inputs 5 = written 4 + rejected 1"), r.out());
        assertTrue(r.out().contains("skipped 1 files that are not images"), r.out());
        for (String name : new String[] {"sub/000000000001.png", "sub/000000000003.png", "top.png"}) {
            int[] size = new int[2];
            byte[] labels = LabelPng.decode(Files.readAllBytes(dir.resolve("predicted/labels").resolve(name)), size);
            assertEquals(64, size[0], name);
            assertEquals(48, size[1], name);
            for (byte b : labels) {
                assertTrue((b & 0xff) < 4, name + ": classes 0..3 only");
            }
            assertTrue(Files.size(dir.resolve("predicted/overlays").resolve(name)) > 0, name);
        }
        List<String> rows = Files.readAllLines(dir.resolve("predicted/predictions.csv"));
        assertEquals(5, rows.size(), rows.toString());
        assertTrue(rows.get(0).startsWith("file,width,height,label_map,overlay,share_"), rows.get(0));
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            double sum = 0;
            for (int i = 5; i < f.length; i++) {
                sum += Double.parseDouble(f[i]);
            }
            assertEquals(1.0, sum, 1e-5, row);
        }
        String rejects = Files.readString(dir.resolve("predicted/rejects.csv"));
        assertTrue(rejects.contains("cut.jpg,decode,"), rejects);

        // the default engine ran the run's model.zip exported in memory; DL4J finds the same classes
        assertTrue(r.out().contains("(onnxruntime, model.zip exported in memory)"), r.out());
        assertFalse(Files.exists(dir.resolve("run/model.onnx")));
        Run dl4j = run("predict", "--master", MASTER, "--run", p("run"), "--images", in.toString(), "--out",
                p("predicted-dl4j"), "--engine", "dl4j");
        assertEquals(0, dl4j.code(), dl4j.err());
        assertTrue(dl4j.out().contains("(dl4j, model.zip)"), dl4j.out());
        List<String> expected = Files.readAllLines(dir.resolve("predicted-dl4j/predictions.csv"));
        assertEquals(expected.size(), rows.size());
        for (int i = 1; i < rows.size(); i++) {
            String[] a = expected.get(i).split(","), b = rows.get(i).split(",");
            assertEquals(String.join(",", Arrays.copyOf(a, 5)), String.join(",", Arrays.copyOf(b, 5)));
            for (int k = 5; k < a.length; k++) {
                // class shares of 64x48 pixels: at most a few pixels on a near tie may differ
                assertEquals(Double.parseDouble(a[k]), Double.parseDouble(b[k]), 5.0 / (64 * 48), rows.get(i));
            }
        }
        Run inside = run("predict", "--master", MASTER, "--run", p("run"), "--images", in.toString(),
                "--out", in.resolve("out").toString());
        assertEquals(2, inside.code());
        assertTrue(inside.err().contains("is inside --images"), inside.err());
    }

    @Test
    @Order(5)
    void gradientSharingTrainsOnSpark() throws Exception {
        Run r = run("train", "--master", MASTER, "--mode", "gradient-sharing", "--data", p("shards"), "--out", p("run-gs"),
                "--epochs", "3", "--batch", "4", "--lr", "0.003");
        assertEquals(0, r.code(), r.err());
        JsonNode h = JSON.readTree(dir.resolve("run-gs/metrics.json").toFile()).get("history");
        assertEquals(3, h.size());
        assertTrue(h.get(2).get("train_loss").asDouble() < h.get(0).get("train_loss").asDouble(),
                "training loss falls, and is measured every epoch: " + h);
        assertEquals("gradient-sharing", JSON.readTree(dir.resolve("run-gs/model.json").toFile()).at("/spark/mode").asText());
        // DL4J keeps no statistics for gradient sharing: the steps are timed on the workers by segspark
        for (String line : Files.readAllLines(dir.resolve("run-gs/training-stats.jsonl"))) {
            JsonNode t = JSON.readTree(line);
            // shares depend on the machine's load; that steps were timed at all is the point
            assertTrue(t.get("timed_steps").asLong() > 0 && t.get("compute_share").asDouble() > 0
                    && t.get("update_share").asDouble() > 0, line);
        }
    }

    @Test
    @Order(5)
    void localModeTrainsTheSameModelInOneProcess() throws Exception {
        Run r = run("train", "--master", MASTER, "--mode", "local", "--data", p("shards"), "--out", p("run-local"),
                "--epochs", "2", "--batch", "4", "--set", "train.class-weights=balanced");
        assertEquals(0, r.code(), r.err());
        JsonNode info = JSON.readTree(dir.resolve("run-local/model.json").toFile());
        assertEquals("local", info.at("/spark/mode").asText());
        // balanced weights: total / (present classes x count) over the training split's class pixels
        JsonNode pixels = JSON.readTree(dir.resolve("shards/manifest.json").toFile()).at("/splits/train/class_pixels");
        long total = 0;
        for (JsonNode n : pixels) {
            total += n.asLong();
        }
        JsonNode weights = info.get("class_weights");
        assertEquals(4, weights.size(), info.toString());
        for (int c = 0; c < 4; c++) {
            assertEquals(total / (4.0 * pixels.get(c).asLong()), weights.get(c).asDouble(), 1e-3 * weights.get(c).asDouble());
        }
        assertTrue(r.out().contains("class weights (balanced)"), r.out());
        Run wrong = run("train", "--master", MASTER, "--mode", "local", "--data", p("shards"), "--out", p("run-w"),
                "--epochs", "1", "--set", "train.class-weights=[1, 2]");
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("class-weights has 2 values but the model has 4 classes"), wrong.err());
    }

    @Test
    @Order(6)
    void demoRunsEndToEndOnTheEmbeddedDefault() throws Exception {
        Run r = run("demo", "--master", MASTER, "--out", p("demo"), "--images", "24", "--epochs", "1",
                "--set", "preprocess.coco.height=32", "--set", "preprocess.coco.width=32");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("demo: validation mIoU"), r.out());
        assertTrue(Files.exists(dir.resolve("demo/run/report.html")));
        assertTrue(Files.exists(dir.resolve("demo/shards/manifest.json")));
    }

    @Test
    @Order(7)
    void benchPrintsTheFiguresAsJson() throws Exception {
        Run r = run("bench", "train", "--master", MASTER, "--size", "32", "--batch", "4", "--steps", "2",
                "--workers", "2", "--json", "--set", "bench.warmup=1", "--set", "bench.torch-script=/nonexistent.py", "--seconds", "0",
                "--set", "bench.warmup-seconds=0", "--set", "bench.rewarm-seconds=0");
        assertEquals(0, r.code(), r.err());
        String line = Arrays.stream(r.out().split("\n")).filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        JsonNode j = JSON.readTree(line);
        assertTrue(j.get("train_images_per_s").asDouble() > 0);
        assertTrue(j.get("infer_images_per_s").asDouble() > 0);
        assertTrue(j.get("spark_train_images_per_s").asDouble() > 0);
        assertTrue(j.get("onnxruntime_infer_images_per_s").asDouble() > 0, j.toString());
        assertTrue(j.get("torch_skipped").asText().contains("not found"));
        for (String when : List.of("machine_at_start", "machine_at_end")) {
            assertTrue(j.get(when).get("fmaGflops").asDouble() > 0, j.toString());
            assertTrue(j.get(when).get("copyGbs").asDouble() > 0, j.toString());
        }
        // the PyTorch peer script builds UNet-MobileNetV2 alone: another model is not compared with it
        Run other = run("bench", "train", "--model", "mobilenet-v3-small", "--size", "32x32", "--batch", "4", "--steps", "1",
                "--workers", "0", "--json", "--set", "bench.warmup=1", "--set", "bench.classes=10", "--seconds", "0",
                "--set", "bench.warmup-seconds=0", "--set", "bench.rewarm-seconds=0");
        assertEquals(0, other.code(), other.err());
        JsonNode o = JSON.readTree(Arrays.stream(other.out().split("\n")).filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertTrue(o.get("torch_skipped").asText().contains("builds unet-mobilenetv2 only"), o.toString());
        assertFalse(o.has("ratio_train_vs_torch"), o.toString());
        // bench models: two rounds of DL4J and the network ONNX Runtime serves, medians reported
        Run models = run("bench", "models", "--models", "mobilenet-v3-small", "--size", "32", "--batch", "2", "--steps", "1",
                "--rounds", "2", "--no-torch", "--json", "--set", "bench-models.warmup=1", "--set", "bench-models.warmup-seconds=0",
                "--seconds", "0.5", "--set", "bench-models.rewarm-seconds=0");
        assertEquals(0, models.code(), models.err());
        JsonNode m = JSON.readTree(Arrays.stream(models.out().split("\n")).filter(l -> l.startsWith("{")).findFirst().orElseThrow());
        assertEquals(2, m.get("rounds").asInt());
        assertEquals(0.5, m.get("seconds").asDouble());
        assertTrue(m.get("machine_at_end").get("fmaScaling").asDouble() > 0, m.toString());
        JsonNode row = m.get("models").get(0);
        assertEquals("mobilenet-v3-small", row.get("model").asText());
        assertTrue(row.get("train_images_per_s").asDouble() > 0, row.toString());
        assertTrue(row.get("onnxruntime_infer_images_per_s").asDouble() > 0, row.toString());
        assertTrue(models.err().contains("round 2 of 2"), models.err());
    }

    @Test
    @Order(8)
    void badUsageIsAClearErrorWithExitCode2() {
        Run missing = run("synth-coco", "--image-count", "3");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--out is required"), missing.err());
        Run size = run("synth-coco", "--out", p("x"), "--size", "big");
        assertEquals(2, size.code());
        assertTrue(size.err().contains("--size must look like 128x96"), size.err());
        Run noShards = run("train", "--master", MASTER, "--data", p("nothing-here"), "--out", p("run-x"));
        assertEquals(2, noShards.code());
        assertTrue(noShards.err().contains("is not a shard set"), noShards.err());
        Run model = run("train", "--master", MASTER, "--data", p("shards"), "--out", p("run-y"), "--model", "resnet-9000");
        assertEquals(2, model.code());
        assertTrue(model.err().contains("unknown model \"resnet-9000\""), model.err());
        assertTrue(new File(p("coco")).isDirectory());
    }

    @Test
    @Order(9)
    void modelsListsTheRegistryWithReferenceCounts() throws Exception {
        Run r = run("models", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode all = JSON.readTree(r.out());
        assertEquals(org.segspark.models.registry.ModelRegistry.all().size(), all.size());
        for (JsonNode m : all) {
            String name = m.get("name").asText();
            assertEquals(m.get("reference_params_trainable").asLong(), m.get("params_trainable").asLong(), name);
            assertTrue(Math.abs(m.get("macs").asDouble() / m.get("reference_macs").asDouble() - 1) < 0.01, name);
            assertTrue(m.get("params_total").asLong() >= m.get("params_trainable").asLong(), name);
            assertEquals(3, m.get("input").get(0).asInt(), name);
        }
        JsonNode v3 = all.get(2);
        assertEquals("mobilenet-v3-small", v3.get("name").asText());
        assertEquals("classification", v3.get("task").asText());
        assertEquals(10, v3.get("classes").asInt());
        assertEquals(224, v3.get("input").get(1).asInt());

        Run table = run("models");
        assertEquals(0, table.code(), table.err());
        assertEquals(all.size(), table.out().lines().filter(l -> l.contains(" match")).count(), table.out());

        Run summary = run("models", "mobilenet-v2", "--summary", "--classes", "5", "--size", "96x96");
        assertEquals(0, summary.code(), summary.err());
        assertTrue(summary.out().contains("block_16_project_BN") && summary.out().contains("[320, 3, 3]"), summary.out());
        assertTrue(summary.out().contains("predictions") && summary.out().contains("[5]"), summary.out());

        Run missing = run("models", "--summary");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("--summary needs a model NAME"), missing.err());
    }

    @Test
    @Order(10)
    void benchPreprocessTimesTheShardJob() throws Exception {
        Run r = run("bench", "preprocess", "--master", MASTER, "--json", "--repeat", "1",
                "--set", "bench-preprocess.synthetic-images=6", "--set", "bench-preprocess.synthetic-width=96",
                "--set", "bench-preprocess.synthetic-height=64", "--set", "bench-preprocess.peer-script=/nonexistent.py");
        assertEquals(0, r.code(), r.err());
        String line = Arrays.stream(r.out().split("\n")).filter(l -> l.startsWith("{")).findFirst().orElseThrow();
        JsonNode j = JSON.readTree(line);
        assertEquals(6, j.get("images").asInt());
        assertTrue(j.get("segspark_images_per_s_per_core").asDouble() > 0);
        assertTrue(j.get("peer_skipped").asText().contains("not found"));
    }
}
