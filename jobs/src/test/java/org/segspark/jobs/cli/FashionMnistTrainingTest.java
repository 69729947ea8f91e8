package org.segspark.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real Fashion-MNIST through the CLI as a user runs it: the first 3,000 training and 1,000 test
 * images of the real IDX files (the preprocess module's slice, see its PROVENANCE.txt) -> {@code
 * preprocess idx} -> MobileNetV2 trained by parameter averaging on Spark local[2] -> top-1 on the
 * 1,000 real test images.
 */
class FashionMnistTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SLICE = Path.of("../preprocess/src/test/resources/data/fashion_mnist_slice");
    private static final int EPOCHS = 4;
    /**
     * Chance is 0.10 (the slice's largest test class is 0.115). Two runs of exactly this test's
     * settings (the recipe's gradient sharing, two workers on local[2]) reached 0.731 and 0.729
     * after 4 epochs (0.46-0.48 after the first; parameter averaging had reached 0.598 and 0.597);
     * 0.65 leaves about five binomial standard errors (0.014 on 1,000 images) below that, and six
     * and a half times chance above.
     */
    private static final double MIN_TOP1 = 0.65;

    @TempDir
    Path dir;

    @Test
    void aMobileNetLearnsRealFashionMnistOnSpark() throws Exception {
        String shards = dir.resolve("shards").toString();
        CliTest.Run pre = CliTest.run("preprocess", "idx", "--master", "local[2]", "--dataset", "fashion-mnist",
                "--images", SLICE.resolve("train-images-idx3-ubyte.gz").toString(),
                "--labels", SLICE.resolve("train-labels-idx1-ubyte.gz").toString(),
                "--test-images", SLICE.resolve("t10k-images-idx3-ubyte.gz").toString(),
                "--test-labels", SLICE.resolve("t10k-labels-idx1-ubyte.gz").toString(), "--out", shards, "--size", "32x32");
        assertEquals(0, pre.code(), pre.err());
        assertTrue(pre.out().contains("inputs 4000 = written 4000 + rejected 0"), pre.out());

        CliTest.Run r = CliTest.run("train", "--config", "../conf/fashion-mnist.conf", "--master", "local[2]",
                "--data", shards, "--out", dir.resolve("run").toString(), "--epochs", String.valueOf(EPOCHS),
                "--batch", "32");
        assertEquals(0, r.code(), r.err());
        JsonNode h = JSON.readTree(dir.resolve("run/metrics.json").toFile()).get("history");
        assertEquals(EPOCHS, h.size());
        assertTrue(h.get(EPOCHS - 1).get("train_loss").asDouble() < h.get(0).get("train_loss").asDouble() - 0.5,
                "training loss falls: " + h);
        double top1 = h.get(EPOCHS - 1).get("top1").asDouble();
        assertTrue(top1 >= MIN_TOP1, "validation top-1 on 1,000 real test images: " + h);
        JsonNode info = JSON.readTree(dir.resolve("run/model.json").toFile());
        assertEquals("Ankle boot", info.get("classes").get(9).asText(), info.toString());
    }
}
