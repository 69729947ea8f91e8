package org.segspark.jobs.train;

import org.apache.spark.package$;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.BuildInfo;
import org.segspark.core.Task;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.json.Json;
import org.segspark.core.text.Figures;
import org.segspark.core.shards.ShardFormat;
import org.segspark.core.shards.ShardManifest;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.eval.ConfusionMatrix;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.records.EpochMetrics;
import org.segspark.jobs.records.ModelDescription;
import org.segspark.jobs.records.RunMetrics;
import org.segspark.jobs.run.ResumePoint;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.jobs.run.RunOutputs;
import org.segspark.jobs.spark.SparkProperties;
import org.segspark.jobs.train.fit.Fit;
import org.segspark.models.ModelSpec;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.weights.ClassWeightedLoss;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * {@code segspark train}: the run's settings, its {@link Fit} strategy and network, the epoch
 * loop, and the run folder's outputs (see {@link RunOutputs}) with the run's figures and provenance.
 */
public final class TrainJob {
    private TrainJob() {
    }

    /** What a finished run produced. */
    public record Result(RunDirectory run, List<EpochMetrics> history, RunMetrics metrics) {
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

    /** {@code jsc} null: local mode inside a Spark task (a trial-parallel sweep's trial). */
    public static Result run(JavaSparkContext jsc, Configuration hconf, JobConfig config, PrintStream console,
                             boolean resume) throws IOException {
        TrainConfig cfg = TrainConfig.from(config.section("train"));
        RunDirectory run = resume ? RunDirectory.claim(cfg.out(), hconf, RunDirectory.RUN, false, "--resume")
                : RunDirectory.claim(cfg.out(), hconf, RunDirectory.RUN, cfg.get(TrainConfig.FORCE), "--out");
        ModelSpec spec = ModelRegistry.get(cfg.model());
        String configText = config.render();
        ResumePoint from = null;
        RunOutputs outputs;
        if (resume) {
            from = run.resumePoint();
            if (from.epochsDone() >= cfg.epochs()) {
                if (run.exists(RunDirectory.MODEL)) {
                    throw new IllegalArgumentException(cfg.out() + " already finished " + from.epochsDone()
                            + " epochs; give --epochs above that to train on");
                }
                // the driver died between the last checkpoint and the outputs: nothing to train, all to write
                console.printf(Locale.ROOT, "%s has all %d epochs but no %s: evaluating the last epoch's network "
                        + "and writing the run's outputs%n", cfg.out(), from.epochsDone(), RunDirectory.MODEL);
            }
            outputs = RunOutputs.resume(run, from, configText, cfg.retention(), spec.task(),
                    spec.hooks().epochLog(), console);
        } else {
            outputs = RunOutputs.start(run, configText, cfg.retention(), spec.task(), spec.hooks().epochLog(),
                    console);
        }
        long start = System.nanoTime();
        ProgressLine progress = ProgressLine.console();
        Fit fit = FitModes.of(cfg, jsc, progress);
        EpochLoop.Outcome out = new EpochLoop(cfg, hconf, fit, console, progress, jsc).run(outputs::afterEpoch, from);
        ShardManifest manifest = out.shards().manifest();
        RunMetrics metrics = metrics(spec.task(), manifest, out, cfg.minDelta(), (System.nanoTime() - start) / 1e9);
        ModelDescription description = describe(cfg, config, spec, out, manifest, master(jsc), hconf, metrics);
        console.println("writing " + run.path(RunDirectory.MODEL) + ", metrics and report.html");
        if (jsc != null) {
            run.writeText(RunDirectory.SPARK_PROPERTIES, SparkProperties.text(jsc.getConf()));
        }
        outputs.finish(out.net(), metrics, description, "segspark run: " + cfg.model(),
                header(cfg, spec, description, manifest, master(jsc), out.workers()), out.lastEvaluation());
        return new Result(run, out.history(), metrics);
    }

    static RunMetrics metrics(Task task, ShardManifest manifest, EpochLoop.Outcome out, double minDelta,
                              double wallSeconds) {
        boolean seg = task == Task.SEGMENTATION;
        ConfusionMatrix cm = out.lastEvaluation().confusion();
        Map<String, Double> perClass = null;
        if (seg) {
            perClass = new LinkedHashMap<>();
            double[] iou = cm.iou();
            for (int c = 0; c < iou.length; c++) {
                perClass.put(manifest.classes().get(c), EpochMetrics.finite(iou[c]));
            }
        }
        EpochMetrics last = out.history().get(out.history().size() - 1);
        return new RunMetrics(task.id(), manifest.classes(),
                seg ? EpochMetrics.finite(cm.meanIou()) : null, seg ? EpochMetrics.finite(cm.accuracy()) : null, perClass,
                seg ? null : EpochMetrics.finite(cm.accuracy()), seg ? last.trainMiou() : last.trainTop1(),
                last.trainLoss(), last.valLoss(), cm.toArray(), out.history().size(),
                EpochMetrics.bestEpoch(out.history(), task, minDelta), wallSeconds, out.history());
    }

    static ModelDescription describe(TrainConfig cfg, JobConfig config, ModelSpec spec, EpochLoop.Outcome out,
                                      ShardManifest manifest, String master, Configuration hconf, RunMetrics metrics)
            throws IOException {
        ComputationGraph net = out.net();
        int h = manifest.tensor().height();
        int w = manifest.tensor().width();
        int c = manifest.tensor().channels();
        GraphStats stats = GraphStats.of(net, InputType.convolutional(h, w, c));
        // what segspark predict needs to give new images the training tensors' geometry
        String aspect = manifest.config() != null && manifest.config().hasNonNull("aspect")
                ? manifest.config().get("aspect").asText() : "stretch";
        boolean dctScaling = manifest.config() != null && manifest.config().path("jpeg-dct-scaling").asBoolean(false);
        ShardManifest.Normalization n = manifest.normalization();
        ModelDescription.DataInfo data = new ModelDescription.DataInfo(cfg.data(),
                HadoopFiles.sha256(HadoopFiles.readAll(new Path(HadoopFiles.path(cfg.data()), ShardFormat.MANIFEST), hconf)),
                manifest.created(), manifest.formatVersion(), manifest.source());
        ObjectNode finalMetrics = (ObjectNode) Json.tree(metrics);
        finalMetrics.remove(List.of("history", "confusion_matrix"));
        return new ModelDescription(cfg.model(), spec.task().id(), spec.reference(), List.of(c, h, w), manifest.classes(),
                stats.paramsTotal(), stats.paramsTrainable(), stats.macs(),
                new ModelDescription.InputTransform(h, w, aspect, dctScaling),
                new ModelDescription.NormalizationInfo(cfg.normalization().id(),
                        n == null ? new double[0] : n.mean(), n == null ? new double[0] : n.std()),
                ClassWeightedLoss.of(net, net.getConfiguration().getNetworkOutputs().get(0)), data,
                Json.tree(config.json("train")), BuildInfo.asMap(),
                new ModelDescription.SparkInfo(master, package$.MODULE$.SPARK_VERSION(), out.workers(),
                        cfg.mode().id()),
                Map.<String, JsonNode>of("final", finalMetrics), Instant.now().toString(), host(),
                spec.hooks().describe(out.modelConfig()));
    }

    /** A manifest's source (the preprocessing settings) as "key value; key value". */
    static String readable(Object source) {
        if (!(source instanceof Map<?, ?> map)) {
            return String.valueOf(source);
        }
        StringJoiner j = new StringJoiner("; ");
        map.forEach((k, v) -> j.add(k + " " + (v instanceof Map<?, ?> ? readable(v) : v)));
        return j.toString();
    }

    static Map<String, String> header(TrainConfig cfg, ModelSpec spec, ModelDescription d, ShardManifest manifest,
                                      String master, int workers) {
        Map<String, String> header = new LinkedHashMap<>();
        header.put("model", cfg.model() + " (" + spec.reference() + ")");
        header.put("parameters", Figures.count(d.paramsTrainable()) + " trainable, " + Figures.count(d.paramsTotal()) + " total");
        header.put("data", cfg.data() + " (" + manifest.task() + ", " + manifest.split("train").examples() + " train / "
                + manifest.split("val").examples() + " val, created " + manifest.created() + ")");
        header.put("data source", readable(manifest.source()));
        header.put("training", cfg.mode().id() + " on " + master + ", " + workers + " worker(s), batch "
                + cfg.batch() + ", " + cfg.optimizer().name().id() + " lr " + cfg.optimizer().lr());
        header.put("code", BuildInfo.version() + " (git " + BuildInfo.gitCommit() + ")");
        header.put("finished", Instant.now() + " on " + host());
        return header;
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
