package org.segspark.jobs.export;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.HadoopFiles;
import org.segspark.jobs.data.Normalization;
import org.segspark.jobs.run.ModelInput;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.models.onnx.ExportOptions;
import org.segspark.models.onnx.InputNormalization;
import org.segspark.models.onnx.OnnxChecker;
import org.segspark.models.onnx.OnnxExport;
import org.segspark.models.onnx.OnnxRuntimeModel;
import org.segspark.models.onnx.UnsupportedLayerException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code segspark export}: a run's network as an ONNX file, with what the network expects recorded
 * in the file's metadata, checked against DL4J in ONNX Runtime before it is written, and recorded
 * in the run's model.json.
 */
public final class ExportJob {
    /** model.json's record of the latest export. */
    public static final String MODEL_INFO_KEY = "onnx";

    private ExportJob() {
    }

    /**
     * @param batch     the input's fixed batch size, 0 for a dynamic axis
     * @param tolerance the largest max-absolute probability difference to ONNX Runtime accepted; 0 skips the check
     */
    public static final Setting<String> MODEL = Setting.requiredText("model",
                    "A run folder (segspark train, nas prune, nas run's pruned/ or finetune/) or a model.zip with its "
                            + "model.json beside it.")
            .option("--run", "RUN|MODEL.zip", "Run folder, or a model.zip with model.json beside it");
    public static final Setting<String> OUT = Setting.requiredText("out", "The ONNX file to write.")
            .option("--out", "FILE.onnx", "The ONNX file to write");
    public static final Setting<Integer> OPSET = Setting.integer("opset",
                    "ONNX operator set, 13 to 17. 17 reads in TensorRT 8.6 and 10 and ONNX Runtime 1.12 and later; 13 "
                            + "in older TensorRT 8 releases.")
            .check(v -> v >= 13 && v <= 17, "must be 13 to 17")
            .option("--opset", "N", "ONNX operator set, 13 to 17");
    public static final Setting<Integer> BATCH = Setting.custom("batch", "positive integer or \"dynamic\"",
                    (c, k) -> Settings.batch(c.getString(k)),
                    "The input's batch size, fixed in the graph (TensorRT's simple path), or \"dynamic\" for a batch axis "
                            + "named \"batch\" (trtexec then needs --minShapes/--optShapes/--maxShapes).")
            .option("--batch", "N|dynamic", "Fixed batch size, or dynamic");
    public static final Setting<Boolean> FOLD_BATCHNORM = Setting.flag("fold-batchnorm",
                    "Fold each batch norm that directly follows a convolution into that convolution's weights and bias.")
            .option("--fold-batchnorm", "BOOL", "Fold batch norms into the convolutions before them");
    public static final Setting<Boolean> NORMALIZE_IN_GRAPH = Setting.flag("normalize-in-graph",
                    "Build training's input normalisation into the graph: the input then takes RGB pixel values 0-255 "
                            + "(NCHW float32) instead of normalised values. Either way model.json's normalisation is "
                            + "recorded in the file's metadata.")
            .option("--normalize-in-graph", "BOOL", "Build the input normalisation into the graph (input: pixels 0-255)");
    public static final Setting<Double> TOLERANCE = Setting.number("tolerance",
            "Run the exported file in ONNX Runtime next to DL4J on a random batch and fail when the probabilities "
                    + "differ by more than this (max absolute difference); 0 skips the check.").atLeast(0);
    public static final Setting<Boolean> CHECKER = Setting.flag("checker",
            "Also validate the file with the onnx Python package's checker when /usr/bin/python3 has it (Debian: "
                    + "python3-onnx); a missing package is reported, not an error.");
    public static final Setting<Boolean> FORCE = Setting.flag("force", "Replace an existing out file (--force).");

    public static final SettingsSection SECTION = new SettingsSection("export", List.of(MODEL, OUT, OPSET, BATCH,
            FOLD_BATCHNORM, NORMALIZE_IN_GRAPH, TOLERANCE, CHECKER, FORCE));

    /** The export settings (declared above; defaults in conf/export.conf). */
    public record Settings(String model, String out, int opset, int batch, boolean foldBatchNorm, boolean normalizeInGraph,
                           double tolerance, boolean checker, boolean force) {

        /** The section's settings, validated. */
        public static Settings from(Config section) {
            SettingsSection.Values v = SECTION.read(section);
            return new Settings(v.get(MODEL), v.get(OUT), v.get(OPSET), v.get(BATCH), v.get(FOLD_BATCHNORM),
                    v.get(NORMALIZE_IN_GRAPH), v.get(TOLERANCE), v.get(CHECKER), v.get(FORCE));
        }

        /** "dynamic" or a positive number. */
        public static int batch(String setting) {
            if (setting.equalsIgnoreCase("dynamic")) {
                return 0;
            }
            try {
                int b = Integer.parseInt(setting.strip());
                if (b >= 1) {
                    return b;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("batch must be a positive number or \"dynamic\", got \"" + setting + "\"");
        }
    }

    /** What was written (model.json's "onnx" record). */
    public record Exported(@JsonProperty("file") String file, @JsonProperty("bytes") long bytes,
                           @JsonProperty("sha256") String sha256, @JsonProperty("opset") int opset,
                           @JsonProperty("batch") String batch, @JsonProperty("fold_batchnorm") boolean foldBatchnorm,
                           @JsonProperty("normalization_in_graph") boolean normalizationInGraph,
                           @JsonProperty("max_abs_difference") Double maxAbsDifference,
                           @JsonProperty("checker") String checker, @JsonProperty("exported") String exported) {
    }

    /** A run folder or model.zip: the folder holding model.zip and model.json, and the zip's name. */
    record Source(RunDirectory dir, String zip) {
        static Source of(String location, Configuration conf) throws IOException {
            if (location.endsWith(".zip")) {
                Path p = HadoopFiles.path(location);
                return new Source(RunDirectory.existing(p.getParent().toString(), conf, "--model (the folder of " + p.getName() + ")"),
                        p.getName());
            }
            return new Source(RunDirectory.existing(location, conf, "--model"), RunDirectory.MODEL);
        }
    }

    public static Exported run(Settings s, Configuration conf, PrintStream console) throws IOException {
        Source src = Source.of(s.model(), conf);
        Path target = HadoopFiles.path(s.out());
        if (!s.force() && HadoopFiles.fs(target, conf).exists(target)) {
            throw new IllegalArgumentException("--out " + s.out() + " exists; --force replaces it");
        }
        JsonNode info = src.dir().readTree(RunDirectory.MODEL_INFO);
        ComputationGraph net = src.dir().loadModel(src.zip());
        ExportOptions options = options(net, info, s.opset(), s.batch(), s.foldBatchNorm(), s.normalizeInGraph(), src.dir().root().toString());
        byte[] bytes = toOnnx(net, info, options);

        Double difference = null;
        if (s.tolerance() > 0) {
            difference = maxAbsDifference(net, info, bytes, s.batch() == 0 ? 2 : s.batch(), s.normalizeInGraph());
            if (difference > s.tolerance()) {
                throw new IllegalStateException(String.format(Locale.ROOT, "the exported model's probabilities differ from "
                        + "DL4J's by %.3g (> export.tolerance %.3g) on a random batch; nothing written", difference, s.tolerance()));
            }
        }
        HadoopFiles.writeAtomically(target, conf, bytes);
        String checker = s.checker() ? check(target, bytes) : "not run";
        Exported e = new Exported(target.toString(), bytes.length, sha256(bytes), s.opset(),
                s.batch() == 0 ? "dynamic" : Integer.toString(s.batch()), s.foldBatchNorm(), s.normalizeInGraph(), difference,
                checker, Instant.now().toString());
        ObjectNode updated = (ObjectNode) info.deepCopy();
        updated.set(MODEL_INFO_KEY, new ObjectMapper().valueToTree(e));
        src.dir().writeJson(RunDirectory.MODEL_INFO, updated);
        console.printf(Locale.ROOT, "export: %s -> %s (%,d bytes, opset %d, batch %s%s%s); ONNX Runtime vs DL4J on a random "
                        + "batch: %s; onnx checker: %s%n", s.model(), target, bytes.length, s.opset(), e.batch(),
                s.foldBatchNorm() ? ", batch norm folded" : "", s.normalizeInGraph() ? ", takes pixel values 0-255" : "",
                difference == null ? "not checked" : String.format(Locale.ROOT, "max |difference| %.2g", difference), checker);
        return e;
    }

    /** Export options for a network described by a model.json (its metadata recorded in the file). */
    public static ExportOptions options(ComputationGraph net, JsonNode info, int opset, int batch, boolean fold,
                                        boolean normalizeInGraph, String source) {
        ExportOptions o = new ExportOptions(opset, batch, fold, null, metadata(net, info, normalizeInGraph, source));
        if (normalizeInGraph) {
            ModelInput in = ModelInput.of(info, "auto", source);
            boolean perImage = in.normalizer().mode() == Normalization.IMAGE;
            o = o.withNormalization(new InputNormalization(perImage, in.normalizer().mean(), in.normalizer().std()));
        }
        return o;
    }

    /**
     * A run's network as predict and the Spark ML model serve it when the run has no export of its
     * own ({@link ExportOptions#serving()}), in memory; {@code run} names the run in errors and the metadata.
     */
    public static byte[] served(ComputationGraph net, JsonNode info, String run) {
        ExportOptions o = ExportOptions.serving();
        try {
            return toOnnx(net, info, options(net, info, o.opset(), o.batch(), o.foldBatchNorm(), false, run));
        } catch (UnsupportedLayerException e) {
            throw new IllegalArgumentException("engine onnxruntime: " + run + "'s network does not export to ONNX ("
                    + e.getMessage() + "); engine dl4j runs its model.zip as it is", e);
        }
    }

    public static byte[] toOnnx(ComputationGraph net, JsonNode info, ExportOptions options) {
        return OnnxExport.export(net, inputType(info), options).toByteArray();
    }

    static InputType.InputTypeConvolutional inputType(JsonNode info) {
        JsonNode in = info.path("input");
        if (!in.isArray() || in.size() != 3) {
            throw new IllegalArgumentException("model.json lacks input [channels, height, width]");
        }
        return (InputType.InputTypeConvolutional) InputType.convolutional(in.get(1).asInt(), in.get(2).asInt(), in.get(0).asInt());
    }

    /** What a deployment needs to feed the model and read its output, as the file's metadata_props. */
    static Map<String, String> metadata(ComputationGraph net, JsonNode info, boolean normalizeInGraph, String source) {
        Map<String, String> m = new LinkedHashMap<>();
        boolean seg = "segmentation".equals(info.path("task").asText());
        InputType.InputTypeConvolutional t = inputType(info);
        m.put("segspark.model", info.path("model").asText());
        m.put("segspark.task", info.path("task").asText());
        m.put("segspark.classes", info.path("classes").toString());
        m.put("segspark.input", String.format(Locale.ROOT, "%s: float32 [N, %d, %d, %d], %s, %s", OnnxExport.INPUT,
                t.getChannels(), t.getHeight(), t.getWidth(), t.getChannels() == 1 ? "grey" : "RGB", normalizeInGraph ? "pixel values 0-255"
                        : "normalised as segspark.normalization says"));
        String outName = net.getConfiguration().getNetworkOutputs().get(0);
        InputType out = net.getConfiguration().getLayerActivationTypes(t).get(outName);
        boolean binary = out instanceof InputType.InputTypeConvolutional o && o.getChannels() == 1;
        m.put("segspark.output", OnnxExport.OUTPUT + ": float32 " + (!seg ? "[N, classes], softmax"
                : binary ? "[N, 1, H', W'], foreground probability (sigmoid)"
                : "[N, classes, H', W'], softmax over the classes per pixel") + "; " + out);
        m.put("segspark.normalization", info.path("normalization").toString());
        m.put("segspark.normalization_in_graph", Boolean.toString(normalizeInGraph));
        m.put("segspark.input_transform", info.path("input_transform").toString());
        m.put("segspark.source", source);
        return m;
    }

    /** DL4J against ONNX Runtime on one random batch of normalised inputs (pixels 0-255 when the graph normalises). */
    static double maxAbsDifference(ComputationGraph net, JsonNode info, byte[] onnx, int n, boolean normalizeInGraph) {
        InputType.InputTypeConvolutional t = inputType(info);
        int c = (int) t.getChannels(), h = (int) t.getHeight(), w = (int) t.getWidth();
        Nd4j.getRandom().setSeed(17);
        float[] dl4jIn, ortIn;
        if (normalizeInGraph) {
            byte[] pixels = new byte[h * w * c];
            dl4jIn = new float[n * c * h * w];
            ortIn = new float[n * c * h * w];
            Random r = new Random(17);
            ModelInput in = ModelInput.of(info, "auto", "model.json");
            for (int i = 0; i < n; i++) {
                r.nextBytes(pixels);
                in.normalizer().toChw(pixels, h, w, dl4jIn, i * c * h * w);
                for (int p = 0; p < h * w; p++) {
                    for (int ch = 0; ch < c; ch++) {
                        ortIn[i * c * h * w + ch * h * w + p] = pixels[p * c + ch] & 0xff;
                    }
                }
            }
        } else {
            dl4jIn = Nd4j.randn(DataType.FLOAT, n, c, h, w).data().asFloat();
            ortIn = dl4jIn;
        }
        INDArray x = Nd4j.create(dl4jIn, new long[] {n, c, h, w}, 'c');
        float[] expected = net.output(false, x)[0].castTo(DataType.FLOAT).dup('c').reshape(-1).toFloatVector();
        try (OnnxRuntimeModel ort = new OnnxRuntimeModel(onnx, 0)) {
            float[] got = ort.run(ortIn, new long[] {n, c, h, w}).values();
            double max = 0;
            for (int i = 0; i < expected.length; i++) {
                max = Math.max(max, Math.abs(expected[i] - got[i]));
            }
            return max;
        }
    }

    /** The onnx package's verdict ("passed" or its message), or why it did not run. */
    static String check(Path target, byte[] bytes) throws IOException {
        if (!OnnxChecker.available()) {
            return "not run (no python3-onnx)";
        }
        boolean local = target.toUri().getScheme() == null || "file".equals(target.toUri().getScheme());
        java.nio.file.Path file = local ? java.nio.file.Path.of(target.toUri().getPath()) : Files.createTempFile("segspark", ".onnx");
        try {
            if (!local) {
                Files.write(file, bytes);
            }
            String error = OnnxChecker.check(List.of(file));
            if (error != null) {
                throw new IllegalStateException("the onnx checker rejects " + target + ": " + error.strip());
            }
            return "passed";
        } finally {
            if (!local) {
                Files.deleteIfExists(file);
            }
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
