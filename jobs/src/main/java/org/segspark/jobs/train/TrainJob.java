package org.segspark.jobs.train;

import org.apache.hadoop.conf.Configuration;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.report.RunReport;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.ModelSpec;
import org.segspark.core.Task;
import org.segspark.core.BuildInfo;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardManifest;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code segspark train}: runs the trainer and writes the run folder: the effective config, a
 * checkpoint per epoch, the final model with its provenance, metrics.json and report.html.
 */
public final class TrainJob {
    private TrainJob() {
    }

    /** What a finished run produced. */
    public record Result(RunDirectory run, List<EpochMetrics> history, Map<String, Object> metrics) {
    }

    public static Result run(JavaSparkContext jsc, JobConfig config, PrintStream console) throws IOException {
        return run(jsc, config, console, false);
    }

    /**
     * With {@code resume}, continues the run in {@code train.out} from its last epoch checkpoint
     * (checkpoints/latest.json) up to {@code train.epochs}.
     */
    public static Result run(JavaSparkContext jsc, JobConfig config, PrintStream console, boolean resume)
            throws IOException {
        return run(jsc, jsc.hadoopConfiguration(), config, console, resume);
    }

    /** {@code jsc} null: local mode inside a Spark task (see {@link Trainer}). */
    public static Result run(JavaSparkContext jsc, Configuration hconf, JobConfig config, PrintStream console,
                             boolean resume) throws IOException {
        TrainConfig cfg = TrainConfig.from(config.section("train"));
        RunDirectory run = resume ? RunDirectory.claim(cfg.out(), hconf, RunDirectory.RUN, false, "--resume")
                : RunDirectory.claim(cfg.out(), hconf, RunDirectory.RUN, config.get().getBoolean("train.force"), "--out");
        List<String> checkpoints = new ArrayList<>();
        List<EpochMetrics> history = new ArrayList<>();
        List<EpochTiming> timings = new ArrayList<>();
        List<Map<String, Object>> searchRows = new ArrayList<>();
        Trainer.Resume from = null;
        if (resume) {
            from = run.resumePoint();
            if (from.epochsDone() >= cfg.epochs()) {
                throw new IllegalArgumentException(cfg.out() + " already finished " + from.epochsDone()
                        + " epochs; give --epochs above that to train on");
            }
            history.addAll(from.history());
            timings.addAll(run.timings(from.epochsDone()));
            checkpoints.addAll(run.checkpointFiles());
            if (run.exists(RunDirectory.SEARCH)) {
                com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
                for (String line : new String(run.read(RunDirectory.SEARCH), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> row = m.readValue(line, Map.class);
                        if (((Number) row.get("epoch")).intValue() <= from.epochsDone()) {
                            searchRows.add(row);
                        }
                    }
                }
            }
        }
        long start = System.nanoTime();
        ModelSpec spec = ModelRegistry.get(cfg.model());
        Trainer trainer = new Trainer(jsc, hconf, cfg, console, ProgressLine.console());
        Trainer.Outcome out = trainer.run((net, metrics, eval, timing) -> {
            // written with the first epoch's checkpoint: a run refused before training starts leaves an
            // earlier run's settings (which --resume reads) as they were
            run.writeText(RunDirectory.CONFIG, config.render());
            String name = String.format(Locale.ROOT, "%s/epoch-%04d.zip", RunDirectory.CHECKPOINTS, metrics.epoch());
            run.saveModel(name, net);
            checkpoints.add(name);
            Map<String, Object> latest = new LinkedHashMap<>();
            latest.put("epoch", metrics.epoch());
            latest.put("file", name);
            latest.put("metrics", metrics);
            run.writeJson(RunDirectory.CHECKPOINTS + "/latest.json", latest);
            history.add(metrics);
            if (Trainer.bestEpoch(history, spec.task(), 0) == metrics.epoch()) {
                run.saveModel(RunDirectory.CHECKPOINTS + "/best.zip", net);
            }
            run.writeJsonLines(RunDirectory.HISTORY, history);
            timings.add(timing);
            run.writeJsonLines(RunDirectory.TRAINING_STATS, timings);
            org.segspark.nas.architecture.NasArchitecture search = org.segspark.nas.NasModels.searchArchitecture(net);
            if (search != null) {
                Map<String, Object> row = org.segspark.nas.SearchState.row(net, search, metrics.epoch(), metrics.trainLoss());
                searchRows.add(row);
                run.writeJsonLines(RunDirectory.SEARCH, searchRows);
                console.println(org.segspark.nas.SearchState.describe(row));
            }
            while (checkpoints.size() > cfg.keepCheckpoints()) {
                run.delete(checkpoints.remove(0));
            }
        }, from);
        ComputationGraph net = out.net();
        run.saveModel(RunDirectory.MODEL, net);
        ShardManifest manifest = out.shards().manifest();
        boolean seg = spec.task() == Task.SEGMENTATION;
        ConfusionMatrix cm = out.lastEvaluation().confusion();

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("task", spec.task().id());
        metrics.put("classes", manifest.classes());
        if (seg) {
            metrics.put("miou", EpochMetrics.finite(cm.meanIou()));
            metrics.put("pixel_accuracy", EpochMetrics.finite(cm.accuracy()));
            Map<String, Double> perClass = new LinkedHashMap<>();
            double[] iou = cm.iou();
            for (int c = 0; c < iou.length; c++) {
                perClass.put(manifest.classes().get(c), EpochMetrics.finite(iou[c]));
            }
            metrics.put("per_class_iou", perClass);
        } else {
            metrics.put("top1", EpochMetrics.finite(cm.accuracy()));
        }
        EpochMetrics last = out.history().get(out.history().size() - 1);
        metrics.put(seg ? "train_miou" : "train_top1", seg ? last.trainMiou() : last.trainTop1());
        metrics.put("train_loss", last.trainLoss());
        metrics.put("val_loss", last.valLoss());
        metrics.put("confusion_matrix", cm.toArray());
        metrics.put("epochs", out.history().size());
        metrics.put("best_epoch", Trainer.bestEpoch(out.history(), spec.task(), cfg.earlyStopping().minDelta()));
        metrics.put("wall_seconds", (System.nanoTime() - start) / 1e9);
        metrics.put("history", out.history());
        run.writeJson(RunDirectory.METRICS, metrics);

        Map<String, Object> info = provenance(cfg, config, spec, net, manifest, jsc, hconf, out.workers(), metrics);
        if (cfg.model().startsWith("nas-")) {
            // the definition the network was built from: what nas prune, predict and a re-search read
            info.put("architecture", new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                    org.segspark.nas.NasModels.architecture(cfg.model().substring(4), out.modelConfig()).toJson(), Map.class));
        }
        run.writeJson(RunDirectory.MODEL_INFO, info);

        Map<String, String> header = new LinkedHashMap<>();
        header.put("model", cfg.model() + " (" + spec.reference() + ")");
        header.put("parameters", info.get("params_trainable") + " trainable, " + info.get("params_total") + " total");
        header.put("data", cfg.data() + " (" + manifest.task() + ", " + manifest.split("train").examples() + " train / "
                + manifest.split("val").examples() + " val, created " + manifest.created() + ")");
        header.put("data source", String.valueOf(manifest.source()));
        header.put("training", cfg.mode().id() + " on " + master(jsc) + ", " + out.workers() + " worker(s), batch "
                + cfg.batch() + ", " + cfg.optimizer().name() + " lr " + cfg.optimizer().lr());
        header.put("code", BuildInfo.version() + " (git " + BuildInfo.gitCommit() + ")");
        header.put("finished", Instant.now().toString() + " on " + host());
        RunReport.Output report = RunReport.render(new RunReport.Input("segspark run: " + cfg.model(), header,
                config.render(), manifest.classes(), seg, out.history(), cm, out.lastEvaluation().samples(), timings, searchRows));
        for (Map.Entry<String, byte[]> e : report.figures().entrySet()) {
            run.writeBytes("report/" + e.getKey(), e.getValue());
        }
        run.writeText(RunDirectory.REPORT, report.html());
        return new Result(run, out.history(), metrics);
    }

    static Map<String, Object> provenance(TrainConfig cfg, JobConfig config, ModelSpec spec, ComputationGraph net,
                                          ShardManifest manifest, JavaSparkContext jsc, Configuration hconf, int workers,
                                          Map<String, Object> metrics) throws IOException {
        GraphStats stats = GraphStats.of(net, InputType.convolutional(manifest.tensor().height(), manifest.tensor().width(), 3));
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model", cfg.model());
        info.put("task", spec.task().id());
        info.put("reference", spec.reference());
        info.put("input", List.of(3, manifest.tensor().height(), manifest.tensor().width()));
        info.put("classes", manifest.classes());
        info.put("params_total", stats.paramsTotal());
        info.put("params_trainable", stats.paramsTrainable());
        info.put("macs", stats.macs());
        // what segspark predict needs to give new images the training tensors' geometry
        String aspect = manifest.config() != null && manifest.config().hasNonNull("aspect")
                ? manifest.config().get("aspect").asText() : "stretch";
        boolean dctScaling = manifest.config() != null && manifest.config().path("jpeg-dct-scaling").asBoolean(false);
        info.put("input_transform", Map.of("height", manifest.tensor().height(), "width", manifest.tensor().width(),
                "aspect", aspect, "jpeg_dct_scaling", dctScaling));
        info.put("normalization", Map.of("mode", cfg.normalization().name().toLowerCase(Locale.ROOT),
                "mean", manifest.normalization() == null ? List.of() : manifest.normalization().mean(),
                "std", manifest.normalization() == null ? List.of() : manifest.normalization().std()));
        info.put("class_weights", org.segspark.models.weights.ClassWeightedLoss.of(net,
                net.getConfiguration().getNetworkOutputs().get(0)));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("shards", cfg.data());
        data.put("manifest_sha256", HadoopFiles.sha256(HadoopFiles.readAll(
                new org.apache.hadoop.fs.Path(HadoopFiles.path(cfg.data()), ShardFormat.MANIFEST), hconf)));
        data.put("manifest_created", manifest.created());
        data.put("format_version", manifest.formatVersion());
        data.put("source", manifest.source());
        info.put("data", data);
        info.put("train_config", com.typesafe.config.ConfigFactory.parseString(config.json("train")).root().unwrapped());
        info.put("code", BuildInfo.asMap());
        info.put("spark", Map.of("master", master(jsc), "version", org.apache.spark.package$.MODULE$.SPARK_VERSION(), "workers", workers,
                "mode", cfg.mode().id()));
        info.put("metrics", Map.of("final", metrics.entrySet().stream()
                .filter(e -> !e.getKey().equals("history") && !e.getKey().equals("confusion_matrix"))
                .collect(LinkedHashMap::new, (mm, e) -> mm.put(e.getKey(), e.getValue()), Map::putAll)));
        info.put("created", Instant.now().toString());
        info.put("host", host());
        return info;
    }

    /** Where training ran: the Spark master, or inside a Spark task (a trial-parallel sweep's trial). */
    static String master(JavaSparkContext jsc) {
        return jsc == null ? "a Spark task (trial-parallel)" : jsc.master();
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }
}
