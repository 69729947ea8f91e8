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
import org.segspark.core.text.Figures;
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
            "Every combination of these lists. Keys: nas settings (k, target, f, measure, variant, base-channels, growth, "
                    + "channels, steps, min-depth, max-depth, arch-lr) or train settings (model, optimizer.lr, batch, "
                    + "width-multiplier, epochs, seed, ...). A grid given in a --config file or with --set replaces this "
                    + "one rather than adding keys to it.");
    public static final Setting<ConfigList> TRIALS = Setting.custom("trials", "list of objects", Config::getList,
            "An explicit list of trials instead of the grid, e.g. [{k = 0.5, seed = 1}, {k = 0.5, seed = 2}].");
    public static final Setting<Sampler> SAMPLER = Setting.choice("sampler", Sampler.class,
                    "grid: every combination of sweep.grid's lists (or sweep.trials); random: sweep.samples trials, each "
                            + "drawing every key of sweep.grid: from a list one of its values, from {min, max} a number "
                            + "uniformly between (log = true: log-uniformly; integers when both bounds are).")
            .option("--sampler", "SAMPLER", "grid or random");
    public static final Setting<Integer> SAMPLES = Setting.integer("samples", "random: the number of trials drawn.")
            .atLeast(1).option("--samples", "N", "Trials to draw (sampler random)");
    public static final Setting<Long> SEED = Setting.longInteger("seed",
            "random: the draws' seed; the same seed draws the same trials, so a rerun finds the finished ones.");
    public static final Setting<Boolean> HALVING = Setting.flag("halving.enabled",
                    "kind = train: successive halving. Every trial trains halving.min-epochs epochs; the best 1/eta by "
                            + "validation metric continue from their checkpoints to eta times as many, and so on up to "
                            + "train.epochs; the others stop early (status stopped, with the rung and the cut). An "
                            + "epoch-dependent learning-rate schedule sees each rung's epochs as the run's length.")
            .option("--halving", null, "Stop the worst trials early (successive halving)");
    public static final Setting<Integer> HALVING_ETA = Setting.integer("halving.eta",
            "Successive halving: 1/eta of the trials go on at each rung, for eta times the epochs.").atLeast(2);
    public static final Setting<Integer> HALVING_MIN_EPOCHS = Setting.integer("halving.min-epochs",
            "Successive halving: the first rung's epochs.").atLeast(1);

    public static final SettingsSection SECTION = new SettingsSection("sweep", List.of(OUT, FORCE, MODE, KIND_OF_TRIAL,
            SEARCH_EPOCHS, FINETUNE_EPOCHS, GRID, TRIALS, SAMPLER, SAMPLES, SEED, HALVING, HALVING_ETA, HALVING_MIN_EPOCHS));

    /** How the trials use the cluster. */
    public enum Mode implements Choice {
        TRIAL_PARALLEL, DATA_PARALLEL
    }

    /** What a trial is. */
    public enum Kind implements Choice {
        SEARCH, TRAIN
    }

    /** How the trials are chosen. */
    public enum Sampler implements Choice {
        GRID, RANDOM
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
        boolean halving = v.get(HALVING);
        if (halving && v.get(KIND_OF_TRIAL) != Kind.TRAIN) {
            throw new IllegalArgumentException("sweep.halving applies to training trials (sweep.kind = train); a search "
                    + "trial's pipeline has its own epochs");
        }
        if (v.get(SAMPLER) == Sampler.RANDOM && !v.get(TRIALS).isEmpty()) {
            throw new IllegalArgumentException("sweep.sampler = random draws from sweep.grid; sweep.trials is a fixed list "
                    + "(use sampler = grid)");
        }
        List<SweepTrial> trials = v.get(SAMPLER) == Sampler.RANDOM ? SweepTrial.random(v.get(GRID), v.get(SAMPLES), v.get(SEED))
                : SweepTrial.of(v.get(GRID), v.get(TRIALS));
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
                if (done.done()) {
                    results.add(done.skippedBecause("finished in an earlier run"));
                    continue;
                }
            }
            todo.add(t);
        }
        console.printf(Locale.ROOT, "sweep: %d trials (%s, %s%s), %d finished before, %d to run%n", trials.size(), s.kind(),
                s.mode(), halving ? ", successive halving" : "", trials.size() - todo.size(), todo.size());
        SuccessiveHalving.Round round = (batch, epochs, resume) -> round(jsc, config, s, out, batch, epochs, resume, console);
        if (halving) {
            int maxEpochs = config.get().getInt("train.epochs");
            List<Integer> rungs = SuccessiveHalving.rungs(v.get(HALVING_MIN_EPOCHS), v.get(HALVING_ETA), maxEpochs);
            results.addAll(SuccessiveHalving.run(todo, rungs, v.get(HALVING_ETA), round,
                    r -> root.writeJson("trials/" + r.id() + "/" + TRIAL_RESULT, r), console));
        } else {
            results.addAll(round.run(todo, 0, false));
        }
        results.sort(Comparator.comparing(TrialResult::id));
        SweepResult sweep = SweepResult.of(s.mode(), s.kind(), results, (System.nanoTime() - t0) / 1e9);
        root.writeJson(SWEEP, sweep);
        SweepReport.write(root, sweep);
        console.printf(Locale.ROOT, "sweep: %d finished, %d stopped early, %d failed; %s and report.html in %s%n",
                sweep.finished(), sweep.stopped(), sweep.failed(), SWEEP, out);
        return sweep;
    }

    /**
     * Trains {@code trials}, as the sweep's mode says: one Spark task per trial, or one trial after
     * another on all executors with gradient sharing. {@code epochs} 0: the trials' own train.epochs.
     */
    static List<TrialResult> round(JavaSparkContext jsc, JobConfig config, Settings s, String out, List<SweepTrial> trials,
                                   int epochs, boolean resume, PrintStream console) throws IOException {
        List<TrialResult> results = new ArrayList<>();
        if (trials.isEmpty()) {
            return results;
        }
        if (s.mode().equals("trial-parallel")) {
            String hocon = config.render();
            SerializableConf sconf = new SerializableConf(jsc.hadoopConfiguration());
            List<String> rows;
            try (TaskProgress p = TaskProgress.start(jsc.sc(), "segspark-sweep", "sweep trials", ProgressLine.console(),
                    trials.size())) {
                rows = jsc.parallelize(trials, trials.size())
                        .map(t -> Json.line(runTrial(t, JobConfig.parse(hocon), s, out, sconf.get(), null, "local", epochs,
                                resume)))
                        .collect();
            }
            for (String r : rows) {
                results.add(Json.read(r, TrialResult.class));
            }
            return results;
        }
        for (int i = 0; i < trials.size(); i++) {
            console.printf(Locale.ROOT, "sweep: trial %d/%d %s (gradient sharing on all executors)%n", i + 1,
                    trials.size(), trials.get(i).id());
            TrialResult r = runTrial(trials.get(i), config, s, out, jsc.hadoopConfiguration(), jsc, "gradient-sharing",
                    epochs, resume);
            console.printf(Locale.ROOT, "sweep: trial %d/%d %s in %s%n", i + 1, trials.size(), r.status(),
                    Figures.duration(r.seconds()));
            results.add(r);
        }
        return results;
    }

    /** One trial, on the driver (data-parallel) or inside a Spark task (trial-parallel: jsc null). */
    static TrialResult runTrial(SweepTrial t, JobConfig base, Settings s, String out, Configuration hconf,
                                JavaSparkContext jsc, String trainMode, int epochs, boolean resume) {
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
        Integer trained = null;
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
                if (epochs > 0) {
                    c = c.with("train.epochs", epochs);
                }
                TrainJob.Result tr = TrainJob.run(jsc, hconf, c.with("train.out", dir), console, resume);
                trained = tr.history().size();
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
                (System.nanoTime() - t0) / 1e9, null, trained, null);
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
