package org.segspark.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.cluster.LocalCluster;
import org.segspark.jobs.cluster.SparkSubmitProcess;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.EpochTiming;
import org.segspark.jobs.train.RunDirectory;
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
 * 64x64) trained once per mode — local, parameter averaging, gradient sharing on Spark local[2], then
 * both distributed modes on a two-worker standalone cluster — on the same shards, epochs and seed,
 * in one run: training images/s, final validation mIoU, where the workers' time went, and the
 * bytes each mode moves per minibatch step.
 */
public final class DistributedBenchmark {
    private DistributedBenchmark() {
    }

    /**
     * Trains {@code modes} on this context's master (local[2] by default), then, when
     * {@code clusterModes} is not empty, starts a standalone cluster of two one-core workers from
     * {@code sparkJars} and submits each of those modes to it with the same effective settings.
     */
    public static Map<String, Object> run(JavaSparkContext jsc, JobConfig cfg, Path root, List<String> modes,
                                          List<String> clusterModes, List<Path> sparkJars, PrintStream console)
            throws Exception {
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
            console.printf("bench distributed: training in mode %s on %s...%n", mode, jsc.master());
            TrainJob.Result r = TrainJob.run(jsc, c, console);
            rows.add(row(mode, jsc.master(), r.run(), c));
        }
        if (!clusterModes.isEmpty()) {
            rows.addAll(onCluster(base, root, clusterModes, sparkJars, console));
        }
        out.put("modes", rows);
        return out;
    }

    /** The modes submitted with spark-submit to a fresh two-worker standalone cluster (1 core, 2 GB executors). */
    private static List<Map<String, Object>> onCluster(JobConfig base, Path root, List<String> modes, List<Path> sparkJars,
                                                       PrintStream console) throws Exception {
        Path settings = root.resolve("bench-train.conf");
        java.nio.file.Files.writeString(settings, base.render());
        Path clusterDir = root.resolve("cluster");
        LocalCluster.State cluster = LocalCluster.up(clusterDir, sparkJars, 2, 1, "3g", Sparks.jvmOptions(),
                java.time.Duration.ofSeconds(120));
        List<Map<String, Object>> rows = new ArrayList<>();
        try {
            for (String mode : modes) {
                Path run = root.resolve("cluster-run-" + mode);
                console.printf("bench distributed: training in mode %s on the standalone cluster %s...%n", mode,
                        cluster.masterUrl());
                SparkSubmitProcess.start(cluster, SparkSubmitProcess.appJar(), "2g", 2, root.resolve("cluster-" + mode + ".log"),
                        "bench-" + mode, List.of("train", "--config", settings.toString(), "--set", "train.mode=" + mode,
                                "--set", "train.out=" + run)).finish(90);
                JobConfig c = base.with("train.mode", mode);
                rows.add(row(mode, cluster.masterUrl() + " (2 workers x 1 core)",
                        new RunDirectory(run.toString(), new org.apache.hadoop.conf.Configuration()), c));
            }
        } finally {
            LocalCluster.down(clusterDir);
        }
        return rows;
    }

    /** One mode's figures, from its run folder. */
    private static Map<String, Object> row(String mode, String master, RunDirectory run, JobConfig c) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode metrics = json.readTree(run.read(RunDirectory.METRICS));
        double trainSeconds = 0;
        long images = 0;
        List<Double> miou = new ArrayList<>();
        for (JsonNode e : metrics.get("history")) {
            trainSeconds += e.get("train_seconds").asDouble();
            images += e.get("train_examples").asLong();
            miou.add(e.get("miou").isNumber() ? e.get("miou").asDouble() : null);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("mode", mode);
        row.put("master", master);
        row.put("epochs", metrics.get("history").size());
        row.put("train_images_per_s", images / trainSeconds);
        row.put("val_miou", metrics.get("miou").asDouble());
        row.put("val_loss", metrics.get("val_loss").asDouble());
        row.put("miou_by_epoch", miou);
        row.put("wall_seconds", metrics.get("wall_seconds").asDouble());
        List<EpochTiming> timings = run.timings(Integer.MAX_VALUE);
        row.put("compute_share", timings.stream().mapToDouble(EpochTiming::computeShare).average().orElse(Double.NaN));
        row.put("update_share", timings.stream().mapToDouble(EpochTiming::updateShare).average().orElse(Double.NaN));
        row.put("other_share", timings.stream().mapToDouble(EpochTiming::otherShare).average().orElse(Double.NaN));
        long params = json.readTree(run.read(RunDirectory.MODEL_INFO)).get("params_total").asLong();
        row.put("params", params);
        row.put("bytes_per_step_per_worker", bytesPerStep(mode, params, c, timings));
        List<Map<String, Object>> sharing = timings.stream().map(EpochTiming::sharing).filter(java.util.Objects::nonNull).toList();
        if (!sharing.isEmpty()) {
            row.put("workers_agree_every_epoch", sharing.stream().allMatch(m -> Boolean.TRUE.equals(m.get("workers_agree"))));
            row.put("exchange_seconds", sharing.stream().mapToDouble(m -> ((Number) m.get("exchange_seconds")).doubleValue()).sum());
        }
        return row;
    }

    /**
     * Parameter averaging: every averaging round each worker sends its parameters and Adam's two
     * state arrays (3 x 4 bytes per parameter) and receives the averaged ones, spread over
     * averaging-frequency minibatches. Gradient sharing, segspark's exchange: what the workers
     * measured (each sends its update to every other worker each step). DL4J's exchange: threshold
     * encoding sends 4 bytes per element above the threshold each step; DL4J's adaptive threshold
     * keeps that share between 1e-4 and 1e-2 of the parameters, so the bound for the densest
     * messages is given.
     */
    static Map<String, Object> bytesPerStep(String mode, long params, JobConfig c, List<EpochTiming> timings) {
        Map<String, Object> b = new LinkedHashMap<>();
        switch (mode) {
            case "parameter-averaging" -> {
                int f = c.get().getInt("train.averaging-frequency");
                b.put("sent", 3 * 4 * params / f);
                b.put("received", 3 * 4 * params / f);
            }
            case "gradient-sharing" -> {
                java.util.OptionalDouble measured = timings.stream().map(EpochTiming::sharing)
                        .filter(java.util.Objects::nonNull)
                        .mapToDouble(m -> ((Number) m.get("bytes_per_step")).doubleValue()).average();
                if (measured.isPresent()) {
                    b.put("sent", (long) measured.getAsDouble());
                    b.put("received", (long) measured.getAsDouble());
                    break;
                }
                b.put("sent_at_most", 4 * params / 100);
                b.put("sent_at_least", 4 * params / 10_000);
                b.put("received_per_peer_at_most", 4 * params / 100);
            }
            default -> b.put("sent", 0);
        }
        return b;
    }
}
