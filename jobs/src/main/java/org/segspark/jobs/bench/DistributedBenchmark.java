package org.segspark.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.segspark.jobs.cluster.LocalCluster;
import org.segspark.jobs.cluster.SparkSubmitProcess;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.preprocess.PreprocessJob;
import org.segspark.jobs.preprocess.SynthCocoJob;
import org.segspark.jobs.records.EpochTiming;
import org.segspark.jobs.records.SharingFigures;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.jobs.spark.Sparks;
import org.segspark.jobs.train.TrainJob;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * {@code segspark bench distributed}: the demo task (conf/demo.conf: synthetic COCO, UNet-MobileNetV2,
 * 64x64) trained once per mode — local, parameter averaging, gradient sharing on Spark local[2], then
 * the distributed modes on standalone clusters of one-core workers, for each number of workers asked
 * — on the same shards, epochs and seed, in one run: training images/s, final validation mIoU,
 * where the workers' time went (and per step), the bytes each mode moves per minibatch step and
 * every JVM's peak resident memory.
 */
public final class DistributedBenchmark {
    private DistributedBenchmark() {
    }

    /**
     * Trains {@code modes} on this context's master (local[2] by default), then, for each number
     * in {@code clusterWorkers}, starts a standalone cluster of that many one-core workers from
     * {@code sparkJars} and submits each of {@code clusterModes} to it with the same effective settings.
     */
    public static Map<String, Object> run(JavaSparkContext jsc, JobConfig cfg, Path root, List<String> modes,
                                          List<String> clusterModes, List<Integer> clusterWorkers, List<Path> sparkJars,
                                          PrintStream console)
            throws Exception {
        JobConfig base = SynthCocoJob.demoData(cfg, root, console);
        PreprocessJob.run(jsc, base, console);

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("date", Instant.now().toString());
        out.put("machine", Machine.describe());
        out.put("spark_master", jsc.master());
        out.put("workers", jsc.defaultParallelism());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String mode : modes) {
            JobConfig c = base.with("train.mode", mode).with("train.out", root.resolve("run-" + mode).toString());
            console.printf("bench distributed: training in mode %s on %s...%n", mode, jsc.master());
            try (PeakMemory memory = PeakMemory.ofThisJvm()) {
                TrainJob.Result r = TrainJob.run(jsc, c, console);
                rows.add(row(mode, jsc.master(), r.run(), c, memory.peaks()));
            }
        }
        if (!clusterModes.isEmpty()) {
            for (int workers : clusterWorkers) {
                rows.addAll(onCluster(base, root, clusterModes, workers, sparkJars, console));
            }
        }
        out.put("modes", rows);
        return out;
    }

    /** The modes submitted with spark-submit to a fresh standalone cluster of {@code workers} 1-core workers, 2 GB executors. */
    private static List<Map<String, Object>> onCluster(JobConfig base, Path root, List<String> modes, int workers,
                                                       List<Path> sparkJars, PrintStream console) throws Exception {
        Path settings = root.resolve("bench-train.conf");
        Files.writeString(settings, base.render());
        Path clusterDir = root.resolve("cluster-" + workers);
        LocalCluster.State cluster = LocalCluster.up(clusterDir, sparkJars, workers, 1, "3g", Sparks.jvmOptions(),
                Duration.ofSeconds(120));
        List<Map<String, Object>> rows = new ArrayList<>();
        try {
            for (String mode : modes) {
                Path run = root.resolve("cluster-run-" + mode + "-" + workers);
                console.printf("bench distributed: training in mode %s on the standalone cluster %s (%d workers)...%n", mode,
                        cluster.masterUrl(), workers);
                // the worker count given, not read from the executors registered by then
                SparkSubmitProcess submit = SparkSubmitProcess.start(cluster, SparkSubmitProcess.appJar(), "2g", workers,
                        root.resolve("cluster-" + mode + "-" + workers + ".log"), "bench-" + mode,
                        List.of("train", "--config", settings.toString(), "--set", "train.mode=" + mode,
                                "--set", "train.workers=" + workers, "--set", "train.out=" + run));
                Map<String, Long> peaks;
                try (PeakMemory memory = PeakMemory.of(submit.process().pid())) {
                    submit.finish(90);
                    peaks = memory.peaks();
                }
                rows.add(row(mode, cluster.masterUrl() + " (" + workers + " workers x 1 core)",
                        new RunDirectory(run.toString(), new Configuration()), base.with("train.mode", mode), peaks));
            }
        } finally {
            LocalCluster.down(clusterDir);
        }
        return rows;
    }

    /** One mode's figures, from its run folder. */
    private static Map<String, Object> row(String mode, String master, RunDirectory run, JobConfig c,
                                           Map<String, Long> peakRss) throws IOException {
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
        long timedSteps = timings.stream().mapToLong(EpochTiming::timedSteps).sum();
        row.put("compute_seconds_per_step", timings.stream().mapToDouble(EpochTiming::computeSeconds).sum() / timedSteps);
        row.put("update_seconds_per_step", timings.stream().mapToDouble(EpochTiming::updateSeconds).sum() / timedSteps);
        row.put("peak_rss_bytes", peakRss);
        long params = json.readTree(run.read(RunDirectory.MODEL_INFO)).get("params_total").asLong();
        row.put("params", params);
        row.put("bytes_per_step_per_worker", bytesPerStep(mode, params, c, timings));
        List<SharingFigures> sharing = timings.stream().map(EpochTiming::sharing).filter(Objects::nonNull).toList();
        if (!sharing.isEmpty()) {
            row.put("workers_agree_every_epoch", sharing.stream().allMatch(SharingFigures::workersAgree));
            double exchange = sharing.stream().mapToDouble(SharingFigures::exchangeSeconds).sum();
            long workerSteps = timings.stream().filter(t -> t.sharing() != null)
                    .mapToLong(t -> t.sharing().stepsPerWorker() * t.workers()).sum();
            row.put("exchange_seconds", exchange);
            row.put("exchange_seconds_per_step", exchange / workerSteps);
            // the workers' own share of a step's exchange, and the copies between ND4J and the exchange
            row.put("packing_seconds_per_step", sum(sharing.stream().map(SharingFigures::packingSeconds)) / workerSteps);
            row.put("conversion_seconds_per_step",
                    sum(sharing.stream().map(SharingFigures::conversionSeconds)) / workerSteps);
            row.put("max_parameter_difference", sharing.stream()
                    .mapToDouble(SharingFigures::maxParameterDifference).max().orElse(0));
        }
        return row;
    }

    /** A figure summed over epochs; absent (an older run) counts 0. */
    private static double sum(Stream<Double> perEpoch) {
        return perEpoch.mapToDouble(v -> v == null ? 0 : v).sum();
    }

    /**
     * Parameter averaging: every averaging round each worker sends its parameters and Adam's two
     * state arrays (3 x 4 bytes per parameter) and receives the averaged ones, spread over
     * averaging-frequency minibatches. Gradient sharing, segspark's exchange: what the workers
     * measured (a ring all-reduce: 2 (N - 1) / N of the update each step). DL4J's exchange: threshold
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
                OptionalDouble measured = timings.stream().map(EpochTiming::sharing)
                        .filter(Objects::nonNull)
                        .mapToDouble(SharingFigures::bytesPerStep).average();
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
