package org.segspark.jobs.bench;

import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.jobs.export.OnnxLatency;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.models.ModelConfig;
import org.segspark.models.graph.GraphAssembler;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.layers.NativeSpeed;
import org.segspark.models.onnx.ExportOptions;
import org.segspark.models.onnx.OnnxExport;
import org.segspark.models.onnx.OnnxParity;
import org.segspark.models.onnx.OnnxRuntimeModel;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.nas.NasModels;
import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.graph.NasGraph;
import org.segspark.nas.prune.Pruner;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code segspark bench export}: inference images/s of one network in DL4J, in ONNX Runtime (its
 * exported file) and in PyTorch (the reference implementation), engines taking turns in one
 * process run; and a search run's network before and after pruning in DL4J and ONNX Runtime.
 */
public final class ExportBenchmark {
    private ExportBenchmark() {
    }

    public static final Setting<Integer> THREADS = Setting.integer("threads",
            "Threads for ONNX Runtime and PyTorch; DL4J's come from OMP_NUM_THREADS (all cores by default).").atLeast(1);
    public static final Setting<String> SEARCH = Setting.optionalText("search",
                    "A search run (segspark train of nas-unet / nas-classifier, or nas run's search/) to time before and "
                            + "after pruning; null skips it.")
            .option("--search", "RUN", "A search run to time before and after pruning");

    public static final SettingsSection SECTION = new SettingsSection("bench-export", List.of(BenchSettings.MODEL,
            BenchSettings.SIZE, BenchSettings.BATCH, BenchSettings.CLASSES, BenchSettings.STEPS, BenchSettings.WARMUP,
            THREADS, SEARCH, BenchSettings.TORCH, BenchSettings.PYTHON, BenchSettings.TORCH_SCRIPT));

    public static Map<String, Object> run(Config b, File home, PrintStream progress) throws IOException {
        SettingsSection.Values v = SECTION.read(b);
        String name = v.get(BenchSettings.MODEL);
        int size = v.get(BenchSettings.SIZE), batch = v.get(BenchSettings.BATCH), steps = v.get(BenchSettings.STEPS), warmup = v.get(BenchSettings.WARMUP);
        int threads = v.get(THREADS);
        ModelConfig cfg = ModelRegistry.get(name).defaults().withInput(size, size);
        if (v.get(BenchSettings.CLASSES) > 0) {
            cfg = cfg.withClasses(v.get(BenchSettings.CLASSES));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("date", Instant.now().toString());
        out.put("machine", Machine.describe());
        out.put("backend", NativeSpeed.describe());
        out.put("batch", batch);
        out.put("steps", steps);
        List<Map<String, Object>> rows = new ArrayList<>();

        progress.printf(Locale.ROOT, "bench export: %s at %dx%d, batch %d: DL4J, ONNX Runtime, PyTorch%n", name, size, size, batch);
        ComputationGraph net = ModelRegistry.build(name, cfg);
        Map<String, Object> row = engines(name, net, cfg.channels(), size, size, batch, warmup, steps, threads);
        if (v.get(BenchSettings.TORCH)) {
            File script = new File(v.get(BenchSettings.TORCH_SCRIPT));
            if (!script.isAbsolute()) {
                script = new File(home, v.get(BenchSettings.TORCH_SCRIPT));
            }
            TorchPeer.Figures t = TorchPeer.runModel(v.get(BenchSettings.PYTHON), script, name, size, batch, warmup, steps, threads);
            if (t.skipped() == null) {
                row.put("torch_images_per_s", t.inferImagesPerSecond());
            } else {
                row.put("torch_skipped", t.skipped());
            }
        }
        rows.add(row);
        progress.println("bench export: " + row);

        if (v.get(SEARCH) != null) {
            RunDirectory run = RunDirectory.existing(v.get(SEARCH), new Configuration(), "bench-export.search");
            var info = run.readTree(RunDirectory.MODEL_INFO);
            int h = info.at("/input/1").asInt(), w = info.at("/input/2").asInt();
            ComputationGraph search = run.loadModel(RunDirectory.MODEL);
            NasArchitecture a = NasModels.searchArchitecture(search);
            if (a == null) {
                throw new IllegalArgumentException("bench-export.search " + v.get(SEARCH) + " is not a search run");
            }
            ComputationGraph full = new ComputationGraph(NasGraph.build(a.withMode(NasArchitecture.PLAIN), h, w,
                    ModelRegistry.defaultBase(0), GraphAssembler.Implementation.FAST));
            full.init();
            ComputationGraph pruned = Pruner.prune(search, a, h, w, ModelRegistry.defaultBase(0)).net();
            progress.printf(Locale.ROOT, "bench export: %s before and after pruning, %dx%d, batch %d%n", v.get(SEARCH), h, w, batch);
            rows.add(engines("search network, unpruned (plain)", full, a.inChannels(), h, w, batch, warmup, steps, threads));
            rows.add(engines("search network, pruned", pruned, a.inChannels(), h, w, batch, warmup, steps, threads));
        }
        out.put("rows", rows);
        return out;
    }

    /** DL4J and ONNX Runtime on the same network, size and batch. */
    private static Map<String, Object> engines(String label, ComputationGraph net, int c, int h, int w, int batch, int warmup,
                                               int steps, int threads) {
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) InputType.convolutional(h, w, c);
        byte[] onnx = OnnxExport.export(net, in, ExportOptions.defaults().withBatch(batch)).toByteArray();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("network", label);
        row.put("input", h + "x" + w);
        row.put("params", net.numParams());
        row.put("gmacs_per_image", GraphStats.of(net, in).macs() / 1e9);
        row.put("onnx_bytes", onnx.length);
        row.put("dl4j_images_per_s", dl4jImagesPerSecond(net, c, h, w, batch, warmup, steps));
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(onnx, threads)) {
            Nd4j.getRandom().setSeed(1);
            row.put("max_abs_difference", OnnxParity.maxAbsDifference(net, ort, Nd4j.randn(DataType.FLOAT, batch, c, h, w)));
            row.put("onnxruntime_images_per_s", OnnxLatency.measure(ort, batch, c, h, w, warmup, steps).imagesPerSecond());
        }
        return row;
    }

    private static double dl4jImagesPerSecond(ComputationGraph net, int c, int h, int w, int batch, int warmup, int steps) {
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(DataType.FLOAT, batch, c, h, w);
        double[] ms = new double[steps];
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            for (int i = 0; i < warmup + steps; i++) {
                long t0 = System.nanoTime();
                net.output(false, x);
                if (i >= warmup) {
                    ms[i - warmup] = (System.nanoTime() - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return batch * 1000.0 / ms[steps / 2];
    }

    @SuppressWarnings("unchecked")
    public static String table(Map<String, Object> r) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "inference images/s, batch %s (median of %s passes); %s%n%n",
                r.get("batch"), r.get("steps"), r.get("backend")));
        sb.append(String.format(Locale.ROOT, "%-34s %7s %10s %10s %10s %10s %10s %9s%n", "network", "input", "params", "ONNX MB",
                "DL4J", "ORT", "PyTorch", "max |d|"));
        for (Map<String, Object> row : (List<Map<String, Object>>) r.get("rows")) {
            Object torch = row.get("torch_images_per_s");
            sb.append(String.format(Locale.ROOT, "%-34s %7s %,10d %10.2f %10.1f %10.1f %10s %9.1e%n", row.get("network"),
                    row.get("input"), (Long) row.get("params"), ((Integer) row.get("onnx_bytes")) / 1e6,
                    (Double) row.get("dl4j_images_per_s"), (Double) row.get("onnxruntime_images_per_s"),
                    torch == null ? "-" : String.format(Locale.ROOT, "%.1f", (Double) torch), (Double) row.get("max_abs_difference")));
            if (row.containsKey("torch_skipped")) {
                sb.append("    PyTorch skipped: ").append(row.get("torch_skipped")).append('\n');
            }
        }
        return sb.toString();
    }
}
