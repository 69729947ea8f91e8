package org.segspark.jobs.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.segspark.jobs.CliRun;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training the decoder alone on cached encoder outputs trains the network that plain training
 * with the same frozen encoder trains (flips included), resumes from a checkpoint where it would
 * have been without the stop, reuses a matching cache, computes it on
 * the executors in the Spark modes, and refuses a network without a frozen encoder.
 */
class FeatureCacheTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    static String p(String name) {
        return dir.resolve(name).toString();
    }

    @BeforeAll
    static void shards() {
        CliRun synth = CliRun.of("synth-coco", "--out", p("coco"), "--image-count", "24", "--size", "64x64", "--seed", "3");
        assertEquals(0, synth.code(), synth.err());
        CliRun pre = CliRun.of("preprocess", "coco", "--master", "local[2]", "--annotations",
                p("coco/annotations/instances.json"), "--images", p("coco/images"), "--out", p("shards"), "--size", "64x64",
                "--val-fraction", "0.25", "--set", "preprocess.coco.row-group-rows=4");
        assertEquals(0, pre.code(), pre.err());
    }

    private static CliRun train(String out, String... more) {
        String[] base = {"train", "--master", "local[2]", "--mode", "local", "--data", p("shards"), "--out", p(out),
                "--model", "unet-mobilenetv2", "--freeze-encoder", "true", "--epochs", "2", "--batch", "4",
                "--set", "train.eval.bn-recompute-examples=8"};
        String[] args = Stream.concat(Stream.of(base), Stream.of(more)).toArray(String[]::new);
        return CliRun.of(args);
    }

    @Test
    void theCachedRunTrainsThePlainRunsNetworkAndResumesExactly() throws Exception {
        CliRun plain = train("plain");
        assertEquals(0, plain.code(), plain.err());
        CliRun cached = train("cached", "--feature-cache", p("cache"));
        assertEquals(0, cached.code(), cached.err());
        assertTrue(cached.out().contains("encoded 16 examples x 2 orientations"), cached.out());

        ComputationGraph a = ModelSerializer.restoreComputationGraph(dir.resolve("plain/model.zip").toFile(), false);
        ComputationGraph b = ModelSerializer.restoreComputationGraph(dir.resolve("cached/model.zip").toFile(), false);
        INDArray diff = a.params().sub(b.params());
        double scale = a.params().amaxNumber().doubleValue();
        assertTrue(diff.amaxNumber().doubleValue() < 1e-3 * scale,
                "parameters differ by up to " + diff.amaxNumber() + " (largest " + scale + ")");
        JsonNode ma = JSON.readTree(dir.resolve("plain/metrics.json").toFile());
        JsonNode mb = JSON.readTree(dir.resolve("cached/metrics.json").toFile());
        assertEquals(ma.get("miou").asDouble(), mb.get("miou").asDouble(), 1e-3);
        assertEquals(ma.get("train_loss").asDouble(), mb.get("train_loss").asDouble(),
                1e-3 * Math.abs(ma.get("train_loss").asDouble()));

        // a cached run stopped after its first epoch and resumed ends where the uninterrupted one
        // ends: the checkpoint carries the decoder's Adam moments and step count
        CliRun first = train("cached-resumed", "--feature-cache", p("cache"), "--set", "train.epochs=1");
        assertEquals(0, first.code(), first.err());
        CliRun resumed = CliRun.of("train", "--master", "local[2]", "--resume", p("cached-resumed"), "--epochs", "2");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resuming after epoch 1 of 2"), resumed.out());
        assertTrue(resumed.out().contains("reusing 16 examples"), resumed.out());
        ComputationGraph c = ModelSerializer.restoreComputationGraph(dir.resolve("cached-resumed/model.zip").toFile(), false);
        double resumeDiff = b.params().sub(c.params()).amaxNumber().doubleValue();
        assertTrue(resumeDiff < 1e-4 * scale, "resumed parameters differ by up to " + resumeDiff);

        CliRun again = train("cached-again", "--feature-cache", p("cache"));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("reusing 16 examples x 2 orientations"), again.out());
        CliRun unflipped = train("unflipped", "--feature-cache", p("cache"), "--set", "train.augment.horizontal-flip=false");
        assertEquals(0, unflipped.code(), unflipped.err());
        assertTrue(unflipped.out().contains("was made for training with flips; computing it again"), unflipped.out());
    }

    @Test
    void theExecutorsComputeTheCacheForParameterAveraging() throws Exception {
        CliRun r = CliRun.of("train", "--master", "local[2]", "--data", p("shards"), "--out", p("averaged"),
                "--model", "unet-vgg16", "--epochs", "1", "--batch", "2", "--workers", "2", "--feature-cache", p("vgg-cache"),
                "--set", "train.averaging-frequency=2", "--set", "train.model-options.head=softmax");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("block1_pool_bn, block2_pool_bn, block3_pool_bn, block4_pool_bn keep the training images' statistics"),
                r.out());
        JsonNode m = JSON.readTree(dir.resolve("vgg-cache/features.json").toFile());
        assertEquals(16, m.get("examples").asInt());
        assertEquals(6, m.get("tensors").size());
        try (Stream<Path> files = Files.list(dir.resolve("vgg-cache/data"))) {
            assertEquals(m.get("files").size(), files.filter(f -> f.toString().endsWith(".parquet")).count());
        }
        JsonNode metrics = JSON.readTree(dir.resolve("averaged/metrics.json").toFile());
        assertTrue(Double.isFinite(metrics.get("train_loss").asDouble()), metrics.toString());
    }

    @Test
    void aNetworkWithoutAFrozenEncoderIsRefused() {
        CliRun r = CliRun.of("train", "--master", "local[2]", "--mode", "local", "--data", p("shards"), "--out", p("unet"),
                "--model", "unet", "--epochs", "1", "--feature-cache", p("unet-cache"));
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("no frozen encoder to cache"), r.err());
    }
}
