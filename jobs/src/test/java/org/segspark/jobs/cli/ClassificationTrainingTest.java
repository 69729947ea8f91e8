package org.segspark.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The 1000 real CIFAR-10 test images (500 train / 500 val, 50 per class) through the CLI: image
 * folder -> shards -> MobileNetV3-Small trained by parameter averaging on Spark local[2].
 */
class ClassificationTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The preprocess module's copy of the images (see its PROVENANCE.txt). */
    private static final Path CIFAR = Path.of("../preprocess/src/test/resources/data/cifar10_imagefolder_jpg");

    @TempDir
    Path dir;

    @Test
    void aMobileNetLearnsRealCifar10OnSpark() throws Exception {
        assertTrue(Files.isDirectory(CIFAR), CIFAR.toAbsolutePath() + " missing");
        CliTest.Run pre = CliTest.run("preprocess", "imagefolder", "--master", "local[2]", "--input", CIFAR.toString(),
                "--out", dir.resolve("shards").toString(), "--size", "32x32");
        assertEquals(0, pre.code(), pre.err());
        assertTrue(pre.out().contains("inputs 1000 = written 1000 + rejected 0"), pre.out());

        CliTest.Run r = CliTest.run("train", "--task", "classification", "--model", "mobilenet-v3-small", "--master", "local[2]",
                "--data", dir.resolve("shards").toString(), "--out", dir.resolve("run").toString(), "--epochs", "8",
                "--batch", "16", "--lr", "0.002");
        assertEquals(0, r.code(), r.err());
        JsonNode h = JSON.readTree(dir.resolve("run/metrics.json").toFile()).get("history");
        assertEquals(8, h.size());
        JsonNode first = h.get(0), last = h.get(7);
        assertTrue(last.get("train_loss").asDouble() < first.get("train_loss").asDouble() - 0.3, "training loss falls: " + h);
        assertTrue(last.get("train_top1").asDouble() >= 0.28, "fits the training images: " + last);
        // chance is 0.10; with 500 validation images its standard error is 0.013
        double bestVal = 0;
        for (JsonNode e : h) {
            bestVal = Math.max(bestVal, e.get("top1").asDouble());
        }
        assertTrue(bestVal >= 0.18 && last.get("top1").asDouble() >= 0.16, "validation top-1 well above chance: " + h);

        JsonNode info = JSON.readTree(dir.resolve("run/model.json").toFile());
        assertEquals("mobilenet-v3-small", info.get("model").asText());
        assertEquals(10, info.get("classes").size(), info.toString());
        String html = Files.readString(dir.resolve("run/report.html"));
        assertTrue(html.contains("Per-class accuracy") && html.contains("airplane"), "classification report");
        assertTrue(Files.readAllLines(dir.resolve("run/history.jsonl")).size() == 8);
    }
}
