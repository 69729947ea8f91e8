package org.segspark.jobs.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.segspark.core.config.Choice;
import org.segspark.core.config.Setting;
import org.segspark.core.config.SettingsSection;
import org.segspark.core.io.HadoopFiles;
import org.segspark.core.io.OutputFolder;
import org.segspark.core.io.SerializableConf;
import org.segspark.jobs.data.InputNormalizer;
import org.segspark.jobs.data.Normalization;
import org.segspark.jobs.data.Targets;
import org.segspark.jobs.eval.Evaluation;
import org.segspark.jobs.export.ExportJob;
import org.segspark.jobs.run.ModelInput;
import org.segspark.jobs.run.RunDirectory;
import org.segspark.models.onnx.OnnxRuntimeModel;
import org.segspark.preprocess.io.Accounting;
import org.segspark.preprocess.io.InputTree;
import org.segspark.preprocess.io.Reject;
import org.segspark.preprocess.io.RejectsTable;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code segspark predict}: a run's model over a folder of images. Executors read their images,
 * give them the training tensors' geometry and normalisation, predict, and write each result
 * themselves (image bytes never reach the driver): for segmentation an 8-bit label map at the
 * image's own size and an overlay; for classification a class and its probability. The driver
 * writes {@code predictions.csv} (one row per written image) and {@code rejects.csv}.
 */
public final class PredictJob {
    public static final String LABELS = "labels";
    public static final String OVERLAYS = "overlays";
    public static final String PREDICTIONS = "predictions.csv";
    static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff");

    private PredictJob() {
    }

    /**
     * @param aspect    stretch, pad, or auto (the model's training data's, from model.json)
     * @param batch     images per forward pass on an executor
     * @param maxPixels larger images are rejected (decompression-bomb guard)
     */
    public static final Setting<String> MODEL = Setting.requiredText("model",
                    "Run folder written by segspark train: its model.zip and model.json are used.")
            .option("--run", "RUN", "A run folder written by segspark train").formerly("--model");
    public static final Setting<String> IMAGES = Setting.requiredText("images",
                    "Folder of images, read recursively: jpg, jpeg, png, bmp, gif, tif, tiff; other files are listed as skipped.")
            .option("--images", "DIR", "Folder of images (read recursively)");
    public static final Setting<String> OUT = Setting.requiredText("out",
                    "Output folder (not inside images): labels/<image path>.png (8-bit class index per pixel at the "
                            + "image's size), overlays/<image path>.png, predictions.csv and rejects.csv.")
            .option("--out", "DIR", "Output folder");
    public static final Setting<Boolean> FORCE = OutputFolder.FORCE;
    public static final Setting<Integer> BATCH = Setting.integer("batch", "Images per forward pass on an executor.")
            .atLeast(1).option("--batch", "N", "Images per forward pass on each executor");
    public static final Setting<Boolean> WRITE_OVERLAYS = Setting.flag("overlays",
                    "Write overlays (the image with the predicted classes blended in) next to the label maps.")
            .option("--overlays", null, "Write overlays (default); --no-overlays skips them").negatable();
    public static final Setting<AspectChoice> ASPECT = Setting.choice("aspect", AspectChoice.class,
            "How images are fitted to the model's input: auto (as the model's training data was: model.json's "
                    + "input_transform), stretch, or pad.");
    public static final Setting<Engine> ENGINE = Setting.choice("engine", Engine.class,
                    "What runs the network: onnxruntime (an ONNX file: --onnx, else the run's latest segspark export, "
                            + "else model.zip exported in memory; 1.4-18x DL4J's speed in segspark bench models, same "
                            + "outputs within 1e-4, see docs/EXPORT.md) or dl4j (the run's model.zip).")
            .option("--engine", "ENGINE", "onnxruntime (--onnx, else the run's latest segspark export, else model.zip "
                    + "exported in memory) or dl4j (the run's model.zip)");
    public static final Setting<String> ONNX = Setting.optionalText("onnx",
                    "The ONNX file for engine = onnxruntime; null: the run's latest segspark export (model.json's onnx.file), "
                            + "else the run's model.zip exported in memory.")
            .option("--onnx", "FILE.onnx", "The ONNX file for --engine onnxruntime");
    public static final Setting<Long> MAX_PIXELS = Setting.longInteger("max-pixels",
            "Images with more pixels are rejected (decompression-bomb guard).").atLeast(1);

    public static final SettingsSection SECTION = new SettingsSection("predict", List.of(MODEL, IMAGES, OUT, FORCE,
            BATCH, WRITE_OVERLAYS, ASPECT, ENGINE, ONNX, MAX_PIXELS));

    /** What runs the network. */
    public enum Engine implements Choice {
        DL4J, ONNXRUNTIME
    }

    /** How images are fitted to the model's input. */
    public enum AspectChoice implements Choice {
        AUTO, STRETCH, PAD
    }

    /** The predict settings (declared above; defaults in conf/predict.conf). */
    public record Settings(String run, String images, String out, int batch, boolean overlays, String aspect,
                           long maxPixels, boolean force, String engine, String onnx) {
        public static final String DL4J = "dl4j";
        public static final String ONNXRUNTIME = "onnxruntime";

        public Settings(String run, String images, String out, int batch, boolean overlays, String aspect, long maxPixels) {
            this(run, images, out, batch, overlays, aspect, maxPixels, false, ONNXRUNTIME, null);
        }

        /** The section's settings, validated. */
        public static Settings from(Config section) {
            SettingsSection.Values v = SECTION.read(section);
            return new Settings(v.get(MODEL), v.get(IMAGES), v.get(OUT), v.get(BATCH), v.get(WRITE_OVERLAYS),
                    v.get(ASPECT).id(), v.get(MAX_PIXELS), v.get(FORCE), v.get(ENGINE).id(), v.get(ONNX));
        }

        public Settings {
            Choice.parse(Engine.class, engine, "predict.engine");
            Choice.parse(AspectChoice.class, aspect, "predict.aspect");
            if (batch < 1) {
                throw new IllegalArgumentException("predict.batch must be >= 1, got " + batch);
            }
            if (maxPixels < 1) {
                throw new IllegalArgumentException("predict.max-pixels must be >= 1, got " + maxPixels);
            }
        }
    }

    /**
     * What a run did: its books, the rejects, files skipped as not images, the model's input
     * geometry, and what ran the network (the engine and the file or model it ran).
     */
    public record Result(Accounting accounting, List<Reject> rejects, List<String> skipped, ModelInput input, String served) {
    }

    public static Result run(JavaSparkContext jsc, Settings s) throws IOException {
        Configuration conf = jsc.hadoopConfiguration();
        RunDirectory dir = RunDirectory.existing(s.run(), conf, "--model");
        Path root = HadoopFiles.path(s.images());
        Path outRoot = HadoopFiles.path(s.out());
        InputTree.requireFolder(s.images(), conf, "--images");
        FileSystem fs = HadoopFiles.fs(root, conf);
        String rootPath = realPath(fs.makeQualified(root));
        String outPath = realPath(HadoopFiles.fs(outRoot, conf).makeQualified(outRoot));
        if (outPath.equals(rootPath) || outPath.startsWith(rootPath + "/")) {
            throw new IllegalArgumentException("--out " + s.out() + " is inside --images " + s.images()
                    + (outPath.startsWith(pathOf(root)) ? "" : " (through a symbolic link)")
                    + ": a later run would take the predictions for inputs");
        }
        OutputFolder.claim(s.out(), conf, KIND, s.force(), "--out");
        JsonNode info = dir.readTree(RunDirectory.MODEL_INFO);
        ModelInput input = ModelInput.of(info, s.aspect(), s.run());
        ComputationGraph net = dir.loadModel(RunDirectory.MODEL);
        boolean onnx = s.engine().equals(Settings.ONNXRUNTIME);
        byte[] onnxModel = null;
        String served = "dl4j, model.zip";
        if (onnx) {
            String file = s.onnx() != null ? s.onnx() : info.at("/onnx/file").asText(null);
            onnxModel = file != null ? onnxFile(file, s.onnx() != null ? "--onnx" : "model.json's onnx record", conf)
                    : ExportJob.served(net, info, s.run());
            served = "onnxruntime, " + (file != null ? file : "model.zip exported in memory");
            input = onnxInput(onnxModel, input, file != null ? file : s.run() + "'s model.zip exported in memory");
        }
        Targets targets = input.segmentation()
                ? Targets.segmentation(input.classes().size(), input.height(), input.width(), input.channels(),
                        net.getConfiguration())
                : Targets.classification(input.classes().size());

        List<String> files = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        InputTree.Listing listing = InputTree.walk(s.images(), conf, "");
        for (String rel : listing.files()) {
            (isImageName(rel) ? files : skipped).add(rel);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no image files (" + String.join(", ", IMAGE_EXTENSIONS) + ") under "
                    + s.images() + (skipped.isEmpty() ? "" : "; found only " + skipped.size() + " other files"));
        }

        ImagePredictor predictor = new ImagePredictor(input, targets, root.toString(), outRoot.toString(), s.batch(),
                s.overlays(), s.maxPixels(), new SerializableConf(conf),
                jsc.master().startsWith("local") ? 0 : jsc.getConf().getInt("spark.task.cpus", 1));
        Broadcast<Evaluation.Model> model = onnx ? null : jsc.broadcast(Evaluation.Model.of(net));
        Broadcast<byte[]> onnxBytes = onnx ? jsc.broadcast(onnxModel) : null;
        int onnxThreads = jsc.master().startsWith("local")
                ? Math.max(1, Runtime.getRuntime().availableProcessors() / jsc.defaultParallelism())
                : jsc.getConf().getInt("spark.task.cpus", 1);
        List<ImagePredictor.Outcome> outcomes;
        try {
            jsc.setJobDescription("predict (" + s.engine() + "): " + files.size() + " images with " + s.run() + " -> " + s.out());
            int partitions = Math.max(1, Math.min(files.size(), jsc.defaultParallelism() * 2));
            outcomes = jsc.parallelize(files, partitions)
                    .mapPartitions(names -> {
                        try (BatchModel m = onnxBytes != null ? BatchModel.onnx(onnxBytes.value(), onnxThreads)
                                : BatchModel.dl4j(model.value().build())) {
                            return predictor.run(m, names).iterator();
                        }
                    })
                    .collect();
        } finally {
            if (model != null) {
                model.destroy();
            }
            if (onnxBytes != null) {
                onnxBytes.destroy();
            }
        }
        List<Reject> rejects = new ArrayList<>(listing.rejects());
        StringBuilder csv = new StringBuilder(header(input, s.overlays()));
        for (ImagePredictor.Outcome o : outcomes) {
            if (o.reject() != null) {
                rejects.add(o.reject());
            } else {
                csv.append(row(o, input, s.overlays()));
            }
        }
        Accounting books = Accounting.check(files.size() + listing.rejects().size(),
                outcomes.size() - (rejects.size() - listing.rejects().size()), rejects.size());
        HadoopFiles.writeAtomically(new Path(outRoot, PREDICTIONS), conf, csv.toString().getBytes(StandardCharsets.UTF_8));
        RejectsTable.write(new Path(outRoot, RejectsTable.FILE), conf, rejects);
        return new Result(books, rejects, skipped, input, served);
    }

    /** The ONNX file predict.onnx names, or the one model.json records as the run's latest export. */
    private static byte[] onnxFile(String file, String source, Configuration conf) throws IOException {
        Path p = HadoopFiles.path(file);
        if (!HadoopFiles.fs(p, conf).exists(p)) {
            throw new FileNotFoundException(source + " names " + file + ", which does not exist");
        }
        return HadoopFiles.readAll(p, conf);
    }

    /**
     * The input the file takes: its image size must be the run's; a file with the normalisation
     * built in takes pixel values as they are.
     */
    private static ModelInput onnxInput(byte[] model, ModelInput in, String file) {
        try (OnnxRuntimeModel m = new OnnxRuntimeModel(model, 1)) {
            long[] shape = m.inputShape();
            int c = in.channels();
            if (shape.length != 4 || shape[1] != c || shape[2] != in.height() || shape[3] != in.width()) {
                throw new IllegalArgumentException(file + " takes input " + Arrays.toString(shape) + ", the run's model [N, "
                        + c + ", " + in.height() + ", " + in.width() + "]: export it from this run");
            }
            if (!"true".equals(m.metadata().get("segspark.normalization_in_graph"))) {
                return in;
            }
        }
        return new ModelInput(in.segmentation(), in.classes(), in.height(), in.width(), in.aspect(), in.dctScaling(),
                InputNormalizer.of(Normalization.DATASET, in.channels(), new double[in.channels()],
                        ones(in.channels())));
    }

    private static double[] ones(int n) {
        double[] d = new double[n];
        Arrays.fill(d, 1);
        return d;
    }

    /** A predictions folder (older ones are known by their table). */
    public static final OutputFolder.Kind KIND = new OutputFolder.Kind("predict", PREDICTIONS);

    /**
     * The path with every symbolic link of its existing part resolved (local file systems), so
     * that a linked --images cannot hide that --out lies inside it.
     */
    private static String realPath(Path qualified) {
        if (!"file".equals(qualified.toUri().getScheme())) {
            return pathOf(qualified);
        }
        java.nio.file.Path p = Paths.get(qualified.toUri()).normalize();
        java.nio.file.Path missing = java.nio.file.Path.of("");
        while (p != null && !Files.exists(p)) {
            missing = p.getFileName().resolve(missing);
            p = p.getParent();
        }
        try {
            java.nio.file.Path real = p == null ? missing : p.toRealPath().resolve(missing);
            String s = real.toString();
            return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
        } catch (IOException e) {
            return pathOf(qualified);
        }
    }

    /** The path part of a qualified path, without the trailing slash a local folder's URI has. */
    private static String pathOf(Path qualified) {
        String p = qualified.toUri().getPath();
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    static boolean isImageName(String name) {
        int dot = name.lastIndexOf('.');
        return dot > name.lastIndexOf('/') + 1 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static String header(ModelInput input, boolean overlays) {
        if (!input.segmentation()) {
            return "file,width,height,class,class_name,probability\n";
        }
        StringBuilder b = new StringBuilder("file,width,height,label_map").append(overlays ? ",overlay" : "");
        for (String c : input.classes()) {
            b.append(',').append(RejectsTable.csv("share_" + c));
        }
        return b.append('\n').toString();
    }

    private static String row(ImagePredictor.Outcome o, ModelInput input, boolean overlays) {
        StringBuilder b = new StringBuilder(RejectsTable.csv(o.file())).append(',').append(o.width()).append(',')
                .append(o.height());
        if (!input.segmentation()) {
            return b.append(',').append(o.label()).append(',').append(RejectsTable.csv(input.classes().get(o.label())))
                    .append(',').append(String.format(Locale.ROOT, "%.6f", o.probability())).append('\n').toString();
        }
        b.append(',').append(RejectsTable.csv(LABELS + "/" + ImagePredictor.pngName(o.file())));
        if (overlays) {
            b.append(',').append(RejectsTable.csv(OVERLAYS + "/" + ImagePredictor.pngName(o.file())));
        }
        double pixels = (double) o.width() * o.height();
        for (long n : o.classPixels()) {
            b.append(',').append(String.format(Locale.ROOT, "%.6f", n / pixels));
        }
        return b.append('\n').toString();
    }
}
