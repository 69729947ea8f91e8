package org.segspark.jobs.bench;

import com.typesafe.config.Config;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.SerializableConf;
import org.segspark.core.shards.ShardSet;
import org.segspark.jobs.data.BatchPlan;
import org.segspark.jobs.data.InputNormalizer;
import org.segspark.jobs.data.Normalization;
import org.segspark.jobs.data.ShardBatchLoader;
import org.segspark.jobs.data.Targets;
import org.segspark.jobs.export.OnnxLatency;
import org.segspark.jobs.train.fit.TrainingStats;
import org.segspark.jobs.train.fit.WorkerHook;
import org.segspark.models.ModelConfig;
import org.segspark.models.bench.LayerProfiler;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.bench.Timing;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.onnx.OnnxRuntimeModel;
import org.segspark.models.registry.ModelRegistry;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code segspark bench train}: one model's training and inference throughput measured side by
 * side in one run: DL4J in this process, DL4J under Spark parameter averaging on local[N] (the
 * full data path: executors load shard row groups), and the PyTorch reference.
 */
public final class TrainBenchmark {
    private TrainBenchmark() {
    }

    public static final Setting<Integer> SPARK_WORKERS = Setting.integer("spark-workers",
                    "Spark parameter averaging on local[N]: N workers; 0 skips the Spark measurement.").atLeast(0)
            .option("--workers", "N", "Spark local[N] workers; 0 skips Spark").formerly("--spark-workers");
    public static final Setting<Integer> AVERAGING_FREQUENCY = Setting.integer("averaging-frequency",
            "Steps between parameter averages in the Spark measurement.").atLeast(1);
    public static final Setting<Boolean> PROFILE = Setting.flag("profile",
                    "Also time every layer forward and backward and print the time per layer type.")
            .option("--profile", null, "Also print the time per layer type (forward and backward)");
    static final Setting<Integer> CLASSES = BenchSettings.CLASSES.option("--classes", "K", "Classes");

    public static final SettingsSection SECTION = new SettingsSection("bench", List.of(BenchSettings.MODEL,
            BenchSettings.SIZE, BenchSettings.BATCH, CLASSES, BenchSettings.STEPS, BenchSettings.SECONDS, BenchSettings.WARMUP,
            BenchSettings.WARMUP_SECONDS, BenchSettings.REWARM_SECONDS, BenchSettings.ROUNDS,
            SPARK_WORKERS, AVERAGING_FREQUENCY, BenchSettings.ONNXRUNTIME_THREADS, BenchSettings.PYTHON,
            BenchSettings.TORCH_SCRIPT, BenchSettings.TORCH_THREADS, PROFILE));

    /** The network the PyTorch peer script (bench/torch_ref.py) builds. */
    static final String TORCH_REF_MODEL = "unet-mobilenetv2";

    public static Map<String, Object> run(Config b, JavaSparkContext jsc, File home) throws IOException {
        SettingsSection.Values v = SECTION.read(b);
        String model = v.get(BenchSettings.MODEL);
        int size = v.get(BenchSettings.SIZE), batch = v.get(BenchSettings.BATCH), classes = v.get(CLASSES);
        int steps = v.get(BenchSettings.STEPS), warmup = v.get(BenchSettings.WARMUP);
        Timing timed = new Timing(warmup, v.get(BenchSettings.REWARM_SECONDS), steps, v.get(BenchSettings.SECONDS));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model);
        out.put("size", size);
        out.put("batch", batch);
        out.put("classes", classes);
        out.put("date", Instant.now().toString());
        out.put("machine", Machine.describe());
        out.put("backend", NativeSpeed.describe());
        out.put("steps", steps);
        out.put("seconds", timed.seconds());
        out.put("warmup_seconds", v.get(BenchSettings.WARMUP_SECONDS));
        out.put("rewarm_seconds", timed.warmupSeconds());
        out.put("machine_at_start", MachineProbe.measure(Runtime.getRuntime().availableProcessors()));

        // DL4J and PyTorch take turns (A B A B ...): drift on a shared machine hits both alike.
        int rounds = v.get(BenchSettings.ROUNDS);
        File script = new File(v.get(BenchSettings.TORCH_SCRIPT));
        if (!script.isAbsolute()) {
            script = new File(home, v.get(BenchSettings.TORCH_SCRIPT));
        }
        List<Double> train = new ArrayList<>(), infer = new ArrayList<>(), served = new ArrayList<>();
        ModelConfig cfg = ModelRegistry.get(model).defaults().withClasses(classes).withInput(size, size);
        int ortThreads = v.get(BenchSettings.ONNXRUNTIME_THREADS);
        List<Double> torchTrain = new ArrayList<>(), torchInfer = new ArrayList<>();
        TorchPeer.Figures torch = null;
        // exported once: the export is not what is timed
        try (OnnxRuntimeModel ort = ortThreads > 0 ? ModelsBenchmark.served(model, cfg, ortThreads) : null) {
            for (int r = 0; r < rounds; r++) {
                // the JIT compiles the model's layers during its first training; everything after needs less warming
                Timing firstOrLater = r == 0 ? timed.warmingFor(v.get(BenchSettings.WARMUP_SECONDS)) : timed;
                SingleProcessBenchmark.Result single = SingleProcessBenchmark.run(model, classes, size, batch, firstOrLater, timed);
                train.add(single.trainImagesPerSecond());
                infer.add(single.inferImagesPerSecond());
                served.add(ort != null ? OnnxLatency.measure(ort, batch, cfg.channels(), size, size, timed).imagesPerSecond()
                        : single.inferImagesPerSecond());
                // the peer script builds UNet-MobileNetV2 alone: any other model would be compared with the wrong network
                torch = !model.equals(TORCH_REF_MODEL) ? new TorchPeer.Figures(Double.NaN, Double.NaN, -1, v.get(BenchSettings.TORCH_SCRIPT)
                        + " builds " + TORCH_REF_MODEL + " only; segspark bench models compares " + model + " with its PyTorch peer")
                        : TorchPeer.run(v.get(BenchSettings.PYTHON), script, size, batch, classes, timed, v.get(BenchSettings.TORCH_THREADS));
                if (torch.skipped() == null) {
                    torchTrain.add(torch.trainImagesPerSecond());
                    torchInfer.add(torch.inferImagesPerSecond());
                }
            }
        }
        double trainIps = SingleProcessBenchmark.median(train), inferIps = SingleProcessBenchmark.median(infer);
        out.put("rounds", rounds);
        out.put("train_images_per_s", trainIps);
        out.put("infer_images_per_s", inferIps);
        out.put("train_images_per_s_rounds", train);
        out.put("infer_images_per_s_rounds", infer);
        if (ortThreads > 0) {
            out.put("onnxruntime_infer_images_per_s", SingleProcessBenchmark.median(served));
            out.put("onnxruntime_infer_images_per_s_rounds", served);
        }
        if (torch != null && torch.skipped() == null) {
            double tt = SingleProcessBenchmark.median(torchTrain), ti = SingleProcessBenchmark.median(torchInfer);
            out.put("torch_train_images_per_s", tt);
            out.put("torch_infer_images_per_s", ti);
            out.put("torch_train_images_per_s_rounds", torchTrain);
            out.put("torch_infer_images_per_s_rounds", torchInfer);
            out.put("ratio_train_vs_torch", SingleProcessBenchmark.median(ratios(train, torchTrain)));
            out.put("ratio_infer_vs_torch", SingleProcessBenchmark.median(ratios(served, torchInfer)));
            out.put("ratio_dl4j_infer_vs_torch", SingleProcessBenchmark.median(ratios(infer, torchInfer)));
            out.put("ratio_train_vs_torch_rounds", ratios(train, torchTrain));
            out.put("ratio_infer_vs_torch_rounds", ratios(served, torchInfer));
        } else if (torch != null) {
            out.put("torch_skipped", torch.skipped());
        }

        out.put("machine_at_end", MachineProbe.measure(Runtime.getRuntime().availableProcessors()));

        if (v.get(PROFILE)) {
            out.put("profile", profile(model, classes, size, batch, steps));
        }

        int workers = v.get(SPARK_WORKERS);
        if (workers > 0 && jsc != null) {
            Map<String, Object> sparkStats = new LinkedHashMap<>();
            double spark = sparkParameterAveraging(jsc, model, size, batch, classes, workers, v.get(AVERAGING_FREQUENCY),
                    Math.max(2, steps / 3), sparkStats);
            out.put("spark_training_stats", sparkStats);
            out.put("spark_workers", workers);
            out.put("spark_master", jsc.master());
            out.put("spark_train_images_per_s", spark);
            out.put("ratio_spark_vs_single", spark / trainIps);
        }

        return out;
    }

    /** Each round's DL4J figure over the PyTorch figure of the same round. */
    static List<Double> ratios(List<Double> dl4j, List<Double> torch) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < dl4j.size(); i++) {
            out.add(dl4j.get(i) / torch.get(i));
        }
        return out;
    }

    /** Per layer type: layers, forward and backward ms per step; plus the measured step. */
    static Map<String, Object> profile(String model, int classes, int size, int batch, int steps) {
        ModelConfig cfg = ModelRegistry.get(model).defaults().withClasses(classes).withInput(size, size);
        ComputationGraph net = ModelRegistry.build(model, cfg);
        LayerProfiler.Profile p = LayerProfiler.profile(net,
                SingleProcessBenchmark.freshBatches(ModelRegistry.get(model).task(), cfg, batch), steps);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("step_ms", p.stepMs());
        out.put("attributed_ms", p.attributedMs());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (LayerProfiler.TypeTime t : p.types()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("type", t.type());
            row.put("layers", t.layers());
            row.put("forward_ms", t.forwardMs());
            row.put("backward_ms", t.backwardMs());
            row.put("share", t.totalMs() / p.attributedMs());
            rows.add(row);
        }
        out.put("by_type", rows);
        return out;
    }

    /** Images/s of parameter averaging over shard row groups, after one warm-up split. */
    static double sparkParameterAveraging(JavaSparkContext jsc, String model, int size, int batch, int classes,
                                          int workers, int averaging, int timedSplits, Map<String, Object> stats)
            throws IOException {
        Path dir = Files.createTempDirectory("segspark-bench-shards");
        try {
            int perSplit = workers * averaging;
            int groups = perSplit * (1 + timedSplits);
            SyntheticShards.write(dir.toString(), groups * batch, size, classes, batch, 1, jsc.hadoopConfiguration());
            ShardSet set = ShardSet.open(dir.toString(), jsc.hadoopConfiguration());
            List<String> refs = BatchPlan.plan(set.rowGroups("train"), batch, 1);
            ModelConfig mc = ModelRegistry.get(model).defaults().withClasses(classes).withInput(size, size);
            ComputationGraph net = ModelRegistry.build(model, mc);
            ParameterAveragingTrainingMaster tm = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                    .batchSizePerWorker(batch).averagingFrequency(averaging).workerPrefetchNumBatches(2)
                    .saveUpdater(true).rngSeed(1).collectTrainingStats(true)
                    .trainingHooks(new WorkerHook(0)).build();
            SparkComputationGraph sparkNet = new SparkComputationGraph(jsc, net, tm);
            ShardBatchLoader loader = new ShardBatchLoader(Targets.of(ModelRegistry.get(model).task(), mc, net.getConfiguration()),
                    InputNormalizer.of(Normalization.DATASET, 3, null, null), 1L,
                    new SerializableConf(jsc.hadoopConfiguration()), jsc.getConf().getInt("spark.task.cpus", 1));
            sparkNet.fitPaths(jsc.parallelize(refs.subList(0, perSplit), workers), loader);
            tm.setCollectTrainingStats(true); // restarts the statistics: only the timed splits count
            List<String> timed = refs.subList(perSplit, refs.size());
            long t = System.nanoTime();
            sparkNet.fitPaths(jsc.parallelize(timed, workers), loader);
            double seconds = (System.nanoTime() - t) / 1e9;
            NativeSpeed.setThreads(Runtime.getRuntime().availableProcessors());
            stats.putAll(TrainingStats.summarize(tm.getTrainingStats()));
            return timed.size() * (double) batch / seconds;
        } finally {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
