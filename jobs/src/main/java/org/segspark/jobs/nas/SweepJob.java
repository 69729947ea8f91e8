package org.segspark.jobs.nas;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.core.config.Choice;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.OutputFolder;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.json.Json;
import org.segspark.jobs.config.JobConfig;
import org.segspark.jobs.progress.ProgressLine;
import org.segspark.jobs.progress.TaskProgress;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.jobs.train.TrainJob;
import org.segspark.models.ModelOption;
import org.segspark.models.registry.ModelRegistry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code segspark nas sweep}: trials (searches or plain training runs) over the cluster, either one
 * Spark task per trial (trial-parallel) or one trial at a time on all executors with gradient
 * sharing (data-parallel). Each trial writes OUT/trials/ID/result.json; a rerun skips the trials
 * that have one. OUT/sweep.json lists every trial (finished, skipped as done, or failed with its
 * error) and OUT/report.html plots the Pareto front of parameters against the metric.
 */
public final class SweepJob {
    public static final String SWEEP = "sweep.json";
    public static final String TRIAL_RESULT = "result.json";

    private SweepJob() {
    }

    public static final Setting<String> OUT = Setting.text("out",
                    "The sweep's folder: trials/<id>/ (each a search or training run and its result.json), sweep.json "
                            + "and report.html (the Pareto front). Trials that finished are skipped when the sweep runs again.")
            .option("--out", "DIR", "Sweep folder");
    public static final Setting<Boolean> FORCE = OutputFolder.FORCE;
    public static final Setting<Mode> MODE = Setting.choice("mode", Mode.class,
                    "trial-parallel: every trial is one Spark task on one executor, trained there in local mode (on the "
                            + "executor's GPU when Spark assigned one: spark.task.resource.gpu.amount = 1); data-parallel: "
                            + "the trials one after another, each trained by all executors with gradient sharing.")
            .option("--mode", "MODE", "trial-parallel or data-parallel");
    public static final Setting<Kind> KIND_OF_TRIAL = Setting.choice("kind", Kind.class,
            "search: search -> prune -> fine-tune per trial (a nas model); train: plain hyperparameter trials.");
    public static final Setting<Integer> SEARCH_EPOCHS = Setting.integer("search-epochs",
            "search: the search's epochs (train: train.epochs applies).").atLeast(1);
    public static final Setting<Integer> FINETUNE_EPOCHS = Setting.integer("finetune-epochs",
            "search: the pruned network's fine-tuning epochs.").atLeast(0);
    public static final Setting<Config> GRID = Setting.custom("grid", "object of lists", Config::getConfig,
            "Every combination of these lists. Keys: nas settings (k, target, f, variant, base-channels, growth, "
                    + "channels, steps, min-depth, max-depth, arch-lr) or train settings (model, optimizer.lr, batch, "
                    + "width-multiplier, epochs, seed, ...).");
    public static final Setting<ConfigList> TRIALS = Setting.custom("trials", "list of objects", Config::getList,
            "An explicit list of trials instead of the grid, e.g. [{k = 0.5, seed = 1}, {k = 0.5, seed = 2}].");

    public static final SettingsSection SECTION = new SettingsSection("sweep", List.of(OUT, FORCE, MODE, KIND_OF_TRIAL,
            SEARCH_EPOCHS, FINETUNE_EPOCHS, GRID, TRIALS));

    /** How the trials use the cluster. */
    public enum Mode implements Choice {
        TRIAL_PARALLEL, DATA_PARALLEL
    }

    /** What a trial is. */
    public enum Kind implements Choice {
        SEARCH, TRAIN
    }

    /** The sweep's settings that travel to its tasks (declared above; defaults in conf/sweep.conf). */
    public record Settings(String out, String mode, String kind, int searchEpochs, int finetuneEpochs)
            implements Serializable {

        static Settings of(SettingsSection.Values v) {
            return new Settings(v.get(OUT), v.get(MODE).id(), v.get(KIND_OF_TRIAL).id(), v.get(SEARCH_EPOCHS),
                    v.get(FINETUNE_EPOCHS));
        }
    }

    /** A sweep's folder (older ones are known by their sweep.json). */
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("sweep", "sweep.json");

    public static SweepResult run(JavaSparkContext jsc, JobConfig config, PrintStream console) throws IOException {
        SettingsSection.Values v = SECTION.read(config.section("sweep"));
        Settings s = Settings.of(v);
        List<SweepTrial> trials = SweepTrial.of(v.get(GRID), v.get(TRIALS));
        Configuration hconf = jsc.hadoopConfiguration();
        RunDirectory root = RunDirectory.claim(s.out(), hconf, KIND, v.get(FORCE), "--out");
        String out = root.root().toString();
        long t0 = System.nanoTime();
        List<TrialResult> results = new ArrayList<>();
        List<SweepTrial> todo = new ArrayList<>();
        for (SweepTrial t : trials) {
            String file = "trials/" + t.id() + "/" + TRIAL_RESULT;
            if (root.exists(file)) {
                TrialResult done = Json.read(root.read(file), TrialResult.class);
                if (done.ok()) {
                    results.add(done.skippedBecause("finished in an earlier run"));
                    continue;
                }
            }
            todo.add(t);
        }
        console.printf(Locale.ROOT, "sweep: %d trials (%s, %s), %d finished before, %d to run%n", trials.size(), s.kind(),
                s.mode(), trials.size() - todo.size(), todo.size());
        if (s.mode().equals("trial-parallel") && !todo.isEmpty()) {
            String hocon = config.render();
            SerializableConf sconf = new SerializableConf(hconf);
            List<String> rows;
            try (TaskProgress p = TaskProgress.start(jsc.sc(),
                    "segspark-sweep", "sweep trials", ProgressLine.console(), todo.size())) {
                rows = jsc.parallelize(todo, todo.size())
                        .map(t -> Json.line(runTrial(t, JobConfig.parse(hocon), s, out, sconf.get(), null, "local")))
                        .collect();
            }
            for (String r : rows) {
                results.add(Json.read(r, TrialResult.class));
            }
        } else {
            for (int i = 0; i < todo.size(); i++) {
                console.printf(Locale.ROOT, "sweep: trial %d/%d %s (gradient sharing on all executors)%n", i + 1,
                        todo.size(), todo.get(i).id());
                TrialResult r = runTrial(todo.get(i), config, s, out, hconf, jsc, "gradient-sharing");
                console.printf(Locale.ROOT, "sweep: trial %d/%d %s in %.0f s%n", i + 1, todo.size(), r.status(), r.seconds());
                results.add(r);
            }
        }
        results.sort(Comparator.comparing(TrialResult::id));
        SweepResult sweep = SweepResult.of(s.mode(), s.kind(), results, (System.nanoTime() - t0) / 1e9);
        root.writeJson(SWEEP, sweep);
        SweepReport.write(root, sweep);
        console.printf(Locale.ROOT, "sweep: %d finished, %d failed; %s and report.html in %s%n", sweep.finished(),
                sweep.failed(), SWEEP, out);
        return sweep;
    }

    /** One trial, on the driver (data-parallel) or inside a Spark task (trial-parallel: jsc null). */
    static TrialResult runTrial(SweepTrial t, JobConfig base, Settings s, String out, Configuration hconf,
                                JavaSparkContext jsc, String trainMode) {
        long t0 = System.nanoTime();
        String dir = out + "/trials/" + t.id();
        String device = bindDevice();
        TaskContext task = TaskContext.get();
        String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
        String where = task == null ? null : String.format(Locale.ROOT, "stage %d partition %d attempt %d",
                task.stageId(), task.partitionId(), task.attemptNumber());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        String model = null, metric = null, status = TrialResult.OK, error = null;
        Long paramsBefore = null, paramsAfter = null, macsBefore = null, macsAfter = null;
        Double metricBefore = null, metricAfter = null;
        try (PrintStream console = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            JobConfig c = t.apply(base).with("train.mode", trainMode);
            model = c.get().getString("train.model");
            if (!ModelRegistry.get(model).options().contains(ModelOption.ARCHITECTURE)) {
                // the sweep's search settings are for the nas models; a plain model's trial has none
                c = c.with("train.model-options.architecture", null);
            }
            if (s.kind().equals("search")) {
                NasResult n = NasPipeline.run(jsc, hconf, c, dir, s.searchEpochs(), s.finetuneEpochs(), console);
                metric = n.metric();
                paramsBefore = n.paramsBefore();
                paramsAfter = n.paramsAfter();
                macsBefore = n.macsBefore();
                macsAfter = n.macsAfter();
                metricBefore = n.metricBefore();
                metricAfter = n.metricAfter();
            } else {
                TrainJob.Result tr = TrainJob.run(jsc, hconf, c.with("train.out", dir), console, false);
                JsonNode info = tr.run().readTree(RunDirectory.MODEL_INFO);
                metric = tr.metrics().headlineName();
                paramsBefore = info.path("params_total").asLong();
                paramsAfter = paramsBefore;
                macsAfter = info.path("macs").asLong();
                metricBefore = tr.metrics().headline();
                metricAfter = metricBefore;
            }
        } catch (Exception | Error e) {
            status = TrialResult.FAILED;
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
        }
        TrialResult r = new TrialResult(t.id(), t.settings(), device, executor, where, model, metric, paramsBefore,
                paramsAfter, macsBefore, macsAfter, metricBefore, metricAfter, status, error,
                (System.nanoTime() - t0) / 1e9, null);
        try {
            RunDirectory d = new RunDirectory(dir, hconf);
            d.writeText("console.log", log.toString(StandardCharsets.UTF_8));
            d.writeJson(TRIAL_RESULT, r);
        } catch (IOException e) {
            r = r.failedBecause("cannot write the trial's result: " + e.getMessage());
        }
        return r;
    }

    /**
     * The GPU Spark assigned to this task (spark.task.resource.gpu.amount = 1), made ND4J's device
     * for this thread on the CUDA backend; "cpu" otherwise.
     */
    static String bindDevice() {
        TaskContext tc = TaskContext.get();
        ResourceInformation gpu = tc == null ? null : tc.resources().get("gpu").getOrElse(() -> null);
        if (gpu == null || gpu.addresses().length == 0) {
            return "cpu";
        }
        String address = gpu.addresses()[0];
        String backend = Nd4j.getBackend().getClass().getSimpleName().toLowerCase(Locale.ROOT);
        if (backend.contains("cu")) {
            Nd4j.getAffinityManager().unsafeSetDevice(Integer.parseInt(address));
            return "gpu:" + address;
        }
        return "gpu:" + address + " assigned, but ND4J runs on " + backend;
    }
}
