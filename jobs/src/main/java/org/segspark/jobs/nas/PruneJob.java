package org.segspark.jobs.nas;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.jobs.export.ExportJob;
import org.segspark.jobs.export.OnnxLatency;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.models.graph.GraphStats;
import org.segspark.models.registry.ModelRegistry;
import org.segspark.models.graph.GraphAssembler;
import org.segspark.models.onnx.ExportOptions;
import org.segspark.models.onnx.OnnxRuntimeModel;
import org.segspark.nas.architecture.NasArchitecture;
import org.segspark.nas.graph.NasGraph;
import org.segspark.nas.NasModels;
import org.segspark.nas.prune.Pruner;

import org.segspark.core.io.OutputFolder;
import org.segspark.core.json.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.time.Instant;

/**
 * {@code segspark nas prune}: a search run's network made physically smaller. The output folder
 * is a run folder like any other (model.zip, model.json: predict and evaluate take it), plus
 * architecture.json (the plain definition: fine-tune it, or search it again), prune.json (what was
 * kept, parameters and MACs before and after) and finetune.conf (the search run's configuration
 * with the pruned architecture and weights: {@code segspark train --config OUT/finetune.conf}).
 */
public final class PruneJob {
    public static final String ARCHITECTURE = "architecture.json";
    public static final String PRUNE = "prune.json";
    public static final String FINETUNE_CONF = "finetune.conf";

    private PruneJob() {
    }

    public record Result(long paramsBefore, long paramsAfter, long macsBefore, long macsAfter, NasArchitecture pruned,
                         PruneReport report, OnnxFigures onnx) {
    }

    /** The ONNX file and ONNX Runtime CPU latency of one network: what pruning buys at deployment. */
    public record OnnxFigures(@JsonProperty("bytes") long bytes, @JsonProperty("batch1") OnnxLatency.Figures batch1,
                              @JsonProperty("batch8") OnnxLatency.Figures batch8) {
    }

    /** Exported file of the pruned network, next to model.zip (dynamic batch axis). */
    public static final String ONNX = "model.onnx";

    /** A pruned network's folder (older ones are known by their prune.json). */
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("pruned", "prune.json");

    public static Result run(String runLocation, String outLocation, Configuration hconf, PrintStream console)
            throws IOException {
        return run(runLocation, outLocation, hconf, console, false);
    }

    public static Result run(String runLocation, String outLocation, Configuration hconf, PrintStream console,
                             boolean force) throws IOException {
        RunDirectory run = RunDirectory.existing(runLocation, hconf, "--run");
        RunDirectory out = RunDirectory.claim(outLocation, hconf, KIND, force, "--out");
                JsonNode info = run.readTree(RunDirectory.MODEL_INFO);
        ComputationGraph search = run.loadModel(RunDirectory.MODEL);
        NasArchitecture a = NasModels.searchArchitecture(search);
        if (a == null) {
            throw new IllegalArgumentException(runLocation + " holds a " + info.path("model").asText("?")
                    + " network without relaxations: nas prune takes a search run (nas-unet or nas-classifier in search mode)");
        }
        int h = info.path("input").get(1).asInt(), w = info.path("input").get(2).asInt();
        Pruner.Result p = Pruner.prune(search, a, h, w, ModelRegistry.defaultBase(0));
        InputType in = InputType.convolutional(h, w, a.inChannels());
        GraphStats before = GraphStats.of(NasGraph.build(a.withMode(NasArchitecture.PLAIN), h, w,
                ModelRegistry.defaultBase(0), GraphAssembler.Implementation.FAST), in);
        GraphStats after = GraphStats.of(p.net(), in);

        out.saveModel(RunDirectory.MODEL, p.net(), false);     // fine-tuning starts a new updater
        // the unpruned architecture as a plain network (weights do not change a file's size or its speed)
        ComputationGraph full = new ComputationGraph(NasGraph.build(a.withMode(NasArchitecture.PLAIN), h, w,
                ModelRegistry.defaultBase(0), GraphAssembler.Implementation.FAST));
        full.init();
        byte[] onnxAfter = ExportJob.toOnnx(p.net(), info, ExportJob.options(p.net(), info, ExportOptions.DEFAULT_OPSET, 0,
                false, false, out.root().toString()));
        OnnxFigures onnxBefore = onnxFigures(ExportJob.toOnnx(full, info, ExportOptions.defaults().withBatch(0)), a.inChannels(), h, w);
        OnnxFigures onnxPruned = onnxFigures(onnxAfter, a.inChannels(), h, w);
        out.writeBytes(ONNX, onnxAfter);
        out.writeText(ARCHITECTURE, p.architecture().toJson());
        ObjectNode outInfo = (ObjectNode) info.deepCopy();
        outInfo.set("architecture", Json.tree(p.architecture().toJson()));
        outInfo.put("params_total", after.paramsTotal());
        outInfo.put("params_trainable", after.paramsTrainable());
        outInfo.put("macs", after.macs());
        outInfo.put("pruned_from", run.root().toString());
        outInfo.set(ExportJob.MODEL_INFO_KEY, Json.tree(new ExportJob.Exported(out.path(ONNX).toString(), onnxAfter.length,
                ExportJob.sha256(onnxAfter), ExportOptions.DEFAULT_OPSET, "dynamic", false, false, null, "not run",
                Instant.now().toString())));
        out.writeJson(RunDirectory.MODEL_INFO, outInfo);

        List<PruneReport.Cell> cells = new ArrayList<>();
        for (Map.Entry<String, int[]> e : p.decisions().channels().entrySet()) {
            if (keptCell(a, e.getKey(), p.decisions().netDepth())) {
                cells.add(new PruneReport.Cell(e.getKey().replaceFirst("_p\\d+$", ""), e.getValue().length, e.getValue(),
                        p.decisions().steps().get(e.getKey())));
            }
        }
        PruneReport report = new PruneReport(run.root().toString(), before.paramsTotal(), after.paramsTotal(),
                before.macs(), after.macs(), onnxBefore, onnxPruned, a.isUnet() ? p.decisions().netDepth() : null, cells,
                Json.tree(p.architecture().toJson()));
        out.writeJson(PRUNE, report);

        String config = run.exists(RunDirectory.CONFIG)
                ? new String(run.read(RunDirectory.CONFIG), StandardCharsets.UTF_8) : "";
        out.writeText(FINETUNE_CONF, config + String.format(Locale.ROOT, "%n# written by segspark nas prune: fine-tune the "
                        + "pruned network%ntrain.model-options.architecture = \"%s\"%ntrain.model-options.init-from = \"%s\"%n"
                        + "train.out = \"%s\"%n", out.path(ARCHITECTURE), out.root(), out.path("finetune")));
        console.printf(Locale.ROOT, "nas prune: %,d -> %,d parameters (%.1f%% removed), %,d -> %,d MACs; %s%n",
                before.paramsTotal(), after.paramsTotal(), 100.0 * (before.paramsTotal() - after.paramsTotal())
                        / before.paramsTotal(), before.macs(), after.macs(), describe(p.architecture()));
        console.printf(Locale.ROOT, "nas prune: ONNX %,d -> %,d bytes; ONNX Runtime CPU %.2f -> %.2f ms at batch 1, "
                        + "%.2f -> %.2f ms at batch 8; %s written%n", onnxBefore.bytes(), onnxPruned.bytes(),
                onnxBefore.batch1().medianMs(), onnxPruned.batch1().medianMs(), onnxBefore.batch8().medianMs(),
                onnxPruned.batch8().medianMs(), out.path(ONNX));
        return new Result(before.paramsTotal(), after.paramsTotal(), before.macs(), after.macs(), p.architecture(), report,
                onnxPruned);
    }

    /** File size and median latency at batch 1 and 8 (5 warm-up runs, 21 timed). */
    static OnnxFigures onnxFigures(byte[] onnx, int channels, int h, int w) {
        try (OnnxRuntimeModel m = new OnnxRuntimeModel(onnx, 0)) {
            return new OnnxFigures(onnx.length, OnnxLatency.measure(m, 1, channels, h, w, 5, 21),
                    OnnxLatency.measure(m, 8, channels, h, w, 5, 21));
        }
    }

    /** Whether a cell survives the kept U-Net depth. */
    private static boolean keptCell(NasArchitecture a, String cell, int depth) {
        int level = Integer.parseInt(cell.replaceAll("^(enc|dec)(\\d+).*$", "$2"));
        return cell.startsWith("enc") ? level <= depth : level < depth;
    }

    static String describe(NasArchitecture a) {
        StringBuilder b = new StringBuilder(a.kind()).append(a.isUnet() ? " depth " + a.maxDepth() : "").append(": ");
        for (int j = 0; j < a.encoder().size(); j++) {
            b.append(j == 0 ? "" : ", ").append("enc").append(j + 1).append(' ').append(a.encoder().get(j).channels())
                    .append('x').append(a.encoder().get(j).steps());
        }
        for (int j = 0; j < a.decoder().size(); j++) {
            b.append(", dec").append(j + 1).append(' ').append(a.decoder().get(j).channels()).append('x')
                    .append(a.decoder().get(j).steps());
        }
        return b.append(" (channels x steps)").toString();
    }
}
