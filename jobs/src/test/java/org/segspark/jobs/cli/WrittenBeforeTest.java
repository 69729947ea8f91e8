package org.segspark.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.io.FileUtils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.jobs.CliRun;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files written by an earlier segspark (see the fixture's PROVENANCE.txt) still verify, evaluate
 * to the figures recorded when they were written, resume, prune, export and predict: what a
 * change to the training code, the settings or the records must keep.
 */
class WrittenBeforeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/written-2026-12-05");

    @TempDir
    static Path dir;

    @BeforeAll
    static void copy() throws IOException {
        // the tests write into run folders (resume, export's record): never into the resources
        FileUtils.copyDirectory(FIXTURE.toFile(), dir.toFile());
    }

    static String p(String name) {
        return dir.resolve(name).toString();
    }

    @Test
    void theShardSetVerifies() {
        CliRun r = CliRun.of("shards", "verify", "--data", p("shards"));
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void theSearchRunAndItsPrunedNetworkEvaluateAsWhenWritten() throws Exception {
        // figures printed by segspark evaluate --json when the fixture was written
        assertEvaluates("run", 0.03368730726569105, 0.06621004566210045);
        assertEvaluates("pruned", 0.06282265463666459, 0.17025440313111545);
        JsonNode latest = JSON.readTree(dir.resolve("run/checkpoints/latest.json").toFile());
        assertEquals(0.03368730726569105, latest.at("/metrics/miou").asDouble(), 1e-12);
    }

    private static void assertEvaluates(String model, double miou, double pixelAccuracy) throws IOException {
        CliRun r = CliRun.of("evaluate", "--master", "local[1]", "--run", p(model), "--data", p("shards"), "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode e = JSON.readTree(r.out().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
        assertEquals(3, e.get("examples").asInt());
        assertEquals(miou, e.get("miou").asDouble(), 1e-6, model + ": " + e);
        assertEquals(pixelAccuracy, e.get("pixel_accuracy").asDouble(), 1e-6, model + ": " + e);
    }

    @Test
    void theRunResumesFromItsCheckpoint() throws Exception {
        // a copy of its own: the evaluation test reads the run as written
        FileUtils.copyDirectory(dir.resolve("run").toFile(), dir.resolve("resumed").toFile());
        CliRun r = CliRun.of("train", "--master", "local[1]", "--resume", p("resumed"), "--epochs", "3",
                "--set", "train.data=" + p("shards"));
        assertEquals(0, r.code(), r.err());
        assertEquals(3, Files.readAllLines(dir.resolve("resumed/history.jsonl")).size());
        assertEquals(3, JSON.readTree(dir.resolve("resumed/metrics.json").toFile()).get("history").size());
        assertEquals(3, Files.readAllLines(dir.resolve("resumed/search.jsonl")).size());
    }

    @Test
    void thePrunedNetworkExportsAndPredicts() throws Exception {
        CliRun e = CliRun.of("export", "--run", p("pruned"), "--out", p("pruned-again.onnx"));
        assertEquals(0, e.code(), e.err());
        CliRun r = CliRun.of("predict", "--master", "local[1]", "--run", p("pruned"), "--images", p("coco/images"),
                "--out", p("predicted"), "--engine", "onnxruntime", "--no-overlays");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("inputs 12 = written 12 + rejected 0"), r.out());
    }
}
