package org.segspark.jobs.bench;

import com.typesafe.config.Config;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.export.OnnxLatency;
import org.segspark.models.ModelConfig;
import org.segspark.models.bench.SingleProcessBenchmark;
import org.segspark.models.bench.TimedModel;
import org.segspark.models.bench.Timing;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.onnx.ExportOptions;
import org.segspark.models.onnx.OnnxExport;
import org.segspark.models.onnx.OnnxRuntimeModel;
import org.segspark.models.registry.ModelRegistry;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code segspark bench models}: every registry model (or the ones named) at one input size,
 * DL4J in this process, its PyTorch reference in a peer process and the exported network in ONNX
 * Runtime (inference, as predict serves it), each built once per model and taking turns of a few
 * seconds, round after round, so that the figures compared meet the same machine state; the
 * machine's own speed is probed at the start and the end. Each model is built at its default
 * configuration with the stated input size.
 */
public final class ModelsBenchmark {
    private ModelsBenchmark() {
    }

    public static final Setting<List<String>> MODELS = Setting.texts("models", "Registry names; empty: every model.")
            .option("--models", "NAME", "Registry models, comma-separated (default: all)");

    public static final SettingsSection SECTION = new SettingsSection("bench-models", List.of(MODELS,
            BenchSettings.SIZE, BenchSettings.BATCH, BenchSettings.STEPS, BenchSettings.SECONDS, BenchSettings.WARMUP, BenchSettings.WARMUP_SECONDS,
            BenchSettings.REWARM_SECONDS, BenchSettings.ROUNDS, BenchSettings.ONNXRUNTIME_THREADS, BenchSettings.TORCH,
            BenchSettings.PYTHON, BenchSettings.TORCH_SCRIPT, BenchSettings.TORCH_THREADS));

    public static Map<String, Object> run(Config b, File home, PrintStream progress) {
        SettingsSection.Values v = SECTION.read(b);
        List<String> names = v.get(MODELS).isEmpty() ? List.copyOf(ModelRegistry.all().keySet())
                : v.get(MODELS);
        names.forEach(ModelRegistry::get);
        int size = v.get(BenchSettings.SIZE), batch = v.get(BenchSettings.BATCH), steps = v.get(BenchSettings.STEPS), warmup = v.get(BenchSettings.WARMUP);
        double warmupSeconds = v.get(BenchSettings.WARMUP_SECONDS);
        Timing timed = new Timing(warmup, v.get(BenchSettings.REWARM_SECONDS), steps, v.get(BenchSettings.SECONDS));
        int rounds = v.get(BenchSettings.ROUNDS);
        if (size < 32 || size % 32 != 0) {
            throw new IllegalArgumentException("bench-models.size must be a multiple of 32 (every model's input), got " + size);
        }
        File script = new File(v.get(BenchSettings.TORCH_SCRIPT));
        if (!script.isAbsolute()) {
            script = new File(home, v.get(BenchSettings.TORCH_SCRIPT));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("size", size);
        out.put("batch", batch);
        out.put("steps", steps);
        out.put("seconds", timed.seconds());
        out.put("warmup_seconds", warmupSeconds);
        out.put("rewarm_seconds", timed.warmupSeconds());
        out.put("date", Instant.now().toString());
        out.put("machine", Machine.describe());
        out.put("backend", NativeSpeed.describe());
        out.put("rounds", rounds);
        out.put("machine_at_start", MachineProbe.measure(Runtime.getRuntime().availableProcessors()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String name : names) {
            ModelConfig cfg = ModelRegistry.get(name).defaults().withInput(size, size);
            GraphStats stats = GraphStats.of(ModelRegistry.configuration(name, cfg), InputType.convolutional(size, size, cfg.channels()));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", name);
            row.put("classes", cfg.classes());
            row.put("params_trainable", stats.paramsTrainable());
            row.put("gmacs_per_image", stats.macs() / 1e9);
            // DL4J, PyTorch, DL4J, ONNX Runtime, PyTorch, round after round, each on a network built once: so
            // that the figures compared were taken seconds apart, in the same spell of a shared machine
            List<Double> train = new ArrayList<>(), infer = new ArrayList<>(), served = new ArrayList<>();
            List<Double> torchTrain = new ArrayList<>(), torchInfer = new ArrayList<>();
            String torchSkipped = null;
            TorchSession peer = null;
            if (v.get(BenchSettings.TORCH)) {
                torchSkipped = TorchPeer.unavailable(v.get(BenchSettings.PYTHON), script);
                if (torchSkipped == null) {
                    try {
                        peer = TorchSession.open(v.get(BenchSettings.PYTHON), script, name, size, batch,
                                v.get(BenchSettings.TORCH_THREADS));
                    } catch (IOException e) {
                        torchSkipped = e.getMessage();
                    }
                }
            }
            TimedModel dl4j = new TimedModel(name, cfg.classes(), size, batch);
            int ortThreads = v.get(BenchSettings.ONNXRUNTIME_THREADS);
            try (TorchSession torch = peer; OnnxRuntimeModel ort = ortThreads > 0 ? served(name, cfg, ortThreads) : null) {
                for (int round = 0; round < rounds; round++) {
                    progress.printf(Locale.ROOT, "bench models: %s at %dx%d, batch %d, round %d of %d...%n", name, size, size,
                            batch, round + 1, rounds);
                    // the JIT compiles a model's layers during its first training; every later turn needs less warming
                    Timing first = round == 0 ? timed.warmingFor(warmupSeconds) : timed;
                    train.add(batch / SingleProcessBenchmark.median(dl4j.trainSteps(first)));
                    if (torch != null) {
                        torchTrain.add(batch / torch.stepSeconds("train", timed));
                    }
                    infer.add(batch / SingleProcessBenchmark.median(dl4j.inferSteps(timed)));
                    served.add(ort != null ? OnnxLatency.measure(ort, batch, cfg.channels(), cfg.height(), cfg.width(), timed)
                            .imagesPerSecond() : infer.get(infer.size() - 1));
                    if (torch != null) {
                        torchInfer.add(batch / torch.stepSeconds("infer", timed));
                    }
                }
            } catch (IOException e) {
                torchSkipped = "the PyTorch peer stopped: " + e.getMessage();
                torchTrain.clear();
                torchInfer.clear();
            }
            row.put("train_images_per_s", SingleProcessBenchmark.median(train));
            row.put("infer_images_per_s", SingleProcessBenchmark.median(infer));
            if (v.get(BenchSettings.ONNXRUNTIME_THREADS) > 0) {
                row.put("onnxruntime_infer_images_per_s", SingleProcessBenchmark.median(served));
            }
            if (torchSkipped != null) {
                row.put("torch_skipped", torchSkipped);
            } else if (!torchTrain.isEmpty()) {
                row.put("torch_train_images_per_s", SingleProcessBenchmark.median(torchTrain));
                row.put("torch_infer_images_per_s", SingleProcessBenchmark.median(torchInfer));
                row.put("ratio_train_vs_torch", SingleProcessBenchmark.median(TrainBenchmark.ratios(train, torchTrain)));
                row.put("ratio_infer_vs_torch", SingleProcessBenchmark.median(TrainBenchmark.ratios(served, torchInfer)));
                row.put("ratio_dl4j_infer_vs_torch", SingleProcessBenchmark.median(TrainBenchmark.ratios(infer, torchInfer)));
                if (rounds > 1) {
                    row.put("train_images_per_s_rounds", train);
                    row.put("torch_train_images_per_s_rounds", torchTrain);
                    row.put("onnxruntime_infer_images_per_s_rounds", served);
                    row.put("torch_infer_images_per_s_rounds", torchInfer);
                    row.put("ratio_train_vs_torch_rounds", TrainBenchmark.ratios(train, torchTrain));
                    row.put("ratio_infer_vs_torch_rounds", TrainBenchmark.ratios(served, torchInfer));
                }
            }
            rows.add(row);
            progress.println("bench models: " + row);
        }
        out.put("models", rows);
        out.put("machine_at_end", MachineProbe.measure(Runtime.getRuntime().availableProcessors()));
        return out;
    }

    /** The network exported as predict serves it, in ONNX Runtime. */
    static OnnxRuntimeModel served(String name, ModelConfig cfg, int threads) {
        ComputationGraph net = ModelRegistry.build(name, cfg);
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) InputType.convolutional(cfg.height(),
                cfg.width(), cfg.channels());
        return new OnnxRuntimeModel(OnnxExport.export(net, in, ExportOptions.serving()).toByteArray(), threads);
    }

    @SuppressWarnings("unchecked")
    public static String table(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "input %sx%s, batch %s; images/s (median step of at least %s steps and %s s, "
                        + "after %s s of warm-up, %s s for segspark's first training of a model; median of %s rounds); %s%n",
                r.get("size"), r.get("size"), r.get("batch"), r.get("steps"), r.get("seconds"), r.get("rewarm_seconds"),
                r.get("warmup_seconds"), r.get("rounds"), r.get("backend")));
        sb.append(MachineProbe.atStartAndEnd(r)).append('\n');
        sb.append(String.format(Locale.ROOT, "%-26s %8s %10s %10s %10s %10s %10s %8s %8s %9s%n", "model", "GMACs", "DL4J train",
                "DL4J infer", "ORT infer", "torch trn", "torch inf", "train x", "infer x", "DL4J inf x"));
        for (Map<String, Object> row : (List<Map<String, Object>>) r.get("models")) {
            sb.append(String.format(Locale.ROOT, "%-26s %8.2f %10.2f %10.2f %10s %10s %10s %8s %8s %9s%n", row.get("model"),
                    (Double) row.get("gmacs_per_image"), (Double) row.get("train_images_per_s"),
                    (Double) row.get("infer_images_per_s"), f(row.get("onnxruntime_infer_images_per_s")),
                    f(row.get("torch_train_images_per_s")), f(row.get("torch_infer_images_per_s")),
                    f(row.get("ratio_train_vs_torch")), f(row.get("ratio_infer_vs_torch")), f(row.get("ratio_dl4j_infer_vs_torch"))));
            if (row.get("ratio_train_vs_torch_rounds") instanceof List<?> tr && row.get("ratio_infer_vs_torch_rounds") instanceof List<?> ir) {
                sb.append("    rounds: train x ").append(fs(tr)).append(", infer x ").append(fs(ir)).append('\n');
            }
            if (row.containsKey("torch_skipped")) {
                sb.append("    PyTorch skipped: ").append(row.get("torch_skipped")).append('\n');
            }
        }
        sb.append("train x = DL4J / PyTorch; infer x = what predict serves (ONNX Runtime, else DL4J) / PyTorch; above 1: "
                + "segspark is faster\n");
        return sb.toString();
    }

    private static String fs(List<?> ds) {
        StringBuilder sb = new StringBuilder();
        for (Object d : ds) {
            sb.append(sb.length() == 0 ? "" : " ").append(f(d));
        }
        return sb.toString();
    }

    private static String f(Object d) {
        return d == null ? "-" : String.format(Locale.ROOT, "%.2f", (Double) d);
    }
}
