package org.segspark.jobs.bench;

import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.train.EpochMetrics;
import org.segspark.jobs.train.TrainJob;
import org.segspark.preprocess.coco.SyntheticCoco;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code segspark bench distributed}: the demo task (conf/demo.conf: synthetic COCO, UNet-MobileNetV2,
 * 64x64) trained once per mode — local, parameter averaging, gradient sharing — on the same shards,
 * epochs and seed, in one run: training images/s, final validation mIoU, and the bytes each mode
 * moves per minibatch step.
 */
public final class DistributedBenchmark {
    private DistributedBenchmark() {
    }

    public static Map<String, Object> run(JavaSparkContext jsc, JobConfig cfg, Path root, List<String> modes,
                                          PrintStream console) throws Exception {
        Path coco = root.resolve("coco");
        var s = cfg.section("synth-coco");
        new SyntheticCoco(s.getInt("width"), s.getInt("height"), s.getLong("seed")).write(coco, s.getInt("images"));
        JobConfig base = cfg.with("preprocess.coco.annotations", coco.resolve(SyntheticCoco.ANNOTATIONS).toString())
                .with("preprocess.coco.images", coco.resolve(SyntheticCoco.IMAGES).toString())
                .with("preprocess.coco.out", root.resolve("shards").toString())
                .with("train.data", root.resolve("shards").toString());
        org.segspark.jobs.cli.PreprocessCommand.run(jsc, base, console);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("date", Instant.now().toString());
        out.put("machine", Machine.describe());
        out.put("spark_master", jsc.master());
        out.put("workers", jsc.defaultParallelism());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String mode : modes) {
            JobConfig c = base.with("train.mode", mode).with("train.out", root.resolve("run-" + mode).toString());
            console.printf("bench distributed: training in mode %s...%n", mode);
            TrainJob.Result r = TrainJob.run(jsc, c, console);
            rows.add(row(mode, r, c));
        }
        out.put("modes", rows);
        return out;
    }

    private static Map<String, Object> row(String mode, TrainJob.Result r, JobConfig c) throws IOException {
        List<EpochMetrics> h = r.history();
        double trainSeconds = h.stream().mapToDouble(EpochMetrics::trainSeconds).sum();
        long images = h.stream().mapToLong(EpochMetrics::trainExamples).sum();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", mode);
        row.put("epochs", h.size());
        row.put("train_images_per_s", images / trainSeconds);
        row.put("val_miou", r.metrics().get("miou"));
        row.put("val_loss", r.metrics().get("val_loss"));
        row.put("miou_by_epoch", h.stream().map(EpochMetrics::miou).toList());
        row.put("wall_seconds", r.metrics().get("wall_seconds"));
        long params = ((Number) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(r.run().read(org.segspark.jobs.train.RunDirectory.MODEL_INFO)).get("params_total").numberValue()).longValue();
        row.put("params", params);
        row.put("bytes_per_step_per_worker", bytesPerStep(mode, params, c));
        return row;
    }

    /**
     * Parameter averaging: every averaging round each worker sends its parameters and Adam's two
     * state arrays (3 x 4 bytes per parameter) and receives the averaged ones, spread over
     * averaging-frequency minibatches. Gradient sharing: threshold encoding sends 4 bytes per
     * element above the threshold each step; DL4J's adaptive threshold keeps that share between
     * 1e-4 and 1e-2 of the parameters, so the bound for the densest messages is given.
     */
    static Map<String, Object> bytesPerStep(String mode, long params, JobConfig c) {
        Map<String, Object> b = new LinkedHashMap<>();
        switch (mode) {
            case "parameter-averaging" -> {
                int f = c.get().getInt("train.averaging-frequency");
                b.put("sent", 3 * 4 * params / f);
                b.put("received", 3 * 4 * params / f);
            }
            case "gradient-sharing" -> {
                b.put("sent_at_most", 4 * params / 100);
                b.put("sent_at_least", 4 * params / 10_000);
                b.put("received_per_peer_at_most", 4 * params / 100);
            }
            default -> b.put("sent", 0);
        }
        return b;
    }
}
