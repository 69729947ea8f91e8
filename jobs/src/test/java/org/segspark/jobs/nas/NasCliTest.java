package org.segspark.jobs.nas;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.segspark.jobs.CliRun;
import org.segspark.jobs.view.HeadlessChromium;
import org.segspark.nas.NasModels;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search as a user runs it, on Spark local[2]: searches trained with parameter averaging and
 * with gradient sharing, pruned, fine-tuned from finetune.conf, and sweeps of four searches in
 * both modes (trial-parallel: one Spark task per trial; data-parallel: gradient sharing per trial),
 * rerun to show finished trials are skipped; then the outputs looked at as a user would: the
 * notebooks executed by Jupyter against them, the reports opened in headless Chromium.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NasCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MASTER = "local[2]";
    private static final String[] SMALL = {"--set", "train.model=nas-unet", "--set", "train.batch=4",
            "--set", "train.eval.train-examples=0", "--set", "train.eval.bn-recompute-examples=8",
            "--set", "train.model-options.architecture.base-channels=4", "--set", "train.model-options.architecture.max-depth=3",
            "--set", "train.model-options.architecture.k=2.0", "--set", "train.model-options.architecture.arch-lr=0.05",
            "--set", "train.optimizer.lr=0.003"};

    @TempDir
    static Path dir;

    static CliRun run(String... args) {
        return CliRun.of(args);
    }

    static String p(String name) {
        return dir.resolve(name).toString();
    }

    static String[] with(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    @Order(1)
    void shards() {
        assertEquals(0, run("synth-coco", "--out", p("coco"), "--image-count", "40", "--size", "48x64", "--seed", "3").code());
        CliRun r = run("preprocess", "coco", "--master", MASTER, "--annotations", p("coco/annotations/instances.json"),
                "--images", p("coco/images"), "--out", p("shards"), "--size", "32x32", "--val-fraction", "0.2",
                "--set", "preprocess.coco.row-group-rows=4");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    @Order(2)
    void searchWithParameterAveragingLogsTheArchitectureEveryEpoch() throws Exception {
        CliRun r = run(with(new String[]{"train", "--master", MASTER, "--data", p("shards"), "--out", p("search"), "--epochs", "3"}, SMALL));
        assertEquals(0, r.code(), r.err());
        List<String> rows = Files.readAllLines(dir.resolve("search/search.jsonl"));
        assertEquals(3, rows.size());
        JsonNode first = JSON.readTree(rows.get(0)), last = JSON.readTree(rows.get(2));
        for (String k : List.of("ce", "arch_loss", "size", "size_ratio", "net_depth", "params_if_pruned", "cells")) {
            assertTrue(last.has(k), k + " in " + last);
        }
        assertEquals(5, last.get("cells").size(), "3 encoder + 2 decoder cells");
        assertTrue(last.get("size_ratio").asDouble() < first.get("size_ratio").asDouble(), "the size loss shrinks: " + rows);
        assertTrue(r.out().contains("search: arch_loss"), r.out());
        JsonNode info = JSON.readTree(dir.resolve("search/model.json").toFile());
        assertEquals("search", info.at("/architecture/mode").asText());
        assertEquals("parameter-averaging", info.at("/spark/mode").asText());
        ComputationGraph net = ModelSerializer.restoreComputationGraph(dir.resolve("search/model.zip").toFile(), false);
        assertNotNull(NasModels.searchArchitecture(net), "the saved search network keeps its size loss vertex");
    }

    @Test
    @Order(3)
    void searchWithGradientSharingSharesTheArchitectureParameters() throws Exception {
        CliRun r = run(with(new String[]{"train", "--master", MASTER, "--mode", "gradient-sharing", "--data", p("shards"),
                "--out", p("search-gs"), "--epochs", "2"}, SMALL));
        assertEquals(0, r.code(), r.err());
        assertEquals(2, Files.readAllLines(dir.resolve("search-gs/search.jsonl")).size());
        JsonNode last = JSON.readTree(Files.readAllLines(dir.resolve("search-gs/search.jsonl")).get(1));
        assertTrue(last.get("size_ratio").asDouble() < 0.9, "architecture parameters moved under gradient sharing: " + last);
    }

    @Test
    @Order(4)
    void pruneThenFineTuneWithTheNormalTrainer() throws Exception {
        CliRun r = run("nas", "prune", "--run", p("search"), "--out", p("pruned"));
        assertEquals(0, r.code(), r.err());
        JsonNode prune = JSON.readTree(dir.resolve("pruned/prune.json").toFile());
        assertTrue(prune.get("params_after").asLong() < prune.get("params_before").asLong(), prune.toString());
        assertTrue(prune.get("macs_after").asLong() <= prune.get("macs_before").asLong());
        assertEquals("plain", JSON.readTree(dir.resolve("pruned/architecture.json").toFile()).get("mode").asText());
        ComputationGraph pruned = ModelSerializer.restoreComputationGraph(dir.resolve("pruned/model.zip").toFile(), false);
        assertEquals(prune.get("params_after").asLong(), pruned.numParams());
        assertNull(NasModels.searchArchitecture(pruned));
        // the proof of shrink: file bytes and ONNX Runtime latency before and after, the pruned file written
        for (String side : List.of("onnx_before", "onnx_after")) {
            JsonNode o = prune.get(side);
            assertTrue(o.get("bytes").asLong() > 0 && o.at("/batch1/median_ms").asDouble() > 0
                    && o.at("/batch8/images_per_s").asDouble() > 0, side + ": " + o);
        }
        assertTrue(prune.at("/onnx_after/bytes").asLong() < prune.at("/onnx_before/bytes").asLong(), prune.toString());
        assertEquals(prune.at("/onnx_after/bytes").asLong(), Files.size(dir.resolve("pruned/model.onnx")));
        CliRun ft = run("train", "--master", MASTER, "--config", p("pruned/finetune.conf"), "--epochs", "1");
        assertEquals(0, ft.code(), ft.err());
        assertTrue(ft.out().contains("init-from"), ft.out());
        JsonNode info = JSON.readTree(dir.resolve("pruned/finetune/model.json").toFile());
        assertEquals(prune.get("params_after").asLong(), info.get("params_total").asLong());
        assertEquals("plain", info.at("/architecture/mode").asText());
        CliRun notSearch = run("nas", "prune", "--run", p("pruned/finetune"), "--out", p("pruned2"));
        assertEquals(2, notSearch.code());
        assertTrue(notSearch.err().contains("nas prune takes a search run"), notSearch.err());
    }

    @Test
    @Order(5)
    void thePrunedNetworkExportsAndPredictsThroughOnnxRuntimeAsThroughDl4j() throws Exception {
        CliRun e = run("export", "--run", p("pruned"), "--out", p("pruned.onnx"), "--batch", "4", "--fold-batchnorm");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("onnx checker: passed") || System.getenv("CI") == null, e.out());
        JsonNode record = JSON.readTree(dir.resolve("pruned/model.json").toFile()).get("onnx");
        assertEquals(Files.size(dir.resolve("pruned.onnx")), record.get("bytes").asLong());
        assertTrue(record.get("max_abs_difference").asDouble() <= 1e-4, record.toString());
        CliRun exists = run("export", "--run", p("pruned"), "--out", p("pruned.onnx"));
        assertEquals(2, exists.code());
        assertTrue(exists.err().contains("--force"), exists.err());

        String images = p("coco/images");
        for (String engine : List.of("dl4j", "onnxruntime")) {
            CliRun r = run("predict", "--master", MASTER, "--run", p("pruned"), "--images", images,
                    "--out", p("predicted-" + engine), "--engine", engine, "--no-overlays");
            assertEquals(0, r.code(), r.err());
        }
        List<String> a = Files.readAllLines(dir.resolve("predicted-dl4j/predictions.csv"));
        List<String> b = Files.readAllLines(dir.resolve("predicted-onnxruntime/predictions.csv"));
        assertEquals(a.size(), b.size());
        long pixels = 0, same = 0;
        for (String row : a.subList(1, a.size())) {
            String labels = row.split(",")[3];
            byte[] x = Files.readAllBytes(dir.resolve("predicted-dl4j").resolve(labels));
            byte[] y = Files.readAllBytes(dir.resolve("predicted-onnxruntime").resolve(labels));
            Raster rx = ImageIO.read(new ByteArrayInputStream(x)).getRaster();
            Raster ry = ImageIO.read(new ByteArrayInputStream(y)).getRaster();
            for (int i = 0; i < rx.getHeight(); i++) {
                for (int j = 0; j < rx.getWidth(); j++) {
                    pixels++;
                    same += rx.getSample(j, i, 0) == ry.getSample(j, i, 0) ? 1 : 0;
                }
            }
        }
        assertTrue(pixels > 0 && same >= 0.999 * pixels, same + " of " + pixels + " label-map pixels agree");
    }

    static String[] sweep(String out, String mode) {
        return with(new String[]{"nas", "sweep", "--master", MASTER, "--out", p(out), "--mode", mode,
                "--set", "train.data=" + p("shards"), "--set", "sweep.search-epochs=1", "--set", "sweep.finetune-epochs=1",
                "--set", "sweep.grid={k=[0.5,2.0],variant=[gate,norm]}"}, SMALL);
    }

    static JsonNode checkSweep(String out, int trials) throws Exception {
        JsonNode s = JSON.readTree(dir.resolve(out + "/sweep.json").toFile());
        assertEquals(trials, s.get("trials").size(), s.toString());
        assertEquals(trials, s.get("finished").asInt(), s.toString());
        Set<String> ids = new HashSet<>();
        for (JsonNode t : s.get("trials")) {
            ids.add(t.get("id").asText());
            assertEquals("ok", t.get("status").asText(), t.toString());
            assertTrue(t.get("params_after").asLong() <= t.get("params_before").asLong(), t.toString());
            for (String k : List.of("settings", "macs_after", "metric_before", "metric_after", "seconds")) {
                assertTrue(t.has(k) && !t.get(k).isNull(), k + " in " + t);
            }
            assertTrue(Files.exists(dir.resolve(out + "/trials/" + t.get("id").asText() + "/nas-result.json")));
        }
        assertEquals(trials, ids.size());
        String html = Files.readString(dir.resolve(out + "/report.html"));
        assertTrue(html.contains("Pareto front") && html.contains("<svg"), html);
        return s;
    }

    @Test
    @Order(5)
    void trialParallelSweepRunsEachTrialAsASparkTaskAndSkipsFinishedOnes() throws Exception {
        CliRun r = run(sweep("sweep-tp", "trial-parallel"));
        assertEquals(0, r.code(), r.err());
        JsonNode s = checkSweep("sweep-tp", 4);
        for (JsonNode t : s.get("trials")) {
            assertEquals("cpu", t.get("device").asText());
            assertTrue(t.get("task").asText().startsWith("stage "), "ran in a Spark task: " + t);
        }
        CliRun again = run(sweep("sweep-tp", "trial-parallel"));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.out().contains("4 finished before, 0 to run"), again.out());
        for (JsonNode t : checkSweep("sweep-tp", 4).get("trials")) {
            assertTrue(t.has("skipped"), t.toString());
        }
    }

    @Test
    @Order(6)
    void dataParallelSweepTrainsEachTrialWithGradientSharing() throws Exception {
        CliRun r = run(sweep("sweep-dp", "data-parallel"));
        assertEquals(0, r.code(), r.err());
        JsonNode s = checkSweep("sweep-dp", 4);
        for (JsonNode t : s.get("trials")) {
            assertTrue(t.get("task").isNull(), "trained from the driver: " + t);
        }
        JsonNode info = JSON.readTree(dir.resolve("sweep-dp/trials/" + s.get("trials").get(0).get("id").asText()
                + "/search/model.json").toFile());
        assertEquals("gradient-sharing", info.at("/spark/mode").asText());
    }

    @Test
    @Order(7)
    void randomHyperparameterTrialsWithSuccessiveHalvingStopTheWorstEarly() throws Exception {
        // four learning rates drawn log-uniformly over two decades; rung 1 trains all four one epoch, the
        // best half goes on from its checkpoints to train.epochs = 2
        CliRun r = run("nas", "sweep", "--master", MASTER, "--out", p("sweep-hp"), "--set", "train.data=" + p("shards"),
                "--set", "sweep.kind=train", "--set", "train.model=unet-mobilenetv2", "--set", "train.width-multiplier=0.35",
                "--set", "train.epochs=2", "--set", "train.batch=4", "--sampler", "random", "--samples", "4",
                "--set", "sweep.grid={optimizer.lr={min=0.0001,max=0.03,log=true}}", "--halving",
                "--set", "sweep.halving.eta=2", "--set", "sweep.halving.min-epochs=1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("rung 1/2: 4 trials to 1 epoch") && r.out().contains("rung 2/2: 2 trials to 2 epochs"),
                r.out());
        JsonNode s = JSON.readTree(dir.resolve("sweep-hp/sweep.json").toFile());
        assertEquals(2, s.get("finished").asInt(), s.toString());
        assertEquals(2, s.get("stopped").asInt(), s.toString());
        Set<Double> rates = new HashSet<>();
        double worstGoingOn = Double.POSITIVE_INFINITY, bestStopped = Double.NEGATIVE_INFINITY;
        for (JsonNode t : s.get("trials")) {
            double lr = t.at("/settings/optimizer.lr").asDouble();
            assertTrue(lr >= 1e-4 && lr <= 0.03, t.toString());
            rates.add(lr);
            assertEquals(t.get("params_before"), t.get("params_after"));
            // every trial's first epoch, from its own run: the stopped ones were the worst after rung 1
            List<String> history = Files.readAllLines(dir.resolve("sweep-hp/trials/" + t.get("id").asText() + "/history.jsonl"));
            double firstEpoch = JSON.readTree(history.get(0)).get("miou").asDouble();
            if (t.get("status").asText().equals("stopped")) {
                assertEquals(1, t.get("epochs").asInt(), t.toString());
                assertEquals(1, history.size(), "a stopped trial trains no further: " + t);
                assertTrue(t.get("stopped").asText().startsWith("rung 1 of 2: miou"), t.toString());
                bestStopped = Math.max(bestStopped, firstEpoch);
            } else {
                assertEquals("ok", t.get("status").asText(), t.toString());
                assertEquals(2, t.get("epochs").asInt(), t.toString());
                assertEquals(2, history.size(), "continued from its checkpoint: " + t);
                worstGoingOn = Math.min(worstGoingOn, firstEpoch);
            }
        }
        assertEquals(4, rates.size(), "four different draws: " + rates);
        assertTrue(bestStopped <= worstGoingOn, "stopped " + bestStopped + " vs going on " + worstGoingOn);
        CliRun again = run("nas", "sweep", "--master", MASTER, "--out", p("sweep-hp"), "--set", "train.data=" + p("shards"),
                "--set", "sweep.kind=train", "--set", "train.model=unet-mobilenetv2", "--set", "train.width-multiplier=0.35",
                "--set", "train.epochs=2", "--set", "train.batch=4", "--sampler", "random", "--samples", "4",
                "--set", "sweep.grid={optimizer.lr={min=0.0001,max=0.03,log=true}}", "--halving",
                "--set", "sweep.halving.eta=2", "--set", "sweep.halving.min-epochs=1");
        assertTrue(again.out().contains("4 finished before, 0 to run"), "the same seed draws the same trials: " + again.out());
    }

    @Test
    @Order(8)
    void notebooksExecuteAgainstTheOutputs() throws Exception {
        Path jupyter = org.segspark.jobs.view.ExternalTool.require("/usr/bin/jupyter", "/usr/local/bin/jupyter");
        CliRun preview = run("shards", "preview", "--data", p("shards"), "--out", p("preview"), "--examples", "8");
        assertEquals(0, preview.code(), preview.err());
        assertEquals(9, Files.readAllLines(dir.resolve("preview/index.csv")).size(), "header and 8 examples");
        Path notebooks = Path.of("../notebooks").toAbsolutePath().normalize();
        java.util.Map<String, String> env = java.util.Map.of("SEGSPARK_SHARDS", p("shards"), "SEGSPARK_PREVIEW", p("preview"),
                "SEGSPARK_RUN", p("search"), "SEGSPARK_SWEEP", p("sweep-tp"));
        for (String name : List.of("shards", "run", "sweep")) {
            org.segspark.jobs.view.ExternalTool.Result r = org.segspark.jobs.view.ExternalTool.run(List.of(jupyter.toString(),
                    "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300",
                    "--output-dir", p("notebooks-out"), notebooks.resolve(name + ".ipynb").toString()), env, notebooks, 600);
            assertEquals(0, r.code(), name + ".ipynb failed: " + r.err());
            JsonNode executed = JSON.readTree(dir.resolve("notebooks-out/" + name + ".ipynb").toFile());
            int figures = 0;
            for (JsonNode cell : executed.get("cells")) {
                for (JsonNode o : cell.path("outputs")) {
                    assertTrue(!"error".equals(o.path("output_type").asText()), name + ": " + o);
                    figures += o.path("data").has("image/png") ? 1 : 0;
                }
            }
            assertTrue(figures >= 1, name + ".ipynb drew no figure");
        }
    }

    @Test
    @Order(9)
    void reportsLoadInHeadlessChromiumWithEveryImageAndNoError() throws Exception {
        assertTrue(Files.readString(dir.resolve("search/report.html")).contains("Architecture search"));
        String run = "Loss per epoch|mIoU and pixel accuracy per epoch|IoU per class, last epoch|Confusion matrix, each row normalised";
        Map<String, String> charts = Map.of("search/report.html", run + "|Size / full size|Live channels per cell|Learnt depths",
                "pruned/finetune/report.html", run,
                "sweep-tp/report.html", "Pareto front: miou after fine-tuning against size",
                "sweep-hp/report.html", "miou by trial: against optimizer.lr|Successive halving: validation miou by epoch");
        for (Map.Entry<String, String> page : new TreeMap<>(charts).entrySet()) {
            HeadlessChromium.Check c = HeadlessChromium.open(dir.resolve(page.getKey()), dir);
            assertEquals(List.of(), c.broken(), page + ": images that did not load");
            assertEquals(List.of(), c.errors(), page + ": console errors");
            for (String title : page.getValue().split("\\|")) {
                HeadlessChromium.Chart chart = c.charts().stream().filter(x -> x.title().startsWith(title)).findFirst()
                        .orElseThrow(() -> new AssertionError(page.getKey() + " has no chart \"" + title + "\": " + c.charts()));
                assertTrue(chart.drawn(), page.getKey() + ": " + chart);
                assertTrue(chart.bottom() < HeadlessChromium.HEIGHT, page.getKey() + ": below the screenshot: " + chart);
            }
            assertTrue(Files.size(c.screenshot()) > 10_000, page + ": screenshot " + Files.size(c.screenshot()) + " bytes");
        }
        // a run's predictions: a grid of every validation image (8 here), with the classes' legend
        String html = Files.readString(dir.resolve("search/report.html"));
        assertTrue(html.contains("alt=\"predictions\"") && html.contains("class=\"swatch\""), "predictions with a legend");
        BufferedImage grid = ImageIO.read(dir.resolve("search/report/predictions.png").toFile());
        assertTrue(grid.getHeight() >= 8 * 128, "8 rows of at least 128 px: " + grid.getHeight());
    }
}
